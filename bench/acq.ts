/**
 * Acquisition throughput per backend: value and gradient of qNEHVI and qLogNEHVI per second, for
 * m in {2, 3, 5} objectives, n in {50, 100, 200} baseline points and q in {1, 5}, with 128
 * quasi-Monte Carlo samples, on the float64 TypeScript kernels (one candidate per call) and on
 * every TensorFlow.js backend present (float32, many candidates per call: the batch the optimizer
 * hands over, capped at 256). DTLZ2 with d = 6, one GP per objective with
 * fixed hyperparameters (RBF, lengthscale 0.5) on n Sobol-free random points; baseline pruning on
 * (as in the acquisition's default), so the per-sample fronts hold the plausibly optimal points.
 * Also reports the construction time (pruning, cached root, 128 box decompositions).
 *
 *   npx tsx bench/acq.ts [--quick] [--m 5] [--n 200] [--backends float64,wasm,webgpu] [--out acq.json]
 *
 * By default: float64, wasm and the machine's GPU backend if it has one. A named webgpu counts a
 * software adapter (lavapipe) when no GPU is present: its figures then measure the GPU code path on
 * the CPU, not a GPU.
 *
 * Writes bench/results/acq.json. A "candidate" is one q-batch evaluated with its gradient.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { dtlz2 } from '../problems/dtlz.js';
import { QLogNehvi, QNehvi } from '../src/acquisition/hypervolume-improvement.js';
import type { McAcquisition } from '../src/acquisition/mc-acquisition.js';
import { createGpModel } from '../src/gp/model.js';
import { TensorAcquisition } from '../src/tensor/acquisition.js';
import {
  gpuTensorBackend,
  TENSOR_BACKENDS,
  type TensorBackendInfo,
  tensorBackend,
} from '../src/tensor/backend.js';

const quick = process.argv.includes('--quick');
const d = 6;
const samples = 128;
/** `--m 5` / `--n 200` restrict the grid to one value. */
function only(flag: string): number[] | null {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? [Number(process.argv[at + 1])] : null;
}
const ms = only('--m') ?? (quick ? [2, 3] : [2, 3, 5]);
const ns = only('--n') ?? (quick ? [50] : [50, 100, 200]);
const qs = [1, 5];
const minSeconds = quick ? 0.2 : 1;
const backendsArg = process.argv.indexOf('--backends');
// Default: float64, wasm, and the GPU backend if this machine has one (a software adapter only when named).
const gpu = backendsArg >= 0 ? null : await gpuTensorBackend();
const requested =
  backendsArg >= 0
    ? process.argv[backendsArg + 1]!.split(',')
    : ['float64', 'wasm', ...(gpu ? [gpu.info.name] : [])];
const tensorInfo = new Map<string, TensorBackendInfo>();
for (const name of requested) {
  if (name === 'float64') continue;
  if (!(TENSOR_BACKENDS as readonly string[]).includes(name))
    throw new Error(`--backends: unknown backend ${name}`);
  try {
    tensorInfo.set(name, (await tensorBackend({ backend: name as (typeof TENSOR_BACKENDS)[number] })).info);
  } catch (e) {
    console.log(`${name}: not available (${(e as Error).message})`);
  }
}
const backends = requested.filter((b) => b === 'float64' || tensorInfo.has(b));
for (const [name, info] of tensorInfo) console.log(`${name}: ${info.device}`);
const MAX_BATCH = 256;

interface Row {
  backend: string;
  acquisition: string;
  m: number;
  n: number;
  q: number;
  prunedBaseline: number;
  meanBoxesPerSample: number;
  constructMs: number;
  candidatesPerSecond: number;
  msPerCandidate: number;
  /** Candidates per call (1 on float64). */
  batch: number;
}

function setup(m: number, n: number) {
  const rng = seedrandom(`acq-${m}-${n}`);
  const problem = dtlz2({ objectives: m, dimensions: d });
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng()));
  const Y = problem.evaluate(X);
  const objectives = Array.from({ length: m }, (_, j) =>
    createGpModel(
      X,
      Array.from({ length: n }, (_, i) => Y.data[i * m + j]!),
      { kernel: 'rbf', lengthscales: Array(d).fill(0.5), outputscale: 1, noise: 1e-4, mean: 0 },
    ),
  );
  return { X, objectives, reference: problem.referencePoint, rng };
}

function throughput(acq: McAcquisition, q: number, rng: () => number): number {
  const X = Float64Array.from({ length: q * d }, () => rng());
  const g = new Float64Array(q * d);
  acq.valueAndGradient(X, q, g);
  let count = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minSeconds || count < 3) {
    for (let p = 0; p < X.length; p++) X[p] = rng();
    acq.valueAndGradient(X, q, g);
    count++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return count / elapsed;
}

/** Candidates per second on a tensor backend, `batch` q-batches per call; the first call warms up. */
async function tensorThroughput(
  acq: TensorAcquisition,
  q: number,
  rng: () => number,
): Promise<{ cps: number; batch: number }> {
  const batch = Math.min(MAX_BATCH, acq.chunkSize(q));
  const X = Float64Array.from({ length: batch * q * d }, () => rng());
  const g = new Float64Array(batch * q * d);
  await acq.valueAndGradient(X, batch, q, g);
  let count = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minSeconds || count < 2 * batch) {
    for (let p = 0; p < X.length; p++) X[p] = rng();
    await acq.valueAndGradient(X, batch, q, g);
    count += batch;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return { cps: count / elapsed, batch };
}

const rows: Row[] = [];
for (const m of ms) {
  for (const n of ns) {
    const { X, objectives, reference, rng } = setup(m, n);
    for (const [name, make] of [
      ['qNEHVI', () => new QNehvi({ objectives, reference, baseline: X, samples, seed: 1 })],
      ['qLogNEHVI', () => new QLogNehvi({ objectives, reference, baseline: X, samples, seed: 1 })],
    ] as const) {
      const t0 = process.hrtime.bigint();
      const acq = make();
      const constructMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const boxes = acq.sampleBoxes();
      const meanBoxes = boxes.reduce((s, b) => s + b.count, 0) / boxes.length;
      for (const q of qs) {
        // The log kernel visits every (box, subset): skip what would take minutes per candidate.
        if (name === 'qLogNEHVI' && q === 5 && meanBoxes * 31 * 5 * m * samples > 2e9) continue;
        for (const backend of backends) {
          let cps: number;
          let batch = 1;
          if (backend === 'float64') cps = throughput(acq, q, rng);
          else {
            const runtime = await tensorBackend({ backend: backend as (typeof TENSOR_BACKENDS)[number] });
            const tensor = new TensorAcquisition(runtime, acq);
            try {
              ({ cps, batch } = await tensorThroughput(tensor, q, rng));
            } catch (e) {
              // One batch too large for the backend's memory: say so and go on.
              if (!(e instanceof RangeError)) throw e;
              console.log(
                `${backend.padEnd(8)} ${name.padEnd(10)} m=${m} n=${String(n).padStart(3)} q=${q}  skipped: ${e.message}`,
              );
              continue;
            } finally {
              tensor.dispose();
            }
          }
          const row: Row = {
            backend,
            acquisition: name,
            m,
            n,
            q,
            prunedBaseline: acq.baselineIndices.length,
            meanBoxesPerSample: Math.round(meanBoxes),
            constructMs: Math.round(constructMs),
            candidatesPerSecond: Number(cps.toPrecision(3)),
            msPerCandidate: Number((1000 / cps).toPrecision(3)),
            batch,
          };
          rows.push(row);
          console.log(
            `${backend.padEnd(8)} ${name.padEnd(10)} m=${m} n=${String(n).padStart(3)} q=${q}  kept ${String(row.prunedBaseline).padStart(3)}` +
              `  boxes/sample ${String(row.meanBoxesPerSample).padStart(5)}  build ${String(row.constructMs).padStart(5)} ms` +
              `  ${String(row.candidatesPerSecond).padStart(7)} cand/s  (${row.msPerCandidate} ms, batch ${batch})`,
          );
        }
      }
    }
  }
}

const outArg = process.argv.indexOf('--out');
const out = join(
  dirname(fileURLToPath(import.meta.url)),
  'results',
  outArg >= 0 ? process.argv[outArg + 1]! : 'acq.json',
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'acq',
      quick,
      samples,
      d,
      node: process.version,
      date: new Date().toISOString(),
      backends: Object.fromEntries(
        [...tensorInfo].map(([k, v]) => [k, { device: v.device, software: v.software }]),
      ),
      rows,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);
// Dawn (webgpu) keeps the process alive: exit explicitly.
process.exit(0);
