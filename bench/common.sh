# Shared helpers for bench/*.sh (sourced, not run). Everything is loopback-only and bounded.
# The hub runs in the prod profile against the local Redis, PostgreSQL and RabbitMQ, but in its own
# corners of them, so a benchmark never touches anyone else's data:
#   PostgreSQL schema  wechat_hub_bench   (dropped at the end)
#   Redis key prefix   wechat-dedupe-bench (deleted at the end; they also expire after 10 min)
#   RabbitMQ exchange  wechat.events.bench (same publisher confirms as prod; deleted at the end)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
OUT="$BENCH/out"
mkdir -p "$OUT"
cd "$ROOT"

SCHEMA=wechat_hub_bench
DEDUPE_PREFIX=wechat-dedupe-bench
BENCH_EXCHANGE=wechat.events.bench
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -X -q -tA -v ON_ERROR_STOP=1)
JAR="$ROOT/target/wechat-event-hub.jar"
STARTED_PIDS=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

require_services() {
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
  "${PSQL[@]}" -c 'select 1' >/dev/null || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
  (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not answering on 127.0.0.1:5672" >&2; exit 1; }
}

build_hub() {
  if [[ ! -f "$JAR" || "${BUILD:-0}" == 1 ]]; then
    log "building the hub (mvn -q -DskipTests package)"
    mvn -q -DskipTests package
  fi
}

fresh_schema() {
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" 2>/dev/null
}

# The bench exchange, declared like the hub declares wechat.events (topic, durable); producers
# do not declare exchanges.
declare_exchange() {
  rabbitmqctl -q eval "rabbit_exchange:declare(rabbit_misc:r(<<\"/\">>, exchange, <<\"$BENCH_EXCHANGE\">>), topic, true, false, false, [], <<\"bench\">>)." >/dev/null
}

# start_hub PORT CRM_URL LOGFILE [extra --args...]; sets HUB_PID
start_hub() {
  local port=$1 crm=$2 logfile=$3
  shift 3
  declare_exchange
  java ${HUB_JAVA_OPTS:-} -jar "$JAR" --spring.profiles.active=prod --server.port="$port" \
    --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/postgres --hub.database.schema=$SCHEMA \
    --management.server.port="$port" \
    --hub.crm.base-url="$crm" \
    --wechat.accounts.demo.token=bench-token --wechat.accounts.demo.app-id=wxbench0000000demo \
    --wechat.accounts.demo.welcome=Welcome \
    --hub.dedupe.key-prefix=$DEDUPE_PREFIX \
    "--hub.broker.uri=spring-rabbitmq:$BENCH_EXCHANGE?confirm=enabled&confirmTimeout=5000" \
    "$@" >"$logfile" 2>&1 &
  HUB_PID=$!
  STARTED_PIDS+=("$HUB_PID")
  log "hub pid $HUB_PID on 127.0.0.1:$port (log $logfile)"
}

# wait_http URL [seconds]: until it answers 200
wait_http() {
  local url=$1 limit=${2:-240} i
  for ((i = 0; i < limit * 2; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true) == 200 ]]; then return 0; fi
    sleep 0.5
  done
  echo "$url not healthy after ${limit}s" >&2
  return 1
}

# stop_pid PID: TERM, then KILL after 30 s (only processes this script started)
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup_stores() {
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" 2>/dev/null || true
  local keys
  keys=$(redis-cli -h 127.0.0.1 --scan --pattern "${DEDUPE_PREFIX}*" | head -n 2000000 || true)
  if [[ -n "$keys" ]]; then
    printf '%s\n' "$keys" | xargs -r -n 500 redis-cli -h 127.0.0.1 del >/dev/null || true
  fi
  rabbitmqctl -q eval "rabbit_exchange:delete(rabbit_misc:r(<<\"/\">>, exchange, <<\"$BENCH_EXCHANGE\">>), false, <<\"bench\">>)." >/dev/null 2>&1 || true
}

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
  cleanup_stores
  log "cleaned up (schema $SCHEMA dropped, ${DEDUPE_PREFIX}* keys and exchange $BENCH_EXCHANGE deleted)"
}

sql() { "${PSQL[@]}" -c "$1"; }

# wait_quiet: other people's builds share these 2 cores. Wait (at most QUIET_MAX s, default 600)
# until processes that are not ours and not the shared servers use < QUIET_LIMIT cores (default
# 0.3) over 3 s; then go on either way, saying how busy it was.
wait_quiet() {
  local limit=${QUIET_LIMIT:-0.3} start=$SECONDS used
  while :; do
    used=$(python3 "$BENCH/cpu.py" others 3 "${STARTED_PIDS[@]}")
    if awk -v u="$used" -v l="$limit" 'BEGIN { exit !(u < l) }'; then
      [[ $SECONDS -gt $((start + 3)) ]] && log "machine quiet again after $((SECONDS - start)) s (others $used cores)"
      return 0
    fi
    if ((SECONDS - start >= ${QUIET_MAX:-600})); then
      log "NOISE: other processes still use $used cores after ${QUIET_MAX:-600} s; measuring anyway"
      return 0
    fi
    log "other processes use $used cores; waiting for a quieter machine"
    sleep 10
  done
}

# cpu_window START_FILE name=PID ...: the CPU line for the window since cpu_snap START_FILE
cpu_snap() { python3 "$BENCH/cpu.py" snap "$1"; }
cpu_window() {
  local a=$1 b
  shift
  b="$a.end"
  python3 "$BENCH/cpu.py" snap "$b"
  python3 "$BENCH/cpu.py" diff "$a" "$b" "$@"
  rm -f "$a" "$b"
}
