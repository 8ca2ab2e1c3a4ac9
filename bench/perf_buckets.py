#!/usr/bin/env python3
"""Shares of a JVM's CPU samples by layer, from `perf script -F comm,ip,sym` output.

Each sample goes to the first layer whose package appears walking its stack from the leaf
outwards, so time in the JDK or the kernel counts for the library that called it. Needs the JIT's
symbols (`jcmd <pid> Compiler.perfmap`) and frame pointers (-XX:+PreserveFramePointer).

    bench/perf_buckets.py hub.stacks                    # the whole JVM, by layer
    bench/perf_buckets.py hub.stacks --steps Camel      # the dispatcher's threads, by step
    bench/perf_buckets.py hub.stacks --threads          # by thread pool, with CPU-seconds

With --steps PREFIX only the threads whose name starts with PREFIX count (the dispatcher's run on
Camel's threads: "Camel (camel-1) thread #N - wechat-dispatch-event" and its timer), and each
sample goes to the first dispatch step found anywhere on its stack (CRM call, broker publish,
follower upsert, …); what is in none of them is Camel's own routing, bean binding and type
conversion, or the JVM.

With --threads each sample goes to its thread's pool (the name without its numbers): the pushes are
answered on Tomcat's "http-nio" and the platform-http "task" threads (with "inbox-writer" and
Lettuce's "lettuce-nioEventLoop"), events are dispatched on Camel's threads, and the JIT and GC have
their own. CPU-seconds assume perf's -F 499.
"""
import collections
import re
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


# The dispatcher's steps, each by the frames that are only on the stack while it runs.
STEPS = [
    ("CRM call (camel-http, HttpClient 5)", ("component.http.HttpProducer", "org.apache.hc.")),
    ("broker publish and its confirm (spring-rabbitmq)", ("SpringRabbitMQProducer", "springframework.amqp", "com.rabbitmq")),
    ("follower state (Followers)", ("follower.Followers",)),
    ("inbox: claim, open, outcomes and history (Inbox)", ("inbox.Inbox",)),
    ("JSON for the CRM and the broker (Jackson)", ("JacksonDataFormat", "com.fasterxml")),
    ("circuit breaker (resilience4j)", ("resilience4j",)),
    ("dispatch traces (DispatchTraces, Micrometer Tracing)", ("DispatchTraces", "io.micrometer.tracing")),
    ("broker message (BrokerMessages)", ("BrokerMessages",)),
    ("CRM request beans (CrmRequests)", ("CrmRequests",)),
    ("campaign attribution, follower details", ("CampaignAttribution", "FollowerDetails")),
    ("logging", ("ch.qos.logback", "org.slf4j")),
]


def step(thread, frames):
    for name, patterns in STEPS:
        if any(p in frame for frame in frames for p in patterns):
            return name
    return "Camel routing, bean binding, type conversion; JVM" if any("org.apache.camel" in f for f in frames) \
        else "JVM, kernel (no Camel frame)"


def main(path, threads=None, pools=False):
    counts = collections.Counter()
    with open(path, errors="replace") as stacks:
        for thread, frames in samples(stacks):
            if pools:
                counts[re.sub(r"[0-9]+", "N", thread)] += 1
            elif threads is None:
                counts[layer(thread, frames)] += 1
            elif thread.startswith(threads):
                counts[step(thread, frames)] += 1
    total = sum(counts.values())
    print(f"{total} samples")
    for name, n in counts.most_common():
        print(f"{100 * n / total:5.1f}%  {name}" + (f"  ({n / 499:.1f} CPU-s)" if pools else ""))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--steps" else None,
         len(sys.argv) > 2 and sys.argv[2] == "--threads")
