/**
 * The batched (asynchronous) driver of the acquisition search runs the same search as the
 * synchronous one: with an acquisition that evaluates a batch row by row, both give the same picks,
 * values and evaluation counts, bit for bit, and the batched driver asks for many points per call.
 */
import { describe, expect, it } from 'vitest';
import { QLogNehvi } from '../../src/acquisition/hypervolume-improvement.js';
import {
  type BatchAcquisition,
  optimizeSequentialGreedy,
  optimizeSequentialGreedyBatched,
} from '../../src/acquisition/optimize.js';
import { problem } from '../tensor/fixture.js';

/** A batched view of a float64 acquisition that records the batch sizes it was asked for. */
function batched(acq: QLogNehvi, sizes: number[]): BatchAcquisition {
  return {
    d: acq.d,
    async evaluate(X, b, q) {
      sizes.push(b);
      return Float64Array.from({ length: b }, (_, i) =>
        acq.evaluate(X.slice(i * q * acq.d, (i + 1) * q * acq.d), q),
      );
    },
    async valueAndGradient(X, b, q, gradX) {
      sizes.push(b);
      const n = q * acq.d;
      return Float64Array.from({ length: b }, (_, i) =>
        acq.valueAndGradient(X.slice(i * n, (i + 1) * n), q, gradX.subarray(i * n, (i + 1) * n)),
      );
    },
  };
}

describe('optimizeSequentialGreedyBatched', () => {
  it('gives the synchronous search result exactly, with batched calls', async () => {
    const p = problem(14, 'batched-driver');
    const make = () =>
      new QLogNehvi({ objectives: p.objectives, reference: [0.9, 0.9, 0.9], baseline: p.X, samples: 16 });
    const options = { rawSamples: 48, restarts: 3, seed: 5, maxIterations: 40 };
    const syncAcq = make();
    const sync = optimizeSequentialGreedy(
      {
        current: () => syncAcq,
        addPending: (x) => syncAcq.addPending({ rows: 1, cols: syncAcq.d, data: x }),
      },
      3,
      options,
    );
    const asyncAcq = make();
    const sizes: number[] = [];
    const view = batched(asyncAcq, sizes);
    let pendingCalls = 0;
    const viaBatches = await optimizeSequentialGreedyBatched(
      {
        current: async () => view,
        addPending: async (x) => {
          pendingCalls++;
          asyncAcq.addPending({ rows: 1, cols: asyncAcq.d, data: x });
        },
      },
      3,
      options,
    );
    expect(Array.from(viaBatches.candidates.data)).toEqual(Array.from(sync.candidates.data));
    expect(viaBatches.values).toEqual(sync.values);
    expect(viaBatches.picks.map((k) => k.evaluations)).toEqual(sync.picks.map((k) => k.evaluations));
    expect(pendingCalls).toBe(2);
    // All raw samples of a pick in one call; each L-BFGS-B iteration's restarts together.
    expect(sizes).toContain(48);
    expect(Math.max(...sizes.filter((s) => s !== 48))).toBe(3);
  });

  it('checks the count like the synchronous search', async () => {
    await expect(
      optimizeSequentialGreedyBatched({ current: () => ({}) as BatchAcquisition, addPending: () => {} }, -1),
    ).rejects.toThrow(/count is -1/);
  });
});
