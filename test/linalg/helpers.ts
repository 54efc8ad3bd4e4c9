import seedrandom from 'seedrandom';

/** A seeded uniform(-1, 1) source for test matrices. */
export function uniform(seed: string): () => number {
  const rng = seedrandom(seed);
  return () => 2 * rng() - 1;
}

export function randomMatrix(rows: number, cols: number, next: () => number): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = next();
  return a;
}

/** A random SPD n x n matrix G G^T / n + I, built with plain loops. */
export function randomSpd(n: number, next: () => number): Float64Array {
  const g = randomMatrix(n, n, next);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += g[i * n + p]! * g[j * n + p]!;
      a[i * n + j] = s / n + (i === j ? 1 : 0);
    }
  }
  return a;
}

/** Naive triple loop: op(A) (m x k) times op(B) (k x n). */
export function naiveProduct(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? A[p * m + i]! : A[i * k + p]!;
        const b = transB ? B[j * k + p]! : B[p * n + j]!;
        s += a * b;
      }
      c[i * n + j] = s;
    }
  }
  return c;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export function toRowArrays(a: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from(a.subarray(i * cols, (i + 1) * cols)));
  return out;
}
