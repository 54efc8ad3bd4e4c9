"""Tests of mobo_client against a real ``mobo serve``.

The server's URL and tokens come from the environment (MOBO_URL, MOBO_TOKEN: a write token,
MOBO_READ_TOKEN: a read-only one), as test/serve/python-client.test.ts sets them. Without MOBO_URL
the tests start ``mobo serve`` themselves from this checkout (node with tsx) on a free port:

    python3 -m unittest discover -s clients/python
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid
from typing import Dict, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mobo_client import Client, MoboError, MoboUnavailable  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_server: Optional[subprocess.Popen] = None
_folder: Optional[str] = None
ENV: Dict[str, Optional[str]] = {}


def setUpModule() -> None:
    global _server, _folder
    if os.environ.get("MOBO_URL"):
        ENV.update(
            url=os.environ["MOBO_URL"],
            token=os.environ.get("MOBO_TOKEN"),
            read=os.environ.get("MOBO_READ_TOKEN"),
        )
        return
    _folder = tempfile.mkdtemp(prefix="mobo-python-")
    main = os.path.join(ROOT, "src", "cli", "main.ts")

    def token(scope: str) -> str:
        made = subprocess.run(
            ["node", "--import", "tsx", main, "serve", "--new-token", scope, _folder],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )
        return made.stdout.strip()

    ENV.update(token=token("write"), read=token("read"))
    _server = subprocess.Popen(
        ["node", "--import", "tsx", main, "serve", "--port", "0", _folder],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert _server.stdout is not None
    line = _server.stdout.readline()
    match = re.search(r"(http://\S+)", line)
    if match is None:
        raise RuntimeError(f"mobo serve did not start: {line!r}")
    ENV["url"] = match.group(1)


def tearDownModule() -> None:
    if _server is not None:
        _server.terminate()
        _server.wait(timeout=60)
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)


CONFIG = {
    "parameters": [
        {"name": "x", "type": "float", "bounds": [0, 1]},
        {"name": "y", "type": "float", "bounds": [0, 1]},
        {"name": "kind", "type": "choice", "values": ["a", "b"]},
    ],
    "objectives": [{"name": "f1", "minimize": True}, {"name": "f2", "minimize": True}],
    "strategy": "sobol",
    "seed": 3,
}


def evaluate(params: Dict[str, object]) -> Dict[str, float]:
    x = float(params["x"])  # type: ignore[arg-type]
    y = float(params["y"])  # type: ignore[arg-type]
    return {"f1": x, "f2": (1 + y) * (1 - math.sqrt(x / (1 + y)))}


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = Client(str(ENV["url"]), ENV.get("token"))
        self.name = f"py-{uuid.uuid4().hex[:8]}"
        self.exp = self.client.create(self.name, CONFIG)

    def test_ask_tell_fail_front(self) -> None:
        trials = self.exp.ask(4)
        self.assertEqual([t["id"] for t in trials], [0, 1, 2, 3])
        self.assertEqual(set(trials[0]["params"]), {"x", "y", "kind"})
        told = self.exp.tell(trials[0]["id"], evaluate(trials[0]["params"]))
        self.assertEqual(told["state"], "completed")
        self.exp.tell(trials[1]["id"], evaluate(trials[1]["params"]), sem={"f1": 0.01})
        failed = self.exp.fail(trials[2]["id"], "the solver diverged")
        self.assertEqual((failed["state"], failed["reason"]), ("failed", "the solver diverged"))
        self.assertEqual(self.exp.abandon(trials[3]["id"])["state"], "abandoned")

        front = self.exp.front()
        self.assertTrue(front)
        self.assertTrue({t["id"] for t in front} <= {0, 1})
        self.assertEqual(len(self.exp.hypervolume()), 2)
        self.assertEqual([t["id"] for t in self.exp.trials("failed")], [2])
        self.assertEqual([t["id"] for t in self.exp.trials(["completed", "abandoned"])], [0, 1, 3])
        self.assertEqual(self.exp.trial(1)["sem"], {"f1": 0.01})
        status = self.exp.status()
        self.assertEqual(status["counts"]["completed"], 2)
        self.assertIn(self.name, [e["name"] for e in self.client.experiments()])

    def test_pending_trials_are_not_proposed_again(self) -> None:
        first = self.exp.ask(3)
        second = self.exp.ask(3)
        points = {tuple(sorted(t["params"].items())) for t in first + second}
        self.assertEqual(len(points), 6)

    def test_errors_name_the_field(self) -> None:
        trial = self.exp.ask(1)[0]
        with self.assertRaises(MoboError) as missing:
            self.exp.tell(trial["id"], {"f1": 1.0})
        self.assertEqual(missing.exception.status, 400)
        self.assertIn("values.f2", [i["path"] for i in missing.exception.issues])
        with self.assertRaises(MoboError) as unknown:
            self.exp.tell(99, {"f1": 1.0, "f2": 2.0})
        self.assertEqual((unknown.exception.status, unknown.exception.code), (404, "unknown_trial"))
        with self.assertRaises(ValueError):
            self.exp.tell(trial["id"], {"f1": float("nan"), "f2": 1.0})
        self.exp.tell(trial["id"], evaluate(trial["params"]))
        with self.assertRaises(MoboError) as finished:
            self.exp.tell(trial["id"], evaluate(trial["params"]))
        self.assertEqual((finished.exception.status, finished.exception.code), (409, "trial_finished"))
        with self.assertRaises(MoboError) as bad_name:
            self.client.experiment("../etc").ask(1)
        self.assertEqual(bad_name.exception.status, 400)
        with self.assertRaises(MoboError) as exists:
            self.client.create(self.name, CONFIG)
        self.assertEqual(exists.exception.status, 409)

    def test_tokens(self) -> None:
        if not ENV.get("token"):
            self.skipTest("the server has no tokens")
        with self.assertRaises(MoboError) as none:
            Client(str(ENV["url"])).experiments()
        self.assertEqual(none.exception.status, 401)
        reader = Client(str(ENV["url"]), ENV.get("read")).experiment(self.name)
        self.assertEqual(reader.status()["name"], self.name)
        with self.assertRaises(MoboError) as forbidden:
            reader.ask(1)
        self.assertEqual(forbidden.exception.status, 403)

    def test_an_unreachable_server_is_unavailable(self) -> None:
        with self.assertRaises(MoboUnavailable):
            Client("http://127.0.0.1:9", timeout=5).experiments()


if __name__ == "__main__":
    unittest.main()
