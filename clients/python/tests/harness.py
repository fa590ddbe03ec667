"""Real trainqd (and modelarts-sim) processes for the tests, each in its own temporary directory.

Binaries come from ``$TRAINQ_BIN_DIR`` (default: ``.build/debug`` of the repository). Every process a test
starts is stopped by a cleanup registered when it starts; every wait here is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_SOURCE = REPO_ROOT / "clients" / "python" / "src"

# Test the source tree, not whatever `trainq` is installed, unless asked to (TRAINQ_TEST_INSTALLED=1).
if os.environ.get("TRAINQ_TEST_INSTALLED") != "1" and str(PACKAGE_SOURCE) not in sys.path:
    sys.path.insert(0, str(PACKAGE_SOURCE))

import trainq  # noqa: E402

__all__ = [
    "trainq",
    "REPO_ROOT",
    "BIN_DIR",
    "seed_request",
    "binary",
    "eventually",
    "Workspace",
    "Child",
    "Simulator",
    "Daemon",
    "simulate_config",
    "external_config",
    "DaemonTestCase",
    "Background",
]



def _bin_dir() -> Path:
    """``$TRAINQ_BIN_DIR`` (a relative one from the working directory, else from the repository), or the
    repository's ``.build/debug``. Absolute: the children run in their workspace."""
    given = os.environ.get("TRAINQ_BIN_DIR")
    if not given:
        return REPO_ROOT / ".build" / "debug"
    path = Path(given).expanduser()
    if not path.is_absolute() and not path.is_dir() and (REPO_ROOT / path).is_dir():
        path = REPO_ROOT / path
    return path.resolve()


BIN_DIR = _bin_dir()

# The sockets of the real trainqd processes started here: only their answers are recorded (not those of
# the stand-ins some tests run on a socket of their own).
_TRAINQD_SOCKETS: Set[str] = set()


def _record_answers(directory: str) -> None:
    """Appends every answer a test client reads from a real trainqd to ``DIRECTORY/answers-python-<pid>.jsonl``
    (one JSON object a line), for ``scripts/openapi-check --answers-only DIRECTORY`` to check against
    openapi/trainq.yaml. Patches the package's transport from here, so the package has no test hooks.

    ``Transport.request`` hands back only status and body, so the patch sits on the transport's
    connection class (method and target as sent; status, Content-Type and the whole body as read) and
    on ``Transport._lines`` for the ``follow=true`` stream (one record per line, ``"stream_line": true``).
    """
    from trainq import _transport

    descriptor = os.open(os.path.join(directory, f"answers-python-{os.getpid()}.jsonl"),
                         os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)

    def write(target: Tuple[str, str], response: Any, body: bytes, **flags: bool) -> None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text, flags = body.decode("utf-8", errors="replace"), dict(flags, body_not_utf8=True)
        record = {"method": target[0], "path": target[1], "status": response.status,
                  "content_type": response.getheader("Content-Type", ""), "body": text, **flags}
        # One write per line: with O_APPEND, lines from threads and processes never interleave.
        os.write(descriptor, (json.dumps(record) + "\n").encode("utf-8"))

    connection_class = _transport.UnixHTTPConnection
    original_request = connection_class.request
    original_getresponse = connection_class.getresponse
    original_lines = _transport.Transport._lines

    def request(self: Any, method: str, url: str, *arguments: Any, **options: Any) -> None:
        self._trainq_target = (method, url)
        original_request(self, method, url, *arguments, **options)

    def getresponse(self: Any) -> Any:
        response = original_getresponse(self)
        if self.socket_path not in _TRAINQD_SOCKETS:
            return response
        target = response._trainq_target = self._trainq_target
        read = response.read

        def read_and_record(amount: Optional[int] = None) -> bytes:
            data: bytes = read(amount)
            if amount is None:
                write(target, response, data)
            return data

        response.read = read_and_record
        return response

    def lines(self: Any, response: Any) -> Iterator[bytes]:
        target = getattr(response, "_trainq_target", None)
        for line in original_lines(self, response):
            if target is not None:
                write(target, response, line, stream_line=True)
            yield line

    connection_class.request = request  # type: ignore[method-assign]
    connection_class.getresponse = getresponse  # type: ignore[method-assign]
    _transport.Transport._lines = lines  # type: ignore[method-assign]


if os.environ.get("TRAINQ_RECORD_ANSWERS"):
    _record_answers(os.environ["TRAINQ_RECORD_ANSWERS"])
SEED_REQUEST_PATH = REPO_ROOT / "examples" / "seed-request.json"

SIM_ACCESS_KEY = "PYTESTACCESSKEY000001"
SIM_SECRET_KEY = "pytest-secret-key-00000000000000000000001"

T = TypeVar("T")


def seed_request() -> Dict[str, Any]:
    """The seed's sample request body (``examples/seed-request.json``): job 10 starts from version 20."""
    with open(SEED_REQUEST_PATH, encoding="utf-8") as file:
        document: Dict[str, Any] = json.load(file)
    return document


def binary(name: str) -> str:
    path = BIN_DIR / name
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"{path} is not built (set TRAINQ_BIN_DIR to the directory with trainqd)")
    return str(path)


def eventually(what: str, condition: Callable[[], Optional[T]], timeout: float = 30.0, every: float = 0.05) -> T:
    """Calls ``condition`` until it returns something truthy; bounded by ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except trainq.TrainqError as error:
            last_error = error
        time.sleep(every)
    raise AssertionError(f"never {what} within {timeout}s" + (f" (last error: {last_error})" if last_error else ""))


class Workspace:
    """One temporary directory per test; short, since a Unix socket path holds at most 107 bytes."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="tqpy-", dir="/tmp" if os.path.isdir("/tmp") else None))
        self.socket = str(self.path / "trainq.sock")
        self.database = str(self.path / "trainq.db")

    def file(self, name: str) -> Path:
        return self.path / name

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def child_environment() -> Dict[str, str]:
    """This environment without TRAINQ_* variables: trainqd refuses to start on one it does not know
    (TRAINQ_BIN_DIR, TRAINQ_TEST_INSTALLED), and the tests configure it with files and flags only."""
    return {name: value for name, value in os.environ.items() if not name.startswith("TRAINQ_")}


class Child:
    """A child process whose output goes to a file in the workspace (never a pipe that could fill up)."""

    def __init__(self, arguments: List[str], log: Path, cwd: Path) -> None:
        self.log = log
        self._log_file = open(log, "ab")
        try:
            self.process = subprocess.Popen(
                arguments,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                cwd=str(cwd),
                env=child_environment(),
            )
        except BaseException:
            self._log_file.close()
            raise

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout``; returns the exit status."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log_file.close()
        return self.process.returncode

    def kill(self) -> None:
        if self.running:
            self.process.kill()
            self.process.wait(10)
        self._log_file.close()


class Simulator:
    """``modelarts-sim`` on 127.0.0.1 with a free port: its state outlives any trainqd that talks to it."""

    def __init__(self, workspace: Workspace, time_scale: float) -> None:
        self.child = Child(
            [
                binary("modelarts-sim"),
                "--listen", "127.0.0.1:0",
                "--ak", SIM_ACCESS_KEY,
                "--sk", SIM_SECRET_KEY,
                "--time-scale", str(time_scale),
                "--log-level", "warning",
            ],
            workspace.file("modelarts-sim.log"),
            workspace.path,
        )

        def port() -> Optional[int]:
            if not self.child.running:
                raise AssertionError(f"modelarts-sim exited:\n{self.child.tail()}")
            for line in self.child.log.read_text(errors="replace").splitlines():
                if "listening on" in line:
                    return int(line.rsplit(":", 1)[1].strip())
            return None

        self.port = eventually("modelarts-sim listened", port, timeout=30)
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def ledger(self) -> Dict[str, Any]:
        """``GET /_sim/ledger``: every version created through the API (``versions``, each with ``job_id``,
        ``version_id``, ``pre_version_id``, ...) and the request counters."""
        import urllib.request

        with urllib.request.urlopen(self.endpoint + "/_sim/ledger", timeout=10) as response:
            document: Dict[str, Any] = json.load(response)
        return document


class Daemon:
    """``trainqd`` on the workspace's socket and database, started by ``start()`` and stopped by ``stop()``."""

    def __init__(self, workspace: Workspace, config: str, simulate: bool, name: str = "trainqd") -> None:
        self.workspace = workspace
        self.config_path = workspace.file(f"{name}.yaml")
        self.config_path.write_text(config)
        self.simulate = simulate
        self.name = name
        self.child: Optional[Child] = None
        self.starts = 0

    def start(self) -> Daemon:
        assert self.child is None or not self.child.running, "already running"
        self.starts += 1
        arguments = [
            binary("trainqd"),
            "--config", str(self.config_path),
            "--socket", self.workspace.socket,
            "--database", self.workspace.database,
            "--log-level", "info",
        ] + (["--simulate"] if self.simulate else [])
        _TRAINQD_SOCKETS.add(self.workspace.socket)
        child = Child(arguments, self.workspace.file(f"{self.name}-{self.starts}.log"), self.workspace.path)
        self.child = child

        def serving() -> bool:
            if not child.running:
                raise AssertionError(f"trainqd exited with {child.process.returncode}:\n{child.tail()}")
            if not os.path.exists(self.workspace.socket):
                return False
            with trainq.Client(self.workspace.socket, timeout=2) as probe:
                return probe.health().get("status") == "ok"

        eventually("trainqd served its socket", serving, timeout=30)
        return self

    @property
    def running(self) -> bool:
        return self.child is not None and self.child.running

    def stop(self) -> int:
        """SIGTERM and wait (bounded); the exit status (0 for a clean stop)."""
        assert self.child is not None
        return self.child.stop()

    def kill(self) -> None:
        """SIGKILL: the socket file stays behind, nobody listens on it."""
        assert self.child is not None
        self.child.kill()

    def ensure_stopped(self) -> None:
        if self.child is not None:
            self.child.stop()


def simulate_config(time_scale: float, extra: str = "") -> str:
    """trainqd with its in-process simulator ``time_scale`` times faster than ModelArts, tracking closely."""
    return f"simulate:\n  time_scale: {time_scale}\ntrack:\n  min_interval: 50ms\n  max_interval: 200ms\n{extra}"


def external_config(workspace: Workspace, endpoint: str, extra: str = "") -> str:
    """trainqd talking to a ModelArts at ``endpoint`` (a ``modelarts-sim``) with the simulator's AK/SK."""
    access_key = workspace.file("ak")
    secret_key = workspace.file("sk")
    access_key.write_text(SIM_ACCESS_KEY)
    secret_key.write_text(SIM_SECRET_KEY)
    return (
        "modelarts:\n"
        f"  endpoint: {endpoint}\n"
        "  project_id: 0123456789abcdef0123456789abcdef\n"
        f"  access_key_file: {access_key}\n"
        f"  secret_key_file: {secret_key}\n"
        "  request_timeout: 2s\n"
        "  rate_limit: 200\n"
        "  burst: 50\n"
        "track:\n"
        "  min_interval: 50ms\n"
        "  max_interval: 200ms\n"
        f"{extra}"
    )


class DaemonTestCase(unittest.TestCase):
    """A workspace per test; daemons, simulators and clients made here are stopped or closed afterwards."""

    def setUp(self) -> None:
        self.workspace = Workspace()
        self.addCleanup(self.workspace.remove)

    def start_simulated_daemon(self, time_scale: float = 120, extra: str = "") -> Daemon:
        daemon = Daemon(self.workspace, simulate_config(time_scale, extra), simulate=True)
        self.addCleanup(daemon.ensure_stopped)
        return daemon.start()

    def start_simulator(self, time_scale: float) -> Simulator:
        simulator = Simulator(self.workspace, time_scale)
        self.addCleanup(simulator.child.stop)
        return simulator

    def start_external_daemon(self, endpoint: str, extra: str = "") -> Daemon:
        daemon = Daemon(self.workspace, external_config(self.workspace, endpoint, extra), simulate=False)
        self.addCleanup(daemon.ensure_stopped)
        return daemon.start()

    def client(self, **options: Any) -> trainq.Client:
        client = trainq.Client(self.workspace.socket, **options)
        self.addCleanup(client.close)
        return client


class Background:
    """Runs ``function`` on a daemon thread; :meth:`result` joins it (bounded) and returns or raises its outcome."""

    def __init__(self, function: Callable[[], T]) -> None:
        import threading

        self._value: Any = None
        self._error: Optional[BaseException] = None

        def run() -> None:
            try:
                self._value = function()
            except BaseException as error:  # noqa: BLE001 - handed to the test thread
                self._error = error

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def result(self, timeout: float) -> Any:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"still running after {timeout}s")
        if self._error is not None:
            raise self._error
        return self._value
