#!/usr/bin/env bash
# Throughput of the hub's ingress under wrk, against the web-layer ceiling (bench/ceiling: Spring
# Boot answering "success"); then the inbox drain rate at about half the hub's max ingress; then
# 5x overload. Every push is a unique, correctly signed subscribe (bench/push.lua), and every push
# answered 200 is checked against wechat_event.
#
#   bench/load.sh
#
# Knobs (environment):
#   DURATION=20   s per ingress run          CONNS="16 64"  connections per ingress run
#   WARM=150      s of warm-up per server    DRAIN_SECS=60  the paced drain run
#   OVER_SECS=30  the overload run           OVER_CONNS=320 its connections (5 x 64)
#   SETTLE_MAX=600  s to wait for the inbox to empty between phases
#   HUB_ARGS      extra --key=value for the hub, e.g. --hub.dispatch.poll-interval=50
#   JFR=1         one more 64-connection run with a JFR recording, summarised by bench/hot.py
#   PHASES="ceiling ingress drain overload"  a subset runs just those; drain and overload without
#                 ingress need MAX_RPS (the 64-connection req/s they are scaled from)
#   OVER_CONNS="320"  one overload run per value, each offered 5 x MAX at that many connections
#   QUIET_MAX / QUIET_LIMIT (see common.sh: wait_quiet)
source "$(dirname "$0")/common.sh"

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed. Install it with: apt-get install -y wrk" >&2
  exit 1
fi

DURATION=${DURATION:-20}
CONNS=${CONNS:-"16 64"}
WARM=${WARM:-150}  # the JIT needs minutes on 2 cores: after 30 s the hub runs at half its steady rate
DRAIN_SECS=${DRAIN_SECS:-60}
OVER_SECS=${OVER_SECS:-30}
OVER_CONNS=${OVER_CONNS:-320}
SETTLE_MAX=${SETTLE_MAX:-600}
PHASES=" ${PHASES:-ceiling ingress drain overload} "
phase() { [[ "$PHASES" == *" $1 "* ]]; }
THREADS=2
CPU_NAMED=()
RUN=$(date +%H%M%S)
SUMMARY="$OUT/load-$RUN.txt"
T="$SCHEMA.wechat_event"

trap cleanup EXIT
require_services
build_hub
if [[ ! -f bench/ceiling/target/ceiling.jar || "${BUILD:-0}" == 1 ]]; then
  log "building the ceiling (bench/ceiling)"
  mvn -q -f bench/ceiling/pom.xml -DskipTests package
fi
fresh_schema

say() { echo "$*" | tee -a "$SUMMARY"; }
field() { sed -n 's/.*RESULT.* '"$2"'=\([^ ]*\).*/\1/p' "$1" | tail -1; }
result() { grep '^RESULT' "$OUT/wrk-$RUN-$1.txt" | sed 's/^RESULT //'; }
cpu_of() { grep '^cpu' "$OUT/wrk-$RUN-$1.txt"; }

# wrk_run NAME CONNS SECS URL [VAR=value ...]: output in $OUT/wrk-$RUN-NAME.txt, plus a cpu line
wrk_run() {
  local name=$1 conns=$2 secs=$3 url=$4
  shift 4
  local TIMEFORMAT='%U %S' cpu wrkcpu
  cpu_snap "$OUT/cpu.$$"
  { time env BENCH_RUN="$RUN$name" BENCH_OUT="$OUT" BENCH_THREADS=$THREADS "$@" \
    wrk -t$THREADS -c"$conns" -d"${secs}s" --timeout 30s --latency -s bench/push.lua "$url" \
    >"$OUT/wrk-$RUN-$name.txt" 2>&1 || true; } 2>"$OUT/wrk-time.$$"
  cpu=$(cpu_window "$OUT/cpu.$$" "${CPU_NAMED[@]}")
  # wrk has exited by now, so /proc no longer shows it: take its CPU from bash's `time`
  wrkcpu=$(awk -v s="$secs" '{ printf "%.2f", ($1 + $2) / s }' "$OUT/wrk-time.$$")
  rm -f "$OUT/wrk-time.$$"
  echo "${cpu/cores used: /cores used: wrk $wrkcpu, }" >>"$OUT/wrk-$RUN-$name.txt"
  grep -E '^(requests|latency|answers)' "$OUT/wrk-$RUN-$name.txt" | sed 's/^/    /' >&2
}

hub_alive() {
  if ! kill -0 "$HUB_PID" 2>/dev/null; then
    say "HUB DIED during $1 (see $OUT/hub-load-$RUN.log; a 'GracefulShutdown' line there means something sent it SIGTERM)"
    exit 1
  fi
}

inbox_counts() { # total done backlog dead
  sql "SELECT count(*), count(*) FILTER (WHERE status = 'done'),
              count(*) FILTER (WHERE status IN ('pending', 'claimed')), count(*) FILTER (WHERE status = 'dead')
       FROM $T" | tr '|' ' '
}

# check_recorded NAME: every openid answered 200 has its row; rows vs 200 answers
check_recorded() {
  local name=$1 okfile n200 rows missing
  okfile="$OUT/ok-$RUN$name.all"
  cat "$OUT"/ok-"$RUN$name"-*.txt >"$okfile" 2>/dev/null || : >"$okfile"
  rm -f "$OUT"/ok-"$RUN$name"-*.txt
  n200=$(field "$OUT/wrk-$RUN-$name.txt" n200)
  rows=$(sql "SELECT count(*) FROM $T WHERE open_id LIKE 'bench-$RUN$name-%'")
  missing=$("${PSQL[@]}" <<SQL
CREATE TEMP TABLE ok (open_id text);
\copy ok FROM '$okfile'
SELECT count(*) FROM ok LEFT JOIN $T e ON e.open_id = ok.open_id WHERE e.id IS NULL;
SQL
)
  echo "recorded: $n200 answers 200 ($(wc -l <"$okfile") openids logged), $rows rows; answered 200 but not in wechat_event: $missing"
}

# settle LABEL: wait (bounded) for the inbox to empty
settle() {
  local start=$SECONDS total done backlog dead
  while ((SECONDS - start < SETTLE_MAX)); do
    read -r total done backlog dead < <(inbox_counts)
    [[ $backlog == 0 ]] && break
    sleep 1
  done
  if [[ $backlog == 0 ]]; then
    echo "inbox after $1: $total rows, $done done, $dead dead; emptied in $((SECONDS - start)) s"
  else
    echo "inbox after $1: $total rows, $done done, $dead dead; NOT empty after ${SETTLE_MAX} s: $backlog waiting"
  fi
}

say "== bench/load.sh $(date -u +%FT%TZ), $(nproc) cores, wrk -t$THREADS --timeout 30s, ${DURATION} s per run; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "${HUB_ARGS:-}" ]] && say "   hub args: $HUB_ARGS"

# ---------------------------------------------------------------- the ceiling
declare -A CEIL_RPS
if phase ceiling; then
  port=$(free_port)
  java -jar bench/ceiling/target/ceiling.jar --server.port="$port" >"$OUT/ceiling-$RUN.log" 2>&1 &
  ceiling=$!
  STARTED_PIDS+=("$ceiling")
  CPU_NAMED=(ceiling=$ceiling)
  for ((i = 0; i < 240; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST --data x "http://127.0.0.1:$port/wechat/demo" || true) == 200 ]] && break
    sleep 0.5
  done
  url="http://127.0.0.1:$port/wechat/demo"
  log "ceiling: warm-up ${WARM}s"
  wrk_run ceiling-warm 64 "$WARM" "$url" BENCH_BODY=plain
  for c in $CONNS; do
    wait_quiet
    log "ceiling: $c connections, ${DURATION}s"
    wrk_run "ceiling-c$c" "$c" "$DURATION" "$url" BENCH_BODY=plain
    CEIL_RPS[$c]=$(field "$OUT/wrk-$RUN-ceiling-c$c.txt" rps)
    say "ceiling c=$c: $(result "ceiling-c$c")"
    say "  $(cpu_of "ceiling-c$c")"
  done
  stop_pid "$ceiling"
fi

# ---------------------------------------------------------------- the hub
if ! phase ingress && ! phase drain && ! phase overload; then exit 0; fi
crmport="$OUT/crm-port.$$"
rm -f "$crmport"
java bench/PushLatency.java crm --port-file "$crmport" --max-seconds 7200 >"$OUT/crm-$RUN.log" 2>&1 &
crm_pid=$!
STARTED_PIDS+=("$crm_pid")
for ((i = 0; i < 120; i++)); do [[ -s "$crmport" ]] && break; sleep 0.5; done
[[ -s "$crmport" ]] || { echo "stand-in CRM did not start" >&2; exit 1; }
port=$(free_port)
# shellcheck disable=SC2086
start_hub "$port" "http://127.0.0.1:$(cat "$crmport")" "$OUT/hub-load-$RUN.log" ${HUB_ARGS:-}
CPU_NAMED=(hub=$HUB_PID crm=$crm_pid)
wait_http "http://127.0.0.1:$port/actuator/health" 240
url="http://127.0.0.1:$port/wechat/demo"

log "hub: warm-up ${WARM}s"
wrk_run hub-warm 64 "$WARM" "$url"
rm -f "$OUT"/ok-"${RUN}hub-warm"-*.txt
say "$(settle warm-up)"

declare -A HUB_RPS
phase ingress || CONNS=""
for c in $CONNS; do
  wait_quiet
  log "hub: $c connections, ${DURATION}s"
  wrk_run "hub-c$c" "$c" "$DURATION" "$url"
  hub_alive "c=$c"
  HUB_RPS[$c]=$(field "$OUT/wrk-$RUN-hub-c$c.txt" rps)
  say "hub c=$c: $(result "hub-c$c")"
  say "  $(cpu_of "hub-c$c")"
  say "  $(check_recorded "hub-c$c")"
  if [[ -n "${CEIL_RPS[$c]:-}" ]]; then
    say "  hub/ceiling at c=$c: $(awk -v h="${HUB_RPS[$c]}" -v k="${CEIL_RPS[$c]}" 'BEGIN { printf "%.1f %%", 100 * h / k }')"
  fi
  say "  $(settle "c=$c")"
done

if [[ "${JFR:-0}" == 1 && -n "$CONNS" ]]; then
  c=${CONNS##* }
  wait_quiet
  log "hub: $c connections, ${DURATION}s, with a JFR recording (not counted above)"
  jcmd "$HUB_PID" JFR.start name=bench settings=profile filename="$OUT/hub-c$c-$RUN.jfr" >/dev/null
  wrk_run "hub-jfr" "$c" "$DURATION" "$url"
  jcmd "$HUB_PID" JFR.stop name=bench >/dev/null
  check_recorded hub-jfr >/dev/null
  say "JFR run c=$c: $(result hub-jfr)"
  python3 bench/hot.py "$OUT/hub-c$c-$RUN.jfr" 25 >"$OUT/hot-$RUN.txt"
  say "  hot frames: $OUT/hot-$RUN.txt"
  sed -n '/by cost bucket/,/^$/p' "$OUT/hot-$RUN.txt" | tee -a "$SUMMARY"
  say "  $(settle jfr)"
fi

# ---------------------------------------------------------------- drain at ~half the max ingress
max_c=64
[[ -n "$CONNS" ]] && max_c=${CONNS##* }
max=${MAX_RPS:-${HUB_RPS[$max_c]:-}}
max=${max%.*}
[[ -n "$max" ]] || { say "no max ingress rate: run the ingress phase or set MAX_RPS"; exit 1; }
half=$((max / 2))
if phase drain; then
poll="$OUT/drain-$RUN.csv"
echo "epoch,total,done,backlog,dead" >"$poll"
wait_quiet
log "hub: drain test, ${DRAIN_SECS}s paced at $half req/s (half of $max) on $max_c connections"
(
  for ((i = 0; i <= DRAIN_SECS + 10; i++)); do
    echo "$(date +%s.%N),$(inbox_counts | tr ' ' ',')" >>"$poll"
    sleep 1
  done
) &
poller=$!
STARTED_PIDS+=("$poller")
sleep 1.5
t_start=$(date +%s.%N)
wrk_run drain "$max_c" "$DRAIN_SECS" "$url" BENCH_RATE="$half"
t_end=$(date +%s.%N)
wait "$poller" || true
hub_alive drain
say "drain run, paced at $half req/s: $(result drain)"
say "  $(cpu_of drain)"
say "  $(check_recorded drain)"
# rates between the first sample after wrk started and the last one before it ended
say "  $(awk -F, -v s="$t_start" -v e="$t_end" 'NR > 1 && $1 >= s && !t0 { t0 = $1; a0 = $2; d0 = $3 }
  NR > 1 && $1 <= e { t1 = $1; a1 = $2; d1 = $3; b1 = $4 }
  END { printf "during the run (%.0f s sampled): inbox filled at %.0f events/s, drained (status done) at %.0f events/s; backlog %d at the end", t1 - t0, (a1 - a0) / (t1 - t0), (d1 - d0) / (t1 - t0), b1 }' "$poll")"
say "  $(settle drain)"
fi

# ---------------------------------------------------------------- 5x overload
over=$((max * 5))
for oc in $OVER_CONNS; do
  phase overload || break
  wait_quiet
  log "hub: overload, ${OVER_SECS}s offered at $over req/s (5 x $max) on $oc connections"
  wrk_run "overload-c$oc" "$oc" "$OVER_SECS" "$url" BENCH_RATE="$over"
  hub_alive overload
  say "overload, offered $over req/s on $oc connections: $(result "overload-c$oc")"
  say "  $(cpu_of "overload-c$oc")"
  say "  $(check_recorded "overload-c$oc")"
  maxlat=$(field "$OUT/wrk-$RUN-overload-c$oc.txt" max)
  say "  slowest answer $maxlat ms: $(awk -v m="$maxlat" 'BEGIN { print (m <= 5000 ? "within" : "OVER") }') WeChat's 5 s"
  say "  $(settle "overload c=$oc")"
done

say "== done; wrk outputs $OUT/wrk-$RUN-*.txt, inbox samples ${poll:-none}, hub log $OUT/hub-load-$RUN.log"
