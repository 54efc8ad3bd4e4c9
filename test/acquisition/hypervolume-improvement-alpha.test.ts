/**
 * Approximate box decompositions in the hypervolume acquisitions (`partitioningAlpha`): the boxes
 * lie inside the exact non-dominated region, so qEHVI and qNEHVI can only come out lower, by at
 * most the volume of the cells the decomposition left out; alpha = 0 is the exact behaviour.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  defaultPartitioningAlpha,
  QEhvi,
  QLogNehvi,
  QNehvi,
} from '../../src/acquisition/hypervolume-improvement.js';
import { createGpModel, type GpModel } from '../../src/gp/model.js';
import { NondominatedPartitioning, totalVolume } from '../../src/pareto/partitioning.js';

const d = 3;
const m = 4;

/** Four smooth objectives of three inputs whose observed values spread a front across [0, 1]^4. */
function objectivesOf(x: number[]): number[] {
  const [a, b, c] = x as [number, number, number];
  const r = 1 + 0.3 * (c - 0.5) ** 2;
  const t = (Math.PI / 2) * a;
  const p = (Math.PI / 2) * b;
  return [
    r * Math.cos(t) * Math.cos(p),
    r * Math.cos(t) * Math.sin(p),
    r * Math.sin(t) * Math.cos(0.7 * p),
    r * Math.sin(t) * Math.sin(0.7 * p) + 0.1 * a,
  ];
}

function setup(seed: string, n: number) {
  const rng = seedrandom(seed);
  const X = Array.from({ length: n }, () => [rng(), rng(), rng()]);
  const Y = X.map(objectivesOf);
  const objectives: GpModel[] = [];
  for (let j = 0; j < m; j++) {
    objectives.push(
      createGpModel(
        X,
        Y.map((y) => y[j]!),
        { kernel: 'rbf', lengthscales: [0.4, 0.4, 0.6], outputscale: 1, noise: 1e-4, mean: 0 },
      ),
    );
  }
  const reference = [1.2, 1.2, 1.2, 1.2];
  return { X, Y, objectives, reference, rng };
}

function candidates(rng: () => number, count: number, q: number): Float64Array[] {
  return Array.from({ length: count }, () => Float64Array.from({ length: q * d }, () => rng()));
}

describe('defaultPartitioningAlpha', () => {
  it('is exact up to 4 objectives, 1e-3 at 5 and 1e-2 from 6 on', () => {
    expect([2, 3, 4, 5, 6, 7, 9].map(defaultPartitioningAlpha)).toEqual([0, 0, 0, 1e-3, 1e-2, 1e-2, 1e-2]);
  });
});

describe('partitioningAlpha in the hypervolume acquisitions', () => {
  it('the approximate boxes lie in N and the reference box; their volume is at most the exact one', () => {
    const { Y, reference } = setup('alpha-boxes', 40);
    const lower = [-0.5, -0.5, -0.5, -0.5];
    for (const alpha of [1e-3, 1e-2, 1e-1]) {
      const exact = new NondominatedPartitioning(reference, Y);
      const approx = new NondominatedPartitioning(reference, Y, { alpha });
      const e = totalVolume(exact.boxesWithin(lower));
      const a = totalVolume(approx.boxesWithin(lower));
      expect(a).toBeLessThanOrEqual(e * (1 + 1e-12));
      expect(e - a).toBeLessThanOrEqual(approx.approximationError() * (1 + 1e-9) + 1e-15);
      expect(approx.boxes().count).toBeLessThan(exact.boxes().count);
      // Every approximate box lies inside the reference box and is not dominated by the front.
      const boxes = approx.boxes();
      for (let k = 0; k < boxes.count; k++) {
        const upper = Array.from(boxes.upper.subarray(k * m, (k + 1) * m));
        const low = Array.from(boxes.lower.subarray(k * m, (k + 1) * m));
        for (let j = 0; j < m; j++) expect(upper[j]!).toBeLessThanOrEqual(reference[j]!);
        // Its lower corner (clipped to a finite point) is weakly dominated by no front point.
        const corner = low.map((v, j) => (v === -Infinity ? upper[j]! - 1 : v));
        const dominated = Y.some((y) => y.every((v, j) => v <= corner[j]!));
        expect(dominated).toBe(false);
      }
    }
  });

  it('qEHVI with alpha is at most the exact value, and low by at most the volume left out', () => {
    const { Y, objectives, reference, rng } = setup('alpha-qehvi', 30);
    for (const alpha of [1e-3, 1e-2]) {
      const exact = new QEhvi({ objectives, reference, front: Y, samples: 64, seed: 3 });
      const approx = new QEhvi({
        objectives,
        reference,
        front: Y,
        samples: 64,
        seed: 3,
        partitioningAlpha: alpha,
      });
      expect(approx.partitioningAlpha).toBe(alpha);
      expect(exact.partitioningAlpha).toBe(0);
      expect(approx.boxes.count).toBeLessThan(exact.boxes.count);
      const missed = new NondominatedPartitioning(reference, Y, { alpha }).approximationError();
      for (const q of [1, 2]) {
        for (const X of candidates(rng, 20, q)) {
          const e = exact.evaluate(X, q);
          const a = approx.evaluate(X, q);
          expect(a).toBeLessThanOrEqual(e + 1e-15);
          expect(e - a).toBeLessThanOrEqual(missed + 1e-12);
        }
      }
    }
  });

  it('qNEHVI with alpha is at most the exact value; alpha = 0 is the exact acquisition', () => {
    const { X, objectives, reference, rng } = setup('alpha-qnehvi', 30);
    const common = { objectives, reference, baseline: X, samples: 32, seed: 5 };
    const exact = new QNehvi(common);
    const zero = new QNehvi({ ...common, partitioningAlpha: 0 });
    const coarse = new QNehvi({ ...common, partitioningAlpha: 1e-2 });
    const fine = new QNehvi({ ...common, partitioningAlpha: 1e-4 });
    const boxes = (a: QNehvi) => a.sampleBoxes().reduce((s, b) => s + b.count, 0);
    // Coarser with alpha: fewer boxes. (A small alpha can give more boxes than the exact local
    // upper bounds: the binary partitioning cuts N on the grid of every front coordinate.)
    expect(boxes(coarse)).toBeLessThan(boxes(exact));
    let sumExact = 0;
    let sumCoarse = 0;
    let sumFine = 0;
    for (const x of candidates(rng, 30, 1)) {
      const e = exact.evaluate(x, 1);
      expect(zero.evaluate(x, 1)).toBe(e);
      const c = coarse.evaluate(x, 1);
      const f = fine.evaluate(x, 1);
      expect(c).toBeLessThanOrEqual(e + 1e-15);
      expect(f).toBeLessThanOrEqual(e + 1e-15);
      sumExact += e;
      sumCoarse += c;
      sumFine += f;
    }
    // The improvement lies next to the front, where the cells left out are: the approximation is
    // loose (measured: 11% of the exact value at alpha = 1e-2, 57% at 1e-4, m = 4) and tightens
    // as alpha shrinks.
    expect(sumExact).toBeGreaterThan(0);
    expect(sumCoarse).toBeGreaterThan(0.05 * sumExact);
    expect(sumFine).toBeGreaterThan(sumCoarse);
  });

  it('qLogNEHVI: alpha = 0 is identical to the default, pending updates keep the boxes approximate', () => {
    const { X, objectives, reference, rng } = setup('alpha-log', 25);
    const common = { objectives, reference, baseline: X, samples: 32, seed: 9 };
    const plain = new QLogNehvi(common);
    const zero = new QLogNehvi({ ...common, partitioningAlpha: 0 });
    const approx = new QLogNehvi({ ...common, partitioningAlpha: 1e-2 });
    const pending = candidates(rng, 1, 2)[0]!;
    for (const acq of [plain, zero, approx]) acq.addPending({ rows: 2, cols: d, data: pending });
    for (const x of candidates(rng, 10, 1)) {
      const g0 = new Float64Array(d);
      const g1 = new Float64Array(d);
      expect(zero.valueAndGradient(x, 1, g1)).toBe(plain.valueAndGradient(x, 1, g0));
      expect(Array.from(g1)).toEqual(Array.from(g0));
      expect(Number.isFinite(approx.evaluate(x, 1))).toBe(true);
    }
    const exactBoxes = plain.sampleBoxes().reduce((s, b) => s + b.count, 0);
    const approxBoxes = approx.sampleBoxes().reduce((s, b) => s + b.count, 0);
    expect(approxBoxes).toBeLessThan(exactBoxes);
  });

  it('rejects alpha outside [0, 1) with the value received', () => {
    const { Y, X, objectives, reference } = setup('alpha-bad', 10);
    expect(() => new QEhvi({ objectives, reference, front: Y, partitioningAlpha: 1 })).toThrow(
      /partitioningAlpha is 1, expected a number in \[0, 1\)/,
    );
    expect(() => new QLogNehvi({ objectives, reference, baseline: X, partitioningAlpha: -0.1 })).toThrow(
      /QLogNehvi: partitioningAlpha is -0.1/,
    );
  });
});
