#!/usr/bin/env python3
"""Who used the CPU during a benchmark window (Linux /proc), to tell a measurement from noise.

  python3 bench/cpu.py snap FILE                       # snapshot now
  python3 bench/cpu.py diff FILE1 FILE2 [name=PID ...]  # one line: cores used per group in between
  python3 bench/cpu.py others SECONDS [PID ...]         # cores used by everything except PIDs (and
                                                        # the shared servers) over SECONDS

Groups: the named PIDs (e.g. hub=123 ceiling=456), wrk, postgres, redis, rabbitmq (beam.smp),
then "others" (anything else: other people's builds and tests on a shared machine).
"""
import json, os, sys, time

HZ = os.sysconf("SC_CLK_TCK")


def snap():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1: raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        procs[pid] = [comm, int(fields[11]) + int(fields[12])]  # utime + stime (ticks)
    return {"t": time.time(), "total": sum(cpu), "idle": cpu[3] + cpu[4], "procs": procs}


def group(pid, comm, named):
    for name, p in named.items():
        if pid == p:
            return name
    if comm == "wrk":
        return "wrk"
    if comm.startswith("postgres"):
        return "postgres"
    if comm.startswith("redis"):
        return "redis"
    if comm in ("beam.smp", "erl_child_setup", "epmd", "inet_gethost"):
        return "rabbitmq"
    return "others"


def diff(a, b, named):
    wall = b["t"] - a["t"]
    busy = 1 - (b["idle"] - a["idle"]) / max(1, b["total"] - a["total"])
    used, top = {}, {}
    for pid, (comm, ticks) in b["procs"].items():
        delta = ticks - a["procs"].get(pid, [comm, 0])[1]
        if delta <= 0:
            continue
        g = group(pid, comm, named)
        used[g] = used.get(g, 0) + delta / HZ / wall
        if g == "others":
            top[comm] = top.get(comm, 0) + delta / HZ / wall
    order = list(named) + ["wrk", "postgres", "redis", "rabbitmq", "others"]
    parts = [f"{g} {used.get(g, 0):.2f}" for g in order if g in used or g in named]
    worst = sorted(top.items(), key=lambda kv: -kv[1])[:3]
    extra = ", ".join(f"{c} {v:.2f}" for c, v in worst if v >= 0.05)
    return (f"cpu over {wall:.0f}s: machine {100 * busy:.0f}% busy of {os.cpu_count()} cores; cores used: "
            + ", ".join(parts) + (f" (others: {extra})" if extra else ""))


def main():
    cmd = sys.argv[1]
    if cmd == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump(snap(), f)
    elif cmd == "diff":
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        named = dict(arg.split("=", 1) for arg in sys.argv[4:])
        print(diff(a, b, named))
    elif cmd == "others":
        mine = set(sys.argv[3:])
        a = snap()
        time.sleep(float(sys.argv[2]))
        b = snap()
        wall = b["t"] - a["t"]
        total = 0.0
        for pid, (comm, ticks) in b["procs"].items():
            if pid in mine or group(pid, comm, {}) != "others":
                continue
            total += max(0, ticks - a["procs"].get(pid, [comm, 0])[1]) / HZ / wall
        print(f"{total:.2f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
