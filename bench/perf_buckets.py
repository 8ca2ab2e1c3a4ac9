#!/usr/bin/env python3
"""Shares of a JVM's CPU samples by layer, from `perf script -F comm,ip,sym` output.

Each sample goes to the first layer whose package appears walking its stack from the leaf
outwards, so time in the JDK or the kernel counts for the library that called it. Needs the JIT's
symbols (`jcmd <pid> Compiler.perfmap`) and frame pointers (-XX:+PreserveFramePointer).

    bench/perf_buckets.py hub.stacks
"""
import collections
import sys

LAYERS = [
    ("Micrometer (HTTP observation, Camel exchange notifier, hub meters)",
     ("io.micrometer", "observation.", "camel.component.micrometer", "HubMetrics")),
    ("PostgreSQL driver, Hikari, Spring JDBC", ("org.postgresql", "com.zaxxer", "springframework.jdbc")),
    ("Redis: Lettuce, Netty, Spring Data Redis", ("io.lettuce", "io.netty", "springframework.data.redis", "camel.component.redis")),
    ("RabbitMQ client, Spring AMQP", ("com.rabbitmq", "springframework.amqp")),
    ("HTTP client (CRM)", ("org.apache.hc.",)),
    ("Jackson XML / JSON, Woodstox", ("com.fasterxml", "com.ctc.wstx", "org.codehaus.stax2")),
    ("hub code (com.wechathub)", ("com.wechathub",)),
    ("Camel (routing engine, bean binding, type conversion, platform-http binding)", ("org.apache.camel",)),
    ("Spring MVC, Tomcat, servlet filters", ("org.apache.catalina", "org.apache.coyote", "org.apache.tomcat",
                                             "org.springframework", "jakarta.servlet")),
    ("logging", ("ch.qos.logback", "org.slf4j")),
]


def layer(thread, frames):
    if thread.startswith(("C2 Compiler", "C1 Compiler")):
        return "JIT compiler threads"
    if thread.startswith(("GC Thread", "G1 ")):
        return "GC threads"
    for frame in frames:
        for name, packages in LAYERS:
            if any(p in frame for p in packages):
                return name
    return "other (JVM, kernel, no Java frame)"


def samples(lines):
    thread, frames = None, []
    for line in lines:
        if not line.strip():
            if thread is not None:
                yield thread, frames
            thread, frames = None, []
        elif not line[0].isspace():
            if thread is not None:
                yield thread, frames
            thread, frames = line.strip(), []
        else:
            parts = line.strip().split(" ", 1)
            frames.append(parts[-1])
    if thread is not None:
        yield thread, frames


def main(path):
    counts = collections.Counter()
    with open(path, errors="replace") as stacks:
        for thread, frames in samples(stacks):
            counts[layer(thread, frames)] += 1
    total = sum(counts.values())
    print(f"{total} samples")
    for name, n in counts.most_common():
        print(f"{100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
