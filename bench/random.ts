/**
 * Throughput of the random layer: the seeded generator, the normal functions, scrambled Sobol
 * (construction and generation) and quasi-random normal base samples; with `--scipy`, the same Sobol
 * shapes through scipy.stats.qmc.Sobol (scrambled, LMS + shift like ours) for reference.
 *
 *   npx tsx bench/random.ts [--quick] [--scipy]
 *
 * Prints a table and writes bench/results/random.json. Wall and process CPU time are both reported,
 * each from the fastest of 5 windows (the machine may be shared); scipy's figure is CPU time too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logNormalCdf, normalBaseSamples, normalCdf, normalQuantile } from '../src/random/normal.js';
import { createRng } from '../src/random/rng.js';
import { SobolSequence } from '../src/random/sobol.js';

const quick = process.argv.includes('--quick');
const withScipy = process.argv.includes('--scipy');
const minSeconds = quick ? 0.1 : 0.5;

interface Row {
  case: string;
  /** Values produced per run (draws, function calls, or n * d coordinates). */
  values: number;
  repetitions: number;
  wallMs: number;
  cpuMs: number;
  nsPerValueCpu: number;
  scipyMs?: number;
}

let sink = 0;

/** Runs `run` over 5 windows of minSeconds / 5 and keeps the fastest window: robust to a shared machine. */
function measure(name: string, values: number, run: () => void): Row {
  run(); // warm-up (JIT)
  let best: { wallMs: number; cpuMs: number } | undefined;
  let repetitions = 0;
  for (let window = 0; window < 5; window++) {
    let reps = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let elapsed = 0;
    do {
      run();
      reps++;
      elapsed = (performance.now() - t0) / 1000;
    } while (elapsed < minSeconds / 5);
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / reps;
    const wallMs = (elapsed * 1000) / reps;
    if (best === undefined || cpuMs < best.cpuMs) best = { wallMs, cpuMs };
    repetitions += reps;
  }
  const { wallMs, cpuMs } = best!;
  return { case: name, values, repetitions, wallMs, cpuMs, nsPerValueCpu: (cpuMs * 1e6) / values };
}

const rows: Row[] = [];
const N = quick ? 200_000 : 1_000_000;

const rng = createRng(1);
rows.push(
  measure(`rng.uniform x${N}`, N, () => {
    for (let i = 0; i < N; i++) sink += rng.uniform();
  }),
);
rows.push(
  measure(`rng.normal x${N}`, N, () => {
    for (let i = 0; i < N; i++) sink += rng.normal();
  }),
);
rows.push(
  measure(`normalQuantile x${N}`, N, () => {
    for (let i = 0; i < N; i++) sink += normalQuantile((i + 0.5) / N);
  }),
);
rows.push(
  measure(`normalCdf x${N}`, N, () => {
    for (let i = 0; i < N; i++) sink += normalCdf(-10 + (20 * i) / N);
  }),
);
rows.push(
  measure(`logNormalCdf x${N}`, N, () => {
    for (let i = 0; i < N; i++) sink += logNormalCdf(-50 + (55 * i) / N);
  }),
);

const sobolShapes: [number, number][] = quick
  ? [
      [65536, 10],
      [1024, 1000],
      [64, 21201],
    ]
  : [
      [1 << 20, 10],
      [4096, 1000],
      [256, 21201],
    ];
for (const d of [10, 1000, 21201]) {
  rows.push(
    measure(`SobolSequence(${d}) construct, scrambled`, d, () => void new SobolSequence(d, { seed: 3 })),
  );
}
for (const [n, d] of sobolShapes) {
  const row = measure(`Sobol ${n} x ${d} scrambled (construct + next)`, n * d, () => {
    sink += new SobolSequence(d, { seed: 3 }).next(n).data[0]!;
  });
  rows.push(row);
}
for (const [n, d] of [
  [128, 6],
  [512, 40],
  [1024, 200],
] as [number, number][]) {
  rows.push(
    measure(`normalBaseSamples ${n} x ${d}`, n * d, () => {
      sink += normalBaseSamples(n, d, 7).data[0]!;
    }),
  );
}

if (withScipy) {
  const script = `
import json, sys, time
from scipy.stats import qmc
out = []
for n, d in json.loads(sys.argv[1]):
    best = None
    for window in range(5):
        reps = 0; t0 = time.process_time()
        while True:
            qmc.Sobol(d, scramble=True, seed=3).random(n); reps += 1
            if time.process_time() - t0 > ${minSeconds} / 5: break
        ms = (time.process_time() - t0) * 1000 / reps
        best = ms if best is None else min(best, ms)
    out.append(best)
print(json.dumps(out))
`;
  try {
    const text = execFileSync('python3', ['-W', 'ignore', '-c', script, JSON.stringify(sobolShapes)], {
      encoding: 'utf8',
    });
    const ms = JSON.parse(text) as number[];
    sobolShapes.forEach(([n, d], i) => {
      const row = rows.find((r) => r.case === `Sobol ${n} x ${d} scrambled (construct + next)`);
      if (row) row.scipyMs = ms[i]!;
    });
  } catch (error) {
    console.warn(`scipy reference skipped: ${(error as Error).message.split('\n')[0]}`);
  }
}

console.log(`random layer${quick ? ' (quick)' : ''}; CPU ns per value; the machine may be shared\n`);
console.log(
  `${'case'.padEnd(48)} ${'wall ms'.padStart(10)} ${'cpu ms'.padStart(10)} ${'ns/value'.padStart(10)} ${'scipy cpu ms'.padStart(13)}`,
);
for (const r of rows) {
  console.log(
    `${r.case.padEnd(48)} ${r.wallMs.toFixed(3).padStart(10)} ${r.cpuMs.toFixed(3).padStart(10)} ${r.nsPerValueCpu
      .toFixed(2)
      .padStart(10)} ${(r.scipyMs === undefined ? '' : r.scipyMs.toFixed(3)).padStart(13)}`,
  );
}
if (!Number.isFinite(sink)) console.log('(sink)');

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'random.json'),
  `${JSON.stringify({ quick, date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
);
