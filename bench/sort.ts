/**
 * Non-dominated sorting and Pareto filtering against naive O(m n^2) baselines.
 *
 *   npx tsx bench/sort.ts [--quick]
 *
 * Prints a table and writes bench/results/sort.json. Times are medians over repetitions, wall clock
 * and process CPU time (user + system): on a shared machine the CPU time is the steadier figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Matrix } from '../src/linalg/matrix.js';
import { paretoFilter } from '../src/pareto/dominance.js';
import { lexicographicOrder, nondominatedSort } from '../src/pareto/nondominated-sort.js';

const quick = process.argv.includes('--quick');

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

type Shape = 'uniform' | 'front' | 'line';

/**
 * uniform: the unit cube (many ranks at m = 2, few at m = 5); front: the simplex plus a little noise
 * (few, large fronts); line: the diagonal plus noise (many small fronts).
 */
function points(n: number, m: number, shape: Shape, seed: number): Matrix {
  const rnd = lcg(seed);
  const data = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < m; j++) sum += data[i * m + j] = rnd();
    const t = rnd();
    for (let j = 0; j < m; j++) {
      const o = i * m + j;
      if (shape === 'front') data[o] = data[o]! / sum + 0.02 * rnd();
      else if (shape === 'line') data[o] = t + 0.05 * data[o]!;
    }
  }
  return { rows: n, cols: m, data };
}

/** Baseline: lexicographic order, then each point against every earlier one, O(m n^2). */
function naiveSort(P: Matrix): Int32Array {
  const { rows: n, cols: m, data: x } = P;
  const order = lexicographicOrder(x, n, m);
  const rank = new Int32Array(n);
  for (let b = 1; b < n; b++) {
    const q = order[b]!;
    let r = 0;
    for (let a = 0; a < b; a++) {
      const p = order[a]!;
      if (rank[p]! + 1 <= r) continue;
      let j = 0;
      while (j < m && x[p * m + j]! <= x[q * m + j]!) j++;
      if (j < m) continue;
      // Weakly below and earlier: dominates unless identical, which shares the rank.
      let same = true;
      for (let k = 0; k < m && same; k++) same = x[p * m + k] === x[q * m + k];
      r = same ? rank[p]! : rank[p]! + 1;
    }
    rank[q] = r;
  }
  return rank;
}

/** Baseline Pareto filter: every point against every other with early exit, O(m n^2). */
function naiveFilter(P: Matrix): number {
  const { rows: n, cols: m, data: x } = P;
  let count = 0;
  for (let q = 0; q < n; q++) {
    let dominated = false;
    for (let p = 0; p < n && !dominated; p++) {
      let le = true;
      let lt = false;
      for (let j = 0; j < m && le; j++) {
        const a = x[p * m + j]!;
        const b = x[q * m + j]!;
        if (a > b) le = false;
        else if (a < b) lt = true;
      }
      dominated = le && lt;
    }
    if (!dominated) count++;
  }
  return count;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function time(f: () => unknown, reps: number): Timing {
  f(); // warm-up
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1]!;
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

const rows: Array<Record<string, number | string>> = [];
const header = [
  'n',
  'm',
  'shape',
  'fronts',
  'front0',
  'sort ms',
  'naive ms',
  'speedup',
  'filter ms',
  'naive filter ms',
];
console.log(header.map((h) => h.padStart(h === 'shape' ? 8 : 10)).join(' '));
for (const n of quick ? [1000, 10000] : [1000, 10000]) {
  for (const m of [2, 3, 5]) {
    for (const shape of ['uniform', 'front', 'line'] as Shape[]) {
      const P = points(n, m, shape, 1000 * m + n);
      const reps = quick ? (n > 1000 ? 2 : 5) : n > 1000 ? 5 : 15;
      const sorted = nondominatedSort(P);
      const check = naiveSort(P);
      for (let i = 0; i < n; i++) {
        if (check[i] !== sorted.ranks[i])
          throw new Error(`bench/sort: rank mismatch at n=${n} m=${m} ${shape}`);
      }
      const fast = time(() => nondominatedSort(P), reps);
      const naive = time(() => naiveSort(P), reps);
      const filter = time(() => paretoFilter(P), reps);
      const naiveF = time(() => naiveFilter(P), quick && n > 1000 ? 1 : reps);
      if (naiveFilter(P) !== paretoFilter(P).length) throw new Error('bench/sort: filter mismatch');
      const row = {
        n,
        m,
        shape,
        fronts: sorted.fronts.length,
        front0: sorted.fronts[0]!.length,
        sortWallMs: fast.wallMs,
        sortCpuMs: fast.cpuMs,
        naiveWallMs: naive.wallMs,
        naiveCpuMs: naive.cpuMs,
        filterWallMs: filter.wallMs,
        filterCpuMs: filter.cpuMs,
        naiveFilterWallMs: naiveF.wallMs,
        naiveFilterCpuMs: naiveF.cpuMs,
      };
      rows.push(row);
      const cells = [
        String(n),
        String(m),
        shape,
        String(row.fronts),
        String(row.front0),
        fast.cpuMs.toFixed(2),
        naive.cpuMs.toFixed(2),
        `${(naive.cpuMs / Math.max(fast.cpuMs, 1e-3)).toFixed(1)}x`,
        filter.cpuMs.toFixed(2),
        naiveF.cpuMs.toFixed(2),
      ];
      console.log(cells.map((c, k) => c.padStart(header[k] === 'shape' ? 8 : 10)).join(' '));
    }
  }
}
console.log('(ms: median CPU time per call; wall times in the JSON)');

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'sort.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ benchmark: 'sort', quick, node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
