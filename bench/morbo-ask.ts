/**
 * Cost of one MORBO ask against the history: `npx tsx bench/morbo-ask.ts [--quick] [--n 250,500,1000,2000]
 * [--m 5] [--d 100] [--q 50] [--spread 0.2] [--warm] [--dry]`.
 *
 * DTLZ2 with m objectives and d variables. The history has n points: half the first points of a
 * scrambled Sobol sequence with the distance coordinates (m..d) squeezed around 0.5 by `--spread`
 * (default 0.2, which puts most points inside the reference box, as late in a campaign: the
 * Pareto front then has hundreds of points), half random perturbations of them (about 20
 * coordinates each moved within ±0.1, as trust-region proposals are), evaluated exactly. One generation of q candidates by
 * `MorboGenerator` with its defaults, from no state (cold local fits) and, with `--warm`, a second
 * one on the same data from the first one's state (warm-started fits, as in a campaign). Reports
 * the process CPU time (user + system, `process.cpuUsage`) of each ask and its phases' wall times,
 * and the first 16 hex digits of the SHA-256 of the cold ask's candidates (their float64 bytes): a
 * change meant to keep the proposals bit for bit (a faster kernel) must leave it as it was.
 * The target (issue 12): q = 50 at d = 100, m = 5 under 15 s of CPU at n = 2000, flat in n past the
 * local point cap. Prints a table and writes bench/results/morbo-ask.json.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dtlz2 } from '../problems/index.js';
import { zeros } from '../src/linalg/matrix.js';
import { createRng } from '../src/random/rng.js';
import { SobolSequence } from '../src/random/sobol.js';
import { SearchSpace } from '../src/space/search-space.js';
import { MorboGenerator } from '../src/strategy/morbo.js';

function argument(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const dry = process.argv.includes('--dry');
const warm = process.argv.includes('--warm');
const sizes = (argument('--n') ?? (quick ? '250,500' : '250,500,1000,2000')).split(',').map(Number);
const m = Number(argument('--m') ?? 5);
const d = Number(argument('--d') ?? (quick ? 30 : 100));
const q = Number(argument('--q') ?? (quick ? 10 : 50));
// The distance coordinates' spread around 0.5: small values put most points in the reference box
// (a campaign late in its course: a large Pareto front); 1 spreads them over the cube.
const spread = Number(argument('--spread') ?? 0.2);

function history(n: number): { X: Float64Array; ids: number[] } {
  const half = Math.ceil(n / 2);
  const sobol = new SobolSequence(d, { scramble: true, seed: 1 }).next(half);
  const X = new Float64Array(n * d);
  X.set(sobol.data);
  const rng = createRng('morbo-ask-history');
  for (let i = 0; i < half; i++) {
    for (let k = m - 1; k < d; k++) X[i * d + k] = 0.5 + spread * (X[i * d + k]! - 0.5);
  }
  for (let i = half; i < n; i++) {
    const base = rng.int(half);
    for (let k = 0; k < d; k++) {
      let v = X[base * d + k]!;
      if (rng.uniform() < 20 / d) v = Math.min(1, Math.max(0, v + 0.2 * (rng.uniform() - 0.5)));
      X[i * d + k] = v;
    }
  }
  return { X, ids: Array.from({ length: n }, (_, i) => i) };
}

/** First 16 hex digits of the SHA-256 of the values' bytes. */
function digest(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

interface Row {
  n: number;
  cpuSeconds: number;
  wallSeconds: number;
  warmCpuSeconds?: number;
  phasesMs: Record<string, number>;
  frontSize: number;
  localFits: number;
  /** SHA-256 of the cold ask's candidates (float64 bytes), first 16 hex digits. */
  proposals: string;
}

const problem = dtlz2({ objectives: m, dimensions: d });
const space = SearchSpace.create({
  parameters: Array.from({ length: d }, (_, i) => ({
    name: `x${i}`,
    type: 'float' as const,
    bounds: [0, 1],
  })),
}).encoded;
const rows: Row[] = [];
console.log(`MORBO ask: DTLZ2 m = ${m}, d = ${d}, q = ${q}; load average ${loadavg()[0]!.toFixed(1)}`);
console.log(
  `     n   CPU s  wall s   fit ms  sample ms  select ms  front  fits${warm ? '  warm CPU s' : ''}  proposals`,
);
for (const n of sizes) {
  const { X, ids } = history(n);
  const Xm = { rows: n, cols: d, data: X };
  const Y = problem.evaluate(Xm);
  const generator = new MorboGenerator();
  const input = {
    space,
    X: Xm,
    completedIds: ids,
    Y,
    C: zeros(n, 0),
    failed: zeros(0, d),
    pending: zeros(0, d),
    referencePoint: problem.referencePoint,
    count: q,
    seed: 7,
    state: undefined,
  };
  const start = process.cpuUsage();
  const wall = performance.now();
  const result = await generator.generate(input);
  const cpu = cpuSeconds(start);
  const wallSeconds = (performance.now() - wall) / 1000;
  const meta = result.metadata as Record<string, number>;
  const row: Row = {
    n,
    cpuSeconds: cpu,
    wallSeconds,
    phasesMs: { update: meta.updateMs!, fit: meta.fitMs!, sample: meta.sampleMs!, select: meta.selectMs! },
    frontSize: meta.frontSize!,
    localFits: meta.localFits!,
    proposals: digest(result.candidates.data),
  };
  if (warm) {
    const again = process.cpuUsage();
    await generator.generate({ ...input, seed: 8, state: result.state });
    row.warmCpuSeconds = cpuSeconds(again);
  }
  rows.push(row);
  console.log(
    `${String(n).padStart(6)}  ${cpu.toFixed(2).padStart(6)}  ${wallSeconds.toFixed(2).padStart(6)}  ` +
      `${meta.fitMs!.toFixed(0).padStart(7)}  ${meta.sampleMs!.toFixed(0).padStart(9)}  ${meta.selectMs!.toFixed(0).padStart(9)}  ` +
      `${String(meta.frontSize).padStart(5)}  ${String(meta.localFits).padStart(4)}` +
      (row.warmCpuSeconds !== undefined ? `  ${row.warmCpuSeconds.toFixed(2).padStart(10)}` : '') +
      `  ${row.proposals}`,
  );
}
if (!dry) {
  const file = join(
    dirname(fileURLToPath(import.meta.url)),
    'results',
    quick ? 'morbo-ask-quick.json' : 'morbo-ask.json',
  );
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: 'morbo-ask', m, d, q, spread, warm, loadAverage: loadavg()[0], rows }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}
