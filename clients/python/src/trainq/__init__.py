"""Python client for trainqd, the durable queue in front of ModelArts' *Create a Version of a Training Job*.

Talks HTTP/1.1 and JSON to trainqd over its Unix socket, with the standard library only::

    import json, trainq
    client = trainq.Client()                       # $TRAINQ_SOCKET or /run/trainq/trainq.sock
    submission = client.submit(json.load(open("request.json")), job_id=10)
    done = client.wait(submission.id)              # rides through a restart of trainqd
    print(done.state, done.version_name, done.remote_status)

A sweep is one batch, stored all together or not at all::

    runs = client.sweep(request, job_id=10, grid={"config.parameter.learning_rate": [0.01, 0.1]})
"""

from __future__ import annotations

import logging

from ._reconnect import ReconnectPolicy
from ._transport import UnixHTTPConnection
from .client import DEFAULT_SOCKET, Client
from .errors import (
    Conflict,
    DaemonUnavailable,
    FieldProblem,
    Forbidden,
    IdempotencyConflict,
    InvalidState,
    NotFound,
    ReconnectTimeout,
    ServerError,
    TrainqError,
    ValidationFailed,
    WaitTimeout,
)
from .models import (
    FINAL_STATES,
    STATES,
    TERMINAL_STATES,
    Attempt,
    Event,
    EventPage,
    HistoryEntry,
    Owner,
    RemoteStatus,
    Submission,
    SubmissionPage,
)
from .sweep import expand_sweep

__version__ = "0.1.0"

# A library logs and lets the application decide where it goes: reconnect notices are WARNING (an outage
# began) and INFO (trainqd is back) on the "trainq" logger.
logging.getLogger("trainq").addHandler(logging.NullHandler())

__all__ = [
    "Client",
    "DEFAULT_SOCKET",
    "expand_sweep",
    "ReconnectPolicy",
    "UnixHTTPConnection",
    "Submission",
    "SubmissionPage",
    "Event",
    "EventPage",
    "Attempt",
    "HistoryEntry",
    "Owner",
    "RemoteStatus",
    "STATES",
    "TERMINAL_STATES",
    "FINAL_STATES",
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
    "FieldProblem",
]
