#!/usr/bin/env bash
# The whole journey on one machine, no cloud account needed: build, start trainqd against its embedded
# ModelArts simulator in a temporary directory, submit the seed's sample request with the CLI, follow it
# to a terminal state, print its story, and stop the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> building (debug)"
if ! swift build --product trainqd >/dev/null 2>&1 || ! swift build --product trainq >/dev/null 2>&1; then
    swift build --product trainqd && swift build --product trainq
    exit 1
fi
bin="$(swift build --show-bin-path)"

work="$(mktemp -d)"
socket="$work/trainq.sock"
cleanup() {
    if [[ -n "${daemon:-}" ]] && kill -0 "$daemon" 2>/dev/null; then
        kill -TERM "$daemon"
        wait "$daemon" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "==> starting trainqd --simulate in $work"
"$bin/trainqd" --simulate --socket "$socket" --database "$work/trainq.db" --log-level notice \
    2> >(sed 's/^/    trainqd: /' >&2) &
daemon=$!
for _ in $(seq 1 100); do
    [[ -S "$socket" ]] && break
    sleep 0.1
done
export TRAINQ_SOCKET="$socket"

echo "==> trainq submit examples/seed-request.json --job-id 10"
line="$("$bin/trainq" submit examples/seed-request.json --job-id 10)"
echo "$line"
id="$(awk '{print $2}' <<<"$line")"

echo "==> trainq watch $id"
set +e
"$bin/trainq" watch "$id"
code=$?
set -e

echo "==> trainq show $id"
"$bin/trainq" show "$id"
echo "==> trainq status"
"$bin/trainq" status
echo "==> the submission ended with exit code $code (0 = succeeded)"
exit "$code"
