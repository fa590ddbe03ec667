"""The client against a real ``trainqd`` (its in-process simulator, or a ``modelarts-sim`` of its own)."""

from __future__ import annotations

import logging
import time
import unittest
from datetime import timezone
from typing import Any, Dict, List, Tuple

from harness import Background, DaemonTestCase, eventually, seed_request, trainq


def changes(entries: List[trainq.Event]) -> List[Tuple[int, str, object]]:
    return [(e.seq, e.state, e.remote_status.code if e.remote_status else None) for e in entries]


def history(submission: trainq.Submission) -> List[Tuple[int, str, object]]:
    return [(h.seq, h.state, h.remote_status.code if h.remote_status else None) for h in submission.history]


class SubmitAndWaitTests(DaemonTestCase):
    def test_the_seed_request_is_submitted_and_waited_for_until_it_succeeds(self) -> None:
        self.start_simulated_daemon()
        client = self.client()

        submitted = client.submit(seed_request(), job_id=10)
        self.assertEqual(submitted.state, "queued")
        self.assertEqual(submitted.job_id, 10)
        self.assertEqual(submitted.request, seed_request())
        self.assertEqual(submitted.created_at.tzinfo, timezone.utc)
        self.assertEqual(history(submitted), [(1, "queued", None)])

        done = client.wait(submitted.id, timeout=60)
        self.assertEqual(done.id, submitted.id)
        self.assertEqual(done.state, "succeeded")
        self.assertTrue(done.is_terminal)
        self.assertIsNotNone(done.version_id)
        self.assertIsNotNone(done.remote_status)
        assert done.remote_status is not None
        self.assertEqual((done.remote_status.code, done.remote_status.name), (10, "JOBSTAT_COMPLETED"))
        self.assertEqual(done.attempts[0].outcome, "created")
        self.assertEqual(done.history[0].state, "queued")
        self.assertEqual(done.history[-1].state, "succeeded")
        seqs = [h.seq for h in done.history]
        self.assertEqual(seqs, sorted(set(seqs)))

        # Waiting for a submission that has ended returns it at once.
        started = time.monotonic()
        self.assertEqual(client.wait(submitted.id, timeout=5).state, "succeeded")
        self.assertLess(time.monotonic() - started, 2)

    def test_pre_version_id_and_project_id_go_where_the_cli_puts_them(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        submitted = client.submit(
            seed_request(), job_id=11, project_id="0123456789abcdef0123456789abcdef", pre_version_id=1100
        )
        self.assertEqual(submitted.job_id, 11)
        self.assertEqual(submitted.project_id, "0123456789abcdef0123456789abcdef")
        self.assertEqual(submitted.request["config"]["pre_version_id"], 1100)
        self.assertNotIn("job_id", submitted.request)
        self.assertEqual(client.wait(submitted.id, timeout=60).state, "succeeded")


class TrainingJobTests(DaemonTestCase):
    """v2 training jobs through the client, against trainqd's embedded simulator."""

    JOB: Dict[str, Any] = {
        "kind": "job",
        "metadata": {"name": "py-run", "description": "from the Python client"},
        "algorithm": {
            "code_dir": "/bucket/app/", "boot_file": "/bucket/app/train.py",
            "engine": {"engine_name": "PyTorch", "engine_version": "2.1"},
            "parameters": [{"name": "learning_rate", "value": "0.01"}],
        },
        "spec": {"resource": {"flavor_id": "modelarts.vm.cpu.2u", "node_count": 1}},
    }
    #: The job trainqd's embedded simulator holds from the start.
    SEEDED = "6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20"

    def test_a_v2_job_and_a_copy_of_one_are_followed_to_completed(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        submitted = client.submit_training_job(self.JOB)
        self.assertEqual((submitted.api, submitted.job_id, submitted.state), ("v2", None, "queued"))
        assert submitted.training_job_name is not None
        self.assertTrue(submitted.training_job_name.startswith("py-run-"))
        done = client.wait(submitted.id, timeout=60)
        self.assertEqual(done.state, "succeeded")
        assert done.remote_status is not None
        self.assertEqual((done.remote_status.code, done.remote_status.name), (None, "Completed"))
        self.assertIsNotNone(done.training_job_id)

        copy = client.copy_training_job(self.SEEDED, {"algorithm.parameters.learning_rate": 0.5, "spec.resource.node_count": 2})
        self.assertEqual(copy.from_job, self.SEEDED)
        self.assertEqual(copy.request["overrides"]["algorithm.parameters.learning_rate"], "0.5")
        self.assertEqual(client.wait(copy.id, timeout=60).state, "succeeded")
        names = {s.training_job_name for s in client.list()}
        self.assertEqual(names, {submitted.training_job_name, copy.training_job_name})
        events = list(client.events(after=0, follow=False, submission=submitted.id))
        self.assertTrue(events and all(e.job_id is None for e in events))

    def test_a_bad_v2_job_names_every_field(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        job = dict(self.JOB, metadata={"name": "has space"}, tasks=[])
        with self.assertRaises(trainq.ValidationFailed) as raised:
            client.submit_training_job(job)
        self.assertEqual({p.field for p in raised.exception.problems}, {"job.metadata.name", "job.tasks"})


class ErrorTests(DaemonTestCase):
    def test_an_invalid_request_raises_validation_failed_with_every_field_problem(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        with self.assertRaises(trainq.ValidationFailed) as raised:
            client.submit({"job_desc": "x", "config": {"app_url": "/usr/app/"}}, job_id=0, project_id="NOT-HEX")
        error = raised.exception
        self.assertIsInstance(error, trainq.TrainqError)
        self.assertEqual(error.kind, "validation_failed")
        self.assertEqual(error.status, 400)
        fields = [p.field for p in error.problems]
        for field in ("job_id", "project_id", "config.train_url", "config.worker_server_num"):
            self.assertIn(field, fields)
        self.assertIn(("job_id", "must be a positive integer"), error.problems)
        self.assertIn("  - config.train_url: is required", str(error))
        self.assertEqual(list(client.list()), [], "nothing was stored")

        with self.assertRaises(trainq.ValidationFailed) as raised:
            client.submit(seed_request(), job_id=10, idempotency_key="has a space")
        self.assertEqual([p.field for p in raised.exception.problems], ["Idempotency-Key"])

    def test_unknown_ids_raise_not_found(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        for call in (client.get, client.cancel, client.retry):
            with self.assertRaises(trainq.NotFound) as raised:
                call("01NOSUCHSUBMISSION0000000")
            self.assertEqual((raised.exception.kind, raised.exception.status), ("not_found", 404))

    def test_a_bad_filter_raises_validation_failed(self) -> None:
        self.start_simulated_daemon()
        with self.assertRaises(trainq.ValidationFailed) as raised:
            list(self.client().list(state="sleeping"))
        self.assertEqual(raised.exception.kind, "bad_request")


class ListTests(DaemonTestCase):
    def test_list_follows_the_cursor_through_every_page(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        ids = [client.submit(seed_request(), job_id=10).id for _ in range(3)]
        ids += [client.submit(seed_request(), job_id=11, pre_version_id=1100).id for _ in range(2)]

        first = client.list_page(limit=2)
        self.assertEqual(len(first.submissions), 2)
        self.assertIsNotNone(first.next_cursor)

        listed = list(client.list(page_size=2))
        self.assertEqual(len(listed), 5)
        self.assertEqual(sorted(s.id for s in listed), sorted(ids))
        created = [s.created_at for s in listed]
        self.assertEqual(created, sorted(created, reverse=True), "newest first")

        self.assertEqual(sorted(s.id for s in client.list(job_id=11, page_size=1)), sorted(ids[3:]))
        self.assertEqual(len(list(client.list(owner=listed[0].owner.uid, page_size=500))), 5)
        with self.assertRaises(ValueError):
            client.list(page_size=0)


class IdempotencyTests(DaemonTestCase):
    def test_replaying_a_key_returns_the_same_submission_and_another_body_conflicts(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        first = client.submit(seed_request(), job_id=10, idempotency_key="build-42")
        again = client.submit(seed_request(), job_id=10, idempotency_key="build-42")
        self.assertEqual(again.id, first.id)
        self.assertEqual(len(list(client.list())), 1)

        with self.assertRaises(trainq.IdempotencyConflict) as raised:
            client.submit(seed_request(), job_id=11, idempotency_key="build-42")
        self.assertIsInstance(raised.exception, trainq.Conflict)
        self.assertEqual((raised.exception.kind, raised.exception.status), ("idempotency_conflict", 409))


class BatchTests(DaemonTestCase):
    GRID: Dict[str, List[Any]] = {"config.parameter.learning_rate": [0.01, 0.1, 1.0], "config.worker_server_num": [1, 2]}

    def test_a_sweep_queues_every_combination_in_one_call_and_each_creates_its_version(self) -> None:
        # A modelarts-sim of its own, so that its ledger can be read; a version runs for about a second.
        simulator = self.start_simulator(time_scale=120)
        self.start_external_daemon(simulator.endpoint)
        client = self.client()

        submitted = client.sweep(seed_request(), job_id=10, grid=self.GRID)
        self.assertEqual(len(submitted), 6)
        self.assertEqual(len({s.id for s in submitted}), 6)
        self.assertEqual({s.state for s in submitted}, {"queued"})
        self.assertEqual({s.job_id for s in submitted}, {10})
        expected = trainq.expand_sweep(seed_request(), self.GRID)
        self.assertEqual([s.request for s in submitted], expected, "the submissions come in the order of the grid")
        self.assertEqual(
            [(s.request["config"]["parameter"][0]["value"], s.request["config"]["worker_server_num"]) for s in submitted],
            [("0.01", 1), ("0.01", 2), ("0.1", 1), ("0.1", 2), ("1.0", 1), ("1.0", 2)],
        )
        self.assertEqual(sorted(s.id for s in client.list()), sorted(s.id for s in submitted))

        done = [client.wait(s.id, timeout=90) for s in submitted]
        self.assertEqual([d.state for d in done], ["succeeded"] * 6)
        version_ids = [d.version_id for d in done]
        self.assertNotIn(None, version_ids)
        self.assertEqual(len(set(version_ids)), 6)

        created = [v for v in simulator.ledger()["versions"] if v["job_id"] == 10]
        self.assertEqual(len(created), 6, created)
        self.assertEqual({v["version_id"] for v in created}, set(version_ids))
        self.assertEqual({v["pre_version_id"] for v in created}, {20})

    def test_a_batch_with_a_bad_item_is_refused_whole_naming_the_item(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        bad = seed_request()
        bad["config"]["spec_id"] = 0
        bad["job_id"] = 0
        with self.assertRaises(trainq.ValidationFailed) as raised:
            client.submit_batch([seed_request(), bad, seed_request()], job_id=10)
        error = raised.exception
        self.assertEqual((error.kind, error.status), ("validation_failed", 400))
        fields = [p.field for p in error.details]
        self.assertIn("submissions[1].config.spec_id", fields)
        self.assertIn("submissions[1].job_id", fields)
        self.assertTrue(all(f.startswith("submissions[1].") for f in fields), fields)
        self.assertEqual(list(client.list()), [], "nothing was stored")

        with self.assertRaises(trainq.ValidationFailed) as raised:
            client.submit_batch([], job_id=10)
        self.assertEqual([p.field for p in raised.exception.details], ["submissions"])
        with self.assertRaises(ValueError):
            client.sweep(seed_request(), job_id=10, grid={"config.spec_id": list(range(1, 1002))})
        self.assertEqual(list(client.list()), [], "nothing was stored")

    def test_replaying_a_batch_returns_the_same_submissions_and_another_batch_conflicts(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        first = client.sweep(seed_request(), job_id=10, grid=self.GRID, idempotency_key="sweep-7")
        again = client.sweep(seed_request(), job_id=10, grid=self.GRID, idempotency_key="sweep-7")
        self.assertEqual([s.id for s in again], [s.id for s in first])
        self.assertEqual(len(list(client.list())), 6, "nothing new was stored")

        with self.assertRaises(trainq.IdempotencyConflict) as raised:
            client.sweep(seed_request(), job_id=10, grid={"config.worker_server_num": [1, 2]}, idempotency_key="sweep-7")
        self.assertEqual((raised.exception.kind, raised.exception.status), ("idempotency_conflict", 409))
        with self.assertRaises(trainq.IdempotencyConflict):
            client.submit(seed_request(), job_id=10, idempotency_key="sweep-7")
        single = client.submit(seed_request(), job_id=10, idempotency_key="single-1")
        with self.assertRaises(trainq.IdempotencyConflict):
            client.submit_batch([seed_request()], job_id=10, idempotency_key="single-1")
        self.assertEqual(len(list(client.list())), 7)
        self.assertIn(single.id, {s.id for s in client.list()})


class EventsTests(DaemonTestCase):
    def test_following_events_yields_the_submissions_changes_in_order(self) -> None:
        self.start_simulated_daemon()
        client = self.client()
        other = client.submit(seed_request(), job_id=11, pre_version_id=1100)
        submitted = client.submit(seed_request(), job_id=10)

        def follow() -> List[trainq.Event]:
            seen: List[trainq.Event] = []
            with trainq.Client(self.workspace.socket) as follower:
                for event in follower.events(after=0, follow=True, submission=submitted.id, reconnect_timeout=5):
                    seen.append(event)
                    if event.is_final:
                        return seen
            return seen

        followed = Background(follow).result(timeout=60)
        self.assertTrue(all(e.submission == submitted.id for e in followed))
        self.assertEqual(followed[-1].state, "succeeded")
        final = client.get(submitted.id)
        self.assertEqual(changes(followed), history(final))

        # The same without following; `after` and the job filter narrow it.
        self.assertEqual(changes(list(client.events(follow=False, submission=submitted.id))), history(final))
        later = list(client.events(after=followed[2].seq, follow=False, submission=submitted.id))
        self.assertEqual(changes(later), history(final)[3:])
        client.wait(other.id, timeout=60)
        self.assertEqual({e.submission for e in client.events(follow=False, job_id=11)}, {other.id})
        everything = list(client.events(follow=False))
        self.assertEqual([e.seq for e in everything], sorted({e.seq for e in everything}))
        self.assertEqual({e.submission for e in everything}, {other.id, submitted.id})


class ConnectionTests(DaemonTestCase):
    def test_a_keep_alive_connection_trainqd_closed_while_idle_is_replaced(self) -> None:
        self.start_simulated_daemon(extra="socket:\n  idle_timeout: 1s\n")
        client = self.client()
        submitted = client.submit(seed_request(), job_id=10)
        time.sleep(2.5)  # trainqd closes the idle connection after 1 s
        self.assertEqual(client.get(submitted.id).id, submitted.id)
        time.sleep(2.5)
        self.assertEqual(client.submit(seed_request(), job_id=10, idempotency_key="k").job_id, 10)
        self.assertEqual(len(list(client.list())), 2)

    def test_a_quiet_event_stream_outlasts_the_call_timeout(self) -> None:
        self.start_simulated_daemon()
        client = self.client(timeout=1)
        first = client.submit(seed_request(), job_id=10)
        client.wait(first.id, timeout=60)
        start_after = client.poll_events().last_seq

        with self.assertLogs("trainq", level="DEBUG") as logs:
            logging.getLogger("trainq").debug("following")  # assertLogs wants at least one record

            def follow() -> trainq.Event:
                with trainq.Client(self.workspace.socket, timeout=1, reconnect_timeout=5) as follower:
                    return next(iter(follower.events(after=start_after)))

            following = Background(follow)
            time.sleep(3)  # nothing happens for three times the call time-out
            self.assertTrue(following.running)
            second = client.submit(seed_request(), job_id=10)
            event = following.result(timeout=10)
        self.assertEqual((event.submission, event.state), (second.id, "queued"))
        self.assertEqual(event.seq, start_after + 1)
        self.assertFalse([m for m in logs.output if "not answering" in m], "the quiet stream was taken for an outage")


class CancelTests(DaemonTestCase):
    def test_cancelling_a_tracked_submission_stops_its_version(self) -> None:
        # Time scale 1: the version runs for about two minutes, long enough to cancel it while it runs.
        self.start_simulated_daemon(time_scale=1)
        client = self.client()
        submitted = client.submit(seed_request(), job_id=10)
        eventually("tracking", lambda: client.get(submitted.id).state == "tracking")

        client.cancel(submitted.id)
        stopped = client.wait(submitted.id, timeout=60)
        self.assertEqual(stopped.state, "stopped")
        with self.assertRaises(trainq.InvalidState) as raised:
            client.cancel(submitted.id)
        self.assertEqual((raised.exception.kind, raised.exception.status), ("invalid_state", 409))
        with self.assertRaises(trainq.InvalidState):
            client.retry(submitted.id)

    def test_cancelling_a_submission_waiting_to_retry_cancels_it(self) -> None:
        # Nothing listens at 127.0.0.1:9 here: every create fails and waits a long time before the next.
        self.start_external_daemon(
            "http://127.0.0.1:9", extra="submit:\n  base_delay: 1m\n  max_delay: 5m\n"
        )
        client = self.client()
        submitted = client.submit(seed_request(), job_id=10)
        eventually("retrying", lambda: client.get(submitted.id).state == "retrying")

        with self.assertRaises(trainq.WaitTimeout) as raised:
            client.wait(submitted.id, timeout=0.5)
        self.assertEqual(raised.exception.state, "retrying")

        canceled = client.cancel(submitted.id)
        self.assertEqual(canceled.state, "canceled")
        self.assertEqual(client.wait(submitted.id, timeout=5).state, "canceled")


class RestartTests(DaemonTestCase):
    def test_wait_and_events_ride_through_a_sigterm_and_a_sigkill_restart(self) -> None:
        # A modelarts-sim of its own outlives the restarts (the in-process one of --simulate would not);
        # at time scale 10 a version runs for about twelve seconds.
        simulator = self.start_simulator(time_scale=10)
        daemon = self.start_external_daemon(simulator.endpoint)
        client = self.client()
        submitted = client.submit(seed_request(), job_id=10)

        def wait() -> trainq.Submission:
            with trainq.Client(self.workspace.socket, reconnect_timeout=60) as waiter:
                return waiter.wait(submitted.id, timeout=120)

        def follow() -> List[trainq.Event]:
            seen: List[trainq.Event] = []
            with trainq.Client(self.workspace.socket, reconnect_timeout=60) as follower:
                for event in follower.events(submission=submitted.id):
                    seen.append(event)
                    if event.is_final:
                        break
            return seen

        with self.assertLogs("trainq", level="INFO") as logs:
            waiting = Background(wait)
            following = Background(follow)
            eventually("tracking", lambda: client.get(submitted.id).state == "tracking")

            self.assertEqual(daemon.stop(), 0, "a clean stop")
            daemon.start()
            eventually("both clients came back", lambda: sum("is back" in m for m in logs.output) >= 2)
            self.assertEqual(client.get(submitted.id).state, "tracking", "the version ended too soon")

            daemon.kill()
            daemon.start()
            self.assertEqual(client.get(submitted.id).state, "tracking", "the version ended too soon")

            done = waiting.result(timeout=90)
            followed = following.result(timeout=30)

        self.assertEqual(done.state, "succeeded")
        self.assertEqual(history(done), history(client.get(submitted.id)))
        # Every event once, in order, across both restarts.
        self.assertEqual(changes(followed), history(done))
        self.assertGreaterEqual(sum("is not answering" in m for m in logs.output), 2)
        self.assertGreaterEqual(sum("is back" in m for m in logs.output), 4)

    def test_wait_gives_up_after_the_reconnect_timeout_when_trainqd_never_returns(self) -> None:
        daemon = self.start_simulated_daemon(time_scale=1)
        client = self.client()
        submitted = client.submit(seed_request(), job_id=10)
        waiting = Background(lambda: client.wait(submitted.id, reconnect_timeout=1.5))
        time.sleep(0.5)
        self.assertTrue(waiting.running)

        stopped = time.monotonic()
        self.assertEqual(daemon.stop(), 0)
        with self.assertRaises(trainq.ReconnectTimeout) as raised:
            waiting.result(timeout=20)
        waited = time.monotonic() - stopped
        self.assertGreaterEqual(waited, 1.5)
        self.assertLess(waited, 10)
        error = raised.exception
        self.assertIsInstance(error, trainq.DaemonUnavailable)
        self.assertGreaterEqual(error.elapsed, 1.5)
        self.assertIn("did not come back within 1.5s (reconnect_timeout); gave up after trying for", str(error))

        # Following events gives up the same way; one-shot calls fail at once.
        with self.assertRaises(trainq.ReconnectTimeout):
            list(client.events(reconnect_timeout=0.5))
        started = time.monotonic()
        with self.assertRaises(trainq.DaemonUnavailable) as unreachable:
            client.get(submitted.id)
        self.assertTrue(unreachable.exception.reconnectable)
        self.assertLess(time.monotonic() - started, 2)


if __name__ == "__main__":
    unittest.main()
