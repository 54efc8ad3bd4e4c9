/**
 * GP fitting and posterior benchmark on DTLZ2 (m = 5 objectives) at random points of the unit cube.
 *
 *   npx tsx bench/gp.ts            full grid: n ∈ {50, 100, 200, 500} × d ∈ {6, 20, 50, 100}, m = 5,
 *                                  plus n = 1000 with one objective for every d
 *   npx tsx bench/gp.ts --quick    n ∈ {50, 100, 200}, m = 5, plus n = 1000, d = 100, one objective
 *
 * For every fit: wall and CPU time of fitting all objectives together (`fitGps`), likelihood
 * evaluations, whether the hyperparameters moved from their start, and the held-out R² on 200 fresh
 * points (1 − MSE / variance of the held-out values: > 0 means better than predicting their mean).
 * Then the step of a Bayesian-optimization loop: five more points and a refit warm-started from
 * these hyperparameters (CPU time, evaluations). Throughput: posterior mean + variance of one model
 * at 2000 points, per wall and per CPU second. Writes bench/results/gp.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitGps } from '../src/gp/fit.js';
import type { Matrix } from '../src/linalg/matrix.js';

const quick = process.argv.includes('--quick');

/** DTLZ2 (Deb, Thiele, Laumanns, Zitzler 2005): g = Σ_{i ≥ m−1} (x_i − 0.5)², spherical front. */
function dtlz2(x: Float64Array, m: number, out: Float64Array): void {
  const d = x.length;
  let g = 0;
  for (let i = m - 1; i < d; i++) g += (x[i]! - 0.5) ** 2;
  for (let j = 0; j < m; j++) {
    let f = 1 + g;
    for (let i = 0; i < m - 1 - j; i++) f *= Math.cos((x[i]! * Math.PI) / 2);
    if (j > 0) f *= Math.sin((x[m - 1 - j]! * Math.PI) / 2);
    out[j] = f;
  }
}

/** mulberry32: the bench's own data generator, so the data do not depend on the library's RNG. */
function uniformSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function data(n: number, d: number, m: number, seed: number): { X: Matrix; Y: Matrix } {
  const u = uniformSource(seed);
  const X = new Float64Array(n * d);
  const Y = new Float64Array(n * m);
  for (let i = 0; i < n * d; i++) X[i] = u();
  const f = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    dtlz2(X.subarray(i * d, (i + 1) * d), 5, f);
    for (let j = 0; j < m; j++) Y[i * m + j] = f[j]!;
  }
  return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: m, data: Y } };
}

interface Row {
  n: number;
  d: number;
  m: number;
  fitWallSeconds: number;
  fitCpuSeconds: number;
  evaluations: number;
  allMoved: boolean;
  minR2: number;
  meanR2: number;
  /** CPU seconds and evaluations of refitting all objectives on n + 5 points, warm-started. */
  warmRefitCpuSeconds: number;
  warmRefitEvaluations: number;
  posteriorPointsPerSecond: number;
  /** Points per second of CPU time (the machine may be shared). */
  posteriorPointsPerCpuSecond: number;
  lengthscaleRange: [number, number];
}

function run(n: number, d: number, m: number): Row {
  const { X, Y: Yall } = data(n, d, 5, 1000 * n + d);
  const Y: Matrix = { rows: n, cols: m, data: new Float64Array(n * m) };
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) Y.data[i * m + j] = Yall.data[i * 5 + j]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const models = fitGps(X, Y, { seed: 1 });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  // A Bayesian-optimization step: five more points, refit warm-started from these fits.
  const more = data(5, d, 5, 3 + n + d);
  const X2: Matrix = { rows: n + 5, cols: d, data: new Float64Array((n + 5) * d) };
  X2.data.set(X.data);
  X2.data.set(more.X.data, n * d);
  const Y2: Matrix = { rows: n + 5, cols: m, data: new Float64Array((n + 5) * m) };
  Y2.data.set(Y.data);
  for (let i = 0; i < 5; i++) for (let j = 0; j < m; j++) Y2.data[(n + i) * m + j] = more.Y.data[i * 5 + j]!;
  const cpuRefit0 = process.cpuUsage();
  const refits = fitGps(X2, Y2, { seed: 2, warmStarts: models.map((model) => model.hyperparameters) });
  const cpuRefit = process.cpuUsage(cpuRefit0);

  const test = data(200, d, 5, 7 + n + d);
  const r2: number[] = [];
  for (let j = 0; j < m; j++) {
    const p = models[j]!.posterior(test.X);
    let mean = 0;
    for (let i = 0; i < 200; i++) mean += test.Y.data[i * 5 + j]!;
    mean /= 200;
    let mse = 0;
    let variance = 0;
    for (let i = 0; i < 200; i++) {
      const t = test.Y.data[i * 5 + j]!;
      mse += (p.mean[i]! - t) ** 2;
      variance += (t - mean) ** 2;
    }
    r2.push(1 - mse / variance);
  }
  const probe = data(2000, d, 5, 99).X;
  models[0]!.posterior(data(50, d, 5, 98).X);
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  models[0]!.posterior(probe);
  const pps = 2000 / ((performance.now() - t1) / 1000);
  const c2 = process.cpuUsage(c1);
  const ppsCpu = 2000 / ((c2.user + c2.system) / 1e6);
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const model of models) {
    for (const l of model.hyperparameters.lengthscales) {
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
    }
  }
  return {
    n,
    d,
    m,
    fitWallSeconds: wall,
    fitCpuSeconds: cpuSeconds,
    evaluations: models.reduce((s, model) => s + model.fit.evaluations, 0),
    allMoved: models.every((model) => model.fit.movedFromStart),
    minR2: Math.min(...r2),
    meanR2: r2.reduce((a, b) => a + b, 0) / r2.length,
    warmRefitCpuSeconds: (cpuRefit.user + cpuRefit.system) / 1e6,
    warmRefitEvaluations: refits.reduce((total, model) => total + model.fit.evaluations, 0),
    posteriorPointsPerSecond: pps,
    posteriorPointsPerCpuSecond: ppsCpu,
    lengthscaleRange: [lo, hi],
  };
}

const cases: [number, number, number][] = [];
const ns = quick ? [50, 100, 200] : [50, 100, 200, 500];
for (const n of ns) for (const d of [6, 20, 50, 100]) cases.push([n, d, 5]);
if (quick) cases.push([1000, 100, 1]);
else for (const d of [6, 20, 50, 100]) cases.push([1000, d, 1]);

const rows: Row[] = [];
const header = ['n', 'd', 'm', 'fit wall s', 'fit cpu s', 'evals', 'moved', 'min R2', 'mean R2'];
header.push('warm cpu s', 'evals', 'post pts/s', 'pts/cpu-s');
const widths = [5, 5, 3, 11, 10, 6, 6, 7, 8, 11, 6, 11, 10];
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join(' ');
console.log(`${line(header)}   lengthscales`);
for (const [n, d, m] of cases) {
  const r = run(n, d, m);
  rows.push(r);
  const cells = [
    String(n),
    String(d),
    String(m),
    r.fitWallSeconds.toFixed(3),
    r.fitCpuSeconds.toFixed(3),
    String(r.evaluations),
    r.allMoved ? 'yes' : 'NO',
    r.minR2.toFixed(3),
    r.meanR2.toFixed(3),
    r.warmRefitCpuSeconds.toFixed(3),
    String(r.warmRefitEvaluations),
    String(Math.round(r.posteriorPointsPerSecond)),
    String(Math.round(r.posteriorPointsPerCpuSecond)),
  ];
  console.log(`${line(cells)}   ${r.lengthscaleRange[0].toFixed(2)}..${r.lengthscaleRange[1].toFixed(2)}`);
}

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'gp.json'),
  `${JSON.stringify({ benchmark: 'gp', quick, node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
console.log(`wrote ${join('bench', 'results', 'gp.json')}`);
