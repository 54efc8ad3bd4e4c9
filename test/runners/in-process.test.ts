import { describe, expect, it } from 'vitest';
import { InProcessRunner } from '../../src/runners/in-process.js';
import { defineTask } from '../../src/runners/task.js';
import type { TrialRequest } from '../../src/runners/types.js';
import { conformanceTask, runnerConformance, waitFinished } from './conformance.js';

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
    const { statuses } = await waitFinished(runner, handles.slice(0, 1), 5000);
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
      const { statuses } = await waitFinished(runner, [{ id: 7, metadata: metadata[0]! }], 5000);
      expect(statuses[0]!.outcome).toMatchObject({ status: 'failed', transient: false });
      expect(statuses[0]!.outcome?.status === 'failed' && statuses[0]!.outcome.reason).toMatch(pattern);
      await runner.close();
    }
  });

  it('fails a trial whose task calls process.exit, and restores process.exit once no trial runs', async () => {
    const original = process.exit;
    const runner = new InProcessRunner(async (params) => {
      if (params.mode === 'sync') process.exit(3);
      await new Promise((r) => setTimeout(r, 1));
      if (params.mode === 'async') process.exit();
      return { y: 1 };
    });
    const trials: TrialRequest[] = [
      { id: 1, params: { mode: 'sync' }, attempt: 1 },
      { id: 2, params: { mode: 'async' }, attempt: 1 },
      { id: 3, params: { mode: 'none' }, attempt: 1 },
    ];
    const metadata = await runner.run(trials);
    const handles = trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! }));
    const { statuses } = await waitFinished(runner, handles, 10_000);
    const exited = (code: string) =>
      `the task called process.exit(${code}), which would end mobo itself; an in-process task must return values or throw (run code that exits with the pool or subprocess runner)`;
    expect(statuses.map((s) => s.outcome)).toEqual([
      { status: 'failed', reason: exited('3'), transient: false },
      { status: 'failed', reason: exited(''), transient: false },
      { status: 'completed', values: { y: 1 } },
    ]);
    expect(process.exit).toBe(original);
    await runner.close();
  });

  it('counts stopped tasks that ignore their signal, and gives process.exit back on close', async () => {
    const original = process.exit;
    let finish: () => void = () => {};
    const runner = new InProcessRunner(
      () =>
        new Promise<Record<string, number>>((resolve) => {
          finish = () => resolve({ y: 1 });
        }),
    );
    const metadata = await runner.run([{ id: 1, params: {}, attempt: 1 }]);
    const handle = { id: 1, metadata: metadata[0]! };
    await runner.stop([handle]);
    expect(runner.lingering).toBe(1);
    expect((await runner.poll([handle]))[0]!.outcome).toEqual({
      status: 'failed',
      reason: 'stopped',
      transient: false,
    });
    await runner.close();
    expect(process.exit).toBe(original);
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(runner.lingering).toBe(0);
  });
});
