#!/usr/bin/env bash
# Shows that modelarts-sim accepts requests signed by the real Huawei Cloud Python SDK.
#
# Not part of CI: it needs PyPI. It creates a virtualenv (default .venv-sdk, or $SDK_VENV) with
# huaweicloudsdkcore and huaweicloudsdkmodelarts 3.1.219, builds and starts modelarts-sim with an AK/SK
# pair on a free loopback port, runs scripts/sdk-against-sim.py against it, and stops the simulator.
#
#   scripts/sdk-against-sim.sh            # exit status 0 when every signed request was accepted
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${SDK_VENV:-.venv-sdk}"
ak="AKSDKCHECK000000000001"
sk="SKsdkCheckSecretKey00000000000000000001"
project="0123456789abcdef0123456789abcdef"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet huaweicloudsdkcore==3.1.219 huaweicloudsdkmodelarts==3.1.219
fi

if ! swift build --product modelarts-sim >/dev/null 2>&1; then
    swift build --product modelarts-sim
    exit 1
fi
binary="$(swift build --show-bin-path)/modelarts-sim"

output="$(mktemp)"
log="$(mktemp)"
trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; rm -f "$output" "$log"' EXIT
"$binary" --listen 127.0.0.1:0 --ak "$ak" --sk "$sk" --time-scale 60 >"$output" 2>"$log" &
sim_pid=$!

port=""
for _ in $(seq 1 100); do
    port="$(sed -n 's/^modelarts-sim listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$output")"
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "modelarts-sim did not start:" >&2
    cat "$log" >&2
    exit 1
fi

"$venv/bin/python" scripts/sdk-against-sim.py "http://127.0.0.1:$port" "$ak" "$sk" "$project"
