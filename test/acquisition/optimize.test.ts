import { describe, expect, it } from 'vitest';
import type { McAcquisition } from '../../src/acquisition/mc-acquisition.js';
import {
  type AcquisitionDomain,
  boltzmannRestarts,
  optimizeAcquisition,
  optimizeSequentialGreedy,
  type SequentialAcquisition,
} from '../../src/acquisition/optimize.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { createRng } from '../../src/random/rng.js';

/** A smooth test acquisition: -|x - center|^2 (maximum 0 at center), minus a bump at each pending point. */
class Quadratic implements McAcquisition {
  readonly d: number;
  readonly center: Float64Array;
  readonly pending: Float64Array[] = [];
  calls = 0;

  constructor(center: number[]) {
    this.d = center.length;
    this.center = Float64Array.from(center);
  }

  evaluate(X: Float64Array, q: number): number {
    return this.valueAndGradient(X, q, new Float64Array(X.length));
  }

  valueAndGradient(X: Float64Array, q: number, gradX: Float64Array): number {
    expect(q).toBe(1);
    this.calls++;
    let value = 0;
    for (let j = 0; j < this.d; j++) {
      value -= (X[j]! - this.center[j]!) ** 2;
      gradX[j] = -2 * (X[j]! - this.center[j]!);
    }
    for (const p of this.pending) {
      let r2 = 0;
      for (let j = 0; j < this.d; j++) r2 += (X[j]! - p[j]!) ** 2;
      const bump = Math.exp(-r2 / 0.02);
      value -= bump;
      for (let j = 0; j < this.d; j++) gradX[j] = gradX[j]! + (bump * 2 * (X[j]! - p[j]!)) / 0.02;
    }
    return value;
  }
}

function matrix(rows: number[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  return { rows: rows.length, cols, data: Float64Array.from(rows.flat()) };
}

describe('boltzmannRestarts (initialize_q_batch)', () => {
  it('draws distinct indices, always including the best, reproducibly', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i) * 3);
    const a = boltzmannRestarts(values, 10, 1, createRng(4));
    const b = boltzmannRestarts(values, 10, 1, createRng(4));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(10);
    let best = 0;
    for (let i = 1; i < 100; i++) if (values[i]! > values[best]!) best = i;
    expect(a).toContain(best);
  });

  it('favours high values and survives overflow, constant and non-finite values', () => {
    const values = new Float64Array(1000);
    for (let i = 0; i < 1000; i++) values[i] = i < 10 ? 1e6 : 0;
    const picks = boltzmannRestarts(values, 10, 1, createRng(1));
    expect(picks.filter((i) => i < 10).length).toBeGreaterThanOrEqual(9);
    expect(new Set(boltzmannRestarts(new Float64Array(20), 5, 1, createRng(2))).size).toBe(5);
    const some = Float64Array.from([Number.NEGATIVE_INFINITY, 1, Number.NaN, 2, Number.NEGATIVE_INFINITY]);
    const chosen = boltzmannRestarts(some, 3, 1, createRng(3));
    expect(new Set(chosen).size).toBe(3);
    expect(chosen).toContain(3);
    expect(boltzmannRestarts(Float64Array.from([1, 2]), 5, 1, createRng(0))).toEqual([0, 1]);
  });
});

describe('optimizeAcquisition', () => {
  it('finds an interior maximum and a maximum outside the cube on its boundary', () => {
    const inside = optimizeAcquisition(new Quadratic([0.3, 0.7, 0.45]), {
      rawSamples: 64,
      restarts: 3,
      seed: 1,
    });
    expect(Array.from(inside.x).map((v) => Number(v.toFixed(4)))).toEqual([0.3, 0.7, 0.45]);
    expect(inside.value).toBeGreaterThan(-1e-8);
    expect(inside.source).toBe('restart');
    const outside = optimizeAcquisition(new Quadratic([1.4, -0.2]), { rawSamples: 32, restarts: 2 });
    expect(Array.from(outside.x)).toEqual([1, 0]);
  });

  it('is deterministic given its seed', () => {
    const run = (seed: number) =>
      Array.from(
        optimizeAcquisition(new Quadratic([0.2, 0.2]), {
          rawSamples: 16,
          restarts: 2,
          // Raw samples only, so that the answer shows the seed.
          timeBudgetMs: 0,
          seed,
        }).x,
      );
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('respects linear constraints: raw samples inside, results projected, never infeasible', () => {
    const domain: AcquisitionDomain = {
      dimension: 2,
      constraintMatrix: matrix([[1, 1]]),
      constraintBound: Float64Array.from([0.5]),
    };
    const best = optimizeAcquisition(new Quadratic([0.6, 0.6]), {
      rawSamples: 64,
      restarts: 4,
      domain,
      seed: 2,
    });
    expect(best.x[0]! + best.x[1]!).toBeLessThanOrEqual(0.5);
    // The projection of (0.6, 0.6) onto x + y <= 0.5 is (0.25, 0.25).
    expect(best.x[0]!).toBeCloseTo(0.25, 4);
    expect(best.x[1]!).toBeCloseTo(0.25, 4);
    const tiny: AcquisitionDomain = {
      dimension: 2,
      constraintMatrix: matrix([
        [1, 1],
        [-1, -1],
      ]),
      constraintBound: Float64Array.from([-0.1, 0.2]),
    };
    expect(() =>
      optimizeAcquisition(new Quadratic([0.5, 0.5]), { rawSamples: 8, restarts: 2, domain: tiny }),
    ).toThrow(/none of \d+ Sobol points satisfies the linear constraints/);
  });

  it('rounds integer and one-hot columns, re-evaluating the rounded points', () => {
    // Column 0: an integer on a grid of 5 levels; columns 1-2: a one-hot block.
    const domain: AcquisitionDomain = {
      dimension: 3,
      columns: [{ kind: 'integer' }, { kind: 'onehot' }, { kind: 'onehot' }],
      round(x) {
        x[0] = Math.round(Math.min(1, Math.max(0, x[0]!)) * 4) / 4;
        const hot = x[2]! > x[1]! ? 2 : 1;
        x[1] = hot === 1 ? 1 : 0;
        x[2] = hot === 2 ? 1 : 0;
      },
    };
    const acquisition = new Quadratic([0.4, 0.2, 0.9]);
    const best = optimizeAcquisition(acquisition, { rawSamples: 32, restarts: 3, domain });
    expect(Array.from(best.x)).toEqual([0.5, 0, 1]);
    expect(best.value).toBeCloseTo(acquisition.evaluate(Float64Array.from([0.5, 0, 1]), 1), 12);
  });

  it('never returns an excluded point: the next restart, a raw sample or a perturbation instead', () => {
    const exclude = [matrix([[0.3, 0.7]])];
    const best = optimizeAcquisition(new Quadratic([0.3, 0.7]), { rawSamples: 32, restarts: 3, exclude });
    expect(Math.max(Math.abs(best.x[0]! - 0.3), Math.abs(best.x[1]! - 0.7))).toBeGreaterThan(1e-6);
    // A discrete domain of two points, one excluded: the other one.
    const domain: AcquisitionDomain = {
      dimension: 1,
      columns: [{ kind: 'integer' }],
      round(x) {
        x[0] = x[0]! < 0.5 ? 0 : 1;
      },
    };
    const other = optimizeAcquisition(new Quadratic([0.9]), {
      rawSamples: 8,
      restarts: 2,
      domain,
      exclude: [matrix([[1]])],
    });
    expect(Array.from(other.x)).toEqual([0]);
    expect(() =>
      optimizeAcquisition(new Quadratic([0.9]), {
        rawSamples: 8,
        restarts: 2,
        domain,
        exclude: [matrix([[1], [0]])],
      }),
    ).toThrow(/found no feasible point .* exhausted/);
  });

  it('stops at the time budget with a valid point', () => {
    const acquisition = new Quadratic([0.3, 0.3, 0.3, 0.3]);
    const best = optimizeAcquisition(acquisition, { rawSamples: 512, restarts: 4, timeBudgetMs: 0 });
    expect(best.timedOut).toBe(true);
    expect(best.source).toBe('raw');
    // Only the minimum of raw samples (one per restart) was evaluated.
    expect(acquisition.calls).toBe(4);
    expect(best.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('validates its options', () => {
    expect(() => optimizeAcquisition(new Quadratic([0.5]), { restarts: 0 })).toThrow(/restarts is 0/);
    expect(() => optimizeAcquisition(new Quadratic([0.5]), { timeBudgetMs: -1 })).toThrow(/timeBudgetMs/);
    expect(() => optimizeAcquisition(new Quadratic([0.5]), { domain: { dimension: 2 } })).toThrow(
      /domain has dimension 2, the acquisition 1/,
    );
  });
});

describe('optimizeSequentialGreedy', () => {
  it('makes each pick pending for the next ones and returns distinct points', () => {
    const acquisition = new Quadratic([0.5, 0.5]);
    const pendingSeen: number[] = [];
    const target: SequentialAcquisition = {
      current: () => acquisition,
      addPending: (x) => {
        acquisition.pending.push(x.slice());
        pendingSeen.push(acquisition.pending.length);
      },
    };
    const batch = optimizeSequentialGreedy(target, 3, { rawSamples: 64, restarts: 4, seed: 3 });
    expect(batch.candidates.rows).toBe(3);
    expect(batch.candidates.cols).toBe(2);
    expect(pendingSeen).toEqual([1, 2]);
    expect(batch.values[0]!).toBeCloseTo(0, 6);
    const rows = [0, 1, 2].map((i) => Array.from(batch.candidates.data.subarray(2 * i, 2 * i + 2)));
    for (let i = 0; i < 3; i++) {
      for (let k = 0; k < i; k++) {
        const gap = Math.hypot(rows[i]![0]! - rows[k]![0]!, rows[i]![1]! - rows[k]![1]!);
        expect(gap).toBeGreaterThan(0.05);
      }
    }
  });

  it('returns the requested number of picks even after the budget is spent', () => {
    const acquisition = new Quadratic([0.5, 0.5]);
    const batch = optimizeSequentialGreedy({ current: () => acquisition, addPending: () => {} }, 4, {
      rawSamples: 32,
      restarts: 2,
      timeBudgetMs: 0,
    });
    expect(batch.candidates.rows).toBe(4);
    expect(batch.timedOut).toBe(true);
    const keys = new Set([0, 1, 2, 3].map((i) => batch.candidates.data.subarray(2 * i, 2 * i + 2).join(',')));
    expect(keys.size).toBe(4);
  });
});
