import fc from 'fast-check';
import { Matrix as MlMatrix, solve } from 'ml-matrix';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/linalg/matrix.js';
import { type LbfgsbResult, lbfgsb, lbfgsbBatch, type Objective } from '../../src/optim/lbfgsb.js';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  const n = x.length;
  let f = 0;
  g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
}

/** f = 0.5 x^T A x + b^T x with A (d x d) SPD. */
function quadratic(A: Float64Array, b: Float64Array, d: number): Objective {
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += A[i * d + j]! * x[j]!;
      g[i] = s + b[i]!;
      f += x[i]! * (0.5 * s + b[i]!);
    }
    return f;
  };
}

function randomSpd(d: number, rng: () => number): Float64Array {
  const G = Array.from({ length: d * d }, () => 2 * rng() - 1);
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += G[i * d + p]! * G[j * d + p]!;
      A[i * d + j] = s + (i === j ? 0.2 : 0);
    }
  }
  return A;
}

/**
 * The box-constrained minimizer of a strictly convex quadratic by enumerating every active set
 * (each variable free, at its lower or at its upper bound) and solving the free subsystem.
 */
function bruteForceBoxQp(
  A: Float64Array,
  b: Float64Array,
  d: number,
  lower: number[],
  upper: number[],
): number[] {
  let best: number[] = [];
  let bestF = Number.POSITIVE_INFINITY;
  const states = 3 ** d;
  for (let code = 0; code < states; code++) {
    const x = new Array<number>(d).fill(0);
    const free: number[] = [];
    let c = code;
    let valid = true;
    for (let i = 0; i < d; i++) {
      const s = c % 3;
      c = Math.floor(c / 3);
      if (s === 0) free.push(i);
      else {
        const v = s === 1 ? lower[i]! : upper[i]!;
        if (!Number.isFinite(v)) valid = false;
        x[i] = v;
      }
    }
    if (!valid) continue;
    if (free.length > 0) {
      const Aff = free.map((i) => free.map((j) => A[i * d + j]!));
      const rhs = free.map((i) => {
        let s = -b[i]!;
        for (let j = 0; j < d; j++) if (!free.includes(j)) s -= A[i * d + j]! * x[j]!;
        return [s];
      });
      const sol = solve(new MlMatrix(Aff), new MlMatrix(rhs)).to1DArray();
      free.forEach((i, k) => {
        x[i] = sol[k]!;
      });
    }
    if (x.some((v, i) => v < lower[i]! - 1e-12 || v > upper[i]! + 1e-12)) continue;
    let f = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += A[i * d + j]! * x[j]!;
      f += x[i]! * (0.5 * s + b[i]!);
    }
    if (f < bestF) {
      bestF = f;
      best = x;
    }
  }
  return best;
}

function projectedGradientNorm(r: LbfgsbResult, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  let norm = 0;
  for (let i = 0; i < r.x.length; i++) {
    const p = Math.min(Math.max(r.x[i]! - r.gradient[i]!, lower[i]!), upper[i]!) - r.x[i]!;
    norm = Math.max(norm, Math.abs(p));
  }
  return norm;
}

function inBox(x: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!(x[i]! >= lower[i]! && x[i]! <= upper[i]!)) return false;
  return true;
}

describe('lbfgsb on unbounded problems', () => {
  it('minimizes 2-D Rosenbrock from (-1.2, 1) in a scipy-like number of steps', () => {
    const r = lbfgsb(rosenbrock, [-1.2, 1]);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.f).toBeLessThan(1e-9);
    expect(['gradient', 'function']).toContain(r.reason);
    // scipy 1.x (L-BFGS-B 3.0) needs ~35 iterations / ~45 evaluations here.
    expect(r.evaluations).toBeLessThan(70);
  });

  it('minimizes 10-D Rosenbrock to the ones vector', () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const r = lbfgsb(rosenbrock, x0, { pgtol: 1e-8, ftol: 1e-14 });
    for (const v of r.x) expect(v).toBeCloseTo(1, 5);
    expect(r.reason === 'gradient' || r.reason === 'function').toBe(true);
  });

  it('satisfies the strong Wolfe conditions at every accepted step', () => {
    const iterates: Array<{ x: Float64Array; f: number; g: Float64Array }> = [];
    const x0 = [-1.2, 1, -1.2, 1, 0.5];
    const g0 = new Float64Array(5);
    const f0 = rosenbrock(Float64Array.from(x0), g0);
    iterates.push({ x: Float64Array.from(x0), f: f0, g: g0 });
    lbfgsb(rosenbrock, x0, {
      onIteration: ({ x, f, gradient }) => iterates.push({ x: x.slice(), f, g: gradient.slice() }),
    });
    expect(iterates.length).toBeGreaterThan(10);
    for (let k = 0; k + 1 < iterates.length; k++) {
      const a = iterates[k]!;
      const b = iterates[k + 1]!;
      // phi(t) along s = x_{k+1} - x_k: both conditions are invariant to the scaling of the step.
      let slope0 = 0;
      let slope1 = 0;
      for (let i = 0; i < 5; i++) {
        const s = b.x[i]! - a.x[i]!;
        slope0 += a.g[i]! * s;
        slope1 += b.g[i]! * s;
      }
      expect(slope0).toBeLessThan(0);
      expect(b.f).toBeLessThanOrEqual(a.f + 1e-3 * slope0 + 1e-15);
      expect(Math.abs(slope1)).toBeLessThanOrEqual(0.9 * Math.abs(slope0) + 1e-15);
    }
  });

  it('returns at once when the start is stationary', () => {
    const r = lbfgsb(
      (x, g) => {
        g[0] = 2 * x[0]!;
        return x[0]! * x[0]!;
      },
      [0],
    );
    expect(r.reason).toBe('gradient');
    expect(r.evaluations).toBe(1);
    expect(r.iterations).toBe(0);
  });
});

describe('lbfgsb with bounds', () => {
  it('solves a diagonal quadratic: the clipped unconstrained minimizer', () => {
    const d = 8;
    const rng = seedrandom('diag');
    const h = Array.from({ length: d }, () => 0.5 + 5 * rng());
    const center = Array.from({ length: d }, () => 4 * rng() - 2);
    const lower = Array.from({ length: d }, () => -1);
    const upper = Array.from({ length: d }, () => 1);
    const r = lbfgsb(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < d; i++) {
          const t = x[i]! - center[i]!;
          f += 0.5 * h[i]! * t * t;
          g[i] = h[i]! * t;
        }
        return f;
      },
      new Array(d).fill(0),
      { lower, upper, pgtol: 1e-10, ftol: 0 },
    );
    let active = 0;
    for (let i = 0; i < d; i++) {
      const expected = Math.min(Math.max(center[i]!, -1), 1);
      if (expected !== center[i]) active++;
      expect(r.x[i]).toBeCloseTo(expected, 6);
    }
    expect(active).toBeGreaterThanOrEqual(2);
    expect(inBox(r.x, lower, upper)).toBe(true);
  });

  it('matches brute-force active-set enumeration on non-diagonal quadratics (d <= 5)', () => {
    const rng = seedrandom('active-set');
    for (let trial = 0; trial < 30; trial++) {
      const d = 1 + (trial % 5);
      const A = randomSpd(d, rng);
      const b = Float64Array.from({ length: d }, () => 6 * rng() - 3);
      const lower = Array.from({ length: d }, () => (rng() < 0.15 ? -Infinity : -rng()));
      const upper = Array.from({ length: d }, () => (rng() < 0.15 ? Infinity : rng()));
      const expected = bruteForceBoxQp(A, b, d, lower, upper);
      const r = lbfgsb(quadratic(A, b, d), new Array(d).fill(0), { lower, upper, pgtol: 1e-10, ftol: 0 });
      expect(inBox(r.x, lower, upper)).toBe(true);
      for (let i = 0; i < d; i++) expect(Math.abs(r.x[i]! - expected[i]!)).toBeLessThan(1e-6);
    }
  });

  it('finds a minimum on a bound of bounded Rosenbrock', () => {
    // Unconstrained optimum (1, 1) is cut off by x1 <= 0.5: the solution has x1 = 0.5, x0 = sqrt(0.5)-ish.
    const r = lbfgsb(rosenbrock, [-1, -1], { lower: [-2, -2], upper: [2, 0.5], pgtol: 1e-9, ftol: 0 });
    expect(r.x[1]).toBe(0.5);
    // With x1 fixed at 0.5: minimize 100 (0.5 - x0^2)^2 + (1 - x0)^2 in x0 (1-D check by bisection on the derivative).
    const dphi = (t: number) => -400 * t * (0.5 - t * t) - 2 * (1 - t);
    let lo = 0.5;
    let hi = 1;
    for (let k = 0; k < 100; k++) {
      const mid = 0.5 * (lo + hi);
      if (dphi(mid) > 0) hi = mid;
      else lo = mid;
    }
    expect(r.x[0]).toBeCloseTo(lo, 6);
    expect(r.gradient[1]).toBeLessThan(0); // the bound pushes back
  });

  it('handles a mix of unbounded, one-sided and two-sided variables', () => {
    // f = sum (x_i - c_i)^2 with c = (3, -3, 3, -3, 0.5)
    const c = [3, -3, 3, -3, 0.5];
    const lower = [-Infinity, 0, -Infinity, -1, -Infinity];
    const upper = [Infinity, Infinity, 1, 1, Infinity];
    const r = lbfgsb(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 5; i++) {
          f += (x[i]! - c[i]!) ** 2;
          g[i] = 2 * (x[i]! - c[i]!);
        }
        return f;
      },
      [0, 5, 0, 0, 0],
      { lower, upper },
    );
    expect(Array.from(r.x).map((v) => Number(v.toFixed(6)))).toEqual([3, 0, 1, -1, 0.5]);
    expect(r.reason).toBe('gradient');
  });

  it('keeps a variable with equal bounds fixed', () => {
    const r = lbfgsb(rosenbrock, [-1.2, 1, 0], { lower: [-2, 0.3, -2], upper: [2, 0.3, 2] });
    expect(r.x[1]).toBe(0.3);
    expect(r.reason === 'gradient' || r.reason === 'function').toBe(true);
  });

  it('projects a start outside the box and never evaluates outside it', () => {
    const lower = [0, 0, 0];
    const upper = [1, 2, 3];
    let outside = 0;
    const r = lbfgsb(
      (x, g) => {
        if (!inBox(x, lower, upper)) outside++;
        return rosenbrock(x, g);
      },
      [-5, 7, 1],
      { lower, upper },
    );
    expect(outside).toBe(0);
    expect(inBox(r.x, lower, upper)).toBe(true);
  });

  it('property: KKT conditions hold on random convex quadratics with random boxes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), (d, seed) => {
        const rng = seedrandom(`kkt${seed}`);
        const A = randomSpd(d, rng);
        const b = Float64Array.from({ length: d }, () => 10 * rng() - 5);
        const lower = Array.from({ length: d }, () => (rng() < 0.2 ? -Infinity : -2 * rng()));
        const upper = Array.from({ length: d }, () => (rng() < 0.2 ? Infinity : 2 * rng()));
        const x0 = Array.from({ length: d }, () => 4 * rng() - 2);
        const r = lbfgsb(quadratic(A, b, d), x0, {
          lower,
          upper,
          pgtol: 1e-8,
          ftol: 0,
          maxIterations: 1000,
          maxEvaluations: 2000,
        });
        return inBox(r.x, lower, upper) && projectedGradientNorm(r, lower, upper) <= 1e-6;
      }),
      { numRuns: 80 },
    );
  });
});

describe('lbfgsb stopping rules', () => {
  it('stops on maxIterations and maxEvaluations', () => {
    const a = lbfgsb(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(a.reason).toBe('iterations');
    expect(a.iterations).toBe(3);
    const b = lbfgsb(rosenbrock, [-1.2, 1], { maxEvaluations: 7 });
    expect(b.reason).toBe('evaluations');
    expect(b.evaluations).toBeLessThanOrEqual(7);
    expect(b.f).toBeLessThan(24.2); // f(x0) = 24.2
  });

  it('stops with a relative function reduction test', () => {
    const r = lbfgsb(rosenbrock, [-1.2, 1], { ftol: 1e-3, pgtol: 0 });
    expect(r.reason).toBe('function');
    expect(r.message).toMatch(/ftol/);
  });

  it('reports non-finite values at the start', () => {
    const r = lbfgsb(
      (_x, g) => {
        g[0] = 0;
        return Number.NaN;
      },
      [1],
    );
    expect(r.reason).toBe('non-finite');
    expect(r.message).toMatch(/f = NaN/);
    expect(r.x[0]).toBe(1);
  });

  it('shrinks the step when the line search meets non-finite values', () => {
    // f = -log(2 - x) + x^2 style barrier: infinite for x >= 2; the first trial overshoots.
    const r = lbfgsb(
      (x, g) => {
        const t = x[0]!;
        if (t >= 2) {
          g[0] = Number.NaN;
          return Number.POSITIVE_INFINITY;
        }
        g[0] = 1 / (2 - t) - 8 * (3 - t) * 0 - 2 * (10 - t) * 0 - 10;
        return -Math.log(2 - t) - 10 * t;
      },
      [0],
    );
    // minimizer: 1/(2 - x) = 10 -> x = 1.9
    expect(r.x[0]).toBeCloseTo(1.9, 5);
    expect(r.f).toBeLessThan(0);
  });

  it('reports a line-search failure with a wrong gradient and returns the best point', () => {
    const r = lbfgsb(
      (x, g) => {
        g[0] = -2 * x[0]!; // wrong sign
        return x[0]! * x[0]!;
      },
      [1],
    );
    expect(r.reason).toBe('line-search');
    expect(r.f).toBeLessThanOrEqual(1);
    expect(r.message.length).toBeGreaterThan(10);
  });

  it('validates its inputs with clear messages', () => {
    expect(() => lbfgsb(rosenbrock, [0, 0], { lower: [0] })).toThrow(
      /lower has length 1, expected the dimension 2/,
    );
    expect(() => lbfgsb(rosenbrock, [0, 0], { lower: [1, 0], upper: [0, 1] })).toThrow(
      /variable 0.*\[1, 0\]/,
    );
    expect(() => lbfgsb(rosenbrock, [0, Number.NaN])).toThrow(/x0\[1\] is NaN/);
    expect(() => lbfgsb(rosenbrock, [0, 0], { memory: 0 })).toThrow(/memory must be a positive integer/);
  });
});

describe('lbfgsbBatch', () => {
  it('gives the same results as independent single runs', () => {
    const d = 4;
    const rng = seedrandom('batch');
    const b = 6;
    const X0 = new Float64Array(b * d).map(() => 3 * rng() - 1.5);
    const options = { lower: [-1.5, -1.5, -1.5, 0.2], upper: [1.5, 1.5, 0.9, 1.5] };
    let calls = 0;
    const results = lbfgsbBatch(
      (X, active, F, G) => {
        calls++;
        for (let i = 0; i < b; i++) {
          if (!active[i]) continue;
          F[i] = rosenbrock(X.subarray(i * d, (i + 1) * d), G.subarray(i * d, (i + 1) * d));
        }
      },
      matrix(b, d, X0),
      options,
    );
    expect(results.length).toBe(b);
    let maxEvaluations = 0;
    for (let i = 0; i < b; i++) {
      const single = lbfgsb(rosenbrock, X0.subarray(i * d, (i + 1) * d), options);
      const batch = results[i]!;
      expect(Array.from(batch.x)).toEqual(Array.from(single.x));
      expect(batch.f).toBe(single.f);
      expect(batch.iterations).toBe(single.iterations);
      expect(batch.evaluations).toBe(single.evaluations);
      expect(batch.reason).toBe(single.reason);
      maxEvaluations = Math.max(maxEvaluations, single.evaluations);
    }
    expect(calls).toBe(maxEvaluations);
  });

  it('stops a row whose start is non-finite and finishes the others', () => {
    const results = lbfgsbBatch(
      (X, active, F, G) => {
        for (let i = 0; i < 2; i++) {
          if (!active[i]) continue;
          const x = X.subarray(i * 2, i * 2 + 2);
          F[i] = x[0]! > 5 ? Number.NaN : rosenbrock(x, G.subarray(i * 2, i * 2 + 2));
        }
      },
      matrix(2, 2, new Float64Array([10, 0, -1.2, 1])),
    );
    expect(results[0]!.reason).toBe('non-finite');
    expect(results[0]!.evaluations).toBe(1);
    expect(results[1]!.x[0]).toBeCloseTo(1, 4);
  });

  it('handles an empty batch', () => {
    expect(lbfgsbBatch(() => {}, matrix(0, 3, new Float64Array(0)))).toEqual([]);
  });
});
