import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { parseConfig } from '../space/errors.js';
import { loadReportAssets } from './assets.js';
import { CLIENT_SCRIPT } from './client.js';
import type { ReportOptions } from './experiment-report.js';
import { escapeHtml, formatMs, formatNumber, renderPage } from './html.js';
import { median } from './statistics.js';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const count = z.number().int().min(0);

const closureRunSchema = z
  .strictObject({
    problem: z.string().min(1).describe('the panel the run belongs to, e.g. "DTLZ2, m = 2, d = 6"'),
    method: z.string().min(1).describe('e.g. "mobo (qLogNEHVI)", "random", "NSGA-II"'),
    seed: z.number().int(),
    evaluations: z
      .array(count)
      .min(1)
      .describe('evaluation counts at which the indicator was taken, increasing'),
    log10HypervolumeDifference: z
      .array(finite.nullable())
      .min(1)
      .describe(
        'log10(max HV - HV) at each count; null where not recorded (or where HV reached its maximum)',
      ),
  })
  .superRefine((run, ctx) => {
    if (run.evaluations.length !== run.log10HypervolumeDifference.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['log10HypervolumeDifference'],
        message: `has ${run.log10HypervolumeDifference.length} values, expected one per evaluation count (${run.evaluations.length})`,
      });
    }
    for (let k = 1; k < run.evaluations.length; k++) {
      if (!(run.evaluations[k]! > run.evaluations[k - 1]!)) {
        ctx.addIssue({
          code: 'custom',
          path: ['evaluations', k],
          message: 'evaluation counts must increase',
        });
        break;
      }
    }
  });

const referenceCurveSchema = z
  .strictObject({
    problem: z.string().min(1).describe('the panel it belongs to, spelled as in the closure runs'),
    method: z.string().min(1),
    source: z.string().min(1).optional().describe('where the figures come from, e.g. "BoTorch tutorial"'),
    evaluations: z.array(count).min(1),
    median: z.array(finite).min(1).describe('log10 hypervolume difference: the median over seeds'),
    min: z.array(finite).optional().describe('the smallest over seeds (with max: the band)'),
    max: z.array(finite).optional().describe('the largest over seeds'),
  })
  .superRefine((curve, ctx) => {
    for (const key of ['median', 'min', 'max'] as const) {
      const values = curve[key];
      if (values !== undefined && values.length !== curve.evaluations.length) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `has ${values.length} values, expected one per evaluation count (${curve.evaluations.length})`,
        });
      }
    }
  });

const highDimensionalRunSchema = z
  .strictObject({
    problem: z.string().min(1).describe('the panel, e.g. "DTLZ2, m = 5, d = 100"'),
    method: z.string().min(1),
    seed: z.number().int(),
    evaluations: z.array(count).min(1).describe('evaluations after each batch, increasing'),
    hypervolume: z.array(finite).min(1).describe('the hypervolume after each batch'),
    askN: z.array(count).optional().describe('completed trials each ask saw'),
    askCpuMs: z.array(finite).optional().describe('process CPU ms of each ask'),
    peakRssMb: finite.optional().describe('the largest resident set size after an ask, MB'),
    stoppedAt: count.optional().describe('evaluations when the run stopped'),
    stopReason: z.string().optional().describe("'budget', 'cap' (wall-clock cap) or 'error'"),
  })
  .superRefine((run, ctx) => {
    if (run.evaluations.length !== run.hypervolume.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['hypervolume'],
        message: `has ${run.hypervolume.length} values, expected one per evaluation count (${run.evaluations.length})`,
      });
    }
    if (run.askN !== undefined && run.askCpuMs !== undefined && run.askN.length !== run.askCpuMs.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['askCpuMs'],
        message: `has ${run.askCpuMs.length} values, expected one per ask (${run.askN.length})`,
      });
    }
  });

const overheadSchema = z.strictObject({
  method: z.string().min(1),
  objectives: z.number().int().min(1).describe('m'),
  dimension: z.number().int().min(1).describe('d'),
  askMs: z
    .array(finite.refine((v) => v > 0, 'expected a time > 0 ms'))
    .min(1)
    .describe('wall-clock ms of each measured ask (repetitions or seeds)'),
  trials: count.optional().describe('completed trials the generator saw at each ask'),
  batch: z.number().int().min(1).optional().describe('trials per ask (q)'),
});

/**
 * What `renderBenchmarkReport` draws: the results of the closure benchmarks (how fast each method
 * closes the gap to the true front's hypervolume) and of the overhead benchmark (how long an ask
 * takes against the dimension), both optional. Closure runs with the same `problem` share a figure;
 * runs with the same `problem` and `method` are summarized over their seeds at each evaluation
 * count (median line, min-max band). `references` are published curves, already summarized (for
 * example read from a JSON file with `readBenchmarkReferences`), drawn dashed beside ours.
 */
export const benchmarkReportSchema = z.strictObject({
  title: z.string().min(1).optional().describe('default "mobo benchmarks"'),
  description: z.string().optional().describe('a paragraph under the title (plain text)'),
  environment: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .describe('facts about the machine and run: node version, CPU, date, commit'),
  closure: z.array(closureRunSchema).optional(),
  references: z.array(referenceCurveSchema).optional(),
  overhead: z.array(overheadSchema).optional(),
  highDimensional: z
    .array(highDimensionalRunSchema)
    .optional()
    .describe('bench/highdim runs: hypervolume after each batch, ask CPU time and memory against n'),
});

/** The input of `renderBenchmarkReport` (see `benchmarkReportSchema` for every field). */
export type BenchmarkReportData = z.input<typeof benchmarkReportSchema>;
export type ClosureRun = z.input<typeof closureRunSchema>;
export type BenchmarkReferenceCurve = z.input<typeof referenceCurveSchema>;
export type OverheadMeasurement = z.input<typeof overheadSchema>;
export type HighDimensionalRun = z.input<typeof highDimensionalRunSchema>;

/** One point of a summarized curve: the median, min and max over seeds at an evaluation count. */
export interface SummaryPoint {
  readonly evaluations: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One method's curve in one closure panel. */
export interface ClosureSeries {
  /** The legend label: the method, and for a reference curve its source. */
  readonly method: string;
  readonly reference: boolean;
  /** Seeds summarized (0 for a reference curve, whose seeds are not known). */
  readonly seeds: number;
  readonly points: readonly SummaryPoint[];
}

/** The page data of a benchmark report (embedded as JSON). */
export interface BenchmarkPageData {
  readonly kind: 'benchmark';
  readonly title: string;
  /** Every legend label, ours first: the shared color domain. */
  readonly methods: readonly string[];
  readonly closure: readonly { readonly problem: string; readonly series: readonly ClosureSeries[] }[];
  /** Hypervolume (not its log difference) against evaluations, per high-dimensional problem. */
  readonly highDimensional: readonly {
    readonly problem: string;
    readonly series: readonly ClosureSeries[];
  }[];
  /** Per problem and method: the median ask CPU ms over seeds at each n, the peak rss, where runs stopped. */
  readonly askTimes: readonly {
    readonly problem: string;
    readonly method: string;
    readonly seeds: number;
    readonly n: readonly number[];
    readonly cpuMs: readonly number[];
    readonly peakRssMb: number | null;
    readonly stopped: string;
  }[];
  readonly overhead: readonly {
    readonly method: string;
    readonly objectives: number;
    readonly dimension: number;
    readonly median: number;
    readonly min: number;
    readonly max: number;
    readonly repetitions: number;
  }[];
}

function spread(values: readonly number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function firstSeen<T>(items: readonly T[], key: (item: T) => string): string[] {
  const out: string[] = [];
  for (const item of items) if (!out.includes(key(item))) out.push(key(item));
  return out;
}

/**
 * Validates benchmark results (a `ConfigError` naming each bad path otherwise) and summarizes them:
 * each method's closure runs over seeds at every evaluation count that some run recorded, and
 * each (method, m, d) overhead cell over its repetitions.
 */
export function summarizeBenchmarks(input: BenchmarkReportData): BenchmarkPageData {
  const data = parseConfig(benchmarkReportSchema, input, 'renderBenchmarkReport');
  const runs = data.closure ?? [];
  const references = data.references ?? [];
  const problems = firstSeen([...runs, ...references], (r) => r.problem);
  const referenceLabel = (r: { method: string; source?: string | undefined }): string =>
    `${r.method} (${r.source ?? 'reference'})`;
  const closure = problems.map((problem) => {
    const series: ClosureSeries[] = [];
    const mine = runs.filter((r) => r.problem === problem);
    for (const method of firstSeen(mine, (r) => r.method)) {
      const group = mine.filter((r) => r.method === method);
      const counts = [...new Set(group.flatMap((r) => r.evaluations))].sort((a, b) => a - b);
      const points: SummaryPoint[] = [];
      for (const evaluations of counts) {
        const values: number[] = [];
        for (const run of group) {
          const k = run.evaluations.indexOf(evaluations);
          const v = k < 0 ? null : run.log10HypervolumeDifference[k];
          if (v !== null && v !== undefined) values.push(v);
        }
        if (values.length > 0) points.push({ evaluations, ...spread(values) });
      }
      series.push({ method, reference: false, seeds: new Set(group.map((r) => r.seed)).size, points });
    }
    for (const curve of references.filter((r) => r.problem === problem)) {
      series.push({
        method: referenceLabel(curve),
        reference: true,
        seeds: 0,
        points: curve.evaluations.map((evaluations, k) => ({
          evaluations,
          median: curve.median[k]!,
          min: curve.min?.[k] ?? curve.median[k]!,
          max: curve.max?.[k] ?? curve.median[k]!,
        })),
      });
    }
    return { problem, series };
  });
  const overheadRows = data.overhead ?? [];
  const cells = new Map<string, { method: string; objectives: number; dimension: number; ms: number[] }>();
  for (const o of overheadRows) {
    const key = JSON.stringify([o.method, o.objectives, o.dimension]);
    const cell = cells.get(key) ?? {
      method: o.method,
      objectives: o.objectives,
      dimension: o.dimension,
      ms: [],
    };
    cell.ms.push(...o.askMs);
    cells.set(key, cell);
  }
  const overhead = [...cells.values()]
    .map((c) => ({
      method: c.method,
      objectives: c.objectives,
      dimension: c.dimension,
      ...spread(c.ms),
      repetitions: c.ms.length,
    }))
    .sort((a, b) =>
      a.method < b.method
        ? -1
        : a.method > b.method
          ? 1
          : a.objectives - b.objectives || a.dimension - b.dimension,
    );
  const highRuns = data.highDimensional ?? [];
  const highDimensional = firstSeen(highRuns, (r) => r.problem).map((problem) => {
    const mine = highRuns.filter((r) => r.problem === problem);
    const series: ClosureSeries[] = firstSeen(mine, (r) => r.method).map((method) => {
      const group = mine.filter((r) => r.method === method);
      const counts = [...new Set(group.flatMap((r) => r.evaluations))].sort((a, b) => a - b);
      const points: SummaryPoint[] = [];
      for (const evaluations of counts) {
        const values = group
          .map((r) => r.hypervolume[r.evaluations.indexOf(evaluations)])
          .filter((v): v is number => v !== undefined);
        if (values.length > 0) points.push({ evaluations, ...spread(values) });
      }
      return { method, reference: false, seeds: new Set(group.map((r) => r.seed)).size, points };
    });
    return { problem, series };
  });
  const askTimes = firstSeen(highRuns, (r) => JSON.stringify([r.problem, r.method])).map((key) => {
    const [problem, method] = JSON.parse(key) as [string, string];
    const group = highRuns.filter((r) => r.problem === problem && r.method === method);
    const ns = [...new Set(group.flatMap((r) => r.askN ?? []))].sort((a, b) => a - b);
    const cpuMs: number[] = [];
    const kept: number[] = [];
    for (const n of ns) {
      const values = group
        .map((r) => r.askCpuMs?.[(r.askN ?? []).indexOf(n)])
        .filter((v): v is number => v !== undefined);
      if (values.length > 0) {
        kept.push(n);
        cpuMs.push(median(values));
      }
    }
    const rss = group.map((r) => r.peakRssMb).filter((v): v is number => v !== undefined);
    return {
      problem,
      method,
      seeds: new Set(group.map((r) => r.seed)).size,
      n: kept,
      cpuMs,
      peakRssMb: rss.length > 0 ? Math.max(...rss) : null,
      stopped: group
        .map((r) => `${r.stoppedAt ?? r.evaluations.at(-1)} (${r.stopReason ?? 'budget'})`)
        .join(', '),
    };
  });
  const methods = [...firstSeen(runs, (r) => r.method), ...firstSeen(references, referenceLabel)];
  for (const m of firstSeen(highRuns, (r) => r.method)) if (!methods.includes(m)) methods.push(m);
  return {
    kind: 'benchmark',
    title: data.title ?? 'mobo benchmarks',
    methods,
    closure,
    highDimensional,
    askTimes,
    overhead,
  };
}

function closureSection(page: BenchmarkPageData): string {
  if (page.closure.length === 0) {
    return '<h2>Closure</h2><p class="note" data-empty="closure">No closure results in this report.</p>';
  }
  // The dashed lines are promised only where there are some to draw.
  const dashed = (series: readonly ClosureSeries[]) => series.some((s) => s.reference);
  const anyDashed = page.closure.some((panel) => dashed(panel.series));
  return [
    '<h2>Closure</h2>',
    `<p>The log10 of the gap between the true front's hypervolume and the hypervolume reached, against evaluations: the median over seeds (line) and the range from the best to the worst seed (band).${anyDashed ? ' Dashed lines are published reference figures.' : ''}</p>`,
    ...page.closure.map((panel, k) => {
      const rows = panel.series
        .map((s) => {
          const last = s.points.at(-1);
          return `<tr><td>${escapeHtml(s.method)}</td><td class="num">${s.reference ? '' : s.seeds}</td><td class="num">${last === undefined ? '' : last.evaluations}</td><td class="num">${last === undefined ? '' : escapeHtml(formatNumber(last.median))}</td><td class="num">${last === undefined ? '' : `${escapeHtml(formatNumber(last.min))} … ${escapeHtml(formatNumber(last.max))}`}</td></tr>`;
        })
        .join('');
      return `<h3>${escapeHtml(panel.problem)}</h3>
<figure data-plot="closure-${k}" data-problem="${escapeHtml(panel.problem)}"><div class="plot-host"></div>
<figcaption>${escapeHtml(panel.problem)}: log10 hypervolume difference against evaluations (lower is better)${dashed(panel.series) ? '; dashed: published reference figures' : ''}.</figcaption></figure>
<table data-table="closure-${k}"><thead><tr><th>method</th><th class="num">seeds</th><th class="num">evaluations</th><th class="num">median (last)</th><th class="num">range (last)</th></tr></thead><tbody>${rows}</tbody></table>`;
    }),
  ].join('\n');
}

/** The ask CPU time at n (the first n at or above each of these that a run recorded). */
const ASK_TIME_COLUMNS = [250, 500, 1000, 2000];

function highDimensionalSection(page: BenchmarkPageData): string {
  if (page.highDimensional.length === 0) return '';
  const panels = page.highDimensional.map((panel, k) => {
    const rows = panel.series
      .map((s) => {
        const last = s.points.at(-1);
        return `<tr><td>${escapeHtml(s.method)}</td><td class="num">${s.seeds}</td><td class="num">${last === undefined ? '' : last.evaluations}</td><td class="num">${last === undefined ? '' : escapeHtml(formatNumber(last.median))}</td><td class="num">${last === undefined ? '' : `${escapeHtml(formatNumber(last.min))} … ${escapeHtml(formatNumber(last.max))}`}</td></tr>`;
      })
      .join('');
    return `<h3>${escapeHtml(panel.problem)}</h3>
<figure data-plot="highdim-${k}" data-problem="${escapeHtml(panel.problem)}"><div class="plot-host"></div>
<figcaption>${escapeHtml(panel.problem)}: hypervolume against evaluations (higher is better).</figcaption></figure>
<table data-table="highdim-${k}"><thead><tr><th>method</th><th class="num">seeds</th><th class="num">evaluations</th><th class="num">median (last)</th><th class="num">range (last)</th></tr></thead><tbody>${rows}</tbody></table>`;
  });
  const timeRows = page.askTimes
    .map((a) => {
      const cells = ASK_TIME_COLUMNS.map((target) => {
        const k = a.n.findIndex((n) => n >= target);
        return `<td class="num">${k < 0 ? '' : `${escapeHtml(formatMs(a.cpuMs[k]!))} (n = ${a.n[k]})`}</td>`;
      }).join('');
      return `<tr><td>${escapeHtml(a.problem)}</td><td>${escapeHtml(a.method)}</td><td class="num">${a.seeds}</td>${cells}<td class="num">${a.peakRssMb === null ? '' : `${a.peakRssMb.toFixed(0)} MB`}</td><td>${escapeHtml(a.stopped)}</td></tr>`;
    })
    .join('');
  return [
    '<h2>High-dimensional problems</h2>',
    '<p>bench/highdim: 200 Sobol points, then batches of 50 up to 2000 evaluations; the median hypervolume over seeds (line) and its range (band).</p>',
    ...panels,
    `<h3>Ask CPU time and memory against n</h3>
<div class="table-wrap"><table data-table="ask-times"><thead><tr><th>problem</th><th>method</th><th class="num">seeds</th>${ASK_TIME_COLUMNS.map((n) => `<th class="num">n ≈ ${n}</th>`).join('')}<th class="num">peak rss</th><th>stopped at</th></tr></thead><tbody>${timeRows}</tbody></table></div>`,
  ].join('\n');
}

function overheadSection(page: BenchmarkPageData): string {
  if (page.overhead.length === 0) {
    return '<h2>Ask time</h2><p class="note" data-empty="overhead">No overhead results in this report.</p>';
  }
  const rows = page.overhead
    .map(
      (o) =>
        `<tr><td>${escapeHtml(o.method)}</td><td class="num">${o.objectives}</td><td class="num">${o.dimension}</td><td class="num">${o.repetitions}</td><td class="num">${escapeHtml(formatMs(o.median))}</td><td class="num">${escapeHtml(formatMs(o.min))}</td><td class="num">${escapeHtml(formatMs(o.max))}</td></tr>`,
    )
    .join('');
  return `<h2>Ask time</h2>
<figure data-plot="overhead"><div class="plot-host"></div>
<figcaption>Wall-clock time of one ask against the dimension d, one line per number of objectives m: the median over repetitions
(line) and their range (vertical rules); log scale.</figcaption></figure>
<div class="table-wrap"><table data-table="overhead"><thead><tr><th>method</th><th class="num">m</th><th class="num">d</th><th class="num">asks</th><th class="num">median</th><th class="num">min</th><th class="num">max</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * A self-contained HTML page of benchmark results (see `BenchmarkReportData`): closure curves per
 * problem and ask time against dimension per number of objectives. Throws a `ConfigError` naming
 * every bad path of `data`.
 */
export function renderBenchmarkReport(data: BenchmarkReportData, options: ReportOptions = {}): string {
  const page = summarizeBenchmarks(data);
  const generatedAt = options.generatedAt ?? new Date();
  const environment = Object.entries(data.environment ?? {})
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(String(v))}</dd>`)
    .join('');
  const body = [
    `<header data-section="header"><h1>${escapeHtml(page.title)}</h1>`,
    data.description === undefined ? '' : `<p>${escapeHtml(data.description)}</p>`,
    environment === '' ? '' : `<div class="facts"><dl>${environment}</dl></div>`,
    '</header>',
    closureSection(page),
    highDimensionalSection(page),
    overheadSection(page),
    `<footer>Made by mobo on ${escapeHtml(generatedAt.toISOString())}. This file is self-contained: it needs no network.</footer>`,
  ].join('\n');
  return renderPage({
    title: page.title,
    body,
    data: page,
    client: CLIENT_SCRIPT,
    assets: options.assets ?? loadReportAssets(),
  });
}

/** Reads published reference curves (a JSON array of `BenchmarkReferenceCurve`) from `file`. */
export function readBenchmarkReferences(file: string): BenchmarkReferenceCurve[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`benchmark references ${file}: cannot read it as JSON: ${(e as Error).message}`);
  }
  return parseConfig(z.array(referenceCurveSchema), parsed, `benchmark references ${file}`);
}
