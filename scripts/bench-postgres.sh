#!/usr/bin/env bash
# Intake on the PostgreSQL store (also run by `scripts/bench --store postgres`): trainqd with database.url
# takes the seed's request over its Unix socket at 1 and 32 keep-alive clients (every 202 after PostgreSQL's
# commit, synchronous_commit on), side by side in one run with pgbench running a single-row INSERT
# transaction of the same body against the same server: the physical limit of one durable row per commit.
# The server is a private one (scripts/postgres-for-tests: a fresh cluster on 127.0.0.1, fsync on), so this
# needs Debian's postgresql package (installed when missing) and root.
#
#   scripts/bench-postgres.sh              # 20 s per run
#   QUICK=1 scripts/bench-postgres.sh      # 5 s per run
#
# Goal (issue #9): trainqd >= 0.5 x pgbench at 32 clients.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=${QUICK:-0}
if ((quick)); then seconds=5; else seconds=20; fi
clients=(1 32)

bin_pg="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [[ ! -x "$bin_pg/initdb" ]] || ! command -v pgbench >/dev/null; then
    echo "==> installing postgresql (server and pgbench) from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
command -v systemctl >/dev/null && systemctl is-active --quiet postgresql 2>/dev/null && { systemctl stop postgresql || true; }

echo "==> building (release)"
swift build -c release --product trainqd >/dev/null
swift build -c release --product trainq-bench >/dev/null
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d /tmp/trainq-bench-pg.XXXXXX)"
pg_dir=""
trainqd_pid=""
cleanup() {
    [[ -z "$trainqd_pid" ]] || { kill -TERM "$trainqd_pid" 2>/dev/null; wait "$trainqd_pid" 2>/dev/null || true; }
    [[ -z "$pg_dir" ]] || scripts/postgres-for-tests stop "$pg_dir"
    rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

echo "==> a private PostgreSQL server"
eval "$(scripts/postgres-for-tests start)"
pg_dir="$TRAINQ_TEST_POSTGRES_DIR"
url="$TRAINQ_TEST_POSTGRES_URL"
password_file="$TRAINQ_TEST_POSTGRES_PASSWORD_FILE"
hostport="${url#*@}"
hostport="${hostport%%/*}"
host="${hostport%:*}"
port="${hostport##*:}"
unset TRAINQ_TEST_POSTGRES_URL TRAINQ_TEST_POSTGRES_PASSWORD_FILE TRAINQ_TEST_POSTGRES_DIR
export PGPASSWORD="$(cat "$password_file")"
psql() { command psql -X -q -h "$host" -p "$port" -U trainq "$@"; }
psql -d postgres -c "CREATE DATABASE trainq" -c "CREATE DATABASE peer"
settings="$(psql -d postgres -At -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_connections')")"

# The disk's durable-write time in the server's own file system: what every commit waits for at least.
fsync_us="$(python3 - "$pg_dir" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
block = b"x" * 8192
samples = []
for i in range(500):
    os.pwrite(fd, block, (i % 16) * 8192)
    started = time.perf_counter()
    os.fdatasync(fd)
    samples.append(time.perf_counter() - started)
os.close(fd)
os.unlink(path)
samples.sort()
print(f"{samples[len(samples) // 2] * 1e6:.0f}")
PY
)"

payload="$work/payload.json"
tr -d '\n' <examples/seed-request.json | sed 's/^[[:space:]]*{/{"job_id": 10, /' >"$payload"

cat >"$work/trainqd.yaml" <<YAML
socket:
  group: ""
log:
  level: warning
database:
  url: postgresql://trainq@$host:$port/trainq
  password_file: $password_file
YAML

echo "==> trainqd --simulate on the PostgreSQL store"
"$bin/trainqd" --simulate --socket "$work/trainq.sock" --config "$work/trainqd.yaml" 2>>"$work/trainqd.log" &
trainqd_pid=$!
for _ in $(seq 1 200); do
    "$bin/trainq-bench" list-latency --socket "$work/trainq.sock" --query "limit=1" --count 1 >/dev/null 2>&1 && break
    sleep 0.05
done
# CPU time in clock ticks: one process; the server (every live process of its user, postgres, and the
# backends that ended, which the postmaster counts as its children's); and the children this shell has
# waited for (the load generators; `times` runs in this shell, not a subshell, to see them).
hz="$(getconf CLK_TCK)"
ticks_of() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
server_ticks() {
    local sum=0 pid postmaster
    for pid in $(pgrep -u postgres); do sum=$((sum + $(ticks_of "$pid"))); done
    postmaster="$(head -1 "$pg_dir/data/postmaster.pid")"
    echo $((sum + $(awk '{ print $16 + $17 }' "/proc/$postmaster/stat")))
}
children_ticks() {
    times >"$work/times"
    children="$(tail -1 "$work/times" | awk -v hz="$hz" '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d", t * hz + 0.5 }')"
}
# µs of CPU per item from a difference of ticks.
per_item() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'; }
cores="$(nproc)"

declare -A trainq cpu_daemon cpu_server cpu_load
for c in "${clients[@]}"; do
    # About `seconds` of work: a short probe sizes the run.
    probe="$("$bin/trainq-bench" intake --socket "$work/trainq.sock" --queue trainq --clients "$c" --requests $((c * 20)) --payload "$payload")"
    rate="$(sed -n 's/.*per_second=\([0-9.]*\).*/\1/p' <<<"$probe")"
    n="$(awk -v r="$rate" -v s="$seconds" -v c="$c" 'BEGIN { n = int(r * s); if (n < c * 50) n = c * 50; print n }')"
    children_ticks; l0="$children" d0="$(ticks_of "$trainqd_pid")" s0="$(server_ticks)"
    line="$("$bin/trainq-bench" intake --socket "$work/trainq.sock" --queue trainq --clients "$c" --requests "$n" --payload "$payload")"
    d1="$(ticks_of "$trainqd_pid")" s1="$(server_ticks)"; children_ticks; l1="$children"
    cpu_daemon[$c]="$(per_item $((d1 - d0)) "$n")"
    cpu_server[$c]="$(per_item $((s1 - s0)) "$n")"
    cpu_load[$c]="$(per_item $((l1 - l0)) "$n")"
    echo "    trainqd  $line cpu_us_per_submission: trainqd=${cpu_daemon[$c]} server=${cpu_server[$c]} load=${cpu_load[$c]}"
    trainq[$c]="$line"
done
kill -TERM "$trainqd_pid"
wait "$trainqd_pid" || true
trainqd_pid=""

echo "==> pgbench: one INSERT of the same body per transaction, same server"
psql -d peer -c "CREATE TABLE submissions (id bigserial PRIMARY KEY, body bytea NOT NULL, created_at bigint NOT NULL)"
body_hex="$(od -An -v -tx1 "$payload" | tr -d ' \n')"
printf "INSERT INTO submissions (body, created_at) VALUES ('\\\\x%s'::bytea, 0);\n" "$body_hex" >"$work/insert.sql"
declare -A peer peer_server peer_load
for c in "${clients[@]}"; do
    threads=$((c < 2 ? c : 2))
    children_ticks; l0="$children" s0="$(server_ticks)"
    out="$(pgbench -n -h "$host" -p "$port" -U trainq -M prepared -f "$work/insert.sql" -c "$c" -j "$threads" -T "$seconds" peer 2>&1)"
    tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)"
    tps="$(printf "%.0f" "$tps")"
    latency="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")"
    s1="$(server_ticks)"; children_ticks; l1="$children"
    transactions="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")"
    peer_server[$c]="$(per_item $((s1 - s0)) "$transactions")"
    peer_load[$c]="$(per_item $((l1 - l0)) "$transactions")"
    echo "    pgbench  clients=$c per_second=$tps latency_avg_ms=$latency cpu_us_per_transaction: server=${peer_server[$c]} pgbench=${peer_load[$c]}"
    peer[$c]="$tps"
done

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "## Intake on PostgreSQL (seed body, Unix socket, acknowledged after commit)"
echo
echo "Server: $settings; fdatasync of 8 KiB in its file system: ${fsync_us} µs (median of 500)."
echo
echo "| clients | trainqd /s (p50, p99 ms) | pgbench single-row INSERT tps | trainqd / pgbench |"
echo "|---|---|---|---|"
for c in "${clients[@]}"; do
    t="$(field per_second "${trainq[$c]}")"
    printf '| %s | %s (%s, %s) | %s | %s |\n' "$c" "$t" "$(field p50_ms "${trainq[$c]}")" "$(field p99_ms "${trainq[$c]}")" \
        "${peer[$c]}" "$(ratio "$t" "${peer[$c]}")"
done
echo
echo "CPU per acknowledged row (µs; $cores cores): where the time goes, and the rate the cores allow (cores / CPU per row)."
echo
echo "| clients | trainqd | server for trainqd | load generator | trainqd's ceiling /s | server for pgbench | pgbench | pgbench's ceiling /s |"
echo "|---|---|---|---|---|---|---|---|"
ceiling() { awk -v c="$cores" -v a="$1" -v b="$2" -v d="${3:-0}" 'BEGIN { t = a + b + d; if (t > 0) printf "%.0f", c * 1e6 / t; else print "-" }'; }
for c in "${clients[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "${cpu_daemon[$c]}" "${cpu_server[$c]}" "${cpu_load[$c]}" \
        "$(ceiling "${cpu_daemon[$c]}" "${cpu_server[$c]}" "${cpu_load[$c]}")" "${peer_server[$c]}" "${peer_load[$c]}" \
        "$(ceiling "${peer_server[$c]}" "${peer_load[$c]}")"
done
echo
echo "Goal: trainqd / pgbench >= 0.50 at 32 clients."
