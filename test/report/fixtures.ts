import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dtlz2 } from '../../problems/index.js';
import type { OptimizerConfig } from '../../src/experiment/config.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import type { BenchmarkReportData } from '../../src/report/benchmark-report.js';

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = 'mobo-report-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** What a built experiment is, for checks against the report. */
export interface BuiltExperiment {
  readonly journal: string;
  readonly optimizer: Optimizer;
  readonly config: OptimizerConfig;
}

/**
 * A finished DTLZ2 experiment journaled in `dir/experiment.jsonl`: m objectives named f1..fm with
 * the last one maximized (the user reports `-f_m`, so the page must show it as maximized), an
 * outcome constraint `load <= 0.75` on an extra metric that makes some trials infeasible, and
 * every trial whose id is 3 mod 7 failed. The optimizer is closed: read-only use only.
 */
export async function buildDtlz2Experiment(
  dir: string,
  m: number,
  strategy: 'sobol' | 'nsga2',
  trials: number,
): Promise<BuiltExperiment> {
  const d = m + 3;
  const problem = dtlz2({ objectives: m, dimensions: d });
  const journal = path.join(dir, 'experiment.jsonl');
  const objectives = Array.from({ length: m }, (_, j) => ({ name: `f${j + 1}`, minimize: j < m - 1 }));
  const config: OptimizerConfig = {
    journal,
    parameters: Array.from({ length: d }, (_, j) => ({
      name: `x${j + 1}`,
      type: 'float' as const,
      bounds: [0, 1] as [number, number],
    })),
    objectives,
    outcomeConstraints: ['load <= 0.75'],
    strategy: strategy === 'nsga2' ? { strategy: 'nsga2', options: { populationSize: 8 } } : 'sobol',
    seed: 11,
  };
  const optimizer = await Optimizer.create(config, { logger: { warn: () => {} } });
  while (optimizer.trials().length < trials) {
    const batch = await optimizer.ask(Math.min(4, trials - optimizer.trials().length));
    for (const { id, params } of batch) {
      if (id % 7 === 3) {
        await optimizer.fail(id, `simulation crashed on <node ${id}> </script> & exit 139`);
        continue;
      }
      const x = Array.from({ length: d }, (_, j) => params[`x${j + 1}`] as number);
      const y = problem.evaluate([x]).data;
      const values: Record<string, number> = { load: x.reduce((a, b) => a + b, 0) / d };
      for (let j = 0; j < m; j++) values[`f${j + 1}`] = j < m - 1 ? y[j]! : -y[j]!;
      await optimizer.tell(id, values);
    }
  }
  await optimizer.close();
  return { journal, optimizer, config };
}

/** The JSON a report embeds, parsed. */
export function embeddedData(html: string): unknown {
  const match = /<script type="application\/json" id="mobo-report-data">([\s\S]*?)<\/script>/.exec(html);
  if (match === null) throw new Error('no embedded report data');
  return JSON.parse(match[1]!);
}

/**
 * Everything in a page that could reach the network: src/href/action attributes and CSS urls that
 * name a remote address, <link> and <iframe> elements, external scripts.
 */
export function externalReferences(html: string): string[] {
  const patterns = [
    /\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*/gi,
    /url\(\s*["']?\s*(?:https?:)?\/\/[^)]*\)/gi,
    /@import\b[^;]*/gi,
    /<link\b[^>]*>/gi,
    /<iframe\b[^>]*>/gi,
    /<script\b[^>]*\bsrc\s*=[^>]*>/gi,
  ];
  return patterns.flatMap((p) => html.match(p) ?? []);
}

/** Three methods, three seeds each, on two problems; one reference curve; overhead for m = 2, 3. */
export function syntheticBenchmarks(): BenchmarkReportData {
  const closure: NonNullable<BenchmarkReportData['closure']> = [];
  const evaluations = [10, 20, 30, 40, 50, 60];
  const rates: Record<string, number> = { mobo: 0.04, random: 0.008, 'NSGA-II': 0.015 };
  for (const problem of ['DTLZ2, m = 2, d = 6', 'DTLZ2, m = 3, d = 7']) {
    for (const [method, rate] of Object.entries(rates)) {
      for (const seed of [0, 1, 2]) {
        closure.push({
          problem,
          method,
          seed,
          evaluations,
          log10HypervolumeDifference: evaluations.map((e) => -0.3 - rate * e - 0.05 * seed),
        });
      }
    }
  }
  const overhead: NonNullable<BenchmarkReportData['overhead']> = [];
  for (const objectives of [2, 3]) {
    for (const dimension of [5, 10, 20, 50]) {
      overhead.push({
        method: 'mobo',
        objectives,
        dimension,
        askMs: [1, 1.2, 0.9].map((f) => f * 40 * objectives * dimension),
        trials: 50,
        batch: 1,
      });
    }
  }
  return {
    title: 'Closure and overhead',
    description: 'Synthetic numbers for the report test.',
    environment: { node: process.version, cores: 2 },
    closure,
    references: [
      {
        problem: 'DTLZ2, m = 2, d = 6',
        method: 'qNEHVI',
        source: 'BoTorch',
        evaluations: [10, 30, 60],
        median: [-0.5, -1.4, -2.6],
        min: [-0.6, -1.6, -2.9],
        max: [-0.4, -1.2, -2.3],
      },
    ],
    overhead,
  };
}

/**
 * A finished single-objective experiment (`loss`, minimized, with a threshold, so the reference
 * point comes from the configuration): 10 Sobol trials on a quadratic, trial 4 failed.
 */
export async function buildSingleObjectiveExperiment(dir: string): Promise<BuiltExperiment> {
  const journal = path.join(dir, 'single.jsonl');
  const config: OptimizerConfig = {
    journal,
    parameters: [
      { name: 'a', type: 'float', bounds: [-2, 2] },
      { name: 'kind', type: 'choice', values: ['x', 'y'] },
    ],
    objectives: [{ name: 'loss', minimize: true, threshold: 5 }],
    strategy: 'sobol',
    seed: 3,
  };
  const optimizer = await Optimizer.create(config, { logger: { warn: () => {} } });
  for (const { id, params } of await optimizer.ask(10)) {
    if (id === 4) await optimizer.fail(id, 'out of memory');
    else await optimizer.tell(id, { loss: (params.a as number) ** 2 + (params.kind === 'x' ? 0 : 0.5) });
  }
  await optimizer.close();
  return { journal, optimizer, config };
}
