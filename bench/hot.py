#!/usr/bin/env python3
"""Hot frames of a JFR recording: python3 bench/hot.py FILE.jfr [TOP] [HH:MM:SS]

Reads `jfr print --json --events jdk.ExecutionSample` and prints
  - top self frames (where the CPU was when sampled),
  - top inclusive frames among the hub's own code and the libraries it calls (which call path the
    CPU time belongs to), by package prefix buckets and by method.
"""
import collections, json, subprocess, sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
since = sys.argv[3] if len(sys.argv) > 3 else ""  # optional "HH:MM:SS" (UTC): ignore earlier samples
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "96", "--events", "jdk.ExecutionSample", path],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]

def name(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]

def role(thread):
    if thread.startswith(("http-nio", "task-")):
        return "ingress (Tomcat http-nio + platform-http task pool)"
    if thread.startswith("Camel ("):
        return "dispatcher (timer + split pool)"
    return "other threads (lettuce, rabbit, hikari, GC-adjacent, ...)"


BUCKETS = [  # first match wins, checked over the whole stack (innermost first)
    ("inbox INSERT (JDBC/PostgreSQL driver)", ("com.wechathub.inbox.InboxRecorder.record",)),
    ("dispatcher (claim/open/done, follower SQL)", ("com.wechathub.inbox.Inbox.", "com.wechathub.follower.")),
    ("dispatch: CRM call (camel-http/httpclient5)", ("org.apache.camel.component.http.HttpProducer",)),
    ("dispatch: RabbitMQ publish", ("org.apache.camel.component.springrabbit", "com.rabbitmq.")),
    ("dedupe (Redis)", ("org.apache.camel.component.redis.processor.idempotent", "io.lettuce", "org.springframework.data.redis")),
    ("XML parse (jackson-xml/woodstox)", ("com.fasterxml.jackson.dataformat.xml", "com.ctc.wstx")),
    ("JSON (jackson-databind)", ("com.fasterxml.jackson.databind",)),
    ("metrics: Camel exchange event notifier", ("org.apache.camel.component.micrometer.eventnotifier",)),
    ("metrics: other micrometer (route policy, http observation, hub meters)", ("io.micrometer", "io.prometheus", "org.apache.camel.component.micrometer")),
    ("logging", ("ch.qos.logback", "org.slf4j")),
    ("Camel type conversion / simple predicates", ("org.apache.camel.impl.converter", "org.apache.camel.support.ObjectHelper.typeCoerce")),
    ("Camel bean invocation (reflection, parameter binding)", ("org.apache.camel.component.bean",)),
    ("Camel routing engine (other)", ("org.apache.camel.",)),
    ("Spring MVC / Tomcat / servlet (incl. async re-dispatch)", ("org.springframework.web", "org.apache.catalina", "org.apache.coyote", "org.apache.tomcat")),
]

self_counts = collections.Counter()
bucket_counts = collections.Counter()
role_counts = collections.Counter()
incl = collections.Counter()
threads = collections.Counter()
n = 0
for e in events:
    st = e["values"].get("stackTrace")
    if not st or not st["frames"]:
        continue
    if since and e["values"]["startTime"][11:19] < since:
        continue
    n += 1
    frames = [name(f) for f in st["frames"]]
    self_counts[frames[0]] += 1
    t = e["values"].get("sampledThread") or {}
    tn = (t.get("javaName") or t.get("osName") or "?")
    threads[tn.rstrip("0123456789-")] += 1
    r = role(tn)
    role_counts[r] += 1
    for label, prefixes in BUCKETS:
        if prefixes and any(f.startswith(p) for f in frames for p in prefixes):
            bucket_counts[(r, label)] += 1
            break
    else:
        bucket_counts[(r, "other")] += 1
    for f in set(frames):
        if f.startswith(("com.wechathub.", "org.postgresql.jdbc.PgPreparedStatement.execute",
                         "org.apache.camel.support.processor.idempotent", "org.apache.camel.processor.idempotent")):
            incl[f] += 1

print(f"{n} execution samples in {path}")
print("\nby thread (pool name):")
for k, v in threads.most_common(8):
    print(f"  {100*v/n:5.1f}%  {k}")
print("\nby cost bucket (share of all samples; per thread role; whole stack, first match):")
for r, rv in role_counts.most_common():
    print(f"  {100*rv/n:5.1f}%  {r}")
    for (r2, label), v in bucket_counts.most_common():
        if r2 == r and v / n >= 0.005:
            print(f"      {100*v/n:5.1f}%  {label}")
print(f"\ntop {top} self frames:")
for k, v in self_counts.most_common(top):
    print(f"  {100*v/n:5.1f}%  {k}")
print("\nhub methods, inclusive:")
for k, v in incl.most_common(top):
    print(f"  {100*v/n:5.1f}%  {k}")
