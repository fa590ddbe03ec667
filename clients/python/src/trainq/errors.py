"""Exceptions: one per group of the socket API's error kinds, all under :class:`TrainqError`.

Every error trainqd answers with is one envelope,
``{"error": {"kind": "validation_failed", "message": "...", "details": [{"field": ..., "problem": ...}]}}``
(``Sources/TrainQAPI/ErrorEnvelope.swift``). The exception keeps its ``kind``, ``message`` and field
problems; the class follows the same grouping as the ``trainq`` CLI's exit codes.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, NamedTuple, Optional, Type

__all__ = [
    "FieldProblem",
    "TrainqError",
    "ValidationFailed",
    "NotFound",
    "Forbidden",
    "Conflict",
    "IdempotencyConflict",
    "InvalidState",
    "DaemonUnavailable",
    "ReconnectTimeout",
    "WaitTimeout",
    "ServerError",
    "error_from_response",
]


class FieldProblem(NamedTuple):
    """One violated rule: the path of the field (``config.app_url``, ``config.parameter[1].label``) and what is wrong."""

    field: str
    problem: str


class TrainqError(Exception):
    """Base of every error this client raises.

    ``kind`` is the envelope's stable machine-readable kind (``validation_failed``, ``not_found``, ...), or
    ``None`` when the failure happened before trainqd answered (connection refused, dropped, ...).
    ``status`` is the HTTP status, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[str] = None,
        status: Optional[int] = None,
        problems: Optional[List[FieldProblem]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.problems: List[FieldProblem] = list(problems or [])

    @property
    def details(self) -> List[FieldProblem]:
        """The envelope's name for :attr:`problems`."""
        return self.problems

    def __str__(self) -> str:
        head = f"{self.kind}: {self.message}" if self.kind else self.message
        return "\n".join([head] + [f"  - {p.field}: {p.problem}" for p in self.problems])


class ValidationFailed(TrainqError):
    """The request is invalid (400/413/415): ``validation_failed``, ``invalid_json``, ``bad_request``,
    ``payload_too_large``, ``unsupported_media_type``. :attr:`problems` lists every violated rule."""


class NotFound(TrainqError):
    """``not_found``: no such submission (or endpoint)."""


class Forbidden(TrainqError):
    """``forbidden``/``unauthenticated``, or the socket itself may not be opened by this user."""


class Conflict(TrainqError):
    """409: ``idempotency_conflict`` or ``invalid_state``."""


class IdempotencyConflict(Conflict):
    """The Idempotency-Key was already used with a different body."""


class InvalidState(Conflict):
    """The action is not allowed in the submission's current state (e.g. cancel after it succeeded)."""


class DaemonUnavailable(TrainqError):
    """trainqd could not be reached or cannot serve right now.

    Raised for connection failures (no socket file, refused, dropped mid-answer, no answer in time) and for
    the 503 kinds ``shutting_down``, ``store_unavailable`` and ``remote_unavailable``. ``reconnectable`` is
    true when the same call may work once trainqd is back (the cases :meth:`Client.wait` and
    :meth:`Client.events` ride through): a missing socket, a refused or dropped connection, a time-out, and
    ``503 shutting_down``.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[str] = None,
        status: Optional[int] = None,
        problems: Optional[List[FieldProblem]] = None,
        reconnectable: bool = False,
    ) -> None:
        super().__init__(message, kind=kind, status=status, problems=problems)
        self.reconnectable = reconnectable


class ReconnectTimeout(DaemonUnavailable):
    """trainqd stayed away longer than ``reconnect_timeout``; ``elapsed`` says how long it was tried."""

    def __init__(self, message: str, *, elapsed: float, limit: float, last_error: DaemonUnavailable) -> None:
        super().__init__(message, kind=last_error.kind, status=last_error.status, reconnectable=False)
        self.elapsed = elapsed
        self.limit = limit
        self.last_error = last_error


class WaitTimeout(TrainqError, TimeoutError):
    """:meth:`Client.wait` reached its own ``timeout`` before the submission ended."""

    def __init__(self, message: str, *, submission_id: str, state: Optional[str]) -> None:
        super().__init__(message)
        self.submission_id = submission_id
        self.state = state


class ServerError(TrainqError):
    """``internal_error``, ``method_not_allowed``, a kind this client does not know, or an answer it cannot read."""


_BY_KIND: Dict[str, Type[TrainqError]] = {
    "validation_failed": ValidationFailed,
    "invalid_json": ValidationFailed,
    "unsupported_media_type": ValidationFailed,
    "payload_too_large": ValidationFailed,
    "bad_request": ValidationFailed,
    "not_found": NotFound,
    "forbidden": Forbidden,
    "unauthenticated": Forbidden,
    "idempotency_conflict": IdempotencyConflict,
    "invalid_state": InvalidState,
    "store_unavailable": DaemonUnavailable,
    "shutting_down": DaemonUnavailable,
    "remote_unavailable": DaemonUnavailable,
    "method_not_allowed": ServerError,
    "internal_error": ServerError,
}


def error_from_response(status: int, body: bytes) -> TrainqError:
    """The exception for a non-success answer: its envelope's kind decides the class."""
    try:
        document: Any = json.loads(body.decode("utf-8"))
        error = document["error"]
        kind = str(error["kind"])
        message = str(error.get("message", ""))
        problems = [FieldProblem(str(d.get("field", "")), str(d.get("problem", ""))) for d in error.get("details") or []]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return ServerError(f"trainqd answered HTTP {status} without an error envelope", status=status)
    cls = _BY_KIND.get(kind, ServerError)
    if cls is DaemonUnavailable:
        return DaemonUnavailable(
            message, kind=kind, status=status, problems=problems, reconnectable=(kind == "shutting_down")
        )
    return cls(message, kind=kind, status=status, problems=problems)
