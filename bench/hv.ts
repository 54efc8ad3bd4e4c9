/**
 * Hypervolume timing: `npx tsx bench/hv.ts [--quick] [--m 3]`. Fronts on the positive orthant of the
 * unit sphere and on the unit simplex, fixed seed, reference 1.1 in every objective. Prints a table
 * of median wall and CPU milliseconds after a warm-up and writes bench/results/hv.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { type Matrix, matrix } from '../src/linalg/matrix.js';
import { dimensionSweep, SweepWorkspace } from '../src/pareto/hv/dimension-sweep.js';
import { WfgWorkspace, wfg } from '../src/pareto/hv/wfg.js';
import { hypervolume, hypervolumeContributions } from '../src/pareto/hypervolume.js';

type Front = 'sphere' | 'simplex';

interface Case {
  m: number;
  front: Front;
  n: number;
  kind: 'hypervolume' | 'contributions' | 'sweep' | 'wfg4';
}

interface Row extends Case {
  algorithm: string;
  repeats: number;
  wallMs: number;
  cpuMs: number;
  value: number;
}

function front(kind: Front, n: number, m: number, seed: string): Matrix {
  const rng = seedrandom(seed);
  const data = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < m; j++) {
      let v: number;
      if (kind === 'sphere') {
        // |N(0, 1)| by Box-Muller; the direction is uniform on the positive orthant of the sphere.
        const u1 = 1 - rng();
        const u2 = rng();
        v = Math.abs(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        norm += v * v;
      } else {
        v = -Math.log(1 - rng());
        norm += v;
      }
      data[i * m + j] = v;
    }
    const scale = kind === 'sphere' ? 1 / Math.sqrt(norm) : 1 / norm;
    for (let j = 0; j < m; j++) data[i * m + j]! *= scale;
  }
  return matrix(n, m, data);
}

function algorithmFor(m: number, kind: Case['kind']): string {
  if (kind === 'sweep') return 'dimension sweep, 4-D base';
  if (kind === 'wfg4') return 'WFG, 4-D base';
  if (kind === 'contributions') {
    return m === 2 ? 'staircase' : m === 3 ? 'z sweep + slices above' : 'limit set per point';
  }
  return m === 2
    ? 'sort+sweep'
    : m === 3
      ? 'z sweep, rank set'
      : m === 4
        ? 'w sweep of 3-D contrib.'
        : m === 5
          ? 'v sweep of 4-D contrib.'
          : 'WFG, 5-D base';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function run(c: Case, quick: boolean): Row {
  const pts = front(c.front, c.n, c.m, `hv-${c.front}-${c.m}-${c.n}`);
  const ref = new Array<number>(c.m).fill(1.1);
  const f =
    c.kind === 'hypervolume'
      ? () => hypervolume(pts, ref)
      : c.kind === 'contributions'
        ? () => sum(hypervolumeContributions(pts, ref))
        : c.kind === 'wfg4'
          ? () => wfg4(pts)
          : () => sweep(pts);
  let value = f();
  // Repeat until about 0.3 s (1 s without --quick) has been spent, between 3 and 15 times.
  const budget = quick ? 300 : 1000;
  const walls: number[] = [];
  const cpus: number[] = [];
  let spent = 0;
  while (walls.length < 3 || (walls.length < 15 && spent < budget)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    value = f();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    walls.push(wall);
    cpus.push((cpu.user + cpu.system) / 1000);
    spent += wall;
  }
  return {
    ...c,
    algorithm: algorithmFor(c.m, c.kind),
    repeats: walls.length,
    wallMs: median(walls),
    cpuMs: median(cpus),
    value,
  };
}

/** The plain recursive dimension sweep, measured against WFG (the default) for m >= 5. */
function sweep(pts: Matrix): number {
  const rows = new Float64Array(pts.data.length);
  for (let i = 0; i < rows.length; i++) rows[i] = pts.data[i]! - 1.1;
  return dimensionSweep(rows, pts.rows, pts.cols, pts.cols, new SweepWorkspace(pts.rows, pts.cols));
}

/** WFG with the m = 4 sweep as base case (the default for m >= 5 before the 5-D sweep existed). */
function wfg4(pts: Matrix): number {
  const rows = new Float64Array(pts.data.length);
  for (let i = 0; i < rows.length; i++) rows[i] = pts.data[i]! - 1.1;
  return wfg(rows, pts.rows, pts.cols, pts.cols, new WfgWorkspace(pts.rows, pts.cols), 4);
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

function cases(quick: boolean): Case[] {
  const sizes: Record<number, number[]> = quick
    ? {
        2: [1000, 100000],
        3: [1000, 10000],
        4: [1000, 5000],
        5: [300, 1000],
        6: [100, 300],
        7: [100, 200],
        8: [50, 100],
      }
    : {
        2: [1000, 10000, 100000],
        3: [100, 1000, 10000],
        4: [100, 1000, 5000],
        5: [100, 300, 1000, 3000],
        6: [50, 100, 300],
        7: [50, 100, 200],
        8: [25, 50, 100],
      };
  const out: Case[] = [];
  for (let m = 2; m <= 8; m++) {
    for (const f of ['sphere', 'simplex'] as const) {
      for (const n of sizes[m]!) {
        out.push({ m, front: f, n, kind: 'hypervolume' });
        // WFG down to the 4-D sweep, timed right after the default so both see the same load.
        if (m >= 5) out.push({ m, front: f, n, kind: 'wfg4' });
      }
      // The dimension sweep is far slower; time it at one small size per m.
      const sweepN: Record<number, number> = { 5: 300, 6: 100, 7: 50, 8: 25 };
      if (m >= 5) out.push({ m, front: f, n: sweepN[m]!, kind: 'sweep' });
    }
  }
  const contrib: [number, number][] = quick
    ? [
        [2, 10000],
        [3, 1000],
        [4, 300],
        [5, 100],
      ]
    : [
        [2, 10000],
        [3, 1000],
        [3, 10000],
        [4, 1000],
        [5, 300],
        [6, 100],
      ];
  for (const [m, n] of contrib) out.push({ m, front: 'sphere', n, kind: 'contributions' });
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const mi = args.indexOf('--m');
  const onlyM = mi >= 0 ? Number(args[mi + 1]) : undefined;
  if (onlyM !== undefined && !(Number.isInteger(onlyM) && onlyM >= 2)) {
    throw new RangeError(`bench/hv: --m must be an integer >= 2, got ${args[mi + 1]}`);
  }
  const rows: Row[] = [];
  const header = `${'m'.padStart(2)} ${'front'.padEnd(8)} ${'n'.padStart(7)} ${'what'.padEnd(14)} ${'algorithm'.padEnd(26)} ${'wall ms'.padStart(10)} ${'cpu ms'.padStart(10)}  value`;
  console.log(header);
  for (const c of cases(quick)) {
    if (onlyM !== undefined && c.m !== onlyM) continue;
    const r = run(c, quick);
    rows.push(r);
    console.log(
      `${String(r.m).padStart(2)} ${r.front.padEnd(8)} ${String(r.n).padStart(7)} ${r.kind.padEnd(14)} ${r.algorithm.padEnd(26)} ${r.wallMs.toFixed(3).padStart(10)} ${r.cpuMs.toFixed(3).padStart(10)}  ${r.value.toPrecision(12)}`,
    );
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'hv.json');
  writeFileSync(
    file,
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, rows }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}

main();
