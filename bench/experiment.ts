/**
 * Overhead of the experiment layer: space encode/decode, ask/tell with and without the fsynced
 * journal, and replay on open. `npx tsx bench/experiment.ts [--quick]`; prints a table and writes
 * bench/results/experiment.json. Wall and CPU time (process.cpuUsage) are both shown: the journal
 * spends most of its wall time waiting for fsync, not on the CPU.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptimizerConfig } from '../src/experiment/config.js';
import { Optimizer } from '../src/experiment/optimizer.js';
import { SearchSpace } from '../src/space/search-space.js';
import type { Generator } from '../src/strategy/generator.js';
import { GeneratorRegistry } from '../src/strategy/strategies.js';

const quick = process.argv.includes('--quick');
const here = path.dirname(fileURLToPath(import.meta.url));

interface Row {
  readonly case: string;
  readonly count: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly perItemUs: number;
}

async function measure(name: string, count: number, fn: () => Promise<void> | void): Promise<Row> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  return { case: name, count, wallMs, cpuMs, perItemUs: (1000 * wallMs) / count };
}

const parameters: OptimizerConfig['parameters'] = [
  { name: 'thickness', type: 'float', bounds: [0.5, 5] },
  { name: 'radius', type: 'float', bounds: [100, 300], log: true },
  { name: 'layers', type: 'int', bounds: [1, 8] },
  { name: 'radiator', type: 'choice', values: ['aerogel', 'gas', 'liquid'] },
  { name: 'grade', type: 'choice', values: [1, 2, 4], ordered: true },
  ...Array.from({ length: 10 }, (_, i) => ({
    name: `x${i}`,
    type: 'float' as const,
    bounds: [0, 1] as [number, number],
  })),
];

const config = (journal?: string): OptimizerConfig => ({
  journal,
  parameters,
  parameterConstraints: ['thickness + 0.1 * layers <= 5'],
  objectives: [
    { name: 'f1', minimize: true },
    { name: 'f2', minimize: false },
  ],
  strategy: 'random',
  seed: 1,
});

/**
 * A generator that costs nothing: a Weyl sequence from its state, so that the 'bare' case times the
 * experiment layer alone (the built-in generators scan every earlier point to avoid duplicates).
 */
const bare = new GeneratorRegistry();
bare.register('mobo-bo', (space) => {
  const generator: Generator = {
    name: 'weyl',
    generate: async (input) => {
      const d = space.dimension;
      const start = (input.state as number | undefined) ?? 0;
      const data = new Float64Array(input.count * d);
      for (let i = 0; i < input.count; i++) {
        for (let j = 0; j < d; j++) data[i * d + j] = ((start + i + 1) * Math.SQRT2 * (j + 1)) % 1;
        space.round(data.subarray(i * d, (i + 1) * d));
      }
      return { candidates: { rows: input.count, cols: d, data }, metadata: {}, state: start + input.count };
    },
  };
  return generator;
});

async function askTell(
  journal: string | undefined,
  trials: number,
  batch: number,
  isBare = false,
): Promise<void> {
  const opt = await Optimizer.create(
    isBare
      ? { ...config(journal), strategy: { strategy: 'mobo', options: { initialTrials: 1 } } }
      : config(journal),
    isBare ? { logger: { warn: () => {} }, registry: bare } : { logger: { warn: () => {} } },
  );
  for (let done = 0; done < trials; done += batch) {
    const asked = await opt.ask(batch);
    for (const t of asked) {
      const x = t.params.thickness as number;
      await opt.tell(t.id, { f1: x, f2: Math.sin(x) });
    }
  }
  await opt.close();
}

const rows: Row[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-bench-'));
try {
  const space = SearchSpace.create({ parameters, parameterConstraints: ['thickness + 0.1 * layers <= 5'] });
  const points = quick ? 20_000 : 100_000;
  const p = { ...space.decode(new Float64Array(space.dimension).fill(0.3)) };
  rows.push(
    await measure('encode (validate + unit cube), 15 parameters', points, () => {
      for (let i = 0; i < points; i++) space.encode(p);
    }),
  );
  const x = space.encode(p);
  rows.push(
    await measure('decode, 15 parameters', points, () => {
      for (let i = 0; i < points; i++) space.decode(x);
    }),
  );
  const trials = quick ? 200 : 1000;
  rows.push(
    await measure('ask(10) + 10 tells, in memory, bare generator (per trial)', trials, () =>
      askTell(undefined, trials, 10, true),
    ),
  );
  rows.push(
    await measure('ask(10) + 10 tells, in memory, random (per trial)', trials, () =>
      askTell(undefined, trials, 10),
    ),
  );
  const file = path.join(dir, 'run.jsonl');
  rows.push(
    await measure('ask(10) + 10 tells, journaled + fsync, random (per trial)', trials, () =>
      askTell(file, trials, 10),
    ),
  );
  const events = fs.readFileSync(file, 'utf8').trim().split('\n').length - 1;
  rows.push(
    await measure(`open: replay ${events} events (per event)`, events, async () => {
      const opt = await Optimizer.open(file, { logger: { warn: () => {} } });
      await opt.close();
    }),
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(
  `mobo experiment-layer overhead${quick ? ' (--quick)' : ''}; node ${process.version}, ${os.cpus().length} cpus`,
);
console.log(
  'case'.padEnd(62),
  'count'.padStart(8),
  'wall ms'.padStart(10),
  'cpu ms'.padStart(10),
  'us/item'.padStart(10),
);
for (const r of rows) {
  console.log(
    r.case.padEnd(62),
    String(r.count).padStart(8),
    r.wallMs.toFixed(1).padStart(10),
    r.cpuMs.toFixed(1).padStart(10),
    r.perItemUs.toFixed(2).padStart(10),
  );
}
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(
  path.join(here, 'results', 'experiment.json'),
  `${JSON.stringify({ quick, node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
