#!/usr/bin/env bash
# Goodput under throttling (also run by scripts/bench): the gateway allows LIMIT calls a second per caller
# (modelarts-sim --rate-limit, 429 APIGW.0308 with the limit in the message), trainqd is configured for
# RATE. SUBMISSIONS requests over JOBS jobs go in at once; the script waits until every one has ended.
#
#   scripts/bench-throttling.sh                      # 300 over 30 jobs, gateway 5/s, trainqd 100/s
#   LIMIT=10 RATE=50 scripts/bench-throttling.sh
#
# It reports, from the simulator's ledger, over the window from WARMUP seconds after the first submission
# until the last version was created (the time the queue is deeper than the limit):
#   goodput   = calls answered (not 429) per second / LIMIT          (target >= 0.9)
#   429 share = throttled calls / all calls                          (target <= 5 %)
# and how the submissions ended (every one should succeed, none exhausted).
set -euo pipefail

SUBMISSIONS=${SUBMISSIONS:-300}
JOBS=${JOBS:-30}
LIMIT=${LIMIT:-5}
RATE=${RATE:-100}
WARMUP=${WARMUP:-10}
CONFIGURATION=${CONFIGURATION:-release}
FIRST_JOB=${FIRST_JOB:-3000}

cd "$(dirname "$0")/.."
helper="python3 scripts/bench-tracking.py"
echo "building ($CONFIGURATION)..." >&2
swift build -c "$CONFIGURATION" --product trainqd >&2
swift build -c "$CONFIGURATION" --product modelarts-sim >&2
bin=$(swift build -c "$CONFIGURATION" --show-bin-path)

work=$(mktemp -d /tmp/tq-throttle.XXXXXX)
sim_pid=""
daemon_pid=""
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ak=BENCHACCESSKEY0000001
sk=bench-secret-key-000000000000000000001
"$bin/modelarts-sim" --listen 127.0.0.1:0 --ak "$ak" --sk "$sk" --time-scale 60 --rate-limit "$LIMIT" \
    >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$work/sim.out" 2>/dev/null && break
    sleep 0.05
done
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/sim.out" | head -1)
[ -n "$port" ] || { echo "modelarts-sim did not start" >&2; cat "$work/sim.err" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"

printf '%s' "$ak" >"$work/ak"
printf '%s' "$sk" >"$work/sk"
cat >"$work/trainqd.yaml" <<YAML
modelarts:
  endpoint: $endpoint
  project_id: 0123456789abcdef0123456789abcdef
  access_key_file: $work/ak
  secret_key_file: $work/sk
  rate_limit: $RATE
  burst: 20
  concurrency: 8
track:
  min_interval: 1s
  max_interval: 4s
log:
  level: warning
YAML
socket="$work/trainq.sock"
"$bin/trainqd" --config "$work/trainqd.yaml" --socket "$socket" --database "$work/trainq.db" 2>"$work/trainqd.err" &
daemon_pid=$!
for _ in $(seq 1 200); do
    [ -S "$socket" ] && $helper states "$socket" >/dev/null 2>&1 && break
    sleep 0.05
done

echo "submitting $SUBMISSIONS requests over $JOBS jobs (gateway $LIMIT/s, trainqd $RATE/s)..." >&2
started=$(date +%s.%N)
$helper submit "$socket" "$SUBMISSIONS" "$JOBS" "$FIRST_JOB"
sleep "$WARMUP"
read -r calls_warm throttled_warm _ < <($helper ledger "$endpoint")
warm_at=$(date +%s.%N)
created_at=""
calls_created="" throttled_created=""
for _ in $(seq 1 3600); do
    read -r calls throttled versions < <($helper ledger "$endpoint")
    if [ -z "$created_at" ] && [ "$versions" -ge "$SUBMISSIONS" ]; then
        created_at=$(date +%s.%N) calls_created=$calls throttled_created=$throttled
    fi
    read -r succeeded open ended < <($helper states "$socket")
    [ "$open" -eq 0 ] && break
    sleep 0.5
done
finished=$(date +%s.%N)
read -r calls throttled versions < <($helper ledger "$endpoint")
[ -n "$created_at" ] || { created_at=$finished calls_created=$calls throttled_created=$throttled; }

python3 - "$@" <<PY
limit, submissions = $LIMIT, $SUBMISSIONS
window = $created_at - $warm_at
calls, throttled = $calls_created - $calls_warm, $throttled_created - $throttled_warm
answered = calls - throttled
print(f"submissions           {submissions} over $JOBS jobs: succeeded $succeeded, still open $open, ended otherwise $ended")
print(f"versions created      $versions in {$finished - $started:.1f} s ($CONFIGURATION build)")
print(f"window measured       {window:.1f} s (from {$WARMUP} s after submitting until the last create)")
print(f"goodput               {answered / window:.2f} answered calls/s of the gateway's {limit}/s = {answered / window / limit:.2f}")
print(f"429 share             {throttled} of {calls} calls = {100 * throttled / max(calls, 1):.1f} %  (all run: {$throttled} of {$calls})")
PY
