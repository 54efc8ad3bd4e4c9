/**
 * Closure test 2: with a fixed seed and batch-synchronous scheduling, every runner produces the same
 * trials and the same hypervolume. SLURM joins with MOBO_SLURM_TESTS=1 (a cluster started by
 * scripts/slurm/start.sh).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Optimizer } from '../../src/experiment/optimizer.js';
import {
  type BuiltinProblemSpec,
  builtinExperiment,
  builtinProblem,
  builtinTask,
  evaluateBuiltin,
  writeBuiltinTaskModule,
} from '../../src/runners/builtin.js';
import { InProcessRunner } from '../../src/runners/in-process.js';
import { PoolRunner } from '../../src/runners/pool.js';
import { Scheduler } from '../../src/runners/scheduler.js';
import { SlurmRunner } from '../../src/runners/slurm.js';
import { SubprocessRunner, taskCommand } from '../../src/runners/subprocess.js';
import type { Runner, Task } from '../../src/runners/types.js';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-closure-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const spec: BuiltinProblemSpec = { name: 'dtlz2', objectives: 2, dimensions: 4 };
const problem = builtinProblem(spec);

interface Outcome {
  trials: { id: number; state: string; params: unknown; values: unknown }[];
  hypervolume: number;
}

async function experiment(kind: string, make: (task: Task, output: string) => Runner): Promise<Outcome> {
  const output = join(root, kind);
  mkdirSync(output, { recursive: true });
  const task = writeBuiltinTaskModule(output, spec);
  const opt = await Optimizer.create(
    {
      journal: join(output, 'journal.jsonl'),
      ...builtinExperiment(problem),
      strategy: [{ strategy: 'sobol', trials: 4 }, { strategy: 'nsga2' }],
      seed: 11,
    },
    { logger: { warn: () => {} } },
  );
  const runner = make(task, output);
  const result = await new Scheduler(opt, runner, {
    trials: 12,
    maxParallel: 4,
    batchSynchronous: true,
    minPollMs: 5,
    maxPollMs: 200,
  }).run();
  await runner.close();
  expect(result.reason).toBe('budget');
  const out: Outcome = {
    trials: opt.trials().map((t) => ({ id: t.id, state: t.state, params: t.params, values: t.values })),
    hypervolume: opt.hypervolume(),
  };
  await opt.close();
  return out;
}

describe('closure: the same seed gives the same experiment on every runner (batch-synchronous)', () => {
  it('in-process, worker pool and subprocess agree trial by trial', async () => {
    const inProcess = await experiment(
      'in-process',
      (_, output) => new InProcessRunner(builtinTask(spec), { directory: output }),
    );
    expect(inProcess.trials).toHaveLength(12);
    for (const t of inProcess.trials) {
      expect(t.state).toBe('completed');
      expect(t.values).toEqual(evaluateBuiltin(problem, t.params as Record<string, number>));
    }
    expect(inProcess.hypervolume).toBeGreaterThan(0);
    const pool = await experiment(
      'pool',
      (task, output) => new PoolRunner(task, { maxThreads: 4, directory: output }),
    );
    expect(pool).toEqual(inProcess);
    const subprocess = await experiment(
      'subprocess',
      (task, output) =>
        new SubprocessRunner({ command: taskCommand(task), directory: output, maxConcurrent: 4 }),
    );
    expect(subprocess).toEqual(inProcess);
    if (process.env.MOBO_SLURM_TESTS === '1') {
      const slurm = await experiment(
        'slurm',
        (task, output) => new SlurmRunner({ directory: output, task, pollInterval: 200 }),
      );
      expect(slurm).toEqual(inProcess);
    }
  });
});
