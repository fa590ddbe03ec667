"""Parts of the client that need no daemon: parsing, the error mapping, the reconnect policy."""

from __future__ import annotations

import os
import tempfile
import time
import unittest
from datetime import datetime, timezone
from typing import List
from unittest import mock

from harness import trainq
from trainq._reconnect import Reconnector, format_duration
from trainq.errors import error_from_response

SUBMISSION_JSON = {
    "attempts": [
        {
            "finished_at": "2026-12-04T15:34:02.799Z",
            "http_status": 200,
            "message": "created version 21",
            "number": 1,
            "outcome": "created",
            "started_at": "2026-12-04T15:34:02.792Z",
        }
    ],
    "created_at": "2026-12-04T15:34:02.789Z",
    "history": [
        {"at": "2026-12-04T15:34:02.789Z", "seq": 1, "state": "queued"},
        {
            "at": "2026-12-04T15:34:03.019Z",
            "reason": "ModelArts reports JOBSTAT_COMPLETED (10)",
            "remote_status": {"code": 10, "name": "JOBSTAT_COMPLETED"},
            "seq": 6,
            "state": "succeeded",
        },
    ],
    "id": "01M90V1T95XZQ0GPQJ26V8QVAR",
    "job_id": 10,
    "next_attempt_at": None,
    "owner": {"uid": 0, "user": "root"},
    "project_id": "0123456789abcdef0123456789abcdef",
    "reason": "ModelArts reports JOBSTAT_COMPLETED (10)",
    "remote_status": {"at": "2026-12-04T15:34:03.019Z", "code": 10, "name": "JOBSTAT_COMPLETED"},
    "request": {"config": {"spec_id": 1}, "job_desc": "x"},
    "state": "succeeded",
    "updated_at": "2026-12-04T15:34:03.019Z",
    "version_id": 21,
    "version_name": "V0002",
    "some_future_field": True,
}


class ParsingTests(unittest.TestCase):
    def test_timestamps_are_aware_utc_datetimes(self) -> None:
        expected = datetime(2026, 11, 28, 10, 0, 0, 123000, tzinfo=timezone.utc)
        self.assertEqual(trainq.models.parse_timestamp("2026-11-28T10:00:00.123Z"), expected)
        self.assertEqual(trainq.models.parse_timestamp("2026-11-28T11:00:00.123+01:00"), expected)
        self.assertEqual(trainq.models.parse_timestamp("2026-11-28T10:00:00Z").microsecond, 0)
        with self.assertRaises(ValueError):
            trainq.models.parse_timestamp("yesterday")

    def test_a_submission_is_parsed_into_typed_fields(self) -> None:
        submission = trainq.Submission.from_json(SUBMISSION_JSON)
        self.assertEqual(submission.state, "succeeded")
        self.assertTrue(submission.is_terminal and submission.is_final)
        self.assertEqual(submission.owner, trainq.Owner(uid=0, user="root"))
        self.assertEqual(submission.version_id, 21)
        self.assertIsNone(submission.next_attempt_at)
        self.assertEqual(submission.attempts[0].http_status, 200)
        self.assertEqual(submission.history[1].remote_status, trainq.RemoteStatus(10, "JOBSTAT_COMPLETED"))
        self.assertEqual(submission.last_seq, 6)
        self.assertEqual(submission.updated_at.tzinfo, timezone.utc)
        self.assertTrue(submission.raw["some_future_field"])

    def test_an_event_is_parsed(self) -> None:
        event = trainq.Event.from_json(
            {"at": "2026-12-04T15:34:02.789Z", "job_id": 10, "seq": 1, "state": "needs_attention", "submission": "S"}
        )
        self.assertEqual((event.seq, event.submission, event.job_id, event.remote_status), (1, "S", 10, None))
        self.assertTrue(event.is_final)


class ErrorMappingTests(unittest.TestCase):
    @staticmethod
    def envelope(kind: str, details: str = "[]") -> bytes:
        return f'{{"error": {{"kind": "{kind}", "message": "m", "details": {details}}}}}'.encode()

    def test_each_kind_maps_to_its_exception(self) -> None:
        cases = {
            "validation_failed": trainq.ValidationFailed,
            "invalid_json": trainq.ValidationFailed,
            "payload_too_large": trainq.ValidationFailed,
            "not_found": trainq.NotFound,
            "forbidden": trainq.Forbidden,
            "unauthenticated": trainq.Forbidden,
            "idempotency_conflict": trainq.IdempotencyConflict,
            "invalid_state": trainq.InvalidState,
            "store_unavailable": trainq.DaemonUnavailable,
            "internal_error": trainq.ServerError,
            "something_new": trainq.ServerError,
        }
        for kind, cls in cases.items():
            error = error_from_response(400, self.envelope(kind))
            self.assertIs(type(error), cls, kind)
            self.assertEqual((error.kind, error.message, error.status), (kind, "m", 400))

    def test_only_shutting_down_is_reconnectable(self) -> None:
        shutting = error_from_response(503, self.envelope("shutting_down"))
        store = error_from_response(503, self.envelope("store_unavailable"))
        assert isinstance(shutting, trainq.DaemonUnavailable) and isinstance(store, trainq.DaemonUnavailable)
        self.assertTrue(shutting.reconnectable)
        self.assertFalse(store.reconnectable)

    def test_field_problems_are_kept(self) -> None:
        error = error_from_response(400, self.envelope("validation_failed", '[{"field": "a.b", "problem": "bad"}]'))
        self.assertEqual(error.problems, [trainq.FieldProblem("a.b", "bad")])
        self.assertEqual(error.problems[0], ("a.b", "bad"))
        self.assertEqual(str(error), "validation_failed: m\n  - a.b: bad")

    def test_an_answer_without_an_envelope_is_a_server_error(self) -> None:
        error = error_from_response(502, b"<html>bad gateway</html>")
        self.assertIsInstance(error, trainq.ServerError)
        self.assertEqual(error.status, 502)


class ReconnectPolicyTests(unittest.TestCase):
    def test_delays_double_from_100ms_to_2s_with_full_jitter(self) -> None:
        policy = trainq.ReconnectPolicy()
        self.assertEqual([policy.delay(n, 1.0) for n in range(7)], [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
        self.assertEqual(policy.delay(2, 0.5), 0.2)
        self.assertEqual(policy.delay(100, 0.0), 0.0)
        self.assertEqual(policy.timeout, 300)

    def test_the_last_pause_ends_at_the_deadline(self) -> None:
        policy = trainq.ReconnectPolicy(timeout=5)
        self.assertAlmostEqual(policy.pause(10, elapsed=4.5, unit_random=1.0), 0.5)
        self.assertTrue(policy.allows_retry(4.99))
        self.assertFalse(policy.allows_retry(5.0))
        self.assertTrue(trainq.ReconnectPolicy(timeout=None).allows_retry(1e9))

    def test_the_reconnector_gives_up_saying_how_long_it_tried(self) -> None:
        now = [100.0]
        sleeps: List[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds

        reconnector = Reconnector(
            trainq.ReconnectPolicy(timeout=3), "/x.sock", clock=lambda: now[0], sleep=sleep, rng=lambda: 1.0
        )
        calls = [0]

        def call() -> int:
            calls[0] += 1
            raise trainq.DaemonUnavailable("gone", reconnectable=True)

        with self.assertRaises(trainq.ReconnectTimeout) as raised:
            reconnector.attempt(call)
        self.assertEqual(sleeps, [0.1, 0.2, 0.4, 0.8, 1.5])
        self.assertAlmostEqual(raised.exception.elapsed, 3.0)
        self.assertEqual(
            str(raised.exception),
            "trainqd at /x.sock did not come back within 3s (reconnect_timeout); gave up after trying for 3s: gone",
        )

    def test_an_error_that_a_retry_cannot_help_is_raised_at_once(self) -> None:
        reconnector = Reconnector(trainq.ReconnectPolicy(), "/x.sock", sleep=lambda _: self.fail("slept"))

        def call() -> int:
            raise trainq.NotFound("no", kind="not_found")

        with self.assertRaises(trainq.NotFound):
            reconnector.attempt(call)

    def test_durations_are_written_like_the_cli(self) -> None:
        self.assertEqual(
            [format_duration(s) for s in (0.3, 2, 2.14, 59.99, 300, 5400)],
            ["300ms", "2s", "2.1s", "60s", "5m0s", "1h30m0s"],
        )


class ClientWithoutDaemonTests(unittest.TestCase):
    def test_the_socket_comes_from_the_argument_the_environment_or_the_default(self) -> None:
        with mock.patch.dict(os.environ, {"TRAINQ_SOCKET": "/tmp/from-env.sock"}):
            self.assertEqual(trainq.Client().socket_path, "/tmp/from-env.sock")
            self.assertEqual(trainq.Client("/tmp/arg.sock").socket_path, "/tmp/arg.sock")
        with mock.patch.dict(os.environ, clear=True):
            self.assertEqual(trainq.Client().socket_path, "/run/trainq/trainq.sock")

    def test_a_missing_socket_is_daemon_unavailable_and_wait_gives_up_after_its_reconnect_timeout(self) -> None:
        with tempfile.TemporaryDirectory(prefix="tqpy-", dir="/tmp") as directory:
            client = trainq.Client(os.path.join(directory, "none.sock"), timeout=2)
            with self.assertRaises(trainq.DaemonUnavailable) as raised:
                client.get("X")
            self.assertTrue(raised.exception.reconnectable)
            self.assertIsNone(raised.exception.kind)
            self.assertIn("none.sock", str(raised.exception))

            started = time.monotonic()
            with self.assertRaises(trainq.ReconnectTimeout):
                client.wait("X", reconnect_timeout=0.5)
            self.assertLess(time.monotonic() - started, 3)


class FakeDaemonTests(unittest.TestCase):
    """A stand-in trainqd on a Unix socket, for answers the real one gives only in a narrow window."""

    def test_wait_retries_through_503_shutting_down(self) -> None:
        import http.server
        import json
        import socketserver
        import threading

        answers: List[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                answers.append(self.path)
                body: object
                if len(answers) <= 2:
                    status = 503
                    body = {"error": {"kind": "shutting_down", "message": "trainqd is stopping", "details": []}}
                else:
                    status = 200
                    body = SUBMISSION_JSON
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        with tempfile.TemporaryDirectory(prefix="tqpy-", dir="/tmp") as directory:
            path = os.path.join(directory, "fake.sock")
            server = Server(path, Handler)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                with trainq.Client(path, timeout=5) as client, self.assertLogs("trainq", level="INFO") as logs:
                    done = client.wait("01M90V1T95XZQ0GPQJ26V8QVAR", reconnect_timeout=10)
                    # A one-shot call does not retry: the envelope's kind is kept.
                    answers.clear()
                    with self.assertRaises(trainq.DaemonUnavailable) as raised:
                        client.get("01M90V1T95XZQ0GPQJ26V8QVAR")
            finally:
                server.shutdown()
                server.server_close()
        self.assertEqual(done.state, "succeeded")
        self.assertEqual((raised.exception.kind, raised.exception.status), ("shutting_down", 503))
        self.assertTrue(raised.exception.reconnectable)
        self.assertEqual(len([m for m in logs.output if "is not answering" in m]), 1, logs.output)
        self.assertEqual(len([m for m in logs.output if "is back" in m]), 1, logs.output)


if __name__ == "__main__":
    unittest.main()
