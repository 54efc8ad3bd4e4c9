import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PoolRunner } from '../../src/runners/pool.js';
import { ResourceSlots } from '../../src/runners/resources.js';
import { defineTask } from '../../src/runners/task.js';
import type { TrialRequest } from '../../src/runners/types.js';
import { conformanceTask, runnerConformance, waitFinished } from './conformance.js';

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
      const { statuses } = await waitFinished(runner, handles, 20_000);
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
      const { statuses: after } = await waitFinished(runner, [{ id: 5, metadata: more[0]! }], 20_000);
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

  it("gives each trial the GPUs of its lease in its thread's CUDA_VISIBLE_DEVICES, one trial per free pair", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mobo-pool-gpus-'));
    const module = join(dir, 'devices.mjs');
    // Trial 1 holds its devices until trial 2 has been queued behind it, then both report theirs.
    writeFileSync(
      module,
      `export async function devices(params) {
  await new Promise((r) => setTimeout(r, Number(params.holdMs)));
  return { devices: Number(process.env.CUDA_VISIBLE_DEVICES.split(',').join('')) };
}\n`,
    );
    const runner = new PoolRunner(defineTask(module, 'devices'), {
      maxThreads: 2,
      resources: { gpus: 2 },
      slots: new ResourceSlots({ cpus: 4, memoryMb: 1000, gpus: ['2', '3', '5'] }),
    });
    try {
      const trials: TrialRequest[] = [
        { id: 1, params: { holdMs: 200 }, attempt: 1 },
        { id: 2, params: { holdMs: 0 }, attempt: 1 },
      ];
      const metadata = await runner.run(trials);
      const handles = trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! }));
      // Two threads, but three GPUs: the second trial waits for the first one's pair.
      expect((await runner.poll(handles)).map((s) => s.state)).toEqual(['running', 'queued']);
      const { statuses } = await waitFinished(runner, handles, 30_000);
      expect(statuses.map((s) => s.outcome)).toEqual([
        { status: 'completed', values: { devices: 23 } },
        { status: 'completed', values: { devices: 23 } },
      ]);
    } finally {
      await runner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
