#!/usr/bin/env bash
# Scale benchmark of the tracker (not part of CI): trainqd tracks VERSIONS versions spread over JOBS
# jobs against a modelarts-sim process, and the script reports the ModelArts calls per refresh round,
# the daemon's CPU time and its peak RSS.
#
#   scripts/bench-tracking.sh                         # 10,000 versions, 100 jobs, release build
#   VERSIONS=1000 JOBS=10 MEASURE=30 scripts/bench-tracking.sh
#
# A refresh round is one poll interval: the tracker polls with min_interval = max_interval = INTERVAL,
# so in MEASURE seconds every tracked version is due MEASURE / INTERVAL times, and
#   calls per round = (list + show requests during MEASURE) * INTERVAL / MEASURE.
# The simulator runs at TIME_SCALE (default 0.02: a version takes 100 minutes), so every version is
# still running while the script measures.
set -euo pipefail

VERSIONS=${VERSIONS:-10000}
JOBS=${JOBS:-100}
INTERVAL=${INTERVAL:-5}          # seconds
MEASURE=${MEASURE:-60}           # seconds
TIME_SCALE=${TIME_SCALE:-0.02}
CONFIGURATION=${CONFIGURATION:-release}
FIRST_JOB=${FIRST_JOB:-1000}

cd "$(dirname "$0")/.."
helper="python3 scripts/bench-tracking.py"
echo "building ($CONFIGURATION)..." >&2
swift build -c "$CONFIGURATION" --product trainqd >&2
swift build -c "$CONFIGURATION" --product modelarts-sim >&2
bin=$(swift build -c "$CONFIGURATION" --show-bin-path)

work=$(mktemp -d /tmp/tq-bench.XXXXXX)
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
"$bin/modelarts-sim" --listen 127.0.0.1:0 --ak "$ak" --sk "$sk" --time-scale "$TIME_SCALE" >"$work/sim.out" 2>"$work/sim.err" &
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
  rate_limit: 2000
  burst: 500
  concurrency: 16
submit:
  desc_marker: true
track:
  min_interval: ${INTERVAL}s
  max_interval: ${INTERVAL}s
log:
  level: warning
YAML
socket="$work/trainq.sock"
"$bin/trainqd" --config "$work/trainqd.yaml" --socket "$socket" --database "$work/trainq.db" 2>"$work/trainqd.err" &
daemon_pid=$!
for _ in $(seq 1 200); do
    [ -S "$socket" ] && $helper tracking "$socket" >/dev/null 2>&1 && break
    sleep 0.05
done

echo "submitting $VERSIONS requests over $JOBS jobs..." >&2
started=$(date +%s)
$helper submit "$socket" "$VERSIONS" "$JOBS" "$FIRST_JOB"
while true; do
    read -r tracking open < <($helper tracking "$socket")
    [ "$tracking" -ge "$VERSIONS" ] && break
    [ "$open" -eq 0 ] && [ "$tracking" -lt "$VERSIONS" ] && { echo "only $tracking versions reached tracking" >&2; exit 1; }
    sleep 1
done
echo "all $VERSIONS versions tracked after $(( $(date +%s) - started )) s; settling for one interval..." >&2
sleep "$INTERVAL"

before=$($helper figures "$daemon_pid" "$endpoint")
sleep "$MEASURE"
after=$($helper figures "$daemon_pid" "$endpoint")
read -r tracking _ < <($helper tracking "$socket")

python3 - "$before" "$after" "$INTERVAL" "$MEASURE" "$VERSIONS" "$JOBS" "$tracking" "$CONFIGURATION" <<'PY'
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
interval, measure, versions, jobs, tracking = (float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]),
                                              int(sys.argv[6]), int(sys.argv[7]))
lists, shows = after["list"] - before["list"], after["show"] - before["show"]
rounds = measure / interval
print(f"versions tracked      {tracking} over {jobs} jobs ({sys.argv[8]} build)")
print(f"measured              {measure:.0f} s = {rounds:.1f} rounds of {interval:.0f} s")
print(f"calls per round       {(lists + shows) / rounds:.1f}  (list pages {lists / rounds:.1f}, shows {shows / rounds:.1f})")
print(f"daemon CPU            {after['cpu_seconds'] - before['cpu_seconds']:.2f} s while measuring "
      f"({(after['cpu_seconds'] - before['cpu_seconds']) / measure * 100:.1f}% of one core), {after['cpu_seconds']:.2f} s in all")
print(f"daemon peak RSS       {after['peak_rss_kb'] / 1024:.1f} MB (VmHWM; now {after['rss_kb'] / 1024:.1f} MB)")
PY
