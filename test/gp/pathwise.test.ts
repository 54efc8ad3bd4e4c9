import { describe, expect, it } from 'vitest';
import type { KernelKind } from '../../src/gp/kernels.js';
import { createGpModel, type GpModel } from '../../src/gp/model.js';
import { PathwiseSampler, type SparsePoints } from '../../src/gp/pathwise.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { createRng } from '../../src/random/rng.js';

const D = 2;

/** A GP on 10 points of [0, 1]^2 with known hyperparameters (no fit: the test is about sampling). */
function model(kernel: KernelKind): GpModel {
  const rng = createRng('pathwise-data');
  const n = 10;
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [rng.uniform(), rng.uniform()];
    X.push(x);
    y.push(Math.sin(6 * x[0]!) + x[1]! * x[1]!);
  }
  return createGpModel(X, y, {
    kernel,
    lengthscales: [0.3, 0.5],
    outputscale: 1.3,
    noise: 1e-2,
    mean: 0.2,
  });
}

/** Test points: near the data, between, and far outside the cube. */
const P: Matrix = {
  rows: 5,
  cols: D,
  data: Float64Array.from([0.5, 0.5, 0.1, 0.9, 0.95, 0.05, 1.6, -0.4, 0.3, 0.35]),
};

/** Sample mean (q) and covariance (q x q) of S samples given as q x S rows. */
function moments(
  values: Float64Array[],
  q: number,
): { mean: Float64Array; cov: Float64Array; count: number } {
  let count = 0;
  const mean = new Float64Array(q);
  const second = new Float64Array(q * q);
  for (const v of values) {
    const S = v.length / q;
    for (let s = 0; s < S; s++) {
      count++;
      for (let a = 0; a < q; a++) {
        mean[a] = mean[a]! + v[a * S + s]!;
        for (let b = 0; b < q; b++) second[a * q + b] = second[a * q + b]! + v[a * S + s]! * v[b * S + s]!;
      }
    }
  }
  for (let a = 0; a < q; a++) mean[a] = mean[a]! / count;
  const cov = new Float64Array(q * q);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++)
      cov[a * q + b] = (second[a * q + b]! - count * mean[a]! * mean[b]!) / (count - 1);
  }
  return { mean, cov, count };
}

describe('PathwiseSampler', () => {
  for (const kernel of ['rbf', 'matern52'] as const) {
    it(`${kernel}: averaged over feature draws, samples have the exact posterior mean and covariance`, () => {
      const gp = model(kernel);
      const exact = gp.posteriorCovariance(P);
      const q = P.rows;
      // 1500 independent feature draws with 8 samples each. The samples of one feature draw share
      // their features, so count only the 1500 draws as independent: the standard error of a mean
      // is at most sqrt(var / 1500), of a covariance sqrt((C_aa C_bb + C_ab²) / 1500) (Gaussian
      // fourth moments; the feature draw adds less than that at F = 64). Five standard errors.
      const samplers = 1500;
      const values: Float64Array[] = [];
      for (let t = 0; t < samplers; t++) {
        const sampler = new PathwiseSampler(gp, { features: 64, seed: t });
        values.push(sampler.evaluate(sampler.draw(8, 1000 + t), P));
      }
      const { mean, cov } = moments(values, q);
      for (let a = 0; a < q; a++) {
        const va = exact.covariance[a * q + a]!;
        expect(Math.abs(mean[a]! - exact.mean[a]!)).toBeLessThan(5 * Math.sqrt(va / samplers));
        for (let b = 0; b < q; b++) {
          const vb = exact.covariance[b * q + b]!;
          const c = exact.covariance[a * q + b]!;
          const se = Math.sqrt((va * vb + c * c) / samplers);
          expect(Math.abs(cov[a * q + b]! - c)).toBeLessThan(5 * se + 1e-9);
        }
      }
    });
  }

  it('one feature draw: covariance within the O(s sqrt(2 / F)) error of its features, mean exact', () => {
    const gp = model('rbf');
    const exact = gp.posteriorCovariance(P);
    const q = P.rows;
    const F = 1024;
    const S = 5000;
    const sampler = new PathwiseSampler(gp, { features: F, seed: 7 });
    const { mean, cov } = moments([sampler.evaluate(sampler.draw(S, 8), P)], q);
    // On the user's scale the outputscale is s · yStd².
    const s = gp.hyperparameters.outputscale * gp.internals.yStd ** 2;
    // The feature approximation of k has sd s sqrt(2 / F) per entry (cos² averages 1/2, the
    // products of two cosines have variance at most 1/2 ... 1 per feature); the update subtracts
    // terms of the same size, so allow 4 of them for the covariance, plus 5 Monte Carlo errors.
    const featureError = 4 * s * Math.sqrt(2 / F);
    for (let a = 0; a < q; a++) {
      const va = exact.covariance[a * q + a]!;
      // The mean of one feature draw is biased by at most the feature error too (its prior mean term).
      expect(Math.abs(mean[a]! - exact.mean[a]!)).toBeLessThan(5 * Math.sqrt(va / S) + featureError);
      for (let b = 0; b < q; b++) {
        const vb = exact.covariance[b * q + b]!;
        const c = exact.covariance[a * q + b]!;
        const se = Math.sqrt((va * vb + c * c) / S);
        expect(Math.abs(cov[a * q + b]! - c)).toBeLessThan(5 * se + featureError);
      }
    }
  });

  it('at a training point with small noise the samples stay within the noise of the data', () => {
    const gp = model('rbf');
    const X = gp.internals.X;
    const at: Matrix = { rows: 1, cols: D, data: X.data.slice(0, D) };
    const exact = gp.posterior(at);
    const sampler = new PathwiseSampler(gp, { features: 256, seed: 3 });
    const v = sampler.evaluate(sampler.draw(2000, 4), at);
    const { mean, cov } = moments([v], 1);
    expect(Math.abs(mean[0]! - exact.mean[0]!)).toBeLessThan(5 * Math.sqrt(exact.variance[0]! / 2000) + 0.05);
    expect(cov[0]!).toBeLessThan(3 * exact.variance[0]!);
  });

  it('evaluateAround equals evaluate on the same points written out', () => {
    for (const kernel of ['rbf', 'matern52', 'matern32'] as const) {
      const gp = model(kernel);
      // 101 features and 10 training points: the unrolled loops' remainders run too.
      const sampler = new PathwiseSampler(gp, { features: 101, seed: 11 });
      const draws = sampler.draw(3, 12);
      const centre = Float64Array.from([0.4, 0.6]);
      // Four points: both columns changed, one, the other, none.
      const sparse: SparsePoints = {
        count: 4,
        start: Int32Array.from([0, 2, 3, 4, 4]),
        index: Int32Array.from([0, 1, 0, 1]),
        value: Float64Array.from([0.1, 0.9, 0.45, 0.2]),
      };
      const dense: Matrix = {
        rows: 4,
        cols: D,
        data: Float64Array.from([0.1, 0.9, 0.45, 0.6, 0.4, 0.2, 0.4, 0.6]),
      };
      const a = sampler.evaluateAround(draws, centre, sparse);
      const b = sampler.evaluate(draws, dense);
      for (let i = 0; i < a.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 9);
    }
  });

  it('evaluateAroundEach equals one evaluateAround per group, bit for bit, across blocks and empty groups', () => {
    const gp = model('matern52');
    const sampler = new PathwiseSampler(gp, { features: 101, seed: 11 });
    const draws = sampler.draw(8, 12);
    // 300 points (more than one block of 128) in four groups, the second empty; each point changes
    // one or two columns of its group's centre. Every block of the per-group calls has at least 7
    // rows: gemm computes smaller products (rows x 8 draws x 10 training points <= 512) in its
    // small-product loop, whose sums round differently.
    const centres = [
      [0.4, 0.6],
      [0.9, 0.9],
      [0.1, 0.3],
      [0.7, 0.2],
    ].map((c) => Float64Array.from(c));
    const groupStart = Int32Array.from([0, 140, 140, 260, 300]);
    const start = new Int32Array(301);
    const index: number[] = [];
    const value: number[] = [];
    for (let a = 0; a < 300; a++) {
      index.push(a % 2);
      value.push(((a * 37) % 100) / 100);
      if (a % 3 === 0) {
        index.push(1 - (a % 2));
        value.push(((a * 53) % 100) / 100);
      }
      start[a + 1] = index.length;
    }
    const sparse: SparsePoints = {
      count: 300,
      start,
      index: Int32Array.from(index),
      value: Float64Array.from(value),
    };
    const all = sampler.evaluateAroundEach(draws, centres, groupStart, sparse);
    for (let g = 0; g < 4; g++) {
      const a0 = groupStart[g]!;
      const a1 = groupStart[g + 1]!;
      const one = sampler.evaluateAround(draws, centres[g]!, {
        ...sparse,
        count: a1 - a0,
        start: start.subarray(a0, a1 + 1),
      });
      for (let t = 0; t < one.length; t++) expect(Object.is(all[a0 * 8 + t], one[t])).toBe(true);
    }
    expect(() => sampler.evaluateAroundEach(draws, centres, Int32Array.from([0, 140, 300]), sparse)).toThrow(
      /groupStart must have 5 offsets from 0 to 300/,
    );
  });

  it('is deterministic in its seeds and rejects draws of another sampler', () => {
    const gp = model('rbf');
    const one = new PathwiseSampler(gp, { features: 32, seed: 1 });
    const two = new PathwiseSampler(gp, { features: 32, seed: 1 });
    expect(one.evaluate(one.draw(2, 5), P)).toEqual(two.evaluate(two.draw(2, 5), P));
    const other = new PathwiseSampler(gp, { features: 16, seed: 1 });
    expect(() => one.evaluate(other.draw(2, 5), P)).toThrow(/not made by this sampler/);
    expect(() => new PathwiseSampler(gp, { features: 0, seed: 1 })).toThrow(/features is 0/);
  });
});
