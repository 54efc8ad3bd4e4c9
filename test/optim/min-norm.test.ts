import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minNormWeights } from '../../src/optim/min-norm.js';

/** The Gram matrix of the rows of U (m x k). */
function gram(U: number[][]): Float64Array {
  const m = U.length;
  const G = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) G[i * m + j] = U[i]!.reduce((s, v, c) => s + v * U[j]![c]!, 0);
  return G;
}

/** Solves A x = b (n x n, dense) by Gaussian elimination with partial pivoting; null if singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-10) return null;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k] = M[r]![k]! - f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

/**
 * The minimum of wᵀGw on the simplex by enumeration: for each support S, the stationary point of
 * the equality-constrained problem (KKT system [G_SS 1; 1ᵀ 0]); the least value over the feasible
 * ones. An independent computation of what `minNormWeights` does iteratively.
 */
function minimumByEnumeration(G: Float64Array, m: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 1; mask < 1 << m; mask++) {
    const S = [...Array(m).keys()].filter((i) => (mask >> i) & 1);
    const k = S.length;
    const A = S.map((i) => [...S.map((j) => G[i * m + j]!), 1]);
    A.push([...S.map(() => 1), 0]);
    const x = solve(A, [...S.map(() => 0), 1]);
    if (x === null || x.slice(0, k).some((v) => v < -1e-12)) continue;
    let value = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) value += x[a]! * x[b]! * G[S[a]! * m + S[b]!]!;
    best = Math.min(best, value);
  }
  return best;
}

const vectors = fc
  .record({ m: fc.integer({ min: 1, max: 5 }), k: fc.integer({ min: 1, max: 6 }) })
  .chain(({ m, k }) =>
    fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: k, maxLength: k }), {
      minLength: m,
      maxLength: m,
    }),
  );

/** The solver's answer for the rows of U, and the scale of its tolerances. */
function solved(U: number[][]) {
  const m = U.length;
  const G = gram(U);
  const w = new Float64Array(m);
  const value = minNormWeights(G, m, w);
  const scale = Math.max(1, ...Array.from({ length: m }, (_, i) => G[i * (m + 1)]!));
  return { m, G, w, value, scale };
}

describe('minNormWeights', () => {
  it('finds the minimum that enumerating the supports finds, on the simplex', () => {
    fc.assert(
      fc.property(vectors, (U) => {
        const { m, G, w, value, scale } = solved(U);
        expect(Math.abs(w.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
        for (const v of w) expect(v).toBeGreaterThanOrEqual(0);
        expect(Math.abs(value - minimumByEnumeration(G, m))).toBeLessThan(1e-9 * scale);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('gives a direction that descends every objective: u_j · v >= |v|² for v = Σ w_j u_j', () => {
    fc.assert(
      fc.property(vectors, (U) => {
        const { m, G, w, value, scale } = solved(U);
        for (let j = 0; j < m; j++) {
          let t = 0;
          for (let i = 0; i < m; i++) t += G[j * m + i]! * w[i]!;
          expect(t).toBeGreaterThanOrEqual(value - 1e-9 * scale);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('matches the closed form for two vectors and is zero when they oppose', () => {
    const G = gram([
      [1, 0],
      [1, 1],
    ]);
    const w = new Float64Array(2);
    // min over t of |(1 − t)(1, 0) + t (1, 1)|² = 1 + t², at t = 0.
    expect(minNormWeights(G, 2, w)).toBeCloseTo(1, 14);
    expect(Array.from(w)).toEqual([1, 0]);
    const H = gram([
      [2, 1],
      [-4, -2],
    ]);
    expect(minNormWeights(H, 2, w)).toBeLessThan(1e-24);
    expect(w[0]).toBeCloseTo(2 / 3, 12);
    // Three unit vectors 120° apart in the plane: the origin is their centroid.
    const c = Math.cos((2 * Math.PI) / 3);
    const s = Math.sin((2 * Math.PI) / 3);
    const T = gram([
      [1, 0],
      [c, s],
      [c, -s],
    ]);
    const u = new Float64Array(3);
    expect(minNormWeights(T, 3, u)).toBeLessThan(1e-20);
    for (const v of u) expect(v).toBeCloseTo(1 / 3, 10);
  });
});
