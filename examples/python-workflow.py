#!/usr/bin/env python3
"""A Python workflow on ``mobo serve``: evaluates a function with concurrent.futures, keeps
``--parallel`` trials in flight, and rides out a restart of the server (or a lost connection): a
call that cannot reach the server is retried until it answers, so no result is lost.

    npx mobo serve runs/served &                       # in another terminal, or in the background
    python3 examples/python-workflow.py --url http://127.0.0.1:8787 --trials 40 --parallel 4

The experiment (``--experiment``, default ``python-workflow``) is created on first use: 4
parameters, 2 objectives. Run it again to add ``--trials`` more. ``evaluate`` stands in for a
simulation; swap ThreadPoolExecutor for ProcessPoolExecutor when it is CPU-bound Python.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Dict, Mapping, TypeVar

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))

from mobo_client import Client, Experiment, MoboError, MoboUnavailable  # noqa: E402

T = TypeVar("T")

CONFIG = {
    "parameters": [{"name": f"x{i}", "type": "float", "bounds": [0, 1]} for i in range(4)],
    "objectives": [{"name": "f1", "minimize": True}, {"name": "f2", "minimize": True}],
}


def evaluate(params: Mapping[str, float], delay: float) -> Dict[str, float]:
    """DTLZ2 with 2 objectives and 4 parameters (a stand-in for a simulation of `delay` seconds)."""
    time.sleep(delay * random.uniform(0.5, 1.5))
    x = [params[f"x{i}"] for i in range(4)]
    g = sum((v - 0.5) ** 2 for v in x[1:])
    return {
        "f1": (1 + g) * math.cos(x[0] * math.pi / 2),
        "f2": (1 + g) * math.sin(x[0] * math.pi / 2),
    }


def retrying(call: Callable[[], T], what: str, patience: float) -> T:
    """Runs `call` until the server answers, waiting up to `patience` seconds in all."""
    deadline = time.monotonic() + patience
    pause = 0.2
    while True:
        try:
            return call()
        except MoboUnavailable as error:
            if time.monotonic() > deadline:
                raise
            print(f"server unreachable during {what} ({error.message}); retrying in {pause:.1f} s", flush=True)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def tell(exp: Experiment, trial_id: int, values: Dict[str, float], patience: float) -> None:
    """Tells, retrying while the server is away. A retry that finds the trial already completed
    means the first attempt got through before the connection dropped: nothing to do."""
    retried = False

    def attempt() -> None:
        nonlocal retried
        try:
            exp.tell(trial_id, values)
        except MoboUnavailable:
            retried = True
            raise
        except MoboError as error:
            if not (retried and error.code == "trial_finished"):
                raise

    retrying(attempt, f"tell of trial {trial_id}", patience)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("MOBO_URL", "http://127.0.0.1:8787"))
    parser.add_argument("--token", default=os.environ.get("MOBO_TOKEN"))
    parser.add_argument("--experiment", default="python-workflow")
    parser.add_argument("--strategy", default="mobo", help="for a new experiment: mobo, sobol, nsga2, random")
    parser.add_argument("--trials", type=int, default=40, help="how many trials to evaluate")
    parser.add_argument("--parallel", type=int, default=4, help="trials in flight at once")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds one evaluation takes (about)")
    parser.add_argument("--patience", type=float, default=300.0, help="seconds to wait for a server that is away")
    args = parser.parse_args()

    client = Client(args.url, args.token)
    names = [e["name"] for e in retrying(client.experiments, "list", args.patience)]
    if args.experiment in names:
        exp = client.experiment(args.experiment)
    else:
        config = {**CONFIG, "strategy": args.strategy}
        exp = retrying(lambda: client.create(args.experiment, config), "create", args.patience)

    asked = told = failed = 0
    in_flight: Dict[Future, int] = {}
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        while told + failed < args.trials:
            # Keep the slots full: one ask per free slot, never past the budget.
            while len(in_flight) < args.parallel and asked < args.trials:
                trial = retrying(lambda: exp.ask(1), "ask", args.patience)[0]
                asked += 1
                in_flight[pool.submit(evaluate, trial["params"], args.delay)] = trial["id"]
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                trial_id = in_flight.pop(future)
                try:
                    values = future.result()
                except Exception as error:  # the simulation crashed: record why
                    retrying(lambda: exp.fail(trial_id, repr(error)), f"fail of trial {trial_id}", args.patience)
                    failed += 1
                    print(f"failed trial {trial_id}: {error!r}", flush=True)
                    continue
                tell(exp, trial_id, values, args.patience)
                told += 1
                print(f"told trial {trial_id}: " + ", ".join(f"{k}={v:.4g}" for k, v in values.items()), flush=True)

    front = retrying(exp.front, "front", args.patience)
    print(f"done: {told} told, {failed} failed; {len(front)} trials on the Pareto front", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
