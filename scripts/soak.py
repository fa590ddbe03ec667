#!/usr/bin/env python3
"""Helper of scripts/soak: talks to trainqd over its Unix socket and to modelarts-sim over loopback,
samples the daemon while it runs, and judges and plots the samples afterwards. Standard library only,
except `report`, which plots with matplotlib when it can be imported.

    soak.py ready SOCKET TIMEOUT                      wait until /v1/health answers (exit 1 if it never does)
    soak.py wait SOCKET --open-below N --timeout T [--limit L]
                                                      wait until fewer than N submissions are open; prints
                                                      "stored succeeded open other"; exit 3 when nothing
                                                      succeeded for T seconds (stalled) or after L seconds
    soak.py phases TOTAL CYCLES                       "FED PHASE" at every change of fault phase
    soak.py faults ENDPOINT PHASE                     replace the simulator's faults with the phase's set
    soak.py monitor --socket ... --csv ...            sample every --interval seconds until SIGTERM
    soak.py finish SOCKET ENDPOINT OUT.json           final states, last seq and the simulator's ledger
    soak.py report --csv ... --png ...                summary table, growth verdict, PNG; exit 1 on FAIL

Definitions (also printed with the report):
  event lag      for every event the follower (`trainq events --follow --json`) reads: the time it read
                 the line minus the event's `at`, which trainqd stamps when it writes the state change.
                 Per sample: p50, p99 and max of the events read since the previous sample.
  seq gap        trainqd's last event seq (GET /v1/events?after=<max>&timeout=0s) minus the last seq
                 the follower has read, at the sample.
  202->succeeded for every `succeeded` event the follower reads: the time it read it minus the `at` of
                 the same submission's `queued` event (stored just before trainqd answered 202).
"""
import http.client
import json
import math
import os
import signal
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime

OPEN_STATES = ("queued", "submitting", "retrying", "reconciling", "tracking")
TERMINAL_STATES = ("succeeded", "failed", "stopped", "rejected", "exhausted", "canceled")
MAX_SEQ = 2**63 - 1


# ---------------------------------------------------------------------------------------------------
# trainqd over its Unix socket


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Daemon:
    """One keep-alive connection to trainqd, opened again after any error."""

    def __init__(self, path, timeout=10):
        self.path = path
        self.timeout = timeout
        self.connection = None

    def get(self, target):
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = UnixConnection(self.path, self.timeout)
                self.connection.request("GET", target)
                response = self.connection.getresponse()
                body = response.read()
                if response.status != 200:
                    raise OSError(f"GET {target}: {response.status}")
                return json.loads(body)
            except (OSError, http.client.HTTPException, ValueError):
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        return None

    def health(self):
        return self.get("/v1/health")

    def last_seq(self):
        return int(self.get(f"/v1/events?after={MAX_SEQ}&timeout=0s")["last_seq"])


def state_summary(health):
    """stored, succeeded, open, other (ended any other way, or needs_attention)."""
    states = health["states"]
    stored = sum(states.values())
    succeeded = states.get("succeeded", 0)
    open_count = sum(states.get(s, 0) for s in OPEN_STATES)
    return stored, succeeded, open_count, stored - succeeded - open_count


def command_ready(argv):
    path, timeout = argv[0], float(argv[1])
    daemon = Daemon(path, timeout=2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.path.exists(path):
                daemon.health()
                return 0
        except (OSError, http.client.HTTPException, ValueError):
            pass
        time.sleep(0.1)
    print(f"trainqd did not answer on {path} within {timeout:.0f} s", file=sys.stderr)
    return 1


def command_wait(argv):
    path = argv[0]
    below = int(argv[argv.index("--open-below") + 1])
    stall = float(argv[argv.index("--timeout") + 1])
    limit = float(argv[argv.index("--limit") + 1]) if "--limit" in argv else 3600.0
    daemon = Daemon(path)
    last_succeeded, progress_at = -1, time.monotonic()
    deadline = time.monotonic() + limit
    # Bounded: by the stall timeout while nothing succeeds, and by --limit in any case.
    while time.monotonic() < deadline:
        try:
            stored, succeeded, open_count, other = state_summary(daemon.health())
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            stored = succeeded = open_count = other = None
        if open_count is not None:
            if open_count < below:
                print(stored, succeeded, open_count, other)
                return 0
            if succeeded != last_succeeded:
                last_succeeded, progress_at = succeeded, time.monotonic()
        if time.monotonic() - progress_at > stall:
            print(stored, succeeded, open_count, other)
            return 3
        time.sleep(0.5)
    print(stored, succeeded, open_count, other)
    return 3


# ---------------------------------------------------------------------------------------------------
# modelarts-sim's control API

# The fault phases of one cycle, with the share of the cycle each takes (scripts/soak walks through
# the cycle by submissions fed). Probabilities are per call.
FAULT_CYCLE = [
    ("clean", 0.25),
    ("transient", 0.20),  # 503 ModelArts.4700 on 3 % of all calls, resets on 1 % of lists and shows
    ("clean", 0.10),
    ("throttle", 0.15),  # bursts of 429s (APIGW.0308, then ModelArts.2799 with Retry-After), re-armed every 10 s
    ("lost", 0.15),  # creates whose answer is lost after the version was made: 0.3 % dropped, 0.2 % 504
    ("clean", 0.15),
]

FAULTS = {
    "clean": [],
    "transient": [
        {"on": "any", "kind": "error", "status": 503, "probability": 0.03},
        {"on": "list", "kind": "reset", "probability": 0.01},
        {"on": "show", "kind": "reset", "probability": 0.01},
    ],
    "throttle": [
        {"on": "any", "kind": "error", "status": 429, "count": 15},
        {"on": "create", "kind": "error", "status": 429, "error_code": "ModelArts.2799", "retry_after": 1, "count": 5},
    ],
    "lost": [
        {"on": "create", "kind": "lost_response", "probability": 0.003},
        {"on": "create", "kind": "lost_response", "status": 504, "probability": 0.002},
    ],
}


def command_faults(argv):
    endpoint, phase = argv[0], argv[1]
    body = json.dumps({"faults": FAULTS[phase]}).encode()
    request = urllib.request.Request(endpoint + "/_sim/faults", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        json.load(response)
    return 0


def command_phases(argv):
    """soak.py phases TOTAL CYCLES: one line "FED PHASE" for each phase change over the run."""
    total, cycles = int(argv[0]), int(argv[1])
    cycle = total / max(1, cycles)
    for index in range(max(0, cycles)):
        position = 0.0
        for name, share in FAULT_CYCLE:
            print(int(round(cycle * (index + position))), name)
            position += share
    return 0


def command_finish(argv):
    """Final figures while trainqd and the simulator still run: states, last seq, the ledger checked for
    duplicate and unmarked versions."""
    path, endpoint, out = argv[0], argv[1], argv[2]
    final = {}
    daemon = Daemon(path, timeout=60)
    try:
        health = daemon.health()
        final["states"] = health["states"]
        final["storage"] = health.get("storage")
        final["last_seq"] = daemon.last_seq()
    except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
        final["health_error"] = str(error)
    try:
        with urllib.request.urlopen(endpoint + "/_sim/ledger", timeout=300) as response:
            ledger = json.load(response)
        markers = {}
        unmarked = 0
        for version in ledger["versions"]:
            desc = version.get("job_desc", "")
            start = desc.rfind("[trainq:")
            if start < 0:
                unmarked += 1
                continue
            marker = desc[start:desc.find("]", start) + 1]
            markers[marker] = markers.get(marker, 0) + 1
        final["ledger"] = {
            "versions": len(ledger["versions"]),
            "submissions_with_versions": len(markers),
            "duplicated": sum(1 for count in markers.values() if count > 1),
            "unmarked": unmarked,
            "lost_answers": sum(1 for v in ledger["versions"] if v.get("response_lost")),
            "requests": ledger.get("requests", {}),
        }
    except (OSError, urllib.error.URLError, ValueError, KeyError) as error:
        final["ledger_error"] = str(error)
    with open(out, "w") as handle:
        json.dump(final, handle, indent=1)
    return 0


# ---------------------------------------------------------------------------------------------------
# Sampling


class Histogram:
    """Log-bucketed (about 4.7 % wide) counts of values in milliseconds, for whole-run percentiles."""

    def __init__(self):
        self.buckets = {}
        self.count = 0
        self.maximum = 0.0

    def add(self, milliseconds):
        bucket = int(math.floor(math.log10(max(milliseconds, 0.01)) * 50))
        self.buckets[bucket] = self.buckets.get(bucket, 0) + 1
        self.count += 1
        self.maximum = max(self.maximum, milliseconds)

    def percentile(self, fraction):
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * fraction))
        seen = 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= rank:
                return min(self.maximum, 10 ** ((bucket + 1) / 50))
        return self.maximum

    def json(self):
        return {"count": self.count, "p50_ms": self.percentile(0.5), "p99_ms": self.percentile(0.99),
                "max_ms": self.maximum}


def parse_at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * fraction) - 1))]


class Follower(threading.Thread):
    """Reads `trainq events --follow --json` lines from a FIFO and keeps the lag figures."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.lock = threading.Lock()
        self.last_seq = 0
        self.lines = 0
        self.unreadable = 0
        self.out_of_order = 0
        self.window_lag = []
        self.window_e2e = []
        self.lag = Histogram()
        self.e2e = Histogram()
        self.queued_at = {}
        self.states = {}
        self.ended_at = None

    def run(self):
        try:
            with open(self.path, "rb") as stream:
                for line in stream:
                    self.take(line, time.time())
        finally:
            self.ended_at = time.time()

    def take(self, line, now):
        try:
            event = json.loads(line)
            seq, at, state, submission = int(event["seq"]), parse_at(event["at"]), event["state"], event["submission"]
        except (ValueError, KeyError, TypeError):
            with self.lock:
                self.unreadable += 1
            return
        with self.lock:
            self.lines += 1
            if seq <= self.last_seq:
                self.out_of_order += 1
            self.last_seq = max(self.last_seq, seq)
            lag = (now - at) * 1000
            self.window_lag.append(lag)
            self.lag.add(lag)
            self.states[state] = self.states.get(state, 0) + 1
            if state == "queued":
                self.queued_at.setdefault(submission, at)
            elif state in TERMINAL_STATES:
                queued = self.queued_at.pop(submission, None)
                if state == "succeeded" and queued is not None:
                    e2e = (now - queued) * 1000
                    self.window_e2e.append(e2e)
                    self.e2e.add(e2e)

    def window(self):
        with self.lock:
            lag, e2e = self.window_lag, self.window_e2e
            self.window_lag, self.window_e2e = [], []
            return self.last_seq, lag, e2e

    def summary(self):
        with self.lock:
            return {"lines": self.lines, "unreadable": self.unreadable, "out_of_order": self.out_of_order,
                    "last_seq": self.last_seq, "states": dict(self.states), "lag": self.lag.json(),
                    "e2e": self.e2e.json(), "open_in_follower": len(self.queued_at), "ended_at": self.ended_at}


def read_process(pid):
    """rss and peak in MiB, threads, CPU seconds, open descriptors of a live process."""
    figures = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key == "VmRSS":
                figures["rss_mb"] = int(value.split()[0]) / 1024
            elif key == "VmHWM":
                figures["hwm_mb"] = int(value.split()[0]) / 1024
            elif key == "Threads":
                figures["threads"] = int(value)
            elif key == "State" and value.split()[0] == "Z":
                raise ProcessLookupError(pid)
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    figures["cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    figures["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return figures


def read_text(path, default=""):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return default


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


COLUMNS = [
    "t", "wall", "pid", "fed", "stored", "succeeded", "open", "other",
    "rss_mb", "hwm_mb", "fds", "threads", "cpu_s",
    "db_file_bytes", "wal_bytes", "db_logical_bytes", "db_free_bytes", "bytes_per_sub",
    "last_seq", "follower_seq", "seq_gap", "lag_p50_ms", "lag_p99_ms", "lag_max_ms", "events",
    "e2e_p50_s", "e2e_p99_s", "succeeded_seen", "sim_rss_mb", "phase",
]


def command_monitor(argv):
    options = dict(zip(argv[0::2], argv[1::2]))
    socket_path, csv_path, summary_path = options["--socket"], options["--csv"], options["--summary"]
    pid_file, database, progress = options["--pidfile"], options["--database"], options["--progress"]
    phase_file, sim_pid, interval = options["--phase"], int(options["--sim-pid"]), float(options["--interval"])

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    follower = Follower(options["--events"])
    follower.start()
    daemon = Daemon(socket_path, timeout=max(2.0, interval))
    started = time.time()
    samples = 0

    def write_summary():
        summary = follower.summary()
        summary.update({"started": started, "samples": samples, "interval": interval})
        with open(summary_path + ".tmp", "w") as handle:
            json.dump(summary, handle)
        os.replace(summary_path + ".tmp", summary_path)

    with open(csv_path, "w", buffering=1) as csv:
        csv.write(",".join(COLUMNS) + "\n")
        next_at = time.monotonic()
        while not stopping.is_set():
            now = time.time()
            row = {"t": round(now - started, 2), "wall": round(now, 3), "fed": read_text(progress, "0"),
                   "phase": read_text(phase_file, "")}
            pid = read_text(pid_file)
            if pid:
                row["pid"] = pid
                try:
                    row.update(read_process(int(pid)))
                except (OSError, ValueError):
                    pass
            stored = None
            try:
                health = daemon.health()
                stored, succeeded, open_count, other = state_summary(health)
                row.update({"stored": stored, "succeeded": succeeded, "open": open_count, "other": other})
                storage = health.get("storage") or {}
                row["db_logical_bytes"] = storage.get("bytes")
                row["db_free_bytes"] = storage.get("free_bytes")
                row["last_seq"] = daemon.last_seq()
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                pass
            row["db_file_bytes"] = file_size(database)
            row["wal_bytes"] = file_size(database + "-wal")
            if stored:
                used = row.get("db_logical_bytes") or row["db_file_bytes"]
                used -= row.get("db_free_bytes") or 0
                row["bytes_per_sub"] = round(used / stored, 1)
            follower_seq, lag, e2e = follower.window()
            row["follower_seq"] = follower_seq
            if "last_seq" in row:
                row["seq_gap"] = max(0, row["last_seq"] - follower_seq)
            row["events"] = len(lag)
            if lag:
                row["lag_p50_ms"] = round(percentile(lag, 0.5), 1)
                row["lag_p99_ms"] = round(percentile(lag, 0.99), 1)
                row["lag_max_ms"] = round(max(lag), 1)
            if e2e:
                row["e2e_p50_s"] = round(percentile(e2e, 0.5) / 1000, 3)
                row["e2e_p99_s"] = round(percentile(e2e, 0.99) / 1000, 3)
            row["succeeded_seen"] = follower.summary()["states"].get("succeeded", 0)
            try:
                row["sim_rss_mb"] = read_process(sim_pid)["rss_mb"]
            except (OSError, ValueError, KeyError):
                pass
            csv.write(",".join(format_cell(row.get(column)) for column in COLUMNS) + "\n")
            samples += 1
            write_summary()
            next_at += interval
            stopping.wait(max(0.0, next_at - time.monotonic()))
    write_summary()
    return 0


def format_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value).replace(",", ";")


# ---------------------------------------------------------------------------------------------------
# Report: growth checks, summary, plot


def env_float(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# (column, label, unit, ratio, rise, slope per 100k): FAIL when, over the judged window, the last third's
# median exceeds the first third's by more than `rise` AND (when given) by more than `ratio` times AND
# (when given) the least-squares slope against submissions done exceeds `slope` per 100,000.
def growth_checks():
    return [
        ("rss_mb", "trainqd RSS", "MiB", None, env_float("SOAK_RSS_RISE_MB", 3), env_float("SOAK_RSS_SLOPE_MB", 5)),
        ("fds", "open file descriptors", "", None, env_float("SOAK_FD_RISE", 5), env_float("SOAK_FD_SLOPE", 10)),
        ("lag_p99_ms", "event lag p99", "ms", env_float("SOAK_LAG_RATIO", 1.5), env_float("SOAK_LAG_RISE_MS", 100), None),
        ("seq_gap", "follower seq gap", "events", env_float("SOAK_LAG_RATIO", 1.5), env_float("SOAK_GAP_RISE", 2000), None),
        ("e2e_p50_s", "202->succeeded p50", "s", env_float("SOAK_E2E_RATIO", 1.5), env_float("SOAK_E2E_RISE_S", 1.0), None),
        ("bytes_per_sub", "DB bytes per stored submission", "B", env_float("SOAK_DB_RATIO", 1.15),
         env_float("SOAK_DB_RISE_B", 100), None),
        ("wal_mb", "WAL file", "MiB", 2.0, env_float("SOAK_WAL_RISE_MB", 32), None),
    ]


def load_csv(path):
    rows = []
    with open(path) as handle:
        header = handle.readline().strip().split(",")
        for line in handle:
            cells = line.rstrip("\n").split(",")
            row = {}
            for name, cell in zip(header, cells):
                if cell == "":
                    row[name] = None
                elif name == "phase":
                    row[name] = cell
                else:
                    try:
                        row[name] = float(cell)
                    except ValueError:
                        row[name] = cell
            rows.append(row)
    for row in rows:
        row["wal_mb"] = row["wal_bytes"] / 2**20 if row.get("wal_bytes") is not None else None
    # CPU per submission: CPU seconds over submissions done between two samples of the same process.
    for before, after in zip(rows, rows[1:]):
        if (before.get("pid") == after.get("pid") and before.get("cpu_s") is not None and after.get("cpu_s") is not None
                and before.get("succeeded") is not None and after.get("succeeded") is not None):
            done = after["succeeded"] - before["succeeded"]
            span = after["t"] - before["t"]
            after["cpu_pct"] = 100 * (after["cpu_s"] - before["cpu_s"]) / span if span > 0 else None
            after["cpu_ms_per_sub"] = 1000 * (after["cpu_s"] - before["cpu_s"]) / done if done > 0 else None
    return rows


def load_marks(path):
    marks = []
    try:
        with open(path) as handle:
            for line in handle:
                wall, fed, kind, detail = (line.rstrip("\n").split(",") + ["", "", "", ""])[:4]
                marks.append({"wall": float(wall), "fed": int(fed or 0), "kind": kind, "detail": detail})
    except OSError:
        pass
    return marks


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def slope_per_100k(points):
    points = [(x, y) for x, y in points if x is not None and y is not None]
    if len(points) < 3 or len({x for x, _ in points}) < 2:
        return None
    slope, _ = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    return slope * 100_000


def judge(rows, window, column, ratio, rise, slope_limit):
    samples = [r for r in rows if window[0] <= r["t"] <= window[1] and r.get(column) is not None]
    if len(samples) < 9:
        return {"status": "n/a", "why": f"{len(samples)} samples in the judged window (need 9)"}
    third = len(samples) // 3
    first, last = median([r[column] for r in samples[:third]]), median([r[column] for r in samples[-third:]])
    slope = slope_per_100k([(r.get("succeeded"), r[column]) for r in samples])
    grew = last - first > rise and (ratio is None or last > ratio * first)
    if slope_limit is not None:
        grew = grew and slope is not None and slope > slope_limit
    return {"status": "FAIL" if grew else "PASS", "first": first, "last": last, "slope": slope}


def describe_rule(ratio, rise, slope, unit):
    parts = [f"+{rise:g} {unit}".strip()]
    if ratio is not None:
        parts.append(f"x{ratio:g}")
    if slope is not None:
        parts.append(f"slope > {slope:g} {unit}/100k".replace("  ", " "))
    return "fails if last third > first third " + " and ".join(parts)


def fmt(value, digits=1):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def command_report(argv):
    options = dict(zip(argv[0::2], argv[1::2]))
    rows = load_csv(options["--csv"])
    marks = load_marks(options["--marks"])
    summary = json.load(open(options["--summary"])) if os.path.exists(options["--summary"]) else {}
    final = json.load(open(options["--final"])) if os.path.exists(options.get("--final", "")) else {}
    total = int(options["--total"])
    png = options["--png"]
    settle = float(options.get("--settle", 60))
    aborted = options.get("--aborted", "")
    fed = int(options.get("--fed", 0))
    started_wall = float(options["--started"])
    ended_wall = float(options["--ended"])
    settings = options.get("--settings", "")
    if not rows:
        print("no samples were taken", file=sys.stderr)
        return 1
    t0 = rows[0]["wall"] - rows[0]["t"]
    for mark in marks:
        mark["t"] = mark["wall"] - t0
    restarts = [m for m in marks if m["kind"] in ("sigterm", "kill9")]

    # The judged window: from the later of half the submissions done and `settle` seconds after the last
    # restart, to the end.
    half_at = next((r["t"] for r in rows if (r.get("succeeded") or 0) >= total / 2), rows[-1]["t"])
    start = max([half_at] + [m["t"] + settle for m in restarts])
    window = (start, rows[-1]["t"])

    failures, notes = [], []
    checks = []
    for column, label, unit, ratio, rise, slope in growth_checks():
        result = judge(rows, window, column, ratio, rise, slope)
        checks.append((column, label, unit, ratio, rise, slope, result))
        if result["status"] == "FAIL":
            failures.append(f"{label} grows: {fmt(result['first'])} -> {fmt(result['last'])} {unit}"
                            + (f", slope {fmt(result['slope'])} {unit}/100k" if result.get("slope") is not None else ""))
    cpu = judge(rows, window, "cpu_ms_per_sub", 1.5, 0.3, None)
    if cpu["status"] == "FAIL":
        notes.append(f"warning: CPU per submission rose {fmt(cpu['first'], 2)} -> {fmt(cpu['last'], 2)} ms (not judged)")

    states = final.get("states") or {}
    stored = sum(states.values()) if states else None
    succeeded = states.get("succeeded", 0) if states else None
    if aborted:
        failures.append(f"run aborted: {aborted}")
    if fed < total and not aborted:
        failures.append(f"only {fed:,} of {total:,} submissions were fed")
    if stored is None:
        failures.append("no final health answer: " + final.get("health_error", "unknown"))
    else:
        not_succeeded = {s: n for s, n in states.items() if n and s != "succeeded"}
        if not_succeeded:
            failures.append("not every submission succeeded: " + ", ".join(f"{s} {n}" for s, n in sorted(not_succeeded.items())))
        if stored < fed:
            failures.append(f"{fed - stored} acknowledged submissions are missing from the store")
    ledger = final.get("ledger")
    if ledger:
        if ledger["duplicated"]:
            failures.append(f"{ledger['duplicated']} submissions got more than one version")
        if ledger["unmarked"]:
            failures.append(f"{ledger['unmarked']} versions carry no trainq marker")
    else:
        notes.append("ledger not read: " + final.get("ledger_error", "unknown"))
    seen = summary.get("states", {}).get("succeeded", 0)
    if succeeded is not None and seen < succeeded:
        failures.append(f"the event follower saw {seen:,} succeeded events of {succeeded:,}")
    if summary.get("out_of_order"):
        failures.append(f"the follower read {summary['out_of_order']} events twice or out of order")
    if summary.get("unreadable"):
        failures.append(f"the follower read {summary['unreadable']} lines that are not events")
    if summary.get("ended_at") and summary["ended_at"] < ended_wall - 1:
        failures.append("the event follower ended before the run did")
    if final.get("last_seq") and summary.get("last_seq", 0) < final["last_seq"]:
        failures.append(f"the follower stopped at seq {summary.get('last_seq')} of {final['last_seq']}")
    verdict = "FAIL" if failures else "PASS"

    # Summary, as a Markdown table for BENCHMARKS.md.
    duration = (ended_wall - started_wall) / 60
    # Only samples where the daemon answered: not the moment a new process is still starting.
    answered = [r for r in rows if r.get("stored") is not None]
    rss = [r["rss_mb"] for r in answered if r.get("rss_mb") is not None]
    fds = [r["fds"] for r in answered if r.get("fds") is not None]
    last = rows[-1]
    judged = [r for r in rows if window[0] <= r["t"] <= window[1]]
    per_sub = [r["bytes_per_sub"] for r in judged if r.get("bytes_per_sub") is not None]
    cpu_window = [r["cpu_ms_per_sub"] for r in judged if r.get("cpu_ms_per_sub") is not None]
    sigterms = sum(1 for m in restarts if m["kind"] == "sigterm")
    kills = sum(1 for m in restarts if m["kind"] == "kill9")
    stop_times = [m["detail"] for m in restarts if m["kind"] == "sigterm"]
    lag, e2e = summary.get("lag", {}), summary.get("e2e", {})
    jobs = options.get("--jobs-used", "?")
    print()
    print(f"## Soak ({settings})")
    print()
    print("| figure | value |")
    print("|---|---|")
    print(f"| submissions | {fed:,} fed over {jobs} jobs; stored {fmt(stored, 0)}, succeeded {fmt(succeeded, 0)} |")
    print(f"| duration | {duration:.1f} min, {fed / max(1.0, ended_wall - started_wall):.0f} submissions/s on average |")
    print(f"| restarts | {sigterms} SIGTERM ({'; '.join(stop_times) or '-'}), {kills} kill -9 |")
    if ledger:
        requests = ledger.get("requests", {})
        print(f"| simulator | {ledger['versions']:,} versions ({ledger['lost_answers']} with the answer lost), "
              f"{ledger['duplicated']} duplicated, {ledger['unmarked']} unmarked; calls: create {requests.get('create', 0):,}, "
              f"list {requests.get('list', 0):,}, show {requests.get('show', 0):,}, throttled {requests.get('throttled', 0):,}, "
              f"faults {requests.get('faults', 0):,} |")
    if rss:
        print(f"| trainqd RSS | min {min(rss):.1f} / median {statistics.median(rss):.1f} / max {max(rss):.1f} MiB |")
    if fds:
        print(f"| open fds | min {min(fds):.0f} / median {statistics.median(fds):.0f} / max {max(fds):.0f} |")
    db_mb = ((last.get("db_file_bytes") or 0) + (last.get("wal_bytes") or 0)) / 2**20
    print(f"| database at the end | {db_mb:.0f} MiB (file {fmt((last.get('db_file_bytes') or 0) / 2**20, 0)} MiB, "
          f"WAL {fmt((last.get('wal_bytes') or 0) / 2**20, 0)} MiB); retention kept everything (retention.terminal >= 1h) |")
    if per_sub:
        print(f"| DB bytes per stored submission (judged window) | {min(per_sub):,.0f} - {max(per_sub):,.0f}, median {statistics.median(per_sub):,.0f} |")
    print(f"| event lag (read by the follower - `at`) | p50 {fmt(lag.get('p50_ms'))} ms / p99 {fmt(lag.get('p99_ms'))} ms / "
          f"max {fmt(lag.get('max_ms'))} ms over {lag.get('count', 0):,} events |")
    print(f"| 202 -> succeeded seen by the follower | p50 {fmt((e2e.get('p50_ms') or 0) / 1000, 2)} s / "
          f"p99 {fmt((e2e.get('p99_ms') or 0) / 1000, 2)} s |")
    if cpu_window:
        print(f"| trainqd CPU per submission (judged window) | median {statistics.median(cpu_window):.2f} ms |")
    window_from = next((r.get("succeeded") for r in rows if r["t"] >= window[0]), None)
    print(f"| judged window | from {window[0] / 60:.1f} min ({fmt(window_from, 0)} done) to the end: first third against last third |")
    for column, label, unit, ratio, rise, slope, result in checks:
        if result["status"] == "n/a":
            text = f"n/a ({result['why']})"
        else:
            text = f"{result['status']}: {fmt(result['first'])} -> {fmt(result['last'])} {unit}".rstrip()
            if result.get("slope") is not None:
                text += f", slope {fmt(result['slope'])} {unit}/100k".rstrip()
        print(f"| {label} | {text} |")
    print(f"| verdict | **{verdict}**{': ' + '; '.join(failures) if failures else ''} |")
    print()
    for note in notes:
        print(note)
    print("Rules: " + "; ".join(f"{label}: {describe_rule(r, rise, s, unit)}" for _, label, unit, r, rise, s, _ in checks) + ".")

    plotted = plot(rows, marks, window, png, f"trainq soak: {fed:,} submissions, {duration:.0f} min, {verdict}")
    print()
    print(f"plot: {png}" if plotted else "plot: not written (matplotlib could not be imported)")
    print(f"samples: {options['--csv-copy']}" if options.get("--csv-copy") else "")
    return 1 if failures else 0


PHASE_COLOURS = {"transient": "#fde0c5", "throttle": "#d6e4f5", "lost": "#f3d1dc"}


def plot(rows, marks, window, png, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False

    def series(column, scale=1.0):
        points = [(r["t"] / 60, r[column] * scale) for r in rows if r.get(column) is not None]
        return [p[0] for p in points], [p[1] for p in points]

    panels = [
        ("submissions (thousands)", [("succeeded", "succeeded", 1e-3), ("fed", "fed (acknowledged)", 1e-3)], None),
        ("trainqd RSS (MiB)", [("rss_mb", "VmRSS", 1), ("hwm_mb", "VmHWM (this process)", 1)], None),
        ("open file descriptors", [("fds", "fds", 1), ("threads", "threads", 1)], None),
        ("database (MiB)", [("db_file_bytes", "file", 2**-20), ("wal_bytes", "WAL", 2**-20),
                            ("db_logical_bytes", "pages in use (health)", 2**-20)], None),
        ("DB bytes per stored submission", [("bytes_per_sub", "bytes / stored", 1)], None),
        ("event lag (ms)", [("lag_p50_ms", "p50", 1), ("lag_p99_ms", "p99", 1)], ("seq_gap", "seq gap (events)")),
        ("202 -> succeeded (s)", [("e2e_p50_s", "p50", 1), ("e2e_p99_s", "p99", 1)], None),
        ("trainqd CPU", [("cpu_pct", "% of one core", 1)], ("cpu_ms_per_sub", "ms per submission")),
    ]
    figure, axes = plt.subplots(len(panels), 1, figsize=(12, 2.3 * len(panels)), sharex=True)
    end = rows[-1]["t"] / 60
    phases = [m for m in marks if m["kind"] == "phase"]
    for axis, (label, lines, twin) in zip(axes, panels):
        for column, name, scale in lines:
            x, y = series(column, scale)
            if y:
                axis.plot(x, y, linewidth=0.9, label=name)
        if label.startswith("event lag"):
            axis.set_yscale("log")
        if twin:
            x, y = series(twin[0])
            if y:
                other = axis.twinx()
                other.plot(x, y, linewidth=0.6, color="grey", alpha=0.7, label=twin[1])
                other.set_ylabel(twin[1], fontsize=7, color="grey")
                other.tick_params(labelsize=7, colors="grey")
        axis.set_ylabel(label, fontsize=8)
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
        axis.axvline(window[0] / 60, color="green", linewidth=1.5)
        for index, phase in enumerate(phases):
            colour = PHASE_COLOURS.get(phase["detail"])
            if colour:
                stop = phases[index + 1]["t"] / 60 if index + 1 < len(phases) else end
                axis.axvspan(phase["t"] / 60, stop, color=colour, alpha=0.5, zorder=0, linewidth=0)
        for mark in marks:
            if mark["kind"] == "sigterm":
                axis.axvline(mark["t"] / 60, color="darkorange", linestyle=":", linewidth=1.2)
            elif mark["kind"] == "kill9":
                axis.axvline(mark["t"] / 60, color="red", linestyle="--", linewidth=1.2)
        axis.legend(loc="upper left", fontsize=7)
    axes[0].set_title(title + "\norange dotted: SIGTERM restart, red dashed: kill -9; shaded: 503s (orange), "
                      "429 bursts (blue), lost answers (pink); judged: right of the green line", fontsize=9)
    axes[-1].set_xlabel("minutes since start")
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    figure.savefig(png, dpi=90)
    return True


def main(argv):
    commands = {"ready": command_ready, "wait": command_wait, "faults": command_faults, "phases": command_phases,
                "monitor": command_monitor, "finish": command_finish, "report": command_report}
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
