/**
 * Dense linear algebra throughput: gemm, syrk, Cholesky, triangular solves with many right-hand
 * sides, choleskyInverse, against textbook triple loops.
 *
 *   npx tsx bench/linalg.ts [--quick]
 *
 * Prints a table and writes bench/results/linalg.json. GFLOP/s use the LAPACK operation counts
 * (gemm 2mnk, syrk n^2 k, Cholesky n^3/3, triangular solve n^2 k, inverse from the factor 2n^3/3).
 * Wall and process CPU time are both reported: the machine may be shared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gemm, syrk } from '../src/linalg/blas.js';
import { cholesky } from '../src/linalg/cholesky.js';
import { choleskyInverse, solveLower } from '../src/linalg/triangular.js';

const quick = process.argv.includes('--quick');
const minSeconds = quick ? 0.15 : 0.6;

interface Row {
  kernel: string;
  n: number;
  k?: number;
  flops: number;
  repetitions: number;
  wallSeconds: number;
  cpuSeconds: number;
  gflopsWall: number;
  gflopsCpu: number;
}

function random(length: number, seed: number): Float64Array {
  // xorshift: deterministic inputs without a dependency
  let s = seed >>> 0 || 1;
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  return a;
}

/** Diagonally dominant SPD matrix, cheap to build for large n. */
function spd(n: number): Float64Array {
  const g = random(n * n, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      a[i * n + j] = g[i * n + j]!;
      a[j * n + i] = g[i * n + j]!;
    }
    a[i * n + i] = n;
  }
  return a;
}

function measure(kernel: string, n: number, flops: number, run: () => void, k?: number): Row {
  run(); // warm-up (JIT, caches)
  let repetitions = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let elapsed = 0;
  do {
    run();
    repetitions++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const total = flops * repetitions;
  const row: Row = {
    kernel,
    n,
    flops,
    repetitions,
    wallSeconds: elapsed / repetitions,
    cpuSeconds: cpuSeconds / repetitions,
    gflopsWall: total / elapsed / 1e9,
    gflopsCpu: total / cpuSeconds / 1e9,
  };
  if (k !== undefined) row.k = k;
  return row;
}

function naiveGemm(n: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += A[i * n + p]! * B[p * n + j]!;
      C[i * n + j] = s;
    }
  }
}

function naiveCholesky(a: Float64Array, n: number, L: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let p = 0; p < j; p++) d -= L[j * n + p]! * L[j * n + p]!;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let p = 0; p < j; p++) s -= L[i * n + p]! * L[j * n + p]!;
      L[i * n + j] = s / ljj;
    }
  }
}

const rows: Row[] = [];
const gemmSizes = quick ? [100, 200, 500] : [100, 200, 500, 1000];
const cholSizes = quick ? [100, 500, 1000] : [100, 500, 1000, 2000];

for (const n of gemmSizes) {
  const A = random(n * n, 1);
  const B = random(n * n, 2);
  const C = new Float64Array(n * n);
  rows.push(measure('gemm NN', n, 2 * n ** 3, () => gemm(false, false, n, n, n, 1, A, B, 0, C)));
  rows.push(measure('gemm TN', n, 2 * n ** 3, () => gemm(true, false, n, n, n, 1, A, B, 0, C)));
  if (n <= 500) rows.push(measure('naive gemm (i-j-p)', n, 2 * n ** 3, () => naiveGemm(n, A, B, C)));
  rows.push(measure('syrk A A^T', n, n ** 3, () => syrk(false, n, n, 1, A, 0, C)));
}

for (const n of cholSizes) {
  const a = spd(n);
  const out = new Float64Array(n * n);
  rows.push(measure('cholesky', n, n ** 3 / 3, () => cholesky(a, n, { out })));
  if (n <= 1000) {
    const L = new Float64Array(n * n);
    rows.push(measure('naive cholesky', n, n ** 3 / 3, () => naiveCholesky(a, n, L)));
  }
  const factor = cholesky(a, n).factor;
  const k = Math.min(n, 500);
  const Bk = random(n * k, 3);
  const X = new Float64Array(n * k);
  rows.push(measure('solveLower (k rhs)', n, n * n * k, () => solveLower(factor, n, Bk, k, X), k));
  const b1 = random(n, 4);
  const x1 = new Float64Array(n);
  rows.push(measure('solveLower (1 rhs)', n, n * n, () => solveLower(factor, n, b1, 1, x1), 1));
  if (n <= 1000 || !quick) {
    const inv = new Float64Array(n * n);
    rows.push(measure('choleskyInverse', n, (2 * n ** 3) / 3, () => choleskyInverse(factor, n, inv)));
  }
}

const header = ['kernel', 'n', 'k', 'ms (wall)', 'GFLOP/s wall', 'GFLOP/s cpu'];
console.log(header.join('\t'));
for (const r of rows) {
  console.log(
    [
      r.kernel.padEnd(20),
      r.n,
      r.k ?? '',
      (r.wallSeconds * 1000).toFixed(3),
      r.gflopsWall.toFixed(2),
      r.gflopsCpu.toFixed(2),
    ].join('\t'),
  );
}

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'linalg.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows }, null, 2)}\n`,
);
console.log(`wrote ${join('bench', 'results', 'linalg.json')}`);
