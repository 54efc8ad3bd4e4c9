/**
 * The acquisition optimizer's local search (samples around good points, restarts bounded near their
 * start), as MoboGenerator uses it above d = 20.
 */
import { describe, expect, it } from 'vitest';
import type { McAcquisition } from '../../src/acquisition/mc-acquisition.js';
import { optimizeAcquisition } from '../../src/acquisition/optimize.js';

/** A linear acquisition s . x: its maximum over the cube is the corner the signs of s pick. */
class Linear implements McAcquisition {
  readonly d: number;
  readonly slope: Float64Array;
  seen: Float64Array[] = [];

  constructor(slope: Float64Array) {
    this.d = slope.length;
    this.slope = slope;
  }

  evaluate(X: Float64Array, q: number): number {
    return this.valueAndGradient(X, q, new Float64Array(X.length));
  }

  valueAndGradient(X: Float64Array, _q: number, gradX: Float64Array): number {
    this.seen.push(X.slice(0, this.d));
    let v = 0;
    for (let j = 0; j < this.d; j++) {
      v += this.slope[j]! * X[j]!;
      gradX[j] = this.slope[j]!;
    }
    return v;
  }
}

const d = 100;
const slope = Float64Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 1 : -1) * (1 + (j % 7) / 7));
const centre = new Float64Array(d).fill(0.5);
const points = { rows: 1, cols: d, data: centre };

describe('optimizeAcquisition: local search around good points', () => {
  it('without it, L-BFGS-B runs a linear acquisition into the corner its slopes pick', () => {
    const r = optimizeAcquisition(new Linear(slope), { rawSamples: 64, restarts: 4, seed: 1 });
    for (let j = 0; j < d; j++) expect(r.x[j]).toBeCloseTo(slope[j]! > 0 ? 1 : 0, 6);
  });

  it('restarts drawn around a point move only the coordinates their draw moved, at most localRadius', () => {
    const acquisition = new Linear(slope);
    const r = optimizeAcquisition(acquisition, {
      rawSamples: 0,
      restarts: 4,
      seed: 2,
      aroundBest: { points, count: 64, sigma: 0.05 },
      localRadius: 0.1,
    });
    let moved = 0;
    for (let j = 0; j < d; j++) {
      expect(Math.abs(r.x[j]! - 0.5)).toBeLessThanOrEqual(0.1 + 0.05 * 6);
      if (r.x[j] !== 0.5) moved++;
    }
    // Each coordinate is moved with probability 20 / d: about 20 of 100, far from all of them.
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(45);
    // The raw samples (the first 64 evaluations) each differ from the centre in a few coordinates.
    const raw = acquisition.seen.slice(0, 64);
    expect(raw.length).toBe(64);
    const changed = raw.map((x) => x.reduce((k, v) => k + (v !== 0.5 ? 1 : 0), 0));
    const mean = changed.reduce((s, v) => s + v, 0) / changed.length;
    expect(mean).toBeGreaterThan(12);
    expect(mean).toBeLessThan(28);
    expect(Math.min(...changed)).toBeGreaterThanOrEqual(1);
  });

  it('localRadius bounds a restart from a Sobol sample in every coordinate', () => {
    const acquisition = new Linear(slope);
    const r = optimizeAcquisition(acquisition, { rawSamples: 32, restarts: 1, seed: 3, localRadius: 0.05 });
    // One restart, from the best raw sample: the result is that sample moved by 0.05 (clipped) along the slopes.
    let best = acquisition.seen[0]!;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const x of acquisition.seen.slice(0, 32)) {
      const v = x.reduce((s, xi, j) => s + slope[j]! * xi, 0);
      if (v > bestValue) {
        bestValue = v;
        best = x;
      }
    }
    for (let j = 0; j < d; j++) {
      const expected = Math.min(1, Math.max(0, best[j]! + (slope[j]! > 0 ? 0.05 : -0.05)));
      expect(r.x[j]).toBeCloseTo(expected, 9);
    }
  });

  it('checks its options', () => {
    const a = new Linear(slope);
    expect(() => optimizeAcquisition(a, { localRadius: 0 })).toThrow(/localRadius is 0/);
    expect(() => optimizeAcquisition(a, { aroundBest: { points, count: -1 } })).toThrow(/aroundBest.count/);
    expect(() => optimizeAcquisition(a, { aroundBest: { points, count: 4, sigma: 0 } })).toThrow(
      /aroundBest.sigma/,
    );
    expect(() =>
      optimizeAcquisition(a, {
        aroundBest: { points: { rows: 1, cols: 3, data: new Float64Array(3) }, count: 4 },
      }),
    ).toThrow(/aroundBest.points has 3 columns/);
    expect(() => optimizeAcquisition(a, { rawSamples: 0 })).toThrow(/rawSamples is 0/);
  });
});
