import { describe, expect, it } from 'vitest';
import { PoolRunner } from '../../src/runners/pool.js';
import type { TrialRequest } from '../../src/runners/types.js';
import { conformanceTask, runnerConformance, WAIT_MS, waitFinished } from './conformance.js';

runnerConformance('PoolRunner', () => new PoolRunner(conformanceTask, { maxThreads: 2 }), {
  concurrency: 2,
  reattach: false,
  separateProcess: false,
});

describe('PoolRunner', () => {
  it('fails only the trial whose task crashes its worker thread (transient) and keeps working', async () => {
    const runner = new PoolRunner(conformanceTask, { maxThreads: 2 });
    try {
      const trials: TrialRequest[] = [
        { id: 1, params: { mode: 'exit', code: 3 }, attempt: 1 },
        { id: 2, params: { mode: 'timer-throw' }, attempt: 1 },
        { id: 3, params: { mode: 'values', x: 1, y: 2 }, attempt: 1 },
        { id: 4, params: { mode: 'throw', tag: 'plain' }, attempt: 1 },
      ];
      const metadata = await runner.run(trials);
      const handles = trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! }));
      const { statuses } = await waitFinished(runner, handles, WAIT_MS);
      expect(statuses[0]!.outcome).toEqual({
        status: 'failed',
        reason: 'worker thread crashed: worker exited with code: 3',
        transient: true,
      });
      expect(statuses[1]!.outcome).toEqual({
        status: 'failed',
        reason: 'worker thread crashed: uncaught in a timer',
        transient: true,
      });
      expect(statuses[2]!.outcome).toMatchObject({ status: 'completed', values: { sum: 3, product: 2 } });
      expect(statuses[3]!.outcome).toEqual({
        status: 'failed',
        reason: 'task threw: boom-plain',
        transient: false,
      });
      const again = [{ id: 5, params: { mode: 'values', x: 2, y: 2 }, attempt: 1 }];
      const more = await runner.run(again);
      const { statuses: after } = await waitFinished(runner, [{ id: 5, metadata: more[0]! }], WAIT_MS);
      expect(after[0]!.outcome).toMatchObject({ status: 'completed', values: { sum: 4 } });
    } finally {
      await runner.close();
    }
  });

  it('rejects a bad maxThreads', () => {
    expect(() => new PoolRunner(conformanceTask, { maxThreads: 0 })).toThrow(
      /maxThreads must be a positive integer, got 0/,
    );
  });
});
