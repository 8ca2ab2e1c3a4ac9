#!/usr/bin/env bash
# Answer latency of 1,000 sequential signed subscribe pushes (after 200 warm-up pushes), and the
# delay from the answer to the CRM call for the same follower, with the dispatcher's default poll
# interval (100 ms) and with 50 ms. The hub is restarted, on a fresh schema, for each interval.
#
#   bench/latency.sh                 # both intervals
#   POLL_INTERVALS="100" bench/latency.sh
#   RATE=250 COUNT=15000 POLL_INTERVALS=100 bench/latency.sh   # open loop at 250 pushes a second
#                                                              # (docs/performance.md: at half the hub's maximum)
source "$(dirname "$0")/common.sh"
trap cleanup EXIT

require_services
build_hub
[[ -d target/classes ]] || { echo "target/classes is missing: mvn -q -DskipTests package" >&2; exit 1; }

for interval in ${POLL_INTERVALS:-100 50}; do
  wait_quiet
  fresh_schema
  port=$(free_port)
  portfile="$OUT/crm-port.$$"
  rm -f "$portfile"
  result="$OUT/latency-poll$interval.txt"
  # The client starts the stand-in CRM first (its port goes to $portfile), then waits for the hub.
  java -cp target/classes bench/PushLatency.java latency --hub "http://127.0.0.1:$port" \
    --port-file "$portfile" --warmup "${WARMUP:-200}" --count "${COUNT:-1000}" --rate "${RATE:-0}" >"$result" 2>&1 &
  client=$!
  STARTED_PIDS+=("$client")
  for ((i = 0; i < 120; i++)); do [[ -s "$portfile" ]] && break; sleep 0.5; done
  [[ -s "$portfile" ]] || { echo "stand-in CRM did not start" >&2; cat "$result" >&2; exit 1; }
  crm="http://127.0.0.1:$(cat "$portfile")"
  start_hub "$port" "$crm" "$OUT/hub-latency-poll$interval.log" --hub.dispatch.poll-interval="$interval"
  log "poll-interval $interval ms: waiting for the client (CRM stand-in $crm)"
  # CPU accounting from the first push to the last (warm-up included)
  for ((i = 0; i < 600; i++)); do grep -q '^warm-up' "$result" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.5; done
  cpu_snap "$OUT/cpu.$$"
  status=0
  wait "$client" || status=$?
  cpu_window "$OUT/cpu.$$" hub="$HUB_PID" >>"$result"  # the client has exited: not counted
  stop_pid "$HUB_PID"
  rm -f "$portfile"
  echo "== hub.dispatch.poll-interval=$interval ms"
  cat "$result"
  [[ $status == 0 ]] || log "client exited with $status"
done
