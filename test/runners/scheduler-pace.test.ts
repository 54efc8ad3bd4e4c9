/**
 * Paced generation: in asynchronous mode the scheduler gives each ask a time budget of
 * PACE_FRACTION x median attempt time / maxParallel x trials asked (once 3 attempts completed), the
 * Optimizer hands it to the generator as `timeBudgetMs`, and batch-synchronous mode never paces.
 *
 * The scheduler times attempts with `Date.now()`, so these tests fake the clock (only `Date`; real
 * timers still run): each task moves it forward by its nominal duration, and what the scheduler
 * measures depends on the tasks alone, never on how busy the machine is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dtlz2 } from '../../problems/dtlz.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { zeros } from '../../src/linalg/matrix.js';
import { SobolSequence } from '../../src/random/sobol.js';
import { InProcessRunner } from '../../src/runners/in-process.js';
import { MIN_PACED_SEARCH_MS, PACE_FRACTION, Scheduler } from '../../src/runners/scheduler.js';
import type { GenerationInput } from '../../src/strategy/generator.js';
import { MoboGenerator } from '../../src/strategy/mobo.js';
import { SobolGenerator } from '../../src/strategy/sobol.js';
import { GeneratorRegistry } from '../../src/strategy/strategies.js';
import { continuous, space } from '../strategy/helpers.js';
import { twoObjectiveConfig } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'mobo-pace-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A task that takes `ms` of the faked clock: it lets the scheduler note its launch (a real timer of
 * 1 ms, after the scheduler's own continuations), then moves the clock on by `ms`. With 2 slots an
 * attempt is measured at `ms` to `3 ms` (the other slot's tasks may move the clock meanwhile).
 */
const task =
  (ms: number) =>
  async (p: Record<string, unknown>): Promise<Record<string, number>> => {
    await new Promise((r) => setTimeout(r, 1));
    vi.setSystemTime(Date.now() + ms);
    return { f1: Number(p.x1), f2: 1 - Number(p.x1) };
  };

async function run(batchSynchronous: boolean, paceGeneration?: boolean, taskMs = 200) {
  const budgets: (number | undefined)[] = [];
  const registry = new GeneratorRegistry();
  // A model step that records the budget it was given (Sobol underneath).
  registry.register('mobo-bo', () => ({
    name: 'recording',
    generate: (input: GenerationInput) => {
      budgets.push(input.timeBudgetMs);
      return new SobolGenerator().generate(input);
    },
  }));
  const opt = await Optimizer.create(
    twoObjectiveConfig(undefined, 1, { strategy: 'mobo', options: { initialTrials: 2 } }),
    { registry, logger: { warn: () => {} } },
  );
  const runner = new InProcessRunner(task(taskMs), { directory: join(root, `r${Math.random()}`) });
  vi.useFakeTimers({ toFake: ['Date'] });
  let result: Awaited<ReturnType<Scheduler['run']>>;
  try {
    result = await new Scheduler(opt, runner, {
      trials: 16,
      maxParallel: 2,
      batchSynchronous,
      offThreadGeneration: false,
      ...(paceGeneration === undefined ? {} : { paceGeneration }),
    }).run();
  } finally {
    vi.useRealTimers();
  }
  await runner.close();
  await opt.close();
  return { budgets, result };
}

describe('paced generation', () => {
  it('budgets asks from the median attempt time once 3 attempts completed, and hands the budget to the generator', async () => {
    const { budgets, result } = await run(false, true);
    expect(result.stats.paceGeneration).toBe(true);
    const paced = result.stats.asks.filter((a) => a.budgetMs !== undefined);
    expect(paced.length).toBeGreaterThan(0);
    // Attempts take 200 ms of the faked clock, measured at 200 to 600 ms (see `task`).
    for (const a of paced) {
      expect(a.budgetMs!).toBeGreaterThanOrEqual((PACE_FRACTION * 200 * a.count) / 2);
      expect(a.budgetMs!).toBeLessThanOrEqual((PACE_FRACTION * 600 * a.count) / 2);
    }
    // The model step saw the same budgets (the first asks, before 3 completions, had none).
    expect(budgets.filter((b) => b !== undefined).length).toBeGreaterThan(0);
    expect(budgets[0]).toBeUndefined();
  });

  it('never paces in batch-synchronous mode, nor when turned off, nor when trials are too quick for a useful search', async () => {
    for (const [batch, pace, ms] of [
      [true, true, 200],
      [false, false, 200],
      // At most 0.7 x 120 ms / 2 slots = 42 ms a trial (attempts of 40 ms measured at up to 120 ms,
      // see `task`), under MIN_PACED_SEARCH_MS.
      [false, true, 40],
    ] as const) {
      expect((PACE_FRACTION * 120) / 2).toBeLessThan(MIN_PACED_SEARCH_MS);
      const { budgets, result } = await run(batch, pace, ms);
      expect(result.stats.asks.every((a) => a.budgetMs === undefined)).toBe(true);
      expect(budgets.every((b) => b === undefined)).toBe(true);
    }
  });

  it('MoboGenerator meets a tight budget by cutting its search short, and still returns new points', async () => {
    const X = new SobolSequence(3, { scramble: true, seed: 2 }).next(10);
    const Y = dtlz2({ objectives: 2, dimensions: 3 }).evaluate(X);
    const input = {
      space: space(continuous(3)),
      X,
      completedIds: Array.from({ length: 10 }, (_, i) => i),
      Y,
      C: zeros(10, 0),
      failed: zeros(0, 3),
      pending: zeros(0, 3),
      referencePoint: Float64Array.from([1.1, 1.1]),
      count: 2,
      seed: 4,
      state: undefined,
    };
    const full = await new MoboGenerator({ backend: 'float64' }).generate(input);
    const paced = await new MoboGenerator({ backend: 'float64' }).generate({ ...input, timeBudgetMs: 1 });
    expect(full.metadata.timedOut).toBe(false);
    expect(paced.metadata.timedOut).toBe(true);
    expect(paced.candidates.rows).toBe(2);
    expect((paced.metadata.evaluations as number[])[0]!).toBeLessThan(
      (full.metadata.evaluations as number[])[0]!,
    );
  });

  it('rejects a bad budget in Optimizer.ask', async () => {
    const opt = await Optimizer.create(
      {
        parameters: [{ name: 'x1', type: 'float', bounds: [0, 1] }],
        objectives: [{ name: 'f1', minimize: true }],
        strategy: 'sobol',
        seed: 1,
      },
      { logger: { warn: () => {} } },
    );
    await expect(opt.ask(1, { timeBudgetMs: -5 })).rejects.toThrow(
      /timeBudgetMs must be a number of ms > 0, got -5/,
    );
    await opt.close();
  });
});
