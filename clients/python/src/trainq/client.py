"""The client: the socket API of ``Sources/TrainQServer/SocketAPI.swift`` as Python calls."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union
from urllib.parse import quote, urlencode

from ._reconnect import ReconnectPolicy, Reconnector, format_duration
from ._transport import Reply, Transport
from .errors import DaemonUnavailable, ServerError, WaitTimeout, error_from_response
from .models import FINAL_STATES, STATES, Event, EventPage, Submission, SubmissionPage
from .sweep import expand_sweep

__all__ = ["Client", "DEFAULT_SOCKET"]

#: Where trainqd listens unless ``TRAINQ_SOCKET`` or ``socket=`` says otherwise (the CLI's default).
DEFAULT_SOCKET = "/run/trainq/trainq.sock"

logger = logging.getLogger("trainq")

T = TypeVar("T")

#: The long-poll wait of :meth:`Client.wait`, as the CLI's ``watch`` asks for it.
_LONG_POLL = 30.0


class _Default:
    def __repr__(self) -> str:
        return "<client default>"


_DEFAULT: Any = _Default()


def _duration(seconds: float) -> str:
    """A duration the daemon parses: ``0s``, ``1500ms``."""
    milliseconds = int(round(max(seconds, 0.0) * 1000))
    return "0s" if milliseconds == 0 else f"{milliseconds}ms"


def _json(reply: Reply, accepting: Tuple[int, ...] = (200,)) -> Any:
    if reply.status not in accepting:
        raise error_from_response(reply.status, reply.body)
    try:
        return json.loads(reply.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ServerError(f"trainqd sent an answer this client cannot read: {error}", status=reply.status) from error


def _parse(build: Callable[[Any], T], document: Any) -> T:
    try:
        return build(document)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ServerError(f"trainqd sent an answer this client cannot read: {error!r}") from error


def _batch(document: Any) -> List[Submission]:
    """The answer of ``POST /v1/submissions/batch``: ``{"submissions": [...]}`` in the order of the body."""
    submissions = document["submissions"]
    if not isinstance(submissions, list):
        raise TypeError(f"'submissions' is {type(submissions).__name__}, not a list")
    return [Submission.from_json(s) for s in submissions]


class Client:
    """A client of trainqd over its Unix socket.

    ``socket``: the socket path; default ``$TRAINQ_SOCKET``, else ``/run/trainq/trainq.sock`` (as the CLI).
    ``timeout``: seconds to wait for an answer to one call (connecting included).
    ``reconnect_timeout``: how long :meth:`wait` and :meth:`events` keep reconnecting while trainqd is away
    (default 300 s; ``0`` or ``None`` never gives up). Each of them also takes it as an argument.

    One keep-alive connection is kept per client and guarded by a lock; :meth:`events` streams on a
    connection of its own. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        socket: Optional[str] = None,
        timeout: float = 30,
        reconnect_timeout: Optional[float] = 300,
    ) -> None:
        self.socket_path: str = socket or os.environ.get("TRAINQ_SOCKET") or DEFAULT_SOCKET
        self.timeout = float(timeout)
        self.reconnect_timeout = reconnect_timeout
        self._transport = Transport(self.socket_path, self.timeout)

    def __repr__(self) -> str:
        return f"Client(socket={self.socket_path!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the keep-alive connection (a later call opens a new one)."""
        self._transport.close()

    # MARK: Intake

    def submit(
        self,
        request: Mapping[str, Any],
        job_id: int,
        project_id: Optional[str] = None,
        pre_version_id: Optional[int] = None,
        idempotency_key: Optional[str] = None,
    ) -> Submission:
        """Queues ``request`` (the ModelArts body, ``{"job_desc": ..., "config": {...}}``) for training job
        ``job_id``: ``POST /v1/submissions``, as ``trainq submit`` builds it.

        ``project_id`` (default: the daemon's) and ``job_id`` go to the top level; ``pre_version_id``
        overrides ``config.pre_version_id``. With an ``idempotency_key``, repeating the call with the same
        body returns the submission already stored (HTTP 200 instead of 202); the same key with another
        body raises :class:`IdempotencyConflict`. Raises :class:`ValidationFailed` listing every violated rule.

        The POST is not repeated on a lost answer: to retry it safely yourself, pass an idempotency key.
        """
        if not isinstance(request, Mapping):
            raise TypeError("request must be a mapping like {'job_desc': ..., 'config': {...}}")
        body: Dict[str, Any] = dict(request)
        body["job_id"] = job_id
        if project_id is not None:
            body["project_id"] = project_id
        if pre_version_id is not None:
            config = body.get("config")
            config = dict(config) if isinstance(config, Mapping) else {}
            config["pre_version_id"] = pre_version_id
            body["config"] = config
        return _parse(Submission.from_json, self._post("/v1/submissions", body, idempotency_key))

    def _post(self, path: str, body: Mapping[str, Any], idempotency_key: Optional[str]) -> Any:
        """POSTs ``body`` to an intake path; repeated on a lost answer only with a key."""
        headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
        data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        reply = self._transport.request("POST", path, body=data, headers=headers, safe_to_repeat=idempotency_key is not None)
        return _json(reply, (200, 202))

    def submit_training_job(
        self,
        job: Mapping[str, Any],
        project_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Submission:
        """Queues a new v2 training job (``POST /v2/{project_id}/training-jobs``): ``job`` is the v2 ``Job``
        body (``kind``, ``metadata``, ``algorithm``, ``spec``), as ``trainq submit --api v2`` sends it.

        trainq creates the job under ``metadata.name`` plus a suffix of the submission id
        (:attr:`Submission.training_job_name`), which is how it never creates it twice. Raises
        :class:`ValidationFailed` listing every violated rule, each with its path (``job.spec.resource``).
        """
        if not isinstance(job, Mapping):
            raise TypeError("job must be a mapping like {'kind': 'job', 'metadata': ..., 'algorithm': ..., 'spec': ...}")
        return self._submit_v2({"job": dict(job)}, project_id, idempotency_key)

    def copy_training_job(
        self,
        from_job: str,
        overrides: Optional[Mapping[str, Any]] = None,
        project_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Submission:
        """Queues a copy of the v2 training job ``from_job`` with some fields changed, as
        ``trainq submit --from-job ID --set ...`` does::

            client.copy_training_job(job_id, {"algorithm.parameters.learning_rate": 0.1, "spec.resource.node_count": 2})

        Each key of ``overrides`` is a dotted path into the job body; ``algorithm.parameters.NAME`` sets
        the parameter ``NAME`` (its value is sent as a string). trainqd reads the job when it submits.
        """
        body: Dict[str, Any] = {"from_job": from_job, "overrides": dict(overrides or {})}
        return self._submit_v2(body, project_id, idempotency_key)

    def _submit_v2(self, body: Dict[str, Any], project_id: Optional[str], idempotency_key: Optional[str]) -> Submission:
        body["api"] = "v2"
        if project_id is not None:
            body["project_id"] = project_id
        return _parse(Submission.from_json, self._post("/v1/submissions", body, idempotency_key))

    def submit_batch(
        self,
        requests: Sequence[Mapping[str, Any]],
        job_id: Optional[int] = None,
        idempotency_key: Optional[str] = None,
    ) -> List[Submission]:
        """Queues every request in one ``POST /v1/submissions/batch``: all of them are stored, in one
        transaction, or none is. Returns the submissions in the order of ``requests``.

        Each request is a ModelArts body (``{"job_desc": ..., "config": {...}}``) and may carry its own
        ``job_id`` and ``project_id`` (default: the daemon's); ``job_id`` goes into every request that has
        none. trainqd takes 1–1000 requests. With an ``idempotency_key`` (one for the whole batch),
        repeating the call with the same requests in the same order returns the submissions already stored
        (HTTP 200 instead of 202); the same key with another batch, or a key used for a single submission,
        raises :class:`IdempotencyConflict`. Raises :class:`ValidationFailed` listing every violated rule of
        every request, each field prefixed with the request's index (``submissions[1].config.spec_id``).

        The POST is not repeated on a lost answer: to retry it safely yourself, pass an idempotency key.
        """
        if isinstance(requests, (str, bytes, bytearray, Mapping)) or not isinstance(requests, Sequence):
            raise TypeError("requests must be a list of mappings like {'job_desc': ..., 'config': {...}}")
        items: List[Dict[str, Any]] = []
        for index, request in enumerate(requests):
            if not isinstance(request, Mapping):
                raise TypeError(
                    f"requests[{index}] must be a mapping like {{'job_desc': ..., 'config': {{...}}}}, "
                    f"not {type(request).__name__}"
                )
            item: Dict[str, Any] = dict(request)
            if job_id is not None and item.get("job_id") is None:
                item["job_id"] = job_id
            items.append(item)
        return _parse(_batch, self._post("/v1/submissions/batch", {"submissions": items}, idempotency_key))

    def sweep(
        self,
        request: Mapping[str, Any],
        job_id: int,
        grid: Mapping[str, Sequence[Any]],
        idempotency_key: Optional[str] = None,
    ) -> List[Submission]:
        """Queues one request per combination of ``grid`` laid over ``request`` (see :func:`expand_sweep`),
        in one batch (:meth:`submit_batch`) for training job ``job_id``::

            client.sweep(request, job_id=10, grid={"config.parameter.learning_rate": [0.01, 0.1],
                                                   "config.worker_server_num": [1, 2]})

        ``job_id`` goes into every combination that has none (a grid may sweep ``job_id`` itself).
        Raises :class:`ValueError` before anything is sent when the grid is not valid (more than 1000
        combinations, a key without values, a path through something that is not an object).
        """
        return self.submit_batch(expand_sweep(request, grid), job_id=job_id, idempotency_key=idempotency_key)

    # MARK: Reads

    def get(self, id: str) -> Submission:
        """One submission with its request, attempts and whole history. Raises :class:`NotFound`."""
        reply = self._transport.request("GET", f"/v1/submissions/{quote(str(id), safe='')}")
        return _parse(Submission.from_json, _json(reply))

    def list_page(
        self,
        state: Optional[str] = None,
        job_id: Optional[int] = None,
        owner: Union[str, int, None] = None,
        limit: int = 100,
        cursor: Optional[str] = None,
    ) -> SubmissionPage:
        """One page of ``GET /v1/submissions`` (newest first); pass its ``next_cursor`` for the next."""
        if not 1 <= limit <= 500:
            raise ValueError("limit must be 1–500")
        query: Dict[str, str] = {"limit": str(limit)}
        if state is not None:
            query["state"] = state
        if job_id is not None:
            query["job_id"] = str(job_id)
        if owner is not None:
            query["owner"] = str(owner)
        if cursor is not None:
            query["cursor"] = cursor
        reply = self._transport.request("GET", "/v1/submissions?" + urlencode(query))
        return _parse(SubmissionPage.from_json, _json(reply))

    def list(
        self,
        state: Optional[str] = None,
        job_id: Optional[int] = None,
        owner: Union[str, int, None] = None,
        page_size: int = 100,
    ) -> Iterator[Submission]:
        """Every submission that matches, newest first, fetched ``page_size`` at a time (1–500) by
        following the API's opaque cursor. Listings carry no ``history``: :meth:`get` has it."""
        if not 1 <= page_size <= 500:
            raise ValueError("page_size must be 1–500")
        if state is not None and state not in STATES:
            logger.debug("state %r is not one this client knows; asking trainqd anyway", state)
        return self._pages(state, job_id, owner, page_size)

    def _pages(
        self, state: Optional[str], job_id: Optional[int], owner: Union[str, int, None], page_size: int
    ) -> Iterator[Submission]:
        cursor: Optional[str] = None
        while True:
            page = self.list_page(state=state, job_id=job_id, owner=owner, limit=page_size, cursor=cursor)
            yield from page.submissions
            if page.next_cursor is None or not page.submissions:
                return
            cursor = page.next_cursor

    def health(self) -> Dict[str, Any]:
        """``GET /v1/health`` as a dict (``status`` is ``ok`` or ``degraded``)."""
        document = _json(self._transport.request("GET", "/v1/health"), (200, 503))
        if not isinstance(document, dict):
            raise ServerError("trainqd's health answer is not a JSON object")
        return document

    # MARK: Actions

    def cancel(self, id: str) -> Submission:
        """``queued``/``retrying`` → ``canceled``; ``tracking`` → trainqd asks ModelArts to stop the
        version (it ends ``stopped``). Raises :class:`InvalidState` when the state allows neither."""
        return self._act(id, "cancel")

    def retry(self, id: str) -> Submission:
        """``rejected``/``exhausted`` → ``queued`` with a fresh attempt budget."""
        return self._act(id, "retry")

    def resolve(self, id: str, action: str, version_id: Optional[int] = None) -> Submission:
        """Admins only, for ``needs_attention``: ``action`` is ``adopt`` (with ``version_id``: that version
        is this submission's), ``requeue`` (nothing was created) or ``cancel``."""
        if action not in ("adopt", "requeue", "cancel"):
            raise ValueError("action must be 'adopt', 'requeue' or 'cancel'")
        body: Dict[str, Any] = {"action": action}
        if version_id is not None:
            body["version_id"] = version_id
        return self._act(id, "resolve", body)

    def _act(self, id: str, action: str, body: Optional[Dict[str, Any]] = None) -> Submission:
        data = json.dumps(body or {}, separators=(",", ":")).encode("utf-8")
        reply = self._transport.request("POST", f"/v1/submissions/{quote(str(id), safe='')}/{action}", body=data)
        return _parse(Submission.from_json, _json(reply, (200, 202)))

    # MARK: Events

    def poll_events(
        self,
        after: int = 0,
        submission: Optional[str] = None,
        job_id: Optional[int] = None,
        timeout: float = 0,
    ) -> EventPage:
        """One ``GET /v1/events`` long-poll: events above ``after`` (oldest first, at most a page), waiting
        up to ``timeout`` seconds (trainqd caps it at 300) for the first one that matches the filters."""
        query: Dict[str, str] = {"after": str(after), "timeout": _duration(timeout)}
        if submission is not None:
            query["submission"] = submission
        if job_id is not None:
            query["job_id"] = str(job_id)
        reply = self._transport.request("GET", "/v1/events?" + urlencode(query), timeout=min(timeout, 300) + self.timeout)
        return _parse(EventPage.from_json, _json(reply))

    def events(
        self,
        after: int = 0,
        follow: bool = True,
        submission: Optional[str] = None,
        job_id: Optional[int] = None,
        reconnect_timeout: Optional[float] = _DEFAULT,
    ) -> Iterator[Event]:
        """State and remote-status changes with a seq above ``after``, oldest first.

        ``follow=False``: the events there are now, then the iterator ends (no reconnecting).
        ``follow=True``: streams them as they happen, for ever (``GET /v1/events?follow=true``); when trainqd
        restarts (stream ended or broken, socket gone, refused, ``503 shutting_down``) it reconnects with
        backoff and resumes after the last seq it yielded, so no event is lost or yielded twice. It raises
        :class:`ReconnectTimeout` once trainqd has been away longer than ``reconnect_timeout``.
        Stop following by breaking out of the loop (or ``.close()`` on the iterator).
        """
        if after < 0:
            raise ValueError("after must be ≥ 0")
        if follow:
            return self._follow(after, submission, job_id, self._reconnector(reconnect_timeout))
        return self._events_now(after, submission, job_id)

    def _events_now(self, after: int, submission: Optional[str], job_id: Optional[int]) -> Iterator[Event]:
        cursor = after
        high_water: Optional[int] = None
        while True:
            page = self.poll_events(cursor, submission, job_id, timeout=0)
            if high_water is None:
                high_water = page.last_seq
            for event in page.events:
                if event.seq > cursor:
                    cursor = event.seq
                    yield event
            # A page is at most a few hundred events: go on until it is empty or past what existed at the start.
            if not page.events or cursor >= high_water:
                return

    def _follow(
        self, after: int, submission: Optional[str], job_id: Optional[int], reconnector: Reconnector
    ) -> Iterator[Event]:
        cursor = after
        while True:
            query: Dict[str, str] = {"follow": "true", "after": str(cursor)}
            if submission is not None:
                query["submission"] = submission
            if job_id is not None:
                query["job_id"] = str(job_id)
            try:
                with self._transport.stream("/v1/events?" + urlencode(query)) as lines:
                    reconnector.connected()
                    for line in lines:
                        try:
                            event = Event.from_json(json.loads(line.decode("utf-8")))
                        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
                            logger.warning("skipped an event line this client cannot read: %r", line[:200])
                            continue
                        if event.seq <= cursor:
                            continue
                        cursor = event.seq
                        yield event
                failure = DaemonUnavailable("trainqd ended the event stream", reconnectable=True)
            except DaemonUnavailable as error:
                if not error.reconnectable:
                    raise
                failure = error
            reconnector.failed(failure)

    # MARK: Waiting

    def wait(
        self,
        id: str,
        timeout: Optional[float] = None,
        reconnect_timeout: Optional[float] = _DEFAULT,
    ) -> Submission:
        """Waits until the submission is terminal or ``needs_attention`` and returns it (with its history).

        Long-polls ``GET /v1/events`` for this submission after the last seq seen. Rides through a restart
        of trainqd like :meth:`events`, and raises :class:`ReconnectTimeout` (saying how long it tried) once
        trainqd has been away longer than ``reconnect_timeout``. ``timeout`` (seconds, default none) bounds
        the whole wait: :class:`WaitTimeout` then. Returns at once if the submission has already ended.
        """
        reconnector = self._reconnector(reconnect_timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        state: List[Optional[str]] = [None]

        def check_deadline() -> float:
            """Seconds left of ``timeout`` (a long time when there is none), or :class:`WaitTimeout`."""
            if deadline is None:
                return _LONG_POLL
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(
                    f"submission {id} did not end within {format_duration(timeout or 0)} "
                    f"(last state: {state[0] or 'unknown'})",
                    submission_id=str(id),
                    state=state[0],
                )
            return left

        def fetch() -> Submission:
            if reconnector.is_reconnecting:
                check_deadline()
            return self.get(id)

        submission = reconnector.attempt(fetch, deadline)
        state[0] = submission.state
        if submission.state in FINAL_STATES:
            return submission
        after = submission.last_seq
        while True:

            def poll() -> EventPage:
                left = check_deadline()
                # While reconnecting, ask without waiting: the answer says at once that trainqd is back.
                wait = 0.0 if reconnector.is_reconnecting else min(_LONG_POLL, left)
                return self.poll_events(after, submission=id, timeout=wait)

            page = reconnector.attempt(poll, deadline)
            for event in page.events:
                if event.seq <= after:
                    continue
                after = event.seq
                state[0] = event.state
                if event.state in FINAL_STATES:
                    return reconnector.attempt(fetch, deadline)

    def _reconnector(self, reconnect_timeout: Optional[float]) -> Reconnector:
        limit = self.reconnect_timeout if reconnect_timeout is _DEFAULT else reconnect_timeout
        policy = ReconnectPolicy(timeout=None if not limit else float(limit))
        return Reconnector(policy, self.socket_path)

