import { describe, expect, it } from 'vitest';
import { InProcessRunner } from '../../src/runners/in-process.js';
import { defineTask } from '../../src/runners/task.js';
import type { TrialRequest } from '../../src/runners/types.js';
import { conformanceTask, runnerConformance, WAIT_MS, waitFinished } from './conformance.js';

runnerConformance('InProcessRunner', () => new InProcessRunner(conformanceTask, { maxConcurrent: 2 }), {
  concurrency: 2,
  reattach: false,
  separateProcess: false,
});

describe('InProcessRunner', () => {
  it('runs a plain function and passes an abort signal that stop() fires', async () => {
    let aborted = false;
    const runner = new InProcessRunner(async (params, context) => {
      if (params.mode === 'wait') {
        await new Promise<void>((resolve) => context.signal?.addEventListener('abort', () => resolve()));
        aborted = true;
      }
      return { y: Number(params.x) * 2 };
    });
    const trials: TrialRequest[] = [
      { id: 1, params: { x: 21 }, attempt: 1 },
      { id: 2, params: { mode: 'wait' }, attempt: 1 },
    ];
    const metadata = await runner.run(trials);
    const handles = trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! }));
    const { statuses } = await waitFinished(runner, handles.slice(0, 1), WAIT_MS);
    expect(statuses[0]!.outcome).toEqual({ status: 'completed', values: { y: 42 } });
    await runner.stop(handles.slice(1));
    expect(aborted).toBe(true);
    await runner.close();
  });

  it('queues trials beyond maxConcurrent and refuses a trial already in flight', async () => {
    const runner = new InProcessRunner(
      (_, context) =>
        new Promise<Record<string, number>>((_resolve, reject) =>
          context.signal?.addEventListener('abort', reject),
        ),
      { maxConcurrent: 1 },
    );
    const trials: TrialRequest[] = [
      { id: 1, params: {}, attempt: 1 },
      { id: 2, params: {}, attempt: 1 },
    ];
    const metadata = await runner.run(trials);
    const states = await runner.poll(trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! })));
    expect(states.map((s) => s.state)).toEqual(['running', 'queued']);
    await expect(runner.run(trials.slice(0, 1))).rejects.toThrow(/trial 1 is already in flight/);
    await runner.close();
    await expect(runner.run(trials.slice(0, 1))).rejects.toThrow(/after close/);
  });

  it('fails trials with a clear reason when the task module or export is missing', async () => {
    const missing = new InProcessRunner(defineTask('/nonexistent/task.js', 'evaluate'));
    const noExport = new InProcessRunner({ ...conformanceTask, exportName: 'nope' });
    for (const [runner, pattern] of [
      [missing, /cannot load task module \/nonexistent\/task\.js/],
      [noExport, /has no exported function "nope" \(it exports conformanceTask/],
    ] as const) {
      const metadata = await runner.run([{ id: 7, params: {}, attempt: 1 }]);
      const { statuses } = await waitFinished(runner, [{ id: 7, metadata: metadata[0]! }], WAIT_MS);
      expect(statuses[0]!.outcome).toMatchObject({ status: 'failed', transient: false });
      expect(statuses[0]!.outcome?.status === 'failed' && statuses[0]!.outcome.reason).toMatch(pattern);
      await runner.close();
    }
  });
});
