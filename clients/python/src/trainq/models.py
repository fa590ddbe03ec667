"""Typed views of the socket API's JSON (``Sources/TrainQAPI/``): snake_case keys, times in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, FrozenSet, List, Mapping, Optional

__all__ = [
    "STATES",
    "TERMINAL_STATES",
    "FINAL_STATES",
    "RemoteStatus",
    "Owner",
    "Attempt",
    "HistoryEntry",
    "Submission",
    "SubmissionPage",
    "Event",
    "EventPage",
    "parse_timestamp",
]

#: Every state of a submission (DESIGN §2), as the API spells it.
STATES: FrozenSet[str] = frozenset(
    {
        "queued",
        "retrying",
        "submitting",
        "reconciling",
        "tracking",
        "succeeded",
        "failed",
        "stopped",
        "rejected",
        "exhausted",
        "canceled",
        "needs_attention",
    }
)
#: No automatic progress happens from these (``retry`` may re-queue ``rejected`` and ``exhausted``).
TERMINAL_STATES: FrozenSet[str] = frozenset({"succeeded", "failed", "stopped", "rejected", "exhausted", "canceled"})
#: Where :meth:`trainq.Client.wait` stops: the terminal states and ``needs_attention`` (a person must decide).
FINAL_STATES: FrozenSet[str] = TERMINAL_STATES | {"needs_attention"}

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_timestamp(text: str) -> datetime:
    """``2026-11-28T10:00:00.123Z`` as an aware ``datetime`` in UTC (works on Python 3.9, whose
    ``fromisoformat`` does not take ``Z``)."""
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 time: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    microsecond = int((fraction or "0").ljust(6, "0")[:6])
    offset = timedelta(0)
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if zone[0] == "-":
            offset = -offset
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond, tzinfo=timezone(offset)
    )
    return moment.astimezone(timezone.utc)


def _time(value: Any) -> Optional[datetime]:
    return None if value is None else parse_timestamp(str(value))


def _required_time(value: Any) -> datetime:
    return parse_timestamp(str(value))


def _int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


def _str(value: Any) -> Optional[str]:
    return None if value is None else str(value)


@dataclass(frozen=True)
class RemoteStatus:
    """A ModelArts status and when trainq saw it: a v1 version's code and name (``JOBSTAT_RUNNING``), or a
    v2 training job's phase (``Running``), which has no code."""

    code: Optional[int]
    name: str
    at: Optional[datetime] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RemoteStatus:
        return cls(code=_int(data.get("code")), name=str(data["name"]), at=_time(data.get("at")))

    @classmethod
    def maybe(cls, data: Any) -> Optional[RemoteStatus]:
        return None if data is None else cls.from_json(data)


@dataclass(frozen=True)
class Owner:
    """The local user who submitted (from the socket's peer credentials)."""

    uid: int
    user: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Owner:
        return cls(uid=int(data["uid"]), user=str(data["user"]))


@dataclass(frozen=True)
class Attempt:
    """One attempt to create the version: when, how it ended, and the delay chosen after it."""

    number: int
    started_at: datetime
    finished_at: Optional[datetime] = None
    #: ``created``, ``transient``, ``unknown_outcome``, ``token_refresh``, ``slow``, ``permanent``,
    #: ``interrupted``, ``throttled``; ``None`` while in flight.
    outcome: Optional[str] = None
    http_status: Optional[int] = None
    error_code: Optional[str] = None
    message: Optional[str] = None
    request_id: Optional[str] = None
    delay_ms: Optional[int] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Attempt:
        return cls(
            number=int(data["number"]),
            started_at=_required_time(data["started_at"]),
            finished_at=_time(data.get("finished_at")),
            outcome=_str(data.get("outcome")),
            http_status=_int(data.get("http_status")),
            error_code=_str(data.get("error_code")),
            message=_str(data.get("message")),
            request_id=_str(data.get("request_id")),
            delay_ms=_int(data.get("delay_ms")),
        )


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a submission's history: a state change or a remote-status change, with its event seq."""

    seq: int
    at: datetime
    state: str
    remote_status: Optional[RemoteStatus] = None
    reason: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HistoryEntry:
        return cls(
            seq=int(data["seq"]),
            at=_required_time(data["at"]),
            state=str(data["state"]),
            remote_status=RemoteStatus.maybe(data.get("remote_status")),
            reason=_str(data.get("reason")),
        )


@dataclass(frozen=True)
class Submission:
    """One submission as ``GET /v1/submissions/{id}`` shows it.

    In :meth:`trainq.Client.list` results ``history`` is empty: the daemon leaves it out of listings.
    ``raw`` is the JSON object as received, for fields newer than this client.
    """

    id: str
    state: str
    owner: Owner
    project_id: str
    #: The v1 job; ``None`` for a v2 training job.
    job_id: Optional[int]
    #: v1: ``{"job_desc": ..., "config": {...}}`` exactly as accepted; v2: ``{"job": ...}`` or
    #: ``{"from_job": ..., "overrides": ...}``.
    request: Dict[str, Any]
    created_at: datetime
    updated_at: datetime
    next_attempt_at: Optional[datetime] = None
    attempts: List[Attempt] = field(default_factory=list)
    version_id: Optional[int] = None
    version_name: Optional[str] = None
    remote_status: Optional[RemoteStatus] = None
    #: Why the submission is in its current state, in words.
    reason: Optional[str] = None
    history: List[HistoryEntry] = field(default_factory=list)
    #: ``"v1"`` (a new version of a v1 job) or ``"v2"`` (a new v2 training job).
    api: str = "v1"
    #: v2: the created job's id, once known.
    training_job_id: Optional[str] = None
    #: v2: the name trainq creates the job under (the caller's name and a suffix of the submission id).
    training_job_name: Optional[str] = None
    #: v2: the job a copy was made from.
    from_job: Optional[str] = None
    #: The daemon that took it, when several share one database (``None`` otherwise).
    taken_by: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        """No automatic progress happens from here."""
        return self.state in TERMINAL_STATES

    @property
    def is_final(self) -> bool:
        """Terminal, or ``needs_attention``: where :meth:`trainq.Client.wait` returns."""
        return self.state in FINAL_STATES

    @property
    def last_seq(self) -> int:
        """The highest event seq in the history (0 when there is none)."""
        return max((entry.seq for entry in self.history), default=0)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Submission:
        return cls(
            id=str(data["id"]),
            state=str(data["state"]),
            owner=Owner.from_json(data["owner"]),
            project_id=str(data["project_id"]),
            job_id=_int(data.get("job_id")),
            request=dict(data.get("request") or {}),
            created_at=_required_time(data["created_at"]),
            updated_at=_required_time(data["updated_at"]),
            next_attempt_at=_time(data.get("next_attempt_at")),
            attempts=[Attempt.from_json(a) for a in data.get("attempts") or []],
            version_id=_int(data.get("version_id")),
            version_name=_str(data.get("version_name")),
            remote_status=RemoteStatus.maybe(data.get("remote_status")),
            reason=_str(data.get("reason")),
            history=[HistoryEntry.from_json(h) for h in data.get("history") or []],
            api=str(data.get("api") or "v1"),
            training_job_id=_str(data.get("training_job_id")),
            training_job_name=_str(data.get("training_job_name")),
            from_job=_str(data.get("from_job")),
            taken_by=_str(data.get("taken_by")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class SubmissionPage:
    """One page of ``GET /v1/submissions``, newest first; ``next_cursor`` is ``None`` on the last page."""

    submissions: List[Submission]
    next_cursor: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionPage:
        return cls(
            submissions=[Submission.from_json(s) for s in data.get("submissions") or []],
            next_cursor=_str(data.get("next_cursor")),
        )


@dataclass(frozen=True)
class Event:
    """A state or remote-status change, as ``GET /v1/events`` and the follow stream send it."""

    seq: int
    at: datetime
    #: The submission's id.
    submission: str
    #: The v1 job; ``None`` for a v2 training job.
    job_id: Optional[int]
    state: str
    remote_status: Optional[RemoteStatus] = None
    reason: Optional[str] = None

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        return cls(
            seq=int(data["seq"]),
            at=_required_time(data["at"]),
            submission=str(data["submission"]),
            job_id=_int(data.get("job_id")),
            state=str(data["state"]),
            remote_status=RemoteStatus.maybe(data.get("remote_status")),
            reason=_str(data.get("reason")),
        )


@dataclass(frozen=True)
class EventPage:
    """The long-poll answer: events above ``after`` (oldest first) and the highest seq trainqd knows."""

    events: List[Event]
    last_seq: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EventPage:
        return cls(events=[Event.from_json(e) for e in data.get("events") or []], last_seq=int(data["last_seq"]))
