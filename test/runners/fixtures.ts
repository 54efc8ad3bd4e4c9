/**
 * Shared fixtures of the scheduler tests: a two-parameter, two-objective experiment, a sleeping task,
 * and the events tests wait on instead of time (a counter to await, a gate tasks wait at, a condition
 * polled until it holds). No test may depend on how fast the machine is: a test waits for what it
 * needs to have happened, never for a guess of how long that takes.
 */
import type { OptimizerConfig } from '../../src/experiment/config.js';
import { InProcessRunner } from '../../src/runners/in-process.js';

/** x1, x2 in [0, 1]; f1 and f2 minimized with thresholds 2; Sobol unless another strategy is given. */
export function twoObjectiveConfig(
  journal?: string,
  seed = 3,
  strategy: OptimizerConfig['strategy'] = 'sobol',
): OptimizerConfig {
  return {
    ...(journal === undefined ? {} : { journal }),
    parameters: [
      { name: 'x1', type: 'float', bounds: [0, 1] },
      { name: 'x2', type: 'float', bounds: [0, 1] },
    ],
    objectives: [
      { name: 'f1', minimize: true, threshold: 2 },
      { name: 'f2', minimize: true, threshold: 2 },
    ],
    strategy,
    seed,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts events; `reached(n)` resolves once n have happened. */
export class Counter {
  #count = 0;
  #waits: { n: number; resolve: () => void }[] = [];

  get count(): number {
    return this.#count;
  }

  add(): void {
    this.#count++;
    this.#waits = this.#waits.filter((w) => {
      if (this.#count < w.n) return true;
      w.resolve();
      return false;
    });
  }

  reached(n: number): Promise<void> {
    if (this.#count >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waits.push({ n, resolve }));
  }
}

/** A gate that tasks wait at until the test opens it; `arrived` counts the tasks that reached it. */
export class Gate {
  readonly arrived = new Counter();
  #open = false;
  #waiting: (() => void)[] = [];

  async pass(): Promise<void> {
    this.arrived.add();
    if (!this.#open) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  open(): void {
    this.#open = true;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

/** Resolves once `condition` holds, checking every 20 ms (the test's own timeout bounds the wait). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

/** The objectives of the fixture experiment. */
export const values = (p: Record<string, unknown>) => ({
  f1: Number(p.x1),
  f2: 1 - Number(p.x1) + Number(p.x2),
});

/** An in-process runner whose task sleeps `ms` and then returns `values`. */
export function sleepingRunner(ms: number, directory: string): InProcessRunner {
  return new InProcessRunner(
    async (p) => {
      await sleep(ms);
      return values(p);
    },
    { directory },
  );
}
