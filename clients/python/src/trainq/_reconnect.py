"""Riding through a restart of trainqd, as the CLI does (``Sources/trainq/ReconnectPolicy.swift`` and
``Reconnector.swift``): 100 ms doubling to 2 s with full jitter, given up after ``reconnect_timeout``."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

from .errors import DaemonUnavailable, ReconnectTimeout

__all__ = ["ReconnectPolicy", "Reconnector", "format_duration"]

logger = logging.getLogger("trainq")

T = TypeVar("T")


def format_duration(seconds: float) -> str:
    """``300ms``, ``2.1s``, ``5m0s``, ``1h30m0s``: how the CLI prints durations."""
    milliseconds = int(max(seconds, 0) * 1000)
    if milliseconds < 1000:
        return f"{milliseconds}ms"
    if milliseconds < 60_000:
        tenths = (milliseconds + 50) // 100
        return f"{tenths // 10}s" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}s"
    whole = milliseconds // 1000
    hours, minutes = whole // 3600, whole % 3600 // 60
    return (f"{hours}h" if hours else "") + f"{minutes}m{whole % 60}s"


@dataclass(frozen=True)
class ReconnectPolicy:
    """How long to keep trying while trainqd is away, and how long to pause between tries."""

    initial_delay: float = 0.1
    max_delay: float = 2.0
    #: Give up once an outage has lasted this long (seconds); ``None`` retries for ever.
    timeout: Optional[float] = 300.0

    def delay(self, failures: int, unit_random: float) -> float:
        """The pause after ``failures`` failed tries in a row: a uniform share of the doubled delay."""
        doublings = min(max(failures, 0), 30)
        ceiling = min(self.initial_delay * (1 << doublings), self.max_delay)
        return ceiling * min(max(unit_random, 0.0), 1.0)

    def allows_retry(self, elapsed: float) -> bool:
        return self.timeout is None or elapsed < self.timeout

    def pause(self, failures: int, elapsed: float, unit_random: float) -> float:
        """The jittered delay, but never past the end of the timeout, so the last try comes at the deadline."""
        pause = self.delay(failures, unit_random)
        if self.timeout is None:
            return pause
        return max(0.0, min(pause, self.timeout - elapsed))


class Reconnector:
    """Retries calls that fail because trainqd went away (``DaemonUnavailable.reconnectable``).

    Logs one warning when an outage begins and one line when it ends, never one per try. Callers keep
    their own place (the last event seq), so a repeat misses and repeats nothing.
    """

    def __init__(
        self,
        policy: ReconnectPolicy,
        socket_path: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.socket_path = socket_path
        self._clock = clock
        self._sleep = sleep
        self._random = rng
        self._outage_start: Optional[float] = None
        self._failures = 0
        #: How many outages this reconnector has seen end (trainqd came back).
        self.recoveries = 0

    @property
    def is_reconnecting(self) -> bool:
        return self._outage_start is not None

    def attempt(self, call: Callable[[], T], deadline: Optional[float] = None) -> T:
        """Runs ``call`` until it returns or fails in a way a retry cannot help."""
        while True:
            try:
                value = call()
            except DaemonUnavailable as error:
                if not error.reconnectable:
                    raise
                self.failed(error, deadline)
                continue
            self.connected()
            return value

    def connected(self) -> None:
        """trainqd answered: ends an outage, if there was one."""
        if self._outage_start is None:
            return
        elapsed = self._clock() - self._outage_start
        logger.info("trainqd is back after %s; resuming", format_duration(elapsed))
        self._outage_start = None
        self._failures = 0
        self.recoveries += 1

    def failed(self, error: DaemonUnavailable, deadline: Optional[float] = None) -> None:
        """A call failed with a reconnectable ``error``: pauses before the next try, or raises
        :class:`ReconnectTimeout` once the outage has lasted longer than the policy allows. ``deadline``
        (a ``clock`` value) caps the pause, for callers with a time-out of their own."""
        now = self._clock()
        if self._outage_start is None:
            self._outage_start = now
            limit = (
                f"for up to {format_duration(self.policy.timeout)}" if self.policy.timeout is not None else "until it is back"
            )
            logger.warning(
                "trainqd at %s is not answering (restarting?); reconnecting %s… (%s)",
                self.socket_path,
                limit,
                error.message,
            )
        elapsed = now - self._outage_start
        if not self.policy.allows_retry(elapsed):
            limit_text = format_duration(self.policy.timeout) if self.policy.timeout is not None else "?"
            raise ReconnectTimeout(
                f"trainqd at {self.socket_path} did not come back within {limit_text} (reconnect_timeout); "
                f"gave up after trying for {format_duration(elapsed)}: {error.message}",
                elapsed=elapsed,
                limit=self.policy.timeout if self.policy.timeout is not None else 0.0,
                last_error=error,
            ) from error
        pause = self.policy.pause(self._failures, elapsed, self._random())
        if deadline is not None:
            pause = max(0.0, min(pause, deadline - now))
        self._failures += 1
        self._sleep(pause)
