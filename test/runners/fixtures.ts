/** Shared fixtures of the scheduler tests: a two-parameter, two-objective experiment and a sleeping task. */
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
