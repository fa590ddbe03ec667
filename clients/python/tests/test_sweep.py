"""Sweeps without a daemon: ``expand_sweep``'s rules (those of ``trainq submit --set``), and what
``submit_batch``/``sweep`` send and make of the answers, against a stand-in trainqd on a Unix socket."""

from __future__ import annotations

import copy
import http.server
import json
import os
import socketserver
import tempfile
import threading
import unittest
from typing import Any, Dict, List, Tuple

from harness import seed_request, trainq
from test_units import SUBMISSION_JSON
from trainq.sweep import MAX_COMBINATIONS


def parameters(request: Dict[str, Any]) -> List[Tuple[str, str]]:
    return [(p["label"], p["value"]) for p in request["config"]["parameter"]]


class ExpandSweepTests(unittest.TestCase):
    def test_it_is_exported_from_the_package(self) -> None:
        self.assertIn("expand_sweep", trainq.__all__)
        self.assertIs(trainq.expand_sweep, trainq.sweep.expand_sweep)
        self.assertEqual(MAX_COMBINATIONS, 1000)

    def test_the_first_key_varies_slowest(self) -> None:
        requests = trainq.expand_sweep(
            seed_request(), {"config.worker_server_num": [1, 2, 4], "config.train_url": ["/a/", "/b/"]}
        )
        self.assertEqual(
            [(r["config"]["worker_server_num"], r["config"]["train_url"]) for r in requests],
            [(1, "/a/"), (1, "/b/"), (2, "/a/"), (2, "/b/"), (4, "/a/"), (4, "/b/")],
        )
        # Everything else is the request as it was.
        for request in requests:
            expected = seed_request()
            expected["config"]["worker_server_num"] = request["config"]["worker_server_num"]
            expected["config"]["train_url"] = request["config"]["train_url"]
            self.assertEqual(request, expected)

    def test_the_order_follows_the_grids_insertion_order(self) -> None:
        grid: Dict[str, List[Any]] = {"config.train_url": ["/a/", "/b/"], "config.worker_server_num": [1, 2]}
        requests = trainq.expand_sweep(seed_request(), grid)
        self.assertEqual(
            [(r["config"]["train_url"], r["config"]["worker_server_num"]) for r in requests],
            [("/a/", 1), ("/a/", 2), ("/b/", 1), ("/b/", 2)],
        )

    def test_an_existing_parameter_gets_its_value_in_place_as_a_string(self) -> None:
        requests = trainq.expand_sweep(seed_request(), {"config.parameter.learning_rate": [0.01, 0.1, 1e-05, 3]})
        self.assertEqual(
            [parameters(r) for r in requests],
            [
                [("learning_rate", "0.01"), ("batch_size", "32")],
                [("learning_rate", "0.1"), ("batch_size", "32")],
                [("learning_rate", "1e-05"), ("batch_size", "32")],
                [("learning_rate", "3"), ("batch_size", "32")],
            ],
        )

    def test_a_missing_parameter_is_appended_and_a_missing_array_created(self) -> None:
        requests = trainq.expand_sweep(seed_request(), {"config.parameter.momentum": [0.9]})
        self.assertEqual(
            parameters(requests[0]), [("learning_rate", "0.01"), ("batch_size", "32"), ("momentum", "0.9")]
        )
        bare = {"job_desc": "x", "config": {"spec_id": 1}}
        self.assertEqual(
            trainq.expand_sweep(bare, {"config.parameter.epochs": [10]}),
            [{"job_desc": "x", "config": {"spec_id": 1, "parameter": [{"label": "epochs", "value": "10"}]}}],
        )
        # No config at all, or a null parameter array, as the CLI does.
        self.assertEqual(
            trainq.expand_sweep({}, {"config.parameter.epochs": [10]}),
            [{"config": {"parameter": [{"label": "epochs", "value": "10"}]}}],
        )
        self.assertEqual(
            trainq.expand_sweep({"config": {"parameter": None}}, {"config.parameter.epochs": [10]}),
            [{"config": {"parameter": [{"label": "epochs", "value": "10"}]}}],
        )

    def test_a_label_may_contain_dots(self) -> None:
        requests = trainq.expand_sweep(seed_request(), {"config.parameter.optimizer.beta.1": [0.9, 0.99]})
        self.assertEqual(
            [parameters(r)[-1] for r in requests], [("optimizer.beta.1", "0.9"), ("optimizer.beta.1", "0.99")]
        )
        self.assertNotIn("optimizer", requests[0]["config"])
        existing = seed_request()
        existing["config"]["parameter"].insert(0, {"label": "a.b", "value": "old"})
        self.assertEqual(parameters(trainq.expand_sweep(existing, {"config.parameter.a.b": ["new"]})[0])[0], ("a.b", "new"))

    def test_parameter_values_are_strings_written_as_json_would(self) -> None:
        values = [True, False, None, 0.01, 2, "text", "0.5", [1, 2], {"k": "v"}]
        requests = trainq.expand_sweep({}, {"config.parameter.p": values})
        self.assertEqual(
            [r["config"]["parameter"][0]["value"] for r in requests],
            ["true", "false", "null", "0.01", "2", "text", "0.5", "[1,2]", '{"k":"v"}'],
        )

    def test_other_values_are_stored_as_given_and_missing_objects_created(self) -> None:
        requests = trainq.expand_sweep(
            {"config": {}},
            {
                "job_desc": ["sweep"],
                "config.worker_server_num": [2],
                "config.data_source": [[{"type": "obs", "data_url": "/d/"}]],
                "config.new.deeper": [True],
                "project_id": ["0123456789abcdef0123456789abcdef"],
            },
        )
        self.assertEqual(
            requests,
            [
                {
                    "job_desc": "sweep",
                    "project_id": "0123456789abcdef0123456789abcdef",
                    "config": {
                        "worker_server_num": 2,
                        "data_source": [{"type": "obs", "data_url": "/d/"}],
                        "new": {"deeper": True},
                    },
                }
            ],
        )
        self.assertIsInstance(requests[0]["config"]["worker_server_num"], int)

    def test_a_key_with_one_value_just_overrides_and_an_empty_grid_gives_the_request(self) -> None:
        self.assertEqual(trainq.expand_sweep(seed_request(), {}), [seed_request()])
        requests = trainq.expand_sweep(seed_request(), {"job_desc": ["one"], "config.spec_id": [2, 3]})
        self.assertEqual([(r["job_desc"], r["config"]["spec_id"]) for r in requests], [("one", 2), ("one", 3)])

    def test_a_path_through_something_that_is_not_an_object_is_refused_naming_the_path(self) -> None:
        with self.assertRaises(ValueError) as raised:
            trainq.expand_sweep(seed_request(), {"config.spec_id.x": [1]})
        self.assertIn("config.spec_id.x", str(raised.exception))
        self.assertIn("integer, not an object", str(raised.exception))
        with self.assertRaisesRegex(ValueError, r"'job_desc\.x'.*string, not an object"):
            trainq.expand_sweep(seed_request(), {"job_desc.x": [1]})
        with self.assertRaisesRegex(ValueError, r"'config\.parameter\.lr'.*before 'parameter' is array"):
            trainq.expand_sweep({"config": []}, {"config.parameter.lr": [1]})
        with self.assertRaisesRegex(ValueError, r"'config\.x'.*null, not an object"):
            trainq.expand_sweep({"config": None}, {"config.x": [1]})
        with self.assertRaisesRegex(ValueError, "empty name"):
            trainq.expand_sweep(seed_request(), {"config..spec_id": [1]})
        with self.assertRaisesRegex(ValueError, "empty name"):
            trainq.expand_sweep(seed_request(), {"config.parameter.": [1]})

    def test_a_key_without_values_is_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "'config.spec_id' has no values"):
            trainq.expand_sweep(seed_request(), {"job_desc": ["a"], "config.spec_id": []})
        with self.assertRaises(TypeError):
            trainq.expand_sweep(seed_request(), {"job_desc": "abc"})  # a string is not a list of values
        with self.assertRaises(TypeError):
            trainq.expand_sweep(seed_request(), {"config.spec_id": 1})  # type: ignore[dict-item]

    def test_more_combinations_than_a_batch_takes_are_refused(self) -> None:
        self.assertEqual(len(trainq.expand_sweep({}, {"a": list(range(10)), "b": list(range(100))})), 1000)
        with self.assertRaisesRegex(ValueError, "1001 requests; one batch takes at most 1000"):
            trainq.expand_sweep({}, {"a": list(range(7)), "b": list(range(11)), "c": list(range(13))})
        # Refused before anything is expanded.
        with self.assertRaisesRegex(ValueError, "at most 1000"):
            trainq.expand_sweep({}, {name: list(range(100)) for name in "abcdefgh"})

    def test_the_callers_request_and_values_are_never_changed_or_shared(self) -> None:
        request = seed_request()
        before = copy.deepcopy(request)
        value = {"type": "obs", "data_url": "/d/"}
        grid: Dict[str, List[Any]] = {
            "config.parameter.learning_rate": [0.1, 0.2],
            "config.parameter.new": ["x"],
            "config.extra": [value],
            "config.worker_server_num": [3],
        }
        requests = trainq.expand_sweep(request, grid)
        self.assertEqual(request, before)
        self.assertEqual(value, {"type": "obs", "data_url": "/d/"})
        requests[0]["config"]["parameter"][0]["value"] = "changed"
        requests[0]["config"]["extra"]["data_url"] = "changed"
        self.assertEqual(requests[1]["config"]["parameter"][0]["value"], "0.2")
        self.assertEqual(requests[1]["config"]["extra"]["data_url"], "/d/")
        self.assertEqual(value["data_url"], "/d/")
        self.assertEqual(request, before)
        self.assertIsNot(requests[0]["config"], request["config"])


class _FakeTrainqd:
    """A stand-in trainqd that records each POST and answers from a script of (status, body)."""

    def __init__(self, answers: List[Tuple[int, Any]]) -> None:
        self.answers = answers
        self.requests: List[Dict[str, Any]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                status, body = fake.answers.pop(0)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self._directory = tempfile.TemporaryDirectory(prefix="tqpy-", dir="/tmp" if os.path.isdir("/tmp") else None)
        self.path = os.path.join(self._directory.name, "fake.sock")
        self._server = Server(self.path, Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> _FakeTrainqd:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._directory.cleanup()


def submission_json(id: str, job_id: int = 10) -> Dict[str, Any]:
    return dict(SUBMISSION_JSON, id=id, job_id=job_id, state="queued")


def batch(*ids: str) -> Dict[str, Any]:
    return {"submissions": [submission_json(id) for id in ids]}


class SubmitBatchWireTests(unittest.TestCase):
    def test_one_post_with_every_request_and_job_id_filled_in_where_missing(self) -> None:
        with _FakeTrainqd([(202, batch("A", "B", "C")), (200, batch("A", "B", "C"))]) as fake:
            with trainq.Client(fake.path, timeout=5) as client:
                requests = [seed_request(), dict(seed_request(), job_id=11), dict(seed_request(), job_id=None)]
                submitted = client.submit_batch(requests, job_id=10, idempotency_key="batch-1")
                replayed = client.submit_batch(requests, job_id=10, idempotency_key="batch-1")
        self.assertEqual([s.id for s in submitted], ["A", "B", "C"])
        self.assertEqual([s.id for s in replayed], ["A", "B", "C"])
        self.assertIsInstance(submitted[0], trainq.Submission)
        sent = fake.requests[0]
        self.assertEqual(sent["path"], "/v1/submissions/batch")
        self.assertEqual(sent["headers"]["idempotency-key"], "batch-1")
        self.assertEqual(sent["headers"]["content-type"], "application/json")
        self.assertEqual(list(sent["body"]), ["submissions"])
        self.assertEqual([item["job_id"] for item in sent["body"]["submissions"]], [10, 11, 10])
        self.assertEqual(sent["body"]["submissions"][0], dict(seed_request(), job_id=10))
        self.assertEqual(fake.requests[1]["body"], sent["body"])
        self.assertEqual(requests[0], seed_request(), "the caller's requests are not changed")

    def test_without_job_id_or_key_the_requests_go_as_they_are(self) -> None:
        with _FakeTrainqd([(202, batch("A"))]) as fake, trainq.Client(fake.path, timeout=5) as client:
            client.submit_batch([seed_request()])
        self.assertNotIn("idempotency-key", fake.requests[0]["headers"])
        self.assertEqual(fake.requests[0]["body"], {"submissions": [seed_request()]})

    def test_errors_carry_the_kind_and_the_item_fields(self) -> None:
        invalid = {
            "error": {
                "kind": "validation_failed",
                "message": "the request breaks 1 rule",
                "details": [{"field": "submissions[1].config.spec_id", "problem": "must be a positive integer"}],
            }
        }
        conflict = {"error": {"kind": "idempotency_conflict", "message": "used", "details": []}}
        with _FakeTrainqd([(400, invalid), (409, conflict)]) as fake, trainq.Client(fake.path, timeout=5) as client:
            with self.assertRaises(trainq.ValidationFailed) as raised:
                client.submit_batch([seed_request(), seed_request()], job_id=10)
            with self.assertRaises(trainq.IdempotencyConflict) as conflicted:
                client.submit_batch([seed_request()], job_id=10, idempotency_key="k")
        self.assertEqual((raised.exception.kind, raised.exception.status), ("validation_failed", 400))
        self.assertEqual(
            raised.exception.details, [trainq.FieldProblem("submissions[1].config.spec_id", "must be a positive integer")]
        )
        self.assertEqual((conflicted.exception.kind, conflicted.exception.status), ("idempotency_conflict", 409))

    def test_an_answer_without_submissions_is_a_server_error(self) -> None:
        with _FakeTrainqd([(202, {"nope": []}), (202, {"submissions": {}})]) as fake:
            with trainq.Client(fake.path, timeout=5) as client:
                for _ in range(2):
                    with self.assertRaises(trainq.ServerError):
                        client.submit_batch([seed_request()], job_id=10)

    def test_requests_must_be_a_list_of_mappings(self) -> None:
        client = trainq.Client("/nonexistent/trainq.sock")
        with self.assertRaises(TypeError):
            client.submit_batch(seed_request(), job_id=10)  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            client.submit_batch([seed_request(), "x"], job_id=10)  # type: ignore[list-item]

    def test_sweep_sends_the_expanded_grid_as_one_batch(self) -> None:
        with _FakeTrainqd([(202, batch("A", "B", "C", "D"))]) as fake, trainq.Client(fake.path, timeout=5) as client:
            submitted = client.sweep(
                seed_request(),
                job_id=12,
                grid={"config.parameter.learning_rate": [0.1, 0.2], "config.worker_server_num": [1, 2]},
                idempotency_key="sweep-1",
            )
        self.assertEqual([s.id for s in submitted], ["A", "B", "C", "D"])
        self.assertEqual(len(fake.requests), 1)
        items = fake.requests[0]["body"]["submissions"]
        self.assertEqual(
            [(i["job_id"], i["config"]["parameter"][0]["value"], i["config"]["worker_server_num"]) for i in items],
            [(12, "0.1", 1), (12, "0.1", 2), (12, "0.2", 1), (12, "0.2", 2)],
        )
        self.assertEqual(fake.requests[0]["headers"]["idempotency-key"], "sweep-1")

    def test_an_invalid_grid_sends_nothing(self) -> None:
        client = trainq.Client("/nonexistent/trainq.sock")
        with self.assertRaises(ValueError):
            client.sweep(seed_request(), job_id=10, grid={"a": list(range(1001))})


if __name__ == "__main__":
    unittest.main()
