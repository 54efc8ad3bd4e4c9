/**
 * The benchmark report: `npx tsx bench/report.ts [--references refs.json]` reads
 * bench/results/closure.json, bench/results/overhead.json and bench/results/highdim*.json
 * (whichever exist; not highdim-g*.json) and writes
 * bench/results/benchmarks.html, a self-contained page: log10 hypervolume difference against
 * evaluations per method (median and min-max band over seeds, plus reference curves from a JSON
 * file) and ask time against dimension for each number of objectives. The closure and overhead
 * benchmarks call `writeBenchmarkPage` when they finish.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchmarkReportData,
  readBenchmarkReferences,
  renderBenchmarkReport,
} from '../src/report/benchmark-report.js';

const results = join(dirname(fileURLToPath(import.meta.url)), 'results');

interface ClosureFile {
  results: {
    problem: string;
    m: number;
    d: number;
    runs: { method: string; seed: number; evaluations: number[]; logHvDifference: number[] }[];
  }[];
}

interface HighDimensionalFile {
  runs: {
    problem: string;
    method: string;
    seed: number;
    evaluations: number[];
    hypervolume: number[];
    askN: number[];
    askCpuMs: number[];
    peakRssMb: number;
    stoppedAt: number;
    stopReason: string;
  }[];
}

/** bench/highdim's problem keys as panel titles. */
const HIGH_DIMENSIONAL_PROBLEMS: Record<string, string> = {
  'dtlz2-m2': 'DTLZ2, m = 2, d = 100',
  'dtlz2-m5': 'DTLZ2, m = 5, d = 100',
  'dtlz7-m4': 'DTLZ7, m = 4, d = 100',
  rover: 'Rover (Wang et al. 2018), m = 2, d = 60',
};

interface OverheadFile {
  rows: { m: number; d: number; n: number; totalMs: number }[];
}

/** Writes bench/results/benchmarks.html from the JSON results present; returns its path. */
export function writeBenchmarkPage(referencesFile?: string): string {
  const data: BenchmarkReportData = {
    title: 'mobo benchmarks',
    description:
      'Closure: DTLZ2, log10 of (largest hypervolume - hypervolume) after each batch, reference point 1.1 in every ' +
      'objective. Overhead: wall time of one ask (fit, decomposition, optimization) at q = 5.',
    environment: { node: process.version, date: new Date().toISOString() },
  };
  const closureFile = join(results, 'closure.json');
  if (existsSync(closureFile)) {
    const closure = JSON.parse(readFileSync(closureFile, 'utf8')) as ClosureFile;
    data.closure = closure.results.flatMap((c) =>
      c.runs.map((run) => ({
        problem: `DTLZ2, m = ${c.m}, d = ${c.d}`,
        method: run.method,
        seed: run.seed,
        evaluations: run.evaluations,
        log10HypervolumeDifference: run.logHvDifference.map((v) => (Number.isFinite(v) ? v : null)),
      })),
    );
  }
  const overheadFile = join(results, 'overhead.json');
  if (existsSync(overheadFile)) {
    const overhead = JSON.parse(readFileSync(overheadFile, 'utf8')) as OverheadFile;
    data.overhead = overhead.rows
      .filter((r) => r.n === 100)
      .map((r) => ({
        method: 'mobo (qLogNEHVI)',
        objectives: r.m,
        dimension: r.d,
        askMs: [r.totalMs],
        batch: 5,
      }));
  }
  // bench/highdim writes highdim.json or, run in parts, highdim-<part>.json (highdim-g*.json: the g check).
  const highFiles = existsSync(results)
    ? readdirSync(results)
        .filter((f) => /^highdim(-.+)?\.json$/.test(f) && !f.startsWith('highdim-g'))
        .sort()
    : [];
  const highRuns = highFiles.flatMap(
    (f) => (JSON.parse(readFileSync(join(results, f), 'utf8')) as HighDimensionalFile).runs ?? [],
  );
  if (highRuns.length > 0) {
    data.highDimensional = highRuns
      .filter((r) => r.evaluations.length > 0)
      .map((r) => ({
        problem: HIGH_DIMENSIONAL_PROBLEMS[r.problem] ?? r.problem,
        method: r.method,
        seed: r.seed,
        evaluations: r.evaluations,
        hypervolume: r.hypervolume,
        askN: r.askN,
        askCpuMs: r.askCpuMs,
        peakRssMb: r.peakRssMb,
        stoppedAt: r.stoppedAt,
        stopReason: r.stopReason,
      }));
  }
  if (referencesFile !== undefined) data.references = readBenchmarkReferences(referencesFile);
  const out = join(results, 'benchmarks.html');
  writeFileSync(out, renderBenchmarkReport(data));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--references');
  const out = writeBenchmarkPage(at >= 0 ? process.argv[at + 1] : undefined);
  console.log(`wrote ${out}`);
}
