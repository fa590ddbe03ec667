#!/usr/bin/env python3
"""Helper of bench-tracking.sh: submits many requests to trainqd over its Unix socket, reads the
simulator's ledger and the daemon's /proc figures. Standard library only."""
import http.client
import json
import socket
import sys
import threading
import urllib.request

SEED_CONFIG = {
    "worker_server_num": 1,
    "app_url": "/usr/app/",
    "boot_file_url": "/usr/app/boot.py",
    "parameter": [{"label": "learning_rate", "value": "0.01"}, {"label": "batch_size", "value": "32"}],
    "dataset_id": "38277e62-9e59-48f4-8d89-c8cf41622c24",
    "dataset_version_id": "2ff0d6ba-c480-45ae-be41-09a8369bfc90",
    "spec_id": 1,
    "engine_id": 1,
    "train_url": "/usr/train/",
    "log_url": "/usr/log/",
}


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)


def submit(socket_path, versions, jobs, first_job, workers=8):
    """Submits `versions` requests spread evenly over `jobs` jobs (ids first_job...)."""
    errors = []
    lock = threading.Lock()

    def work(indices):
        connection = UnixConnection(socket_path)
        for index in indices:
            job = first_job + index % jobs
            config = dict(SEED_CONFIG, pre_version_id=job * 100)
            body = json.dumps({"job_id": job, "job_desc": "bench", "config": config})
            for _ in range(3):
                try:
                    connection.request("POST", "/v1/submissions", body, {"Content-Type": "application/json"})
                    response = connection.getresponse()
                    payload = response.read()
                    if response.status not in (200, 202):
                        with lock:
                            errors.append(f"{response.status}: {payload[:200]!r}")
                    break
                except (ConnectionError, http.client.HTTPException, socket.timeout):
                    connection.close()
                    connection = UnixConnection(socket_path)
        connection.close()

    threads = [threading.Thread(target=work, args=(range(w, versions, workers),)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"{len(errors)} submissions failed, first: {errors[0]}", file=sys.stderr)
        return 1
    return 0


def health(socket_path):
    connection = UnixConnection(socket_path)
    connection.request("GET", "/v1/health")
    return json.loads(connection.getresponse().read())


def ledger_requests(endpoint):
    with urllib.request.urlopen(endpoint + "/_sim/ledger", timeout=60) as response:
        return json.load(response)["requests"]


def process_figures(pid):
    """CPU seconds (user + system) and peak/current RSS in kB of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = __import__("os").sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    memory = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                memory[key] = int(value.split()[0])
    return {"cpu_seconds": cpu, "peak_rss_kb": memory.get("VmHWM", 0), "rss_kb": memory.get("VmRSS", 0)}


def main(argv):
    command = argv[1]
    if command == "submit":
        return submit(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    if command == "tracking":
        states = health(argv[2])["states"]
        print(states.get("tracking", 0), sum(states.get(s, 0) for s in ("queued", "submitting", "retrying", "reconciling")))
        return 0
    if command == "figures":
        requests = ledger_requests(argv[3])
        print(json.dumps(dict(process_figures(int(argv[2])), list=requests["list"], show=requests["show"])))
        return 0
    if command == "states":
        # succeeded, still open, ended otherwise
        states = health(argv[2])["states"]
        open_states = ("queued", "submitting", "retrying", "reconciling", "tracking")
        ended = sum(count for state, count in states.items() if state not in open_states and state != "succeeded")
        print(states.get("succeeded", 0), sum(states.get(s, 0) for s in open_states), ended)
        return 0
    if command == "ledger":
        # calls (create + list + show), throttled, versions created
        with urllib.request.urlopen(argv[2] + "/_sim/ledger", timeout=60) as response:
            ledger = json.load(response)
        requests = ledger["requests"]
        print(requests["create"] + requests["list"] + requests["show"], requests["throttled"], len(ledger["versions"]))
        return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
