import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { baseSampleColumns, choleskyBackward, JointSampler } from '../../src/acquisition/joint-sampler.js';
import { createGpModel, type GpModel } from '../../src/gp/model.js';

function models(seed: string, n: number, d: number, noise = 1e-3): GpModel[] {
  const rng = seedrandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng()));
  const y1 = X.map((x) => Math.sin(3 * x[0]!) + x.reduce((a, b) => a + b, 0));
  const y2 = X.map((x) => x.reduce((a, b) => a + (b - 0.3) ** 2, 0));
  return [
    createGpModel(X, y1, {
      kernel: 'rbf',
      lengthscales: Array(d).fill(0.4),
      outputscale: 1.3,
      noise,
      mean: 0.1,
    }),
    createGpModel(X, y2, {
      kernel: 'matern52',
      lengthscales: Array.from({ length: d }, (_, k) => 0.3 + 0.1 * k),
      outputscale: 0.8,
      noise,
      mean: 0,
    }),
  ];
}

describe('baseSampleColumns', () => {
  it('gives each column by its index alone, also past the Sobol dimension limit', () => {
    const N = 8;
    const wide = baseSampleColumns(N, 4, 21195, 12);
    const left = baseSampleColumns(N, 4, 21195, 6);
    const right = baseSampleColumns(N, 4, 21201, 6);
    const head = baseSampleColumns(N, 4, 0, 3);
    const headWide = baseSampleColumns(N, 4, 0, 7);
    for (let s = 0; s < N; s++) {
      for (let c = 0; c < 6; c++) {
        expect(wide[s * 12 + c]).toBe(left[s * 6 + c]);
        expect(wide[s * 12 + 6 + c]).toBe(right[s * 6 + c]);
      }
      for (let c = 0; c < 3; c++) expect(headWide[s * 7 + c]).toBe(head[s * 3 + c]);
    }
    expect(wide.every(Number.isFinite)).toBe(true);
    // The streams past the limit differ from column to column.
    expect(right[0]).not.toBe(right[1]);
  });
});

describe('JointSampler', () => {
  it('sample moments over [baseline; batch] match the GP joint posterior', () => {
    const d = 2;
    const gps = models('moments', 10, d);
    const rng = seedrandom('pts');
    const B = Array.from({ length: 3 }, () => [rng(), rng()]);
    const Xq = [
      [0.2, 0.7],
      [0.25, 0.65],
    ];
    const N = 8192;
    const sampler = new JointSampler(gps, { samples: N, seed: 3, baseline: B });
    const q = 2;
    const out = new Float64Array(N * q * 2);
    sampler.forward(Float64Array.from(Xq.flat()), q, out);
    const fb = sampler.baselineSamples();
    const all = [...B, ...Xq];
    const k = all.length;
    for (let o = 0; o < 2; o++) {
      const { mean, covariance } = gps[o]!.posteriorCovariance(all);
      const value = (s: number, i: number) =>
        i < 3 ? fb[(s * 3 + i) * 2 + o]! : out[(s * q + i - 3) * 2 + o]!;
      const mu = new Float64Array(k);
      for (let s = 0; s < N; s++) for (let i = 0; i < k; i++) mu[i] = mu[i]! + value(s, i) / N;
      let scale = 0;
      for (let i = 0; i < k; i++) scale = Math.max(scale, covariance[i * k + i]!);
      for (let i = 0; i < k; i++) expect(Math.abs(mu[i]! - mean[i]!)).toBeLessThan(0.02 * Math.sqrt(scale));
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          let c = 0;
          for (let s = 0; s < N; s++) c += (value(s, i) - mean[i]!) * (value(s, j) - mean[j]!);
          expect(Math.abs(c / N - covariance[i * k + j]!)).toBeLessThan(0.03 * scale);
        }
      }
    }
  });

  it('keeps the baseline samples fixed and draws the same batch samples for the same seed', () => {
    const gps = models('fixed', 8, 2);
    const a = new JointSampler(gps, { samples: 16, seed: 5, baseline: [[0.1, 0.2]] });
    const b = new JointSampler(gps, { samples: 16, seed: 5, baseline: [[0.1, 0.2]] });
    const before = Float64Array.from(a.baselineSamples());
    const x = Float64Array.of(0.4, 0.5);
    const ya = new Float64Array(32);
    const yb = new Float64Array(32);
    a.forward(x, 1, ya);
    b.forward(x, 1, yb);
    expect(Array.from(ya)).toEqual(Array.from(yb));
    expect(Array.from(a.baselineSamples())).toEqual(Array.from(before));
    const c = new JointSampler(gps, { samples: 16, seed: 6, baseline: [[0.1, 0.2]] });
    const yc = new Float64Array(32);
    c.forward(x, 1, yc);
    expect(Array.from(yc)).not.toEqual(Array.from(ya));
  });

  it('extending the baseline keeps the earlier samples and matches sampling both at once in law', () => {
    const gps = models('extend', 8, 2);
    const N = 4096;
    const s = new JointSampler(gps, { samples: N, seed: 1, baseline: [[0.1, 0.9]] });
    const first = Float64Array.from(s.baselineSamples());
    const added = s.addBaseline([[0.15, 0.85]]);
    const all = s.baselineSamples();
    for (let t = 0; t < N; t++) {
      expect(all[t * 4]).toBe(first[t * 2]);
      expect(all[t * 4 + 1]).toBe(first[t * 2 + 1]);
      expect(all[t * 4 + 2]).toBe(added[t * 2]);
    }
    const { covariance } = gps[0]!.posteriorCovariance([
      [0.1, 0.9],
      [0.15, 0.85],
    ]);
    let m0 = 0;
    let m1 = 0;
    for (let t = 0; t < N; t++) {
      m0 += all[t * 4]! / N;
      m1 += all[t * 4 + 2]! / N;
    }
    let c01 = 0;
    for (let t = 0; t < N; t++) c01 += ((all[t * 4]! - m0) * (all[t * 4 + 2]! - m1)) / N;
    expect(Math.abs(c01 - covariance[1]!)).toBeLessThan(0.05 * covariance[0]!);
  });

  it('backward gives the gradient of a linear functional of the samples (central differences)', () => {
    fc.assert(
      fc.property(
        fc.record({
          q: fc.integer({ min: 1, max: 3 }),
          nb: fc.integer({ min: 0, max: 3 }),
          seed: fc.integer({ min: 0, max: 1 << 30 }),
        }),
        ({ q, nb, seed }) => {
          const d = 3;
          const gps = models(`bw${seed}`, 9, d);
          const rng = seedrandom(`x${seed}`);
          const B = Array.from({ length: nb }, () => Array.from({ length: d }, () => rng()));
          const N = 6;
          const sampler = new JointSampler(gps, { samples: N, seed, ...(nb > 0 ? { baseline: B } : {}) });
          const X = Float64Array.from({ length: q * d }, () => rng());
          const G = Float64Array.from({ length: N * q * 2 }, () => 2 * rng() - 1);
          const out = new Float64Array(N * q * 2);
          const f = (x: Float64Array) => {
            sampler.forward(x, q, out);
            let v = 0;
            for (let p = 0; p < out.length; p++) v += G[p]! * out[p]!;
            return v;
          };
          f(X);
          const g = new Float64Array(q * d);
          sampler.backward(G, g);
          const h = 1e-6;
          for (let p = 0; p < q * d; p++) {
            const up = Float64Array.from(X);
            const dn = Float64Array.from(X);
            up[p] = up[p]! + h;
            dn[p] = dn[p]! - h;
            const fd = (f(up) - f(dn)) / (2 * h);
            expect(Math.abs(g[p]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('choleskyBackward matches differences of the factor of a perturbed matrix', () => {
    const rng = seedrandom('chol');
    const k = 4;
    const G = Float64Array.from({ length: k * k }, () => rng() - 0.5);
    const S = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let t = i === j ? 1 : 0;
        for (let p = 0; p < k; p++) t += G[i * k + p]! * G[j * k + p]!;
        S[i * k + j] = t;
      }
    }
    const chol = (A: Float64Array) => {
      const L = new Float64Array(k * k);
      for (let i = 0; i < k; i++) {
        for (let j = 0; j <= i; j++) {
          let t = A[i * k + j]!;
          for (let p = 0; p < j; p++) t -= L[i * k + p]! * L[j * k + p]!;
          L[i * k + j] = i === j ? Math.sqrt(t) : t / L[j * k + j]!;
        }
      }
      return L;
    };
    const Lbar = Float64Array.from({ length: k * k }, (_, p) =>
      p % k <= Math.floor(p / k) ? rng() - 0.5 : 0,
    );
    const f = (A: Float64Array) => chol(A).reduce((acc, v, p) => acc + v * Lbar[p]!, 0);
    const Sbar = choleskyBackward(chol(S), Lbar, k);
    const h = 1e-6;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        // A symmetric perturbation of entries (i, j) and (j, i).
        const up = Float64Array.from(S);
        const dn = Float64Array.from(S);
        up[i * k + j] = up[i * k + j]! + h;
        dn[i * k + j] = dn[i * k + j]! - h;
        if (i !== j) {
          up[j * k + i] = up[j * k + i]! + h;
          dn[j * k + i] = dn[j * k + i]! - h;
        }
        const fd = (f(up) - f(dn)) / (2 * h);
        const analytic = i === j ? Sbar[i * k + i]! : 2 * Sbar[i * k + j]!;
        expect(analytic).toBeCloseTo(fd, 6);
      }
    }
  });
});
