/** MoboGenerator above d = 20: local search around the Pareto set, and the widened reference point. */
import { describe, expect, it } from 'vitest';
import { dtlz2 } from '../../problems/dtlz.js';
import { SobolSequence } from '../../src/random/sobol.js';
import { defaultLocalRadius, MoboGenerator, widenedReference } from '../../src/strategy/mobo.js';
import { continuous, fromRows, input, space } from './helpers.js';

describe('widenedReference', () => {
  it('keeps the reference point while some observation lies inside its box', () => {
    const Y = fromRows(
      [
        [2, 3],
        [1, 1],
        [5, 0.5],
      ],
      2,
    );
    expect(widenedReference([1.1, 1.1], Y)).toEqual([1.1, 1.1]);
  });

  it('with none inside, takes the larger of it and the nadir of the front plus 10% of its range', () => {
    // Front: (2, 3), (3, 2), (6, 1); (7, 7) is dominated. Nadir (6, 3), range (4, 2): (6.4, 3.2).
    const Y = fromRows(
      [
        [2, 3],
        [3, 2],
        [6, 1],
        [7, 7],
      ],
      2,
    );
    const r = widenedReference([1.1, 5], Y);
    expect(r[0]).toBeCloseTo(6.4, 12);
    expect(r[1]).toBe(5);
  });
});

describe('MoboGenerator above d = 20', () => {
  it('defaults to local restarts (radius 0.1) above d = 20 and to the whole cube up to it', () => {
    expect(defaultLocalRadius(20)).toBe(Number.POSITIVE_INFINITY);
    expect(defaultLocalRadius(21)).toBe(0.1);
  });

  it('proposes points that move a few coordinates of observed points, and records how', async () => {
    const d = 60;
    const problem = dtlz2({ objectives: 2, dimensions: d });
    const X = new SobolSequence(d, { scramble: true, seed: 3 }).next(24);
    const Y = problem.evaluate(X);
    const generator = new MoboGenerator({ aroundBestSamples: 48, restarts: 2, mcSamples: 16 });
    const result = await generator.generate(
      input(space(continuous(d)), 2, {
        X,
        Y,
        completedIds: Array.from({ length: 24 }, (_, i) => i),
        referencePoint: Float64Array.from([1.1, 1.1]),
      }),
    );
    const meta = result.metadata;
    expect(meta.localRadius).toBe(0.1);
    expect(meta.rawSamples).toBe(0);
    expect(meta.aroundBestSamples).toBe(48);
    // No Sobol point of DTLZ2 at d = 60 lies in the box [0, 1.1]^2: the acquisition's reference is widened.
    const acquisitionReference = meta.acquisitionReference as number[];
    expect(acquisitionReference[0]).toBeGreaterThan(1.1);
    // Each candidate agrees exactly with some observed point in most coordinates (each moved with
    // probability 20 / 60); the first pick starts from a front point and moves <= 0.1 from its draw.
    for (let i = 0; i < result.candidates.rows; i++) {
      const x = result.candidates.data.subarray(i * d, (i + 1) * d);
      let most = 0;
      for (let r = 0; r < X.rows; r++) {
        let same = 0;
        for (let j = 0; j < d; j++) if (x[j] === X.data[r * d + j]) same++;
        most = Math.max(most, same);
      }
      expect(most).toBeGreaterThanOrEqual(25);
    }
  });
});
