import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { qHviValueAndGradient } from '../../src/acquisition/hvi-kernel.js';
import { qLogHviValueAndGradient } from '../../src/acquisition/log-hvi-kernel.js';
import { hypervolume } from '../../src/pareto/hypervolume.js';
import { type BoxSet, NondominatedPartitioning } from '../../src/pareto/partitioning.js';
import { expectCentralDifferences } from './finite-differences.js';

// Independent references: the exact hypervolume of the union, and the expectation over which
// points survive independent Bernoulli feasibility.

function randomPoints(rng: () => number, n: number, m: number, lo: number, hi: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => lo + (hi - lo) * rng()));
}

function hvGain(front: number[][], pts: number[][], ref: number[]): number {
  return hypervolume([...front, ...pts], ref) - hypervolume(front, ref);
}

const caseArb = fc.record({
  m: fc.integer({ min: 2, max: 4 }),
  q: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 0, max: 8 }),
  seed: fc.integer({ min: 0, max: 1 << 30 }),
});

describe('sample-level hypervolume improvement (exact kernel)', () => {
  it('equals HV(front + points) - HV(front) for random samples', () => {
    fc.assert(
      fc.property(caseArb, ({ m, q, n, seed }) => {
        const rng = seedrandom(String(seed));
        const ref = Array.from({ length: m }, () => 1 + 0.2 * rng());
        const front = randomPoints(rng, n, m, 0, 1);
        const boxes = new NondominatedPartitioning(ref, front).boxes();
        const samples = 4;
        const Y = new Float64Array(samples * q * m);
        for (let i = 0; i < Y.length; i++) Y[i] = -0.1 + 1.4 * rng();
        let expected = 0;
        for (let s = 0; s < samples; s++) {
          const pts: number[][] = [];
          for (let i = 0; i < q; i++) pts.push(Array.from(Y.subarray((s * q + i) * m, (s * q + i + 1) * m)));
          expected += hvGain(front, pts, ref) / samples;
        }
        const value = qHviValueAndGradient(Y, { samples, q, m }, boxes);
        expect(value).toBeCloseTo(expected, 10);
      }),
      { numRuns: 60 },
    );
  });

  it('with feasibility weights equals the expected gain over independent inclusion', () => {
    fc.assert(
      fc.property(caseArb, ({ m, q, n, seed }) => {
        const rng = seedrandom(`w${seed}`);
        const ref = Array.from({ length: m }, () => 1.1);
        const front = randomPoints(rng, n, m, 0, 1);
        const boxes = new NondominatedPartitioning(ref, front).boxes();
        const pts = randomPoints(rng, q, m, 0, 1.2);
        const w = Array.from({ length: q }, () => rng());
        let expected = 0;
        for (let mask = 0; mask < 1 << q; mask++) {
          let p = 1;
          const kept: number[][] = [];
          for (let i = 0; i < q; i++) {
            if (mask & (1 << i)) {
              p *= w[i]!;
              kept.push(pts[i]!);
            } else p *= 1 - w[i]!;
          }
          expected += p * hvGain(front, kept, ref);
        }
        const value = qHviValueAndGradient(
          Float64Array.from(pts.flat()),
          { samples: 1, q, m },
          boxes,
          Float64Array.from(w),
        );
        expect(value).toBeCloseTo(expected, 10);
      }),
      { numRuns: 40 },
    );
  });

  it('gradients with respect to Y and log w match central differences', () => {
    fc.assert(
      fc.property(caseArb, ({ m, q, n, seed }) => {
        const rng = seedrandom(`g${seed}`);
        const ref = Array.from({ length: m }, () => 1.1);
        const front = randomPoints(rng, n, m, 0, 1);
        const boxes = new NondominatedPartitioning(ref, front).boxes();
        const samples = 3;
        const shape = { samples, q, m };
        const Y = Float64Array.from({ length: samples * q * m }, () => 1.2 * rng());
        const logW = Float64Array.from({ length: samples * q }, () => -2 * rng());
        const f = (y: Float64Array, lw: Float64Array) =>
          qHviValueAndGradient(y, shape, boxes, lw.map(Math.exp));
        const gY = new Float64Array(Y.length);
        const gW = new Float64Array(logW.length);
        qHviValueAndGradient(Y, shape, boxes, logW.map(Math.exp), gY, gW);
        const h = 1e-7;
        for (let p = 0; p < Y.length; p++) {
          const up = Float64Array.from(Y);
          const dn = Float64Array.from(Y);
          up[p] = up[p]! + h;
          dn[p] = dn[p]! - h;
          const fd = (f(up, logW) - f(dn, logW)) / (2 * h);
          expect(gY[p]!).toBeCloseTo(fd, 5);
        }
        for (let p = 0; p < logW.length; p++) {
          const up = Float64Array.from(logW);
          const dn = Float64Array.from(logW);
          up[p] = up[p]! + h;
          dn[p] = dn[p]! - h;
          expect(gW[p]!).toBeCloseTo((f(Y, up) - f(Y, dn)) / (2 * h), 5);
        }
      }),
      { numRuns: 30 },
    );
  });
});

/** The smoothed log HVI written straight from its definition: every box, every subset, no pruning. */
function logHviReference(Y: number[][][], boxes: BoxSet, tauRelu: number, tauMax: number): number {
  const fatplus = (z: number) => {
    const x = z / tauRelu;
    const sp = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    return tauRelu * (sp + 0.1 / (1 + x * x));
  };
  const fatmaxOf = (xs: number[]) => {
    if (xs.length === 1) return xs[0]!;
    const M = Math.max(...xs);
    return (
      M +
      tauMax *
        Math.log(xs.reduce((acc, x) => acc + 2 / (2 + 2 * ((M - x) / tauMax) + ((M - x) / tauMax) ** 2), 0))
    );
  };
  const fatminOf = (xs: number[]) => -fatmaxOf(xs.map((x) => -x));
  const m = boxes.m;
  const perSample = Y.map((pts) => {
    const q = pts.length;
    let total = 0;
    for (let k = 0; k < boxes.count; k++) {
      let signed = 0;
      for (let mask = 1; mask < 1 << q; mask++) {
        const members = pts.filter((_, i) => mask & (1 << i));
        let logVolume = 0;
        for (let j = 0; j < m; j++) {
          const u = boxes.upper[k * m + j]!;
          const side = fatminOf(members.map((p) => Math.log(fatplus(u - p[j]!))));
          const cap = Math.log(u - boxes.lower[k * m + j]!);
          logVolume += cap === Infinity ? side : fatminOf([side, cap]);
        }
        signed += (members.length % 2 === 1 ? 1 : -1) * Math.exp(logVolume);
      }
      total += signed;
    }
    return total;
  });
  return Math.log(perSample.reduce((a, b) => a + b, 0) / Y.length);
}

describe('log hypervolume improvement (smoothed kernel)', () => {
  it('matches a direct evaluation of the smoothed definition (pruning and tables change nothing)', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), fc.boolean(), ({ m, q, n, seed }, far, defaults) => {
        const rng = seedrandom(`ref${seed}`);
        const ref = Array.from({ length: m }, () => 1.1);
        const boxes = new NondominatedPartitioning(ref, randomPoints(rng, n, m, 0, 1)).boxes();
        const samples = 3;
        const options = defaults ? { tauRelu: 1e-6, tauMax: 1e-3 } : { tauRelu: 1e-3, tauMax: 1e-2 };
        const Y = Array.from({ length: samples }, () =>
          randomPoints(rng, q, m, far ? 1.2 : 0.2, far ? 2 : 1.1),
        );
        const expected = logHviReference(Y, boxes, options.tauRelu, options.tauMax);
        const value = qLogHviValueAndGradient(
          Float64Array.from(Y.flat(2)),
          { samples, q, m },
          boxes,
          null,
          null,
          null,
          options,
        );
        expect(Math.abs(value - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
      }),
      { numRuns: 40 },
    );
  });

  it('exp(log HVI) approaches the exact HVI where it is well above zero', () => {
    const rng = seedrandom('log-vs-exact');
    for (const [m, q] of [
      [2, 1],
      [2, 3],
      [3, 2],
      [4, 2],
    ] as const) {
      const ref = Array.from({ length: m }, () => 1.1);
      const front = randomPoints(rng, 6, m, 0.3, 1);
      const boxes = new NondominatedPartitioning(ref, front).boxes();
      const samples = 8;
      const shape = { samples, q, m };
      const Y = Float64Array.from({ length: samples * q * m }, () => 0.6 * rng());
      const exact = qHviValueAndGradient(Y, shape, boxes);
      expect(exact).toBeGreaterThan(0.05);
      const logValue = qLogHviValueAndGradient(Y, shape, boxes);
      // The smooth max and relu are tight to about tauMax log(2^q) (1e-3 scale) per side.
      expect(Math.abs(Math.exp(logValue) - exact) / exact).toBeLessThan(2e-2);
    }
  });

  it('gradients match central differences (moderate temperatures, with log weights)', () => {
    fc.assert(
      fc.property(caseArb, ({ m, q, n, seed }) => {
        const rng = seedrandom(`lg${seed}`);
        const ref = Array.from({ length: m }, () => 1.1);
        const front = randomPoints(rng, n, m, 0, 1);
        const boxes = new NondominatedPartitioning(ref, front).boxes();
        const samples = 3;
        const shape = { samples, q, m };
        const options = { tauRelu: 0.05, tauMax: 0.05 };
        const Y = Float64Array.from({ length: samples * q * m }, () => -0.2 + 1.6 * rng());
        const logW = Float64Array.from({ length: samples * q }, () => -2 * rng());
        const f = (y: Float64Array, lw: Float64Array) =>
          qLogHviValueAndGradient(y, shape, boxes, lw, null, null, options);
        const gY = new Float64Array(Y.length);
        const gW = new Float64Array(logW.length);
        const v = qLogHviValueAndGradient(Y, shape, boxes, logW, gY, gW, options);
        expect(Number.isFinite(v)).toBe(true);
        expectCentralDifferences((y) => f(y, logW), Y, gY);
        expectCentralDifferences((lw) => f(Y, lw), logW, gW);
      }),
      { numRuns: 30 },
    );
  });

  it('gradients match central differences at the default temperatures', () => {
    const rng = seedrandom('default-temps');
    const m = 2;
    const q = 2;
    const ref = [1.1, 1.1];
    const boxes = new NondominatedPartitioning(ref, randomPoints(rng, 5, m, 0, 1)).boxes();
    const shape = { samples: 2, q, m };
    const Y = Float64Array.from({ length: 2 * q * m }, () => 0.9 * rng());
    const gY = new Float64Array(Y.length);
    qLogHviValueAndGradient(Y, shape, boxes, null, gY);
    const h = 1e-9;
    for (let p = 0; p < Y.length; p++) {
      const up = Float64Array.from(Y);
      const dn = Float64Array.from(Y);
      up[p] = up[p]! + h;
      dn[p] = dn[p]! - h;
      const fd =
        (qLogHviValueAndGradient(up, shape, boxes) - qLogHviValueAndGradient(dn, shape, boxes)) / (2 * h);
      expect(Math.abs(gY[p]! - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
    }
  });

  it('keeps a finite value and a non-zero gradient pointing back when every sample is beyond the reference', () => {
    const m = 3;
    const q = 2;
    const ref = [1, 1, 1];
    const boxes = new NondominatedPartitioning(ref, [
      [0.2, 0.5, 0.6],
      [0.5, 0.2, 0.4],
    ]).boxes();
    const samples = 4;
    const shape = { samples, q, m };
    const Y = Float64Array.from({ length: samples * q * m }, (_, i) => 3 + 0.1 * (i % 5));
    const gExact = new Float64Array(Y.length);
    expect(qHviValueAndGradient(Y, shape, boxes, null, gExact)).toBe(0);
    expect(gExact.every((g) => g === 0)).toBe(true);
    const g = new Float64Array(Y.length);
    const v = qLogHviValueAndGradient(Y, shape, boxes, null, g);
    expect(Number.isFinite(v)).toBe(true);
    // Moving any point down (towards the front) must increase the value.
    for (let p = 0; p < g.length; p++) {
      expect(g[p]!).toBeLessThan(0);
      expect(Number.isFinite(g[p]!)).toBe(true);
    }
  });
});
