/**
 * Overhead of one MOBO ask: `npx tsx bench/overhead.ts [--quick] [--m 2,3] [--d 6,20] [--n 100]
 * [--raw 512] [--restarts 10] [--mc 128] [--alpha A] [--mean worst|fitted] [--repeat 1] [--dry]`.
 *
 * n training points (the first n points of a scrambled Sobol sequence, evaluated on DTLZ2 with m
 * objectives and d variables), one generation of q = 5 candidates by `MoboGenerator` with its
 * defaults (qLogNEHVI, 512 raw samples, 10 restarts, 128 MC samples; no warm start). Grid:
 * m in {2, 3, 5} x d in {6, 20, 50, 100} at n = 100, plus n in {50, 200} at m = 3, d = 20. Per
 * case: wall time of the fit, the acquisition's construction (baseline pruning, cached root, box
 * decompositions) and the optimization, CPU time, and for d >= 50 whether each fit moved from its
 * start and the held-out R^2 of the GP means on 200 random points (1 - SSE / SST: above 0 predicts
 * better than the held-out mean). `--alpha` sets the box decompositions' tolerance (default the
 * generator's: exact up to m = 4, 1e-3 at m = 5), `--mean` the objective GPs' constant mean (default
 * the generator's, 'worst'); `--repeat k` keeps the fastest of k identical asks per case (the machine
 * is shared: others' work only adds time); `--dry` prints without writing the JSON. Reference, BoTorch 0.11 (qLogNEHVI, q = 5, n = 100, 10 restarts,
 * 512 raw samples, this machine): m=2 d=6 13 s, m=2 d=20 38 s, m=3 d=20 54 s, m=5 d=20 248 s.
 * Prints a table and writes bench/results/overhead.json (merged by case with earlier runs).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dtlz2 } from '../problems/index.js';
import { fitGps } from '../src/gp/fit.js';
import { zeros } from '../src/linalg/matrix.js';
import { createRng } from '../src/random/rng.js';
import { SobolSequence } from '../src/random/sobol.js';
import { SearchSpace } from '../src/space/search-space.js';
import { MoboGenerator } from '../src/strategy/mobo.js';
import { writeBenchmarkPage } from './report.js';

function argument(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}
function list(name: string): number[] | null {
  const v = argument(name);
  return v === undefined ? null : v.split(',').map(Number);
}

const quick = process.argv.includes('--quick');
const rawSamples = Number(argument('--raw') ?? 512);
const restarts = Number(argument('--restarts') ?? 10);
const mcSamples = Number(argument('--mc') ?? 128);
const alphaArgument = argument('--alpha');
const partitioningAlpha = alphaArgument === undefined ? undefined : Number(alphaArgument);
const dry = process.argv.includes('--dry');
const repeat = Number(argument('--repeat') ?? 1);
const objectiveMean = argument('--mean') as 'worst' | 'fitted' | undefined;
const q = 5;
const botorchSeconds: Record<string, number> = {
  'm=2 d=6 n=100': 13,
  'm=2 d=20 n=100': 38,
  'm=3 d=20 n=100': 54,
  'm=5 d=20 n=100': 248,
};

interface Case {
  m: number;
  d: number;
  n: number;
}

const ms = list('--m') ?? (quick ? [2, 3] : [2, 3, 5]);
const ds = list('--d') ?? (quick ? [6, 20] : [6, 20, 50, 100]);
const ns = list('--n');
const cases: Case[] = [];
for (const m of ms) for (const d of ds) for (const n of ns ?? [100]) cases.push({ m, d, n });
if (ns === null && !quick && process.argv.indexOf('--m') < 0 && process.argv.indexOf('--d') < 0) {
  cases.push({ m: 3, d: 20, n: 50 }, { m: 3, d: 20, n: 200 });
}

interface Row {
  case: string;
  m: number;
  d: number;
  n: number;
  fitMs: number;
  decompositionMs: number;
  optimizationMs: number;
  totalMs: number;
  cpuMs: number;
  botorchSeconds: number | null;
  speedup: number | null;
  fitMoved: boolean[];
  heldOutR2: number[] | null;
  iterations: number[];
  acquisitionValues: number[];
  /** The box decompositions' tolerance the generator used (0: exact). */
  partitioningAlpha: number;
  /** The 1-minute load average when the case started (others' work inflates wall times). */
  loadAverage: number;
}

const rows: Row[] = [];
for (const c of cases) {
  const { m, d, n } = c;
  const problem = dtlz2({ objectives: m, dimensions: d });
  const X = new SobolSequence(d, { scramble: true, seed: 1 }).next(n);
  const Y = problem.evaluate(X);
  const space = SearchSpace.create({
    parameters: Array.from({ length: d }, (_, i) => ({
      name: `x${i}`,
      type: 'float' as const,
      bounds: [0, 1],
    })),
  }).encoded;
  const loadAverage = loadavg()[0]!;
  const generator = new MoboGenerator({
    rawSamples,
    restarts,
    mcSamples,
    ...(partitioningAlpha === undefined ? {} : { partitioningAlpha }),
    ...(objectiveMean === undefined ? {} : { objectiveMean }),
  });
  // The fastest of `repeat` identical asks (same seed, same candidates): on a shared machine the
  // others' work only ever adds time.
  let meta: Record<string, unknown> = {};
  let cpuMs = 0;
  for (let rep = 0; rep < repeat; rep++) {
    const cpu = process.cpuUsage();
    const result = await generator.generate({
      space,
      X,
      completedIds: Array.from({ length: n }, (_, i) => i),
      Y,
      C: zeros(n, 0),
      failed: zeros(0, d),
      pending: zeros(0, d),
      referencePoint: problem.referencePoint,
      count: q,
      seed: 7,
      state: undefined,
    });
    const used = process.cpuUsage(cpu);
    const runMeta = result.metadata as Record<string, unknown>;
    if (rep === 0 || (runMeta.totalMs as number) < (meta.totalMs as number)) {
      meta = runMeta;
      cpuMs = (used.user + used.system) / 1000;
    }
  }
  let heldOutR2: number[] | null = null;
  if (d >= 50) {
    // The same fit as the generator's first one (priors' modes, no warm start, its constant mean),
    // on 200 random points.
    const models = fitGps(X, Y, { mean: objectiveMean === 'fitted' ? 'fitted' : 'max' });
    const rng = createRng(99);
    const T = zeros(200, d);
    for (let i = 0; i < T.data.length; i++) T.data[i] = rng.uniform();
    const YT = problem.evaluate(T);
    heldOutR2 = models.map((g, j) => {
      const mean = g.posterior(T).mean;
      let avg = 0;
      for (let i = 0; i < 200; i++) avg += YT.data[i * m + j]! / 200;
      let sse = 0;
      let sst = 0;
      for (let i = 0; i < 200; i++) {
        sse += (mean[i]! - YT.data[i * m + j]!) ** 2;
        sst += (YT.data[i * m + j]! - avg) ** 2;
      }
      return 1 - sse / sst;
    });
  }
  const key = `m=${m} d=${d} n=${n}`;
  const totalMs = meta.totalMs as number;
  const reference = botorchSeconds[key] ?? null;
  const row: Row = {
    case: key,
    m,
    d,
    n,
    fitMs: meta.fitMs as number,
    decompositionMs: meta.decompositionMs as number,
    optimizationMs: meta.optimizationMs as number,
    totalMs,
    cpuMs,
    botorchSeconds: reference,
    speedup: reference === null ? null : (reference * 1000) / totalMs,
    fitMoved: meta.fitMoved as boolean[],
    heldOutR2,
    iterations: meta.iterations as number[],
    acquisitionValues: meta.acquisitionValues as number[],
    partitioningAlpha: meta.partitioningAlpha as number,
    loadAverage,
  };
  rows.push(row);
  process.stderr.write(
    `${key}: fit ${(row.fitMs / 1000).toFixed(2)} s, decomposition ${(row.decompositionMs / 1000).toFixed(2)} s, ` +
      `optimization ${(row.optimizationMs / 1000).toFixed(2)} s (alpha ${row.partitioningAlpha}), total ${(totalMs / 1000).toFixed(2)} s ` +
      `(CPU ${(cpuMs / 1000).toFixed(2)} s)${heldOutR2 ? `, R2 ${heldOutR2.map((v) => v.toFixed(3)).join(' ')}` : ''}\n`,
  );
}

console.log(
  ['case', 'fit s', 'decomp s', 'optim s', 'total s', 'CPU s', 'BoTorch s', 'speedup', 'moved', 'R2']
    .map((s, i) => (i === 0 ? s.padEnd(16) : s.padStart(10)))
    .join(' '),
);
for (const r of rows) {
  console.log(
    [
      r.case.padEnd(16),
      (r.fitMs / 1000).toFixed(2),
      (r.decompositionMs / 1000).toFixed(2),
      (r.optimizationMs / 1000).toFixed(2),
      (r.totalMs / 1000).toFixed(2),
      (r.cpuMs / 1000).toFixed(2),
      r.botorchSeconds === null ? '-' : String(r.botorchSeconds),
      r.speedup === null ? '-' : `${r.speedup.toFixed(1)}x`,
      r.d >= 50 ? r.fitMoved.map((v) => (v ? 'y' : 'n')).join('') : '-',
      r.heldOutR2 ? r.heldOutR2.map((v) => v.toFixed(2)).join('/') : '-',
    ]
      .map((s, i) => (i === 0 ? s : s.padStart(10)))
      .join(' '),
  );
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'overhead.json');
if (dry) process.exit(0);
mkdirSync(dirname(out), { recursive: true });
const previous: Row[] = existsSync(out)
  ? ((JSON.parse(readFileSync(out, 'utf8')) as { rows?: Row[] }).rows ?? [])
  : [];
const merged = [...previous.filter((p) => !rows.some((r) => r.case === p.case)), ...rows];
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'overhead',
      q,
      settings: {
        acquisition: 'qLogNEHVI',
        rawSamples,
        restarts,
        mcSamples,
        partitioningAlpha: partitioningAlpha ?? 'default',
        objectiveMean: objectiveMean ?? 'default',
        repeat,
      },
      node: process.version,
      date: new Date().toISOString(),
      rows: merged,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);

console.log(`wrote ${writeBenchmarkPage()}`);
