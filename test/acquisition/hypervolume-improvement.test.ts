import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { QEhvi, QLogNehvi, QNehvi } from '../../src/acquisition/hypervolume-improvement.js';
import type { McAcquisition } from '../../src/acquisition/mc-acquisition.js';
import { pruneInferiorPointsMultiObjective } from '../../src/acquisition/prune.js';
import { fitGps } from '../../src/gp/fit.js';
import { createGpModel, type GpModel } from '../../src/gp/model.js';
import { normalCdf, normalPdf } from '../../src/random/normal.js';
import { expectCentralDifferences } from './finite-differences.js';

const d = 2;

function f1(x: number[]): number {
  return (x[0]! - 0.2) ** 2 + (x[1]! - 0.3) ** 2;
}
function f2(x: number[]): number {
  return (x[0]! - 0.8) ** 2 + 0.5 * (x[1]! - 0.6) ** 2;
}

function problem(seed: string, n: number, noise: number) {
  const rng = seedrandom(seed);
  const X = Array.from({ length: n }, () => [rng(), rng()]);
  const Y = X.map((x) => [f1(x), f2(x)]);
  const gp = (col: number, ls: number) =>
    createGpModel(
      X,
      Y.map((y) => y[col]!),
      { kernel: 'rbf', lengthscales: [ls, ls], outputscale: 1, noise, mean: 0 },
    );
  return { X, Y, objectives: [gp(0, 0.4), gp(1, 0.5)] as GpModel[] };
}

/**
 * Closed-form EHVI for m = 2 and independent Gaussian outcomes (Emmerich, Deutz, Klinkenberg
 * 2011), minimization: the non-dominated region as vertical strips of the sorted front, and in
 * each strip [x_lo, x_hi] x (-inf, y_hi] the expectation of the product of the two independent
 * side lengths E[(hi - max(lo, Y))^+].
 */
function ehvi2d(front: number[][], ref: number[], mu: number[], sigma: number[]): number {
  const nd = front
    .filter((p) => p[0]! < ref[0]! && p[1]! < ref[1]!)
    .filter(
      (p, i, all) =>
        !all.some(
          (o, k) => k !== i && o[0]! <= p[0]! && o[1]! <= p[1]! && (o[0]! < p[0]! || o[1]! < p[1]! || k < i),
        ),
    )
    .sort((a, b) => a[0]! - b[0]!);
  const side = (lo: number, hi: number, m: number, s: number) => {
    const a = (lo - m) / s;
    const b = (hi - m) / s;
    const below = lo === -Infinity ? 0 : normalCdf(a);
    const pa = lo === -Infinity ? 0 : normalPdf(a);
    return (
      (lo === -Infinity ? 0 : (hi - lo) * below) + (hi - m) * (normalCdf(b) - below) + s * (normalPdf(b) - pa)
    );
  };
  let total = 0;
  const xs = [-Infinity, ...nd.map((p) => p[0]!), ref[0]!];
  const ys = [ref[1]!, ...nd.map((p) => p[1]!)];
  for (let i = 0; i + 1 < xs.length; i++) {
    total += side(xs[i]!, xs[i + 1]!, mu[0]!, sigma[0]!) * side(-Infinity, ys[i]!, mu[1]!, sigma[1]!);
  }
  return total;
}

/** The gradient of `acq` at X against central differences (piecewise: see the helper). */
function fdCheck(acq: McAcquisition, X: Float64Array, q: number, h: number, tol: number): void {
  const g = new Float64Array(X.length);
  acq.valueAndGradient(X, q, g);
  expectCentralDifferences((x) => acq.evaluate(x, q), X, g, h, tol, true);
}

describe('qEHVI', () => {
  it('q = 1, m = 2 matches the closed-form EHVI within Monte Carlo error', () => {
    const { Y, objectives } = problem('ehvi', 10, 1e-4);
    const ref = [0.6, 0.6];
    const acq = new QEhvi({ objectives, reference: ref, front: Y, samples: 4096, seed: 1 });
    for (const x of [
      [0.5, 0.5],
      [0.25, 0.5],
      [0.75, 0.25],
    ]) {
      const p1 = objectives[0]!.posterior([x]);
      const p2 = objectives[1]!.posterior([x]);
      const exact = ehvi2d(
        Y,
        ref,
        [p1.mean[0]!, p2.mean[0]!],
        [Math.sqrt(p1.variance[0]!), Math.sqrt(p2.variance[0]!)],
      );
      const mc = acq.evaluate(Float64Array.from(x), 1);
      expect(exact).toBeGreaterThan(1e-4);
      expect(Math.abs(mc - exact)).toBeLessThan(0.01 * exact + 1e-6);
    }
  });

  it('gradient with respect to X matches central differences (with constraints and pending points)', () => {
    const { X, Y, objectives } = problem('ehvi-grad', 9, 1e-3);
    const constraint = createGpModel(
      X,
      X.map((x) => x[0]! - 0.5),
      { kernel: 'matern52', lengthscales: [0.5, 0.5], outputscale: 1, noise: 1e-3, mean: 0 },
    );
    fc.assert(
      fc.property(
        fc.record({
          q: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 0, max: 1 << 20 }),
          pend: fc.boolean(),
        }),
        ({ q, seed, pend }) => {
          const rng = seedrandom(`x${seed}`);
          const acq = new QEhvi({
            objectives,
            constraints: [constraint],
            eta: 0.05,
            reference: [0.8, 0.8],
            front: Y,
            samples: 16,
            seed,
            ...(pend ? { pending: [[0.4, 0.4]] } : {}),
          });
          const Xq = Float64Array.from({ length: q * d }, () => rng());
          fdCheck(acq, Xq, q, 1e-6, 1e-4);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('qNEHVI and qLogNEHVI', () => {
  it('qNEHVI on (almost) noiseless data equals qEHVI within Monte Carlo error', () => {
    const { X, Y, objectives } = problem('nehvi', 10, 1e-9);
    const ref = [0.6, 0.6];
    const samples = 2048;
    const ehvi = new QEhvi({ objectives, reference: ref, front: Y, samples, seed: 2 });
    const nehvi = new QNehvi({ objectives, reference: ref, baseline: X, samples, seed: 2, prune: false });
    for (const x of [
      [0.5, 0.45],
      [0.35, 0.3],
    ]) {
      const a = ehvi.evaluate(Float64Array.from(x), 1);
      const b = nehvi.evaluate(Float64Array.from(x), 1);
      expect(a).toBeGreaterThan(1e-4);
      expect(Math.abs(a - b)).toBeLessThan(0.02 * a);
    }
    // Every sample's baseline front is the observed front.
    const boxes = nehvi.sampleBoxes();
    expect(boxes[0]!.count).toBe(boxes[samples - 1]!.count);
  });

  it('exp(qLogNEHVI) approximates qNEHVI where the improvement is well above zero', () => {
    const { X, objectives } = problem('log', 12, 1e-3);
    const ref = [0.6, 0.6];
    const common = { objectives, reference: ref, baseline: X, samples: 64, seed: 4 };
    const nehvi = new QNehvi(common);
    const log = new QLogNehvi(common);
    for (const q of [1, 2]) {
      const rng = seedrandom(`q${q}`);
      for (let t = 0; t < 3; t++) {
        const Xq = Float64Array.from({ length: q * d }, () => 0.2 + 0.6 * rng());
        const a = nehvi.evaluate(Xq, q);
        if (a < 1e-3) continue;
        // Smoothing with tauMax = 1e-3 on outcomes of scale 0.1..1: a few percent at most.
        expect(Math.abs(Math.exp(log.evaluate(Xq, q)) - a)).toBeLessThan(0.05 * a);
      }
    }
  });

  it('gradients with respect to X match central differences', () => {
    const { X, objectives } = problem('nehvi-grad', 10, 1e-3);
    const constraint = createGpModel(
      X,
      X.map((x) => x[1]! - 0.6),
      { kernel: 'rbf', lengthscales: [0.4, 0.4], outputscale: 1, noise: 1e-3, mean: 0 },
    );
    fc.assert(
      fc.property(
        fc.record({
          q: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 0, max: 1 << 20 }),
          log: fc.boolean(),
        }),
        ({ q, seed, log }) => {
          const rng = seedrandom(`y${seed}`);
          const common = {
            objectives,
            constraints: [constraint],
            eta: 0.05,
            reference: [0.7, 0.7],
            baseline: X,
            samples: 8,
            seed,
          };
          const acq = log ? new QLogNehvi({ ...common, tauRelu: 1e-2, tauMax: 1e-2 }) : new QNehvi(common);
          const Xq = Float64Array.from({ length: q * d }, () => rng());
          fdCheck(acq, Xq, q, 1e-6, 1e-4);
        },
      ),
      { numRuns: 12, examples: [[{ q: 2, seed: 618216, log: false }], [{ q: 1, seed: 9, log: true }]] },
    );
  });

  it('qLogNEHVI gradient at the default temperatures matches central differences', () => {
    const { X, objectives } = problem('default', 10, 1e-3);
    const acq = new QLogNehvi({ objectives, reference: [0.6, 0.6], baseline: X, samples: 16, seed: 9 });
    fdCheck(acq, Float64Array.of(0.45, 0.4, 0.55, 0.35), 2, 1e-7, 1e-3);
  });

  it('the same seed gives the same values, another seed other values', () => {
    const { X, objectives } = problem('seed', 8, 1e-3);
    const make = (seed: number) =>
      new QLogNehvi({ objectives, reference: [0.6, 0.6], baseline: X, samples: 32, seed });
    const x = Float64Array.of(0.5, 0.5);
    expect(make(3).evaluate(x, 1)).toBe(make(3).evaluate(x, 1));
    expect(make(3).evaluate(x, 1)).not.toBe(make(4).evaluate(x, 1));
  });

  it('outcome constraints lower the value in the infeasible region only', () => {
    const { X, objectives } = problem('constraint', 12, 1e-4);
    // Feasible when x0 <= 0.5.
    const constraint = createGpModel(
      X,
      X.map((x) => x[0]! - 0.5),
      { kernel: 'rbf', lengthscales: [0.5, 0.5], outputscale: 1, noise: 1e-4, mean: 0 },
    );
    const common = { objectives, reference: [0.7, 0.7], baseline: X, samples: 64, seed: 1 };
    const free = new QNehvi(common);
    const constrained = new QNehvi({ ...common, constraints: [constraint] });
    const logFree = new QLogNehvi(common);
    const logConstrained = new QLogNehvi({ ...common, constraints: [constraint] });
    const feasible = Float64Array.of(0.3, 0.4);
    const infeasible = Float64Array.of(0.8, 0.45);
    expect(free.evaluate(infeasible, 1)).toBeGreaterThan(1e-3);
    expect(constrained.evaluate(infeasible, 1)).toBeLessThan(1e-3 * free.evaluate(infeasible, 1));
    expect(constrained.evaluate(feasible, 1)).toBeGreaterThan(0.9 * free.evaluate(feasible, 1));
    expect(logConstrained.evaluate(infeasible, 1)).toBeLessThan(logFree.evaluate(infeasible, 1) - 5);
    expect(logConstrained.evaluate(feasible, 1)).toBeGreaterThan(logFree.evaluate(feasible, 1) - 0.2);
  });

  it('pending points lower the value near them (cached box decompositions)', () => {
    const { X, objectives } = problem('pending', 10, 1e-4);
    const common = { objectives, reference: [0.7, 0.7], baseline: X, samples: 64, seed: 5 };
    const x = Float64Array.of(0.5, 0.5);
    const far = Float64Array.of(1, 0.25);
    const before = new QNehvi(common);
    const after = new QNehvi({ ...common, pending: [[0.51, 0.49]] });
    const incremental = new QNehvi(common);
    incremental.addPending([[0.51, 0.49]]);
    expect(after.evaluate(x, 1)).toBeLessThan(0.5 * before.evaluate(x, 1));
    expect(incremental.evaluate(x, 1)).toBeCloseTo(after.evaluate(x, 1), 12);
    // Far away the pending point only shrinks the value through the shared front.
    const nearRatio = after.evaluate(x, 1) / before.evaluate(x, 1);
    const farRatio = after.evaluate(far, 1) / before.evaluate(far, 1);
    expect(farRatio).toBeGreaterThan(2 * nearRatio);
    const ehvi = new QEhvi({
      objectives,
      reference: [0.7, 0.7],
      front: X.map((p) => [f1(p), f2(p)]),
      samples: 64,
    });
    const ehviPending = new QEhvi({
      objectives,
      reference: [0.7, 0.7],
      front: X.map((p) => [f1(p), f2(p)]),
      samples: 64,
      pending: [[0.51, 0.49]],
    });
    // With pending points in the batch, the candidate's own gain shrinks: value(x, p) - value(p) < value(x).
    const pendingAlone = new QEhvi({
      objectives,
      reference: [0.7, 0.7],
      front: X.map((p) => [f1(p), f2(p)]),
      samples: 64,
    }).evaluate(Float64Array.of(0.51, 0.49), 1);
    expect(ehviPending.evaluate(x, 1) - pendingAlone).toBeLessThan(0.5 * ehvi.evaluate(x, 1));
  });

  it('qLogNEHVI has a finite, non-zero gradient far beyond the reference point', () => {
    const { X, objectives } = problem('far', 10, 1e-4);
    // Every outcome is >= 0, so a reference at -1 puts every sample far beyond it.
    const ref = [-1, -1];
    const log = new QLogNehvi({ objectives, reference: ref, baseline: X, samples: 32, seed: 2 });
    const exact = new QNehvi({ objectives, reference: ref, baseline: X, samples: 32, seed: 2 });
    const x = Float64Array.of(0.6, 0.7);
    const g = new Float64Array(2);
    const ge = new Float64Array(2);
    expect(exact.valueAndGradient(x, 1, ge)).toBe(0);
    expect(ge[0]).toBe(0);
    const v = log.valueAndGradient(x, 1, g);
    expect(Number.isFinite(v)).toBe(true);
    expect(Math.hypot(g[0]!, g[1]!)).toBeGreaterThan(1e-3);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('works on GPs from fitGps (the adapter reads the fitted internals)', () => {
    const rng = seedrandom('fitted');
    const X = Array.from({ length: 14 }, () => [rng(), rng()]);
    const Yv = X.map((x) => [f1(x), f2(x)]);
    const models = fitGps(X, Yv, { seed: 1 });
    const acq = new QLogNehvi({
      objectives: models,
      reference: [0.7, 0.7],
      baseline: X,
      samples: 32,
      seed: 1,
    });
    const x = Float64Array.of(0.45, 0.42, 0.6, 0.5);
    const g = new Float64Array(4);
    expect(Number.isFinite(acq.valueAndGradient(x, 2, g))).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
    fdCheck(acq, x, 2, 1e-7, 1e-3);
  });

  it('pruning keeps the points likely on the front and drops dominated ones', () => {
    const rng = seedrandom('prune');
    const X = Array.from({ length: 15 }, () => [rng(), rng()]);
    X.push([0.2, 0.3], [0.95, 0.95]);
    const Yv = X.map((x) => [f1(x), f2(x)]);
    const gp = (col: number) =>
      createGpModel(
        X,
        Yv.map((y) => y[col]!),
        { kernel: 'rbf', lengthscales: [0.4, 0.4], outputscale: 1, noise: 1e-6, mean: 0 },
      );
    const { indices, probability } = pruneInferiorPointsMultiObjective([gp(0), gp(1)], X, [1, 1], {
      samples: 128,
    });
    // (0.2, 0.3) minimizes f1 exactly, so it is always on the front; the far corner never is.
    expect(Array.from(indices)).toContain(15);
    expect(Array.from(indices)).not.toContain(16);
    expect(probability[15]).toBeGreaterThan(0.99);
    expect(probability[16]).toBe(0);
  });
});
