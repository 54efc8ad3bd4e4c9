#!/usr/bin/env python3
"""A stand-in for a detector simulation, driven by mobo as a command task.

mobo runs it once per trial, as an argv (never through a shell), with:
  MOBO_PARAMS_FILE  a JSON file with the trial's parameters by name
  MOBO_PARAM_<NAME> each parameter as a variable (name upper-cased, other characters as _)
  MOBO_RESULT_FILE  where to write the objective values as a JSON object
  MOBO_TRIAL_ID, MOBO_ATTEMPT, MOBO_WORKDIR (this trial's own folder)
and the arguments of the config's "command" ("--seed {trial}" arrives as "--seed 7").

It writes {"resolution": ..., "cost": ...} to MOBO_RESULT_FILE. Printing the same JSON object as
the last line of standard output would do as well. Standard library only.
"""
import argparse
import json
import math
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    with open(os.environ["MOBO_PARAMS_FILE"], encoding="utf-8") as f:
        params = json.load(f)
    thickness = float(params["thickness"])
    layers = int(params["layers"])
    radiator = params["radiator"]
    # Two conflicting objectives: thicker, more layers resolve better and cost more.
    gain = 1.3 if radiator == "aerogel" else 1.0
    resolution = 1.0 / (gain * math.sqrt(thickness * layers)) + 0.01 * (args.seed % 3)
    cost = thickness * layers * (2.0 if radiator == "aerogel" else 1.0)
    # Files in this trial's own folder stay with the trial.
    with open(os.path.join(os.environ["MOBO_WORKDIR"], "log.txt"), "w", encoding="utf-8") as f:
        cpus = os.environ.get("SLURM_CPUS_PER_TASK", "-")
        gpus = os.environ.get("CUDA_VISIBLE_DEVICES", "-")
        f.write(f"seed {args.seed} cpus {cpus} gpus {gpus}\n")
    with open(os.environ["MOBO_RESULT_FILE"], "w", encoding="utf-8") as f:
        json.dump({"resolution": resolution, "cost": cost}, f)


if __name__ == "__main__":
    main()
