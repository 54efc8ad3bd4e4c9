import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { qLogHviValueAndGradient } from '../../src/acquisition/log-hvi-kernel.js';
import {
  fatminimum2,
  fatminimum2Value,
  logFatplus,
  logFatplusValue,
  TAU_MAX,
  TAU_RELU,
} from '../../src/acquisition/smooth.js';
import { type BoxSet, NondominatedPartitioning } from '../../src/pareto/partitioning.js';
import { expectCentralDifferences } from './finite-differences.js';

// The fast paths of the q = 1 kernel: value-only helpers, the far tails of log fatplus without
// exp, and the (u, l) pair index of large box sets. Each must give what the definitions give.

/** log fatplus and its derivative straight from the definition (softplus, sigmoid with exp). */
function logFatplusReference(z: number, tau: number): [number, number] {
  const x = z / tau;
  const sp = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  const sg = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  const c = 1 / (1 + x * x);
  const f = sp + 0.1 * c;
  return [Math.log(tau * f), (sg - 0.2 * x * c * c) / (tau * f)];
}

function sweep(): number[] {
  const zs: number[] = [0];
  for (let e = -12; e <= 3; e += 0.01) zs.push(10 ** e, -(10 ** e));
  // Around the tails' thresholds (x = 40 and x = -60 at tau = 1e-6).
  for (let x = 35; x <= 65; x += 0.05) zs.push(x * 1e-6, -x * 1e-6);
  return zs;
}

describe('smooth helpers: fast paths', () => {
  it('log fatplus equals its definition to the last bit, tails included', () => {
    const out = new Float64Array(2);
    for (const tau of [TAU_RELU, 1e-3, 0.05, 1]) {
      for (const z of sweep()) {
        logFatplus(z, tau, out);
        const [v, dv] = logFatplusReference(z, tau);
        expect(out[0]).toBe(v);
        expect(out[1]).toBe(dv);
        expect(logFatplusValue(z, tau)).toBe(v);
      }
    }
  });

  it('fatminimum2Value is the value of fatminimum2', () => {
    const rng = seedrandom('fatmin2');
    const out = new Float64Array(2);
    for (let i = 0; i < 5000; i++) {
      const a = (rng() - 0.5) * 10 ** (6 * rng() - 3);
      const b = i % 9 === 0 ? Number.POSITIVE_INFINITY : (rng() - 0.5) * 20;
      for (const tau of [TAU_MAX, 0.05]) {
        fatminimum2(a, b, tau, out);
        expect(fatminimum2Value(a, b, tau)).toBe(out[0]);
      }
    }
  });
});

/** q = 1 smoothed log HVI from the definition: every box, no pruning, no tables. */
function singleReference(Y: Float64Array, samples: number, boxes: BoxSet, logW: Float64Array | null): number {
  const m = boxes.m;
  const fatmin = (a: number, b: number) => {
    if (b === Number.POSITIVE_INFINITY) return a;
    const M = Math.max(-a, -b);
    const t = (x: number) => (M - x) / TAU_MAX;
    const p = (s: number) => 2 / (2 + 2 * s + s * s);
    return -(M + TAU_MAX * Math.log(p(t(-a)) + p(t(-b))));
  };
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    let total = 0;
    for (let k = 0; k < boxes.count; k++) {
      let v = logW ? logW[s]! : 0;
      for (let j = 0; j < m; j++) {
        const lam = logFatplusReference(boxes.upper[k * m + j]! - Y[s * m + j]!, TAU_RELU)[0];
        v += fatmin(lam, Math.log(boxes.upper[k * m + j]! - boxes.lower[k * m + j]!));
      }
      total += Math.exp(v);
    }
    sum += total;
  }
  return Math.log(sum / samples);
}

describe('q = 1 kernel on a large box set (pair index)', () => {
  const rng = seedrandom('pairs');
  const m = 4;
  const ref = [1.1, 1.1, 1.1, 1.1];
  // Points near the unit sphere: a front with many boxes.
  const front: number[][] = [];
  for (let i = 0; i < 40; i++) {
    const v = Array.from({ length: m }, () => Math.abs(rng() - 0.5) + 0.05);
    const norm = Math.hypot(...v);
    front.push(v.map((x) => x / norm));
  }
  const boxes = new NondominatedPartitioning(ref, front).boxes();
  const samples = 6;
  const shape = { samples, q: 1, m };
  const Y = Float64Array.from({ length: samples * m }, () => 0.2 + 0.9 * rng());
  const logW = Float64Array.from({ length: samples }, () => -rng());

  it('has enough boxes to use the pair index', () => {
    expect(boxes.count * m).toBeGreaterThanOrEqual(1024);
  });

  it('matches the definition, and the value alone is the value with the gradient', () => {
    for (const w of [null, logW]) {
      const expected = singleReference(Y, samples, boxes, w);
      const value = qLogHviValueAndGradient(Y, shape, boxes, w, null, null);
      expect(Math.abs(value - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
      const gY = new Float64Array(Y.length);
      const gW = new Float64Array(samples);
      expect(qLogHviValueAndGradient(Y, shape, boxes, w, gY, w ? gW : null)).toBe(value);
    }
  });

  it('gradients match central differences', () => {
    const options = { tauRelu: 0.05, tauMax: 0.05 };
    const f = (y: Float64Array, lw: Float64Array) =>
      qLogHviValueAndGradient(y, shape, boxes, lw, null, null, options);
    const gY = new Float64Array(Y.length);
    const gW = new Float64Array(samples);
    qLogHviValueAndGradient(Y, shape, boxes, logW, gY, gW, options);
    expectCentralDifferences((y) => f(y, logW), Y, gY);
    expectCentralDifferences((lw) => f(Y, lw), logW, gW);
  });
});
