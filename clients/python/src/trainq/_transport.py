"""HTTP/1.1 over trainqd's Unix socket with the standard library: one keep-alive connection per client,
and a connection of its own for each event stream."""

from __future__ import annotations

import contextlib
import errno
import http.client
import select
import socket
import threading
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from .errors import DaemonUnavailable, Forbidden, TrainqError, error_from_response

__all__ = ["UnixHTTPConnection", "Reply", "Transport"]

_MAX_LINE = 16 << 20


class UnixHTTPConnection(http.client.HTTPConnection):
    """An ``HTTPConnection`` whose socket is an ``AF_UNIX`` stream connected to ``socket_path``."""

    def __init__(self, socket_path: str, timeout: Optional[float] = None) -> None:
        # The Host header is required by HTTP/1.1; any name does over a Unix socket.
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class Reply(NamedTuple):
    status: int
    body: bytes


def _is_dropped(sock: socket.socket) -> bool:
    """An idle keep-alive connection that is readable has been closed by trainqd (idle time-out, restart)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class Transport:
    def __init__(self, socket_path: str, timeout: float) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self._connection: Optional[UnixHTTPConnection] = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def request(
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
        timeout: Optional[float] = None,
        safe_to_repeat: Optional[bool] = None,
    ) -> Reply:
        """Sends one request on the keep-alive connection and reads the whole answer.

        A connection trainqd closed while it sat idle is replaced before use. If a reused connection fails
        anyway, the request is sent once more on a fresh one when it is ``safe_to_repeat`` (default: GET).
        """
        all_headers = {"Accept": "application/json"}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        repeatable = (method == "GET") if safe_to_repeat is None else safe_to_repeat
        wait = self.timeout if timeout is None else timeout
        with self._lock:
            for try_number in (1, 2):
                connection = self._connection
                reused = connection is not None and connection.sock is not None
                if connection is not None and connection.sock is not None and _is_dropped(connection.sock):
                    connection.close()
                    reused = False
                if connection is None:
                    connection = self._connection = UnixHTTPConnection(self.socket_path, timeout=wait)
                connection.timeout = wait
                try:
                    if connection.sock is None:
                        connection.connect()
                    assert connection.sock is not None
                    connection.sock.settimeout(wait)
                    connection.request(method, path, body=body, headers=all_headers)
                    response = connection.getresponse()
                    data = response.read()
                    if response.will_close:
                        connection.close()
                    return Reply(response.status, data)
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    if reused and repeatable and try_number == 1 and not isinstance(error, socket.timeout):
                        continue
                    raise self.connection_error(error) from error
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def stream(self, path: str) -> Iterator[Iterator[bytes]]:
        """Opens a newline-delimited JSON stream on a connection of its own and yields its lines.

        The connection and the answer's head are bounded by the client's time-out; the stream itself then
        waits as long as it takes (trainqd sends nothing between events). Ends when trainqd ends the stream;
        raises :class:`DaemonUnavailable` when it breaks.
        """
        connection = UnixHTTPConnection(self.socket_path, timeout=self.timeout)
        try:
            try:
                connection.request("GET", path, headers={"Accept": "application/x-ndjson"})
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                raise self.connection_error(error) from error
            if response.status != 200:
                try:
                    body = response.read()
                except (OSError, http.client.HTTPException) as error:
                    raise self.connection_error(error) from error
                raise error_from_response(response.status, body)
            if connection.sock is not None:
                connection.sock.settimeout(None)
            yield self._lines(response)
        finally:
            connection.close()

    def _lines(self, response: http.client.HTTPResponse) -> Iterator[bytes]:
        pending = b""
        while True:
            try:
                chunk = response.read1(65536)
            except (OSError, http.client.HTTPException) as error:
                raise self.connection_error(error) from error
            if not chunk:
                # The end of the stream; a line without its newline is an answer cut short: dropped.
                return
            pending += chunk
            lines: List[bytes] = pending.split(b"\n")
            pending = lines.pop()
            if len(pending) > _MAX_LINE:
                raise DaemonUnavailable(f"trainqd at {self.socket_path} sent an event line over {_MAX_LINE} bytes")
            for line in lines:
                if line.strip():
                    yield line

    def connection_error(self, error: BaseException) -> TrainqError:
        """A failure before a whole answer came, told apart by the exception's type and errno (the same
        cases as the CLI's ``ConnectionFailure``)."""
        kind, reconnectable = _classify(error)
        where = self.socket_path
        if kind == "not_allowed":
            return Forbidden(f"no permission to use {where}: are you in the trainq group? ({error})")
        if kind == "not_running":
            message = f"cannot reach trainqd at {where}: is it running? ({error})"
        elif kind == "dropped":
            message = f"the connection to trainqd at {where} closed before its answer came ({error!r})"
        elif kind == "timed_out":
            message = f"trainqd at {where} did not answer in time ({error})"
        else:
            message = f"talking to trainqd at {where} failed: {error!r}"
        return DaemonUnavailable(message, reconnectable=reconnectable)


def _classify(error: BaseException) -> Tuple[str, bool]:
    if isinstance(error, socket.timeout):
        return "timed_out", True
    if isinstance(error, (http.client.IncompleteRead, http.client.RemoteDisconnected, http.client.BadStatusLine)):
        return "dropped", True
    if isinstance(error, OSError):
        code = error.errno
        if code in (errno.ENOENT, errno.ECONNREFUSED):
            return "not_running", True
        if code in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
            return "dropped", True
        if code in (errno.EACCES, errno.EPERM):
            return "not_allowed", False
        return "other", False
    if isinstance(error, http.client.HTTPException):
        # Any other broken answer (a malformed chunk, a response cut mid-head): the peer went away.
        return "dropped", True
    return "other", False
