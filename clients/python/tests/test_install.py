"""The README's promise: in a fresh venv, ``pip install ./clients/python`` and the five-line example
submits the seed's request to a real ``trainqd --simulate`` and ends ``succeeded``."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

from harness import REPO_ROOT, SEED_REQUEST_PATH, DaemonTestCase

# The README's example, word for word but for the path of the request.
EXAMPLE = """\
import json, trainq
client = trainq.Client()                     # $TRAINQ_SOCKET, else /run/trainq/trainq.sock (as the CLI)
submission = client.submit(json.load(open({request!r})), job_id=10)
done = client.wait(submission.id)            # long-polls events; rides through a restart of trainqd
print(done.id, done.state, done.version_name, done.remote_status)
"""


class FreshVenvTests(DaemonTestCase):
    def test_pip_install_in_a_fresh_venv_then_the_readme_example_succeeds(self) -> None:
        self.start_simulated_daemon()
        environment_dir = self.workspace.file("venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(environment_dir)
        python = str(Path(environment_dir) / "bin" / "python")
        # A copy of the client, so the build leaves nothing (build/, *.egg-info) in the repository.
        source = self.workspace.file("client-source")
        subprocess.run(
            ["cp", "-r", str(REPO_ROOT / "clients" / "python"), str(source)], check=True, timeout=60)
        installed = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(installed.returncode, 0, installed.stdout + installed.stderr)

        script = self.workspace.file("example.py")
        Path(script).write_text(EXAMPLE.format(request=str(SEED_REQUEST_PATH)), encoding="utf-8")
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        environment["TRAINQ_SOCKET"] = str(self.workspace.socket)
        # Run from the workspace, so the import can only find the installed package.
        ran = subprocess.run(
            [python, str(script)], capture_output=True, text=True, timeout=120, env=environment,
            cwd=str(self.workspace.path))
        self.assertEqual(ran.returncode, 0, ran.stdout + ran.stderr)
        words = ran.stdout.split()
        self.assertEqual(words[1], "succeeded", ran.stdout)
