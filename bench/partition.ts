/**
 * Box decompositions: box count and build time of the exact non-dominated partitioning, the
 * dominated partitioning, and the approximate one (alpha = 1e-3, 1e-2), on fronts on the unit
 * sphere (|N(0, 1)| rows normalized, reference 1.1), plus one incremental insertion into a
 * 200-point m = 4 partitioning.
 *
 *   npx tsx bench/partition.ts [--quick]
 *
 * Writes bench/results/partition.json. Times are medians over repeats, wall and CPU.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import type { Matrix } from '../src/linalg/matrix.js';
import { DominatedPartitioning, NondominatedPartitioning, totalVolume } from '../src/pareto/partitioning.js';

const quick = process.argv.includes('--quick');

function sphereFront(n: number, m: number, seed: string): Matrix {
  const rng = seedrandom(seed);
  const data = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < m; j++) {
      const g = Math.abs(Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
      data[i * m + j] = g;
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < m; j++) data[i * m + j]! /= norm;
  }
  return { rows: n, cols: m, data };
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Median wall and CPU time of `fn` over `repeats` runs after one warm-up run. */
function time<T>(fn: () => T, repeats: number): { timing: Timing; value: T } {
  let value = fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    value = fn();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    walls.push(wall);
    cpus.push((c.user + c.system) / 1e3);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { timing: { wallMs: median(walls), cpuMs: median(cpus) }, value };
}

interface Row {
  kind: string;
  m: number;
  n: number;
  boxes: number;
  wallMs: number;
  cpuMs: number;
  /** approximate only: approximationError() / hypervolume */
  relativeErrorBound?: number;
  /** approximate only: the non-dominated volume in [ideal, r] actually missed, / hypervolume */
  relativeMissed?: number;
}

const sizes: [number, number[]][] = quick
  ? [
      [2, [50, 200, 10000]],
      [3, [50, 200, 1000]],
      [4, [50, 200]],
      [5, [50, 200]],
      [6, [50, 100]],
    ]
  : [
      [2, [50, 100, 200, 1000, 10000, 100000]],
      [3, [50, 100, 200, 1000, 5000]],
      [4, [50, 100, 200, 500, 1000]],
      [5, [50, 100, 200, 500]],
      [6, [50, 100, 200]],
    ];

const rows: Row[] = [];
for (const [m, ns] of sizes) {
  const reference = new Array<number>(m).fill(1.1);
  for (const n of ns) {
    const front = sphereFront(n, m, `sphere-${m}-${n}`);
    const budget = n * m ** 3;
    const repeats = quick ? 3 : budget > 2e6 ? 3 : budget > 1e5 ? 7 : 15;
    const exact = time(() => new NondominatedPartitioning(reference, front).boxes(), repeats);
    rows.push({ kind: 'nondominated exact', m, n, boxes: exact.value.count, ...exact.timing });
    const dom = time(() => new DominatedPartitioning(reference, front).boxes(), repeats);
    rows.push({ kind: 'dominated', m, n, boxes: dom.value.count, ...dom.timing });
    if (m < 3 || n > 500) continue;
    const hv = new DominatedPartitioning(reference, front).hypervolume();
    const ideal = new Array<number>(m).fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) ideal[j] = Math.min(ideal[j]!, front.data[i * m + j]!);
    const exactWithin = totalVolume(new NondominatedPartitioning(reference, front).boxesWithin(ideal));
    for (const alpha of [1e-3, 1e-2]) {
      const approx = time(() => {
        const p = new NondominatedPartitioning(reference, front, { alpha });
        return { boxes: p.boxes(), error: p.approximationError(), within: totalVolume(p.boxesWithin(ideal)) };
      }, repeats);
      rows.push({
        kind: `approximate alpha=${alpha}`,
        m,
        n,
        boxes: approx.value.boxes.count,
        ...approx.timing,
        relativeErrorBound: approx.value.error / hv,
        relativeMissed: (exactWithin - approx.value.within) / hv,
      });
    }
  }
}

// One incremental insertion into a 200-point m = 4 partitioning, against a rebuild.
const incremental = (() => {
  const m = 4;
  const reference = new Array<number>(m).fill(1.1);
  const front = sphereFront(260, m, 'incremental');
  const base = { rows: 200, cols: m, data: front.data.slice(0, 200 * m) };
  const extra = 60;
  const updateWall: number[] = [];
  const updateCpu: number[] = [];
  const boxesWall: number[] = [];
  let partitioning = new NondominatedPartitioning(reference, base);
  partitioning.boxes();
  for (let t = 0; t < extra; t++) {
    if (t === extra / 2) {
      // second half: each insertion into a fresh 200-point partitioning
      partitioning = new NondominatedPartitioning(reference, base);
      partitioning.boxes();
    }
    const point = [Array.from(front.data.subarray((200 + t) * m, (201 + t) * m))];
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    partitioning.update(point);
    const t1 = process.hrtime.bigint();
    const c = process.cpuUsage(c0);
    partitioning.boxes();
    const t2 = process.hrtime.bigint();
    updateWall.push(Number(t1 - t0) / 1e6);
    updateCpu.push((c.user + c.system) / 1e3);
    boxesWall.push(Number(t2 - t1) / 1e6);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const rebuild = time(() => new NondominatedPartitioning(reference, base).boxes(), 7);
  return {
    m,
    n: 200,
    updateWallMs: median(updateWall),
    updateCpuMs: median(updateCpu),
    boxesAfterUpdateWallMs: median(boxesWall),
    rebuildWallMs: rebuild.timing.wallMs,
    rebuildCpuMs: rebuild.timing.cpuMs,
    bounds: partitioning.localUpperBounds().rows,
  };
})();

const pad = (s: string, w: number) => s.padStart(w);
console.log(
  `${'kind'.padEnd(28)}${pad('m', 3)}${pad('n', 8)}${pad('boxes', 10)}${pad('wall ms', 11)}${pad('cpu ms', 11)}${pad('err bound', 11)}${pad('missed', 11)}`,
);
for (const r of rows) {
  console.log(
    `${r.kind.padEnd(28)}${pad(String(r.m), 3)}${pad(String(r.n), 8)}${pad(String(r.boxes), 10)}` +
      `${pad(r.wallMs.toFixed(2), 11)}${pad(r.cpuMs.toFixed(2), 11)}` +
      `${pad(r.relativeErrorBound === undefined ? '' : r.relativeErrorBound.toExponential(2), 11)}` +
      `${pad(r.relativeMissed === undefined ? '' : r.relativeMissed.toExponential(2), 11)}`,
  );
}
console.log('(err bound, missed: approximationError() and the missed non-dominated volume, / hypervolume)');
console.log(
  `incremental, m = 4, n = 200 (${incremental.bounds} bounds): update ${incremental.updateWallMs.toFixed(3)} ms wall ` +
    `(${incremental.updateCpuMs.toFixed(3)} ms cpu), boxes() after it ${incremental.boxesAfterUpdateWallMs.toFixed(3)} ms; ` +
    `rebuild ${incremental.rebuildWallMs.toFixed(2)} ms wall (${incremental.rebuildCpuMs.toFixed(2)} ms cpu)`,
);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'partition.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows, incremental }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
