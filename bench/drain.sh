#!/usr/bin/env bash
# What dispatching costs, apart from recording: fill the inbox with FILL seconds of unique signed
# subscribe pushes (wrk, bench/push.lua, CONNS connections) while the dispatcher is off, restart the
# hub with it on, let it run SKIP seconds (the JIT compiles the dispatcher meanwhile; not measured),
# then time the rest of the drain. Each event is a follower upsert, a CRM call (PushLatency's JDK
# stand-in answering 204) and a RabbitMQ publish with confirm.
#
#   bench/drain.sh                     # FILL=30 SKIP=15 CONNS=64
#   FILL=60 HUB_ARGS="--hub.dispatch.threads=32" bench/drain.sh
#
# Prints one line: events drained in the window, events/s, and CPU µs per event of the hub,
# PostgreSQL, RabbitMQ, Redis and the CRM stand-in (from bench/cpu.py's cores used).
set -euo pipefail
cd "$(dirname "$0")/.."
source "$(dirname "$0")/common.sh"
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is not installed. Install it with: apt-get install -y wrk" >&2; exit 2; }
FILL=${FILL:-30} SKIP=${SKIP:-15} CONNS=${CONNS:-64} THREADS=${THREADS:-2}

require_services
build_hub
[[ -d target/classes ]] || { echo "target/classes is missing: mvn -q -DskipTests package" >&2; exit 1; }
wait_quiet
fresh_schema
mkdir -p "$OUT"
portfile="$OUT/crm-port.$$"
rm -f "$portfile"
java -cp target/classes bench/PushLatency.java crm --port-file "$portfile" >"$OUT/drain-crm.txt" 2>&1 &
crm_pid=$!
STARTED_PIDS+=("$crm_pid")
for ((i = 0; i < 120; i++)); do [[ -s "$portfile" ]] && break; sleep 0.5; done
[[ -s "$portfile" ]] || { echo "stand-in CRM did not start" >&2; exit 1; }
crm="http://127.0.0.1:$(cat "$portfile")"
port=$(free_port)
url="http://127.0.0.1:$port"
pending() { sql "SELECT count(*) FROM $SCHEMA.wechat_event WHERE status IN ('pending', 'claimed')"; }

start_hub "$port" "$crm" "$OUT/hub-drain-fill.log" --hub.dispatch.enabled=false ${HUB_ARGS:-}
wait_http "$url/actuator/health/readiness" 240
log "filling the inbox for $FILL s at $CONNS connections (dispatcher off)"
BENCH_RUN="drain$$" BENCH_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNS" -d"${FILL}s" --timeout 30s \
  -s bench/push.lua "$url/wechat/demo" >"$OUT/wrk-drain.txt" 2>&1 || true
stop_pid "$HUB_PID"
log "$(pending) events waiting; restarting the hub with its dispatcher on"

start_hub "$port" "$crm" "$OUT/hub-drain.log" ${HUB_ARGS:-}
wait_http "$url/actuator/health/readiness" 240
sleep "$SKIP"
before=$(pending)
cpu_snap "$OUT/cpu.$$"
start=$(date +%s.%N)
while [[ $(pending) -gt 0 ]]; do sleep 0.2; done
end=$(date +%s.%N)
cpu=$(cpu_window "$OUT/cpu.$$" hub="$HUB_PID" crm="$crm_pid")
outcome=$(sql "SELECT count(*) FILTER (WHERE status = 'done') || ' done, ' || count(*) FILTER (WHERE status = 'dead') || ' dead' FROM $SCHEMA.wechat_event")
python3 - "$before" "$start" "$end" "$cpu" "$outcome" <<'PY'
import re, sys
n, t0, t1, cpu, outcome = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
secs = t1 - t0
rate = n / secs if secs > 0 else 0
cores = dict((k, float(v)) for k, v in re.findall(r"(\w+) ([0-9.]+)", cpu.split("cores used:", 1)[-1]))
per = ", ".join(f"{g} {cores[g] * 1e6 / rate:.0f}" for g in ("hub", "postgres", "rabbitmq", "redis", "crm") if g in cores and rate)
print(f"drained {n} events in {secs:.1f} s: {rate:.0f} events/s ({outcome} in all); CPU µs per event: {per}")
print(cpu)
PY
