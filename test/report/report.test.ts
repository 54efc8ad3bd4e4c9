import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/hv.js';
import { reportCommand } from '../../src/cli/report.js';
import { runCommand } from '../../src/cli/run.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { loadReportAssets, type ReportAssets } from '../../src/report/assets.js';
import {
  readBenchmarkReferences,
  renderBenchmarkReport,
  summarizeBenchmarks,
} from '../../src/report/benchmark-report.js';
import type { ExperimentReportData } from '../../src/report/experiment-data.js';
import {
  findJournal,
  loadExperimentReportData,
  renderExperimentReport,
} from '../../src/report/experiment-report.js';
import { formatNumber, jsonForScript, scriptText } from '../../src/report/html.js';
import { phaseTimings } from '../../src/report/timings.js';
import {
  type BuiltExperiment,
  buildDtlz2Experiment,
  buildSingleObjectiveExperiment,
  embeddedData,
  externalReferences,
  syntheticBenchmarks,
  tempDir,
} from './fixtures.js';

function captureIo(): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readFile: (p) => fs.readFileSync(p, 'utf8'),
    readStdin: () => '',
  };
}

/** The page without the two inlined libraries: what we wrote ourselves. */
function ownParts(html: string, assets: ReportAssets): string {
  return html.replace(scriptText(assets.d3), '').replace(scriptText(assets.plot), '');
}

/** Trial ids of the rows of table `name`. */
function tableIds(html: string, name: string): number[] {
  const table = new RegExp(`<table data-table="${name}">([\\s\\S]*?)</table>`).exec(html);
  if (table === null) return [];
  return Array.from(table[1]!.matchAll(/<tr data-trial="(\d+)">/g), (m) => Number(m[1]));
}

function rowOf(html: string, id: number): string {
  return new RegExp(`<tr data-trial="${id}">([\\s\\S]*?)</tr>`).exec(html)![1]!;
}

let assets: ReportAssets;
const temp = tempDir();
let m2: BuiltExperiment;
let m3: BuiltExperiment;

beforeAll(async () => {
  assets = loadReportAssets();
  fs.mkdirSync(path.join(temp.dir, 'm2'));
  fs.mkdirSync(path.join(temp.dir, 'm3'));
  m2 = await buildDtlz2Experiment(path.join(temp.dir, 'm2'), 2, 'nsga2', 30);
  m3 = await buildDtlz2Experiment(path.join(temp.dir, 'm3'), 3, 'sobol', 30);
});

afterAll(() => temp.cleanup());

describe('mobo report on a finished experiment', () => {
  it('writes one self-contained page beside the journal', () => {
    const io = captureIo();
    const dir = path.dirname(m2.journal);
    expect(reportCommand(dir, { assets }, io)).toBe(0);
    const file = path.join(dir, 'report.html');
    expect(io.out.join('')).toContain(`wrote ${file}`);
    expect(io.err).toEqual([]);
    const html = fs.readFileSync(file, 'utf8');
    expect(externalReferences(html)).toEqual([]);
    const own = ownParts(html, assets);
    expect(own.length).toBeLessThan(html.length - 400_000);
    expect(own).not.toMatch(/https?:\/\//);
    expect(own).not.toMatch(/\bfetch\s*\(|XMLHttpRequest|\bimport\s*\(|WebSocket|EventSource/);
    // Only our own four script elements open and close: nothing in the data or the names ends one.
    expect(html.match(/<script\b/gi)).toHaveLength(4);
    expect(html.match(/<\/script/gi)).toHaveLength(4);
    expect(html).toContain(`content="default-src 'none'`);
  });

  it('embeds data that matches the optimizer: trials, front, reference point, hypervolume', () => {
    const html = renderExperimentReport(loadExperimentReportData(path.dirname(m2.journal)), { assets });
    const data = embeddedData(html) as ExperimentReportData;
    const opt = m2.optimizer;
    expect(data.kind).toBe('experiment');
    expect(data.title).toBe('m2');
    expect(data.trials).toHaveLength(opt.trials().length);
    expect(data.counts.completed).toBe(opt.trials('completed').length);
    expect(data.counts.failed).toBe(opt.trials('failed').length);
    expect(data.counts.failed).toBeGreaterThan(0);
    expect([...data.front].sort((a, b) => a - b)).toEqual(opt.paretoFront().map((t) => t.id));
    const refMin = opt.referencePoint()!;
    expect(data.reference!.point).toEqual([refMin[0], -refMin[1]!]);
    expect(data.reference!.source).toBe('ask');
    expect(data.hypervolume.map((h) => h.hypervolume)).toEqual(opt.hypervolumeHistory());
    expect(data.hypervolume.map((h) => h.completed)).toEqual(data.hypervolume.map((_, k) => k + 1));
    expect(data.failures.map((f) => f.trial)).toEqual(opt.trials('failed').map((t) => t.id));
    expect(data.objectives).toEqual([
      { name: 'f1', minimize: true },
      { name: 'f2', minimize: false },
    ]);
    // NSGA-II reports survival and mating times for every ask.
    expect(data.timingPhases).toEqual(['survival', 'mating']);
    expect(data.timings).toHaveLength(Math.ceil(30 / 4));
  });

  it("tables the front's trials with values in the user's sense and escapes failure reasons", () => {
    const html = renderExperimentReport(loadExperimentReportData(m2.journal), { assets });
    const front = m2.optimizer.paretoFront();
    expect(tableIds(html, 'front').sort((a, b) => a - b)).toEqual(front.map((t) => t.id));
    for (const trial of front) {
      const row = rowOf(html, trial.id);
      // f2 is maximized: shown as told (values <= 0 here), not negated.
      expect(trial.values!.f2!).toBeLessThanOrEqual(0);
      expect(row).toContain(`>${formatNumber(trial.values!.f2!)}<`);
      expect(row).toContain(`>${formatNumber(trial.values!.f1!)}<`);
      expect(row).toContain(`>${formatNumber(trial.params.x1 as number)}<`);
    }
    expect(html).toContain('f2 (max)');
    expect(html).toContain('f1 (min)');
    expect(tableIds(html, 'failed')).toEqual(m2.optimizer.trials('failed').map((t) => t.id));
    expect(html).toContain('simulation crashed on &lt;node 3&gt; &lt;/script&gt; &amp; exit 139');
    expect(html).not.toContain('<node 3>');
    expect(html).toContain('<figure data-plot="front" data-objectives="2">');
    expect(html).toContain('<figure data-plot="hypervolume">');
    const [r1, r2] = m2.optimizer.referencePoint()!;
    expect(html).toContain(
      `with respect to the reference point\nf1 = ${formatNumber(r1!)}, f2 = ${formatNumber(-r2!)} (inferred at ask `,
    );
    expect(html).toContain('<figure data-plot="timings">');
    expect(html).not.toContain('data-plot="parallel"');
  });

  it('draws a scatter matrix and parallel coordinates for three objectives', () => {
    const io = captureIo();
    const out = path.join(temp.dir, 'elsewhere', 'm3.html');
    expect(reportCommand(m3.journal, { out, assets, title: 'DTLZ2 with three objectives' }, io)).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(externalReferences(html)).toEqual([]);
    const data = embeddedData(html) as ExperimentReportData;
    expect(data.title).toBe('DTLZ2 with three objectives');
    expect(data.objectives.map((o) => o.minimize)).toEqual([true, true, false]);
    expect(html).toContain('<figure data-plot="front" data-objectives="3">');
    expect(html).toContain('<figure data-plot="parallel">');
    expect(tableIds(html, 'front').sort((a, b) => a - b)).toEqual(
      m3.optimizer.paretoFront().map((t) => t.id),
    );
    // Sobol reports only its total: one phase.
    expect(data.timingPhases).toEqual(['generate']);
    expect(data.infeasible).toBe(
      m3.optimizer.trials('completed').length - m3.optimizer.feasibleTrials().length,
    );
  });

  it('says so when the journal records no ask timings, and notes a torn last record', () => {
    const dir = path.join(temp.dir, 'untimed');
    fs.mkdirSync(dir);
    const lines = fs.readFileSync(m2.journal, 'utf8').trimEnd().split('\n');
    const stripped = lines.map((line) => {
      const record = JSON.parse(line) as { type: string; generator?: { metadata?: Record<string, unknown> } };
      if (record.type === 'ask') record.generator!.metadata = { note: 'no timings' };
      return JSON.stringify(record);
    });
    fs.writeFileSync(path.join(dir, 'run.jsonl'), `${stripped.join('\n')}\n{"type":"complete","t":1,"i`);
    const data = loadExperimentReportData(dir);
    expect(data.timings).toEqual([]);
    expect(data.untimedGenerators).toEqual(['nsga2']);
    expect(data.tornBytes).toBeGreaterThan(0);
    const html = renderExperimentReport(data, { assets });
    expect(html).toContain('<p class="note" data-empty="timings">The journal records no ask timings');
    expect(html).not.toContain('data-plot="timings"');
    expect(html).toContain('incomplete record');
  });

  it('reports an experiment with no trials yet, saying there is nothing to plot', async () => {
    const dir = path.join(temp.dir, 'fresh');
    const opt = await Optimizer.create({
      journal: path.join(dir, 'experiment.jsonl'),
      parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
      objectives: [
        { name: 'a', minimize: true },
        { name: 'b', minimize: true },
      ],
      strategy: 'sobol',
    });
    await opt.close();
    const io = captureIo();
    expect(reportCommand(dir, { assets }, io)).toBe(0);
    expect(io.out.join('')).toContain('0 trials (0 completed, 0 failed), 0 on the Pareto front');
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('data-empty="front"');
    expect(html).toContain('data-empty="hypervolume"');
    expect(html).toContain('data-empty="timings"');
    expect(html).toContain('data-empty="front-table"');
    expect((embeddedData(html) as ExperimentReportData).reference).toBeNull();
  });

  it('reports a single objective, with the reference point from its threshold', async () => {
    const dir = path.join(temp.dir, 'single');
    fs.mkdirSync(dir);
    const built = await buildSingleObjectiveExperiment(dir);
    const data = loadExperimentReportData(built.journal);
    expect(data.title).toBe('single');
    expect(data.reference).toEqual({
      point: [5],
      source: 'thresholds',
      description: "the objectives' thresholds (the worst values still of interest)",
    });
    expect(data.front).toEqual(built.optimizer.paretoFront().map((t) => t.id));
    expect(data.hypervolume.map((h) => h.hypervolume)).toEqual(built.optimizer.hypervolumeHistory());
    const html = renderExperimentReport(data, { assets });
    expect(html).toContain('<figure data-plot="front" data-objectives="1">');
    expect(tableIds(html, 'front')).toEqual(data.front);
  });

  it('reports the output folder of mobo run (the journal holds the runner metadata too)', async () => {
    const output = path.join(temp.dir, 'run-zdt1');
    const config = path.join(temp.dir, 'zdt1.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        problem: { name: 'zdt1', dimensions: 4 },
        strategy: [{ strategy: 'sobol', trials: 6 }, { strategy: 'nsga2' }],
        budget: { trials: 12 },
        runner: { kind: 'inline', maxParallel: 3 },
        seed: 5,
        output,
      }),
    );
    const runIo = { ...captureIo(), progressIntervalMs: 100_000 };
    expect(await runCommand(config, {}, runIo)).toBe(0);
    expect(fs.existsSync(path.join(output, 'journal.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(output, 'runner.jsonl'))).toBe(false);
    const io = captureIo();
    expect(reportCommand(output, { assets }, io)).toBe(0);
    expect(io.out.join('')).toContain(
      `wrote ${path.join(output, 'report.html')}: 12 trials (12 completed, 0 failed)`,
    );
    const data = embeddedData(
      fs.readFileSync(path.join(output, 'report.html'), 'utf8'),
    ) as ExperimentReportData;
    expect(data.journal).toBe(path.join(output, 'journal.jsonl'));
    expect(data.title).toBe('run-zdt1');
    expect(data.strategy).toBe('sobol (6 trials), then nsga2');
    // A chain names each step's phases after its generator.
    expect(data.timingPhases).toEqual(expect.arrayContaining(['sobol', 'nsga2 survival', 'nsga2 mating']));
  });

  it('finds the journal in a folder and explains when it cannot', () => {
    const dir = path.join(temp.dir, 'several');
    fs.mkdirSync(dir);
    fs.copyFileSync(m2.journal, path.join(dir, 'a.jsonl'));
    fs.copyFileSync(m2.journal, path.join(dir, 'b.jsonl'));
    fs.writeFileSync(path.join(dir, 'runner.jsonl'), '{"attempt":1}\n');
    let io = captureIo();
    expect(reportCommand(dir, { assets }, io)).toBe(2);
    expect(io.err.join('')).toMatch(/2 experiment journals \(a\.jsonl, b\.jsonl\); name the one/);
    fs.rmSync(path.join(dir, 'b.jsonl'));
    expect(findJournal(dir)).toBe(path.join(dir, 'a.jsonl'));
    // The layout of `mobo run`: journal.jsonl beside the runner's ledger.
    fs.copyFileSync(m2.journal, path.join(dir, 'journal.jsonl'));
    expect(findJournal(dir)).toBe(path.join(dir, 'journal.jsonl'));
    io = captureIo();
    expect(reportCommand(path.join(temp.dir, 'missing'), { assets }, io)).toBe(2);
    expect(io.err.join('')).toMatch(/missing: no such file or folder/);
    const empty = path.join(temp.dir, 'empty');
    fs.mkdirSync(empty);
    io = captureIo();
    expect(reportCommand(empty, { assets }, io)).toBe(2);
    expect(io.err.join('')).toMatch(/empty: no experiment journal in this folder$/m);
    const notJournal = path.join(empty, 'notes.jsonl');
    fs.writeFileSync(notJournal, '{"hello":1}\n');
    io = captureIo();
    expect(reportCommand(empty, { assets }, io)).toBe(2);
    expect(io.err.join('')).toMatch(/no experiment journal in this folder \(notes\.jsonl is not one\)/);
    io = captureIo();
    expect(reportCommand(notJournal, { assets }, io)).toBe(2);
    expect(io.err.join('')).toMatch(/not a mobo journal header/);
  });
});

describe('page helpers', () => {
  it('keeps embedded JSON inside its script element and gives it back unchanged', () => {
    const value = { name: '</script><script>alert(1)</script><!-- \u2028 \u2029 & "q"' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<\/script|<!--|\u2028|\u2029/i);
    expect(JSON.parse(text)).toEqual(value);
    expect(scriptText('var s = "</script>"; var c = "<!--";')).toBe(
      'var s = "<\\/script>"; var c = "<\\!--";',
    );
  });

  it('reads per-phase timings from the metadata of each generator', () => {
    expect(phaseTimings({ mode: 'generational', timingsMs: { survival: 2, mating: 1 } })).toEqual({
      phases: { survival: 2, mating: 1 },
      totalMs: 3,
    });
    expect(phaseTimings({ generator: 'sobol', ms: { generate: 0.5 } })).toEqual({
      phases: { generate: 0.5 },
      totalMs: 0.5,
    });
    expect(phaseTimings({ timings: { fit: 30, decomposition: 5, optimization: 60, total: 99 } })).toEqual({
      phases: { fit: 30, decomposition: 5, optimization: 60 },
      totalMs: 99,
    });
    const chain = {
      generator: 'chain',
      parts: [
        { step: 0, generator: 'sobol', offset: 0, count: 2, metadata: { ms: { generate: 1 } } },
        {
          step: 1,
          generator: 'nsga2',
          offset: 2,
          count: 2,
          metadata: { timingsMs: { survival: 4, mating: 2 } },
        },
      ],
      ms: { generate: 8 },
    };
    expect(phaseTimings(chain)).toEqual({
      phases: { sobol: 1, 'nsga2 survival': 4, 'nsga2 mating': 2 },
      totalMs: 8,
    });
    expect(phaseTimings({ seed: 3 })).toBeUndefined();
    expect(phaseTimings(undefined)).toBeUndefined();
    expect(phaseTimings({ ms: { generate: Number.NaN } })).toBeUndefined();
  });
});

describe('renderBenchmarkReport', () => {
  it('summarizes each method over seeds: median and range at each evaluation count', () => {
    const page = summarizeBenchmarks(syntheticBenchmarks());
    expect(page.methods).toEqual(['mobo', 'random', 'NSGA-II', 'qNEHVI (BoTorch)']);
    expect(page.closure.map((p) => p.problem)).toEqual(['DTLZ2, m = 2, d = 6', 'DTLZ2, m = 3, d = 7']);
    const mobo = page.closure[0]!.series[0]!;
    expect(mobo.seeds).toBe(3);
    expect(mobo.points).toHaveLength(6);
    const first = mobo.points[0]!;
    expect(first.evaluations).toBe(10);
    expect(first.median).toBeCloseTo(-0.3 - 0.4 - 0.05, 12);
    expect(first.min).toBeCloseTo(-0.3 - 0.4 - 0.1, 12);
    expect(first.max).toBeCloseTo(-0.3 - 0.4, 12);
    const reference = page.closure[0]!.series.at(-1)!;
    expect(reference.reference).toBe(true);
    expect(page.closure[1]!.series.some((s) => s.reference)).toBe(false);
    expect(page.overhead).toHaveLength(8);
    expect(page.overhead[0]).toEqual({
      method: 'mobo',
      objectives: 2,
      dimension: 5,
      median: 400,
      min: 360,
      max: 480,
      repetitions: 3,
    });
  });

  it('writes a self-contained page and rejects malformed results with their path', () => {
    const assetsHere = assets;
    const html = renderBenchmarkReport(syntheticBenchmarks(), { assets: assetsHere });
    expect(externalReferences(html)).toEqual([]);
    expect(ownParts(html, assetsHere)).not.toMatch(/https?:\/\//);
    expect((embeddedData(html) as { kind: string }).kind).toBe('benchmark');
    expect(html).toContain('<figure data-plot="closure-0" data-problem="DTLZ2, m = 2, d = 6">');
    expect(html).toContain('<figure data-plot="overhead">');
    // Dashed reference lines are promised where there are some: panel 0 has a reference, panel 1 none.
    expect(html).toContain('Dashed lines are published reference figures.');
    const captions = [...html.matchAll(/<figcaption>(DTLZ2[^<]*)<\/figcaption>/g)].map((m) => m[1]);
    expect(captions[0]).toContain('dashed: published reference figures');
    expect(captions[1]).not.toContain('dashed');
    const noReferences = renderBenchmarkReport(
      { ...syntheticBenchmarks(), references: [] },
      { assets: assetsHere },
    );
    expect(noReferences).not.toMatch(/dashed/i);
    const bad = syntheticBenchmarks();
    bad.closure![4] = { ...bad.closure![4]!, log10HypervolumeDifference: [1, 2] };
    expect(() => renderBenchmarkReport(bad, { assets: assetsHere })).toThrow(
      /closure\[4\]\.log10HypervolumeDifference: has 2 values, expected one per evaluation count \(6\)/,
    );
    const empty = renderBenchmarkReport({}, { assets: assetsHere });
    expect(empty).toContain('data-empty="closure"');
    expect(empty).toContain('data-empty="overhead"');
  });

  it('draws the high-dimensional runs: hypervolume panels and ask CPU time against n', () => {
    const run = (method: string, seed: number, hv: number[], cpu: number[]) => ({
      problem: 'DTLZ2, m = 5, d = 100',
      method,
      seed,
      evaluations: [200, 250, 300],
      hypervolume: hv,
      askN: [0, 200, 250],
      askCpuMs: cpu,
      peakRssMb: 100 * seed,
      stoppedAt: 300,
      stopReason: 'budget',
    });
    const data = {
      highDimensional: [
        run('morbo', 1, [0, 0.1, 0.3], [5, 1000, 2000]),
        run('morbo', 2, [0, 0.2, 0.5], [5, 3000, 4000]),
        run('morbo', 3, [0, 0.3, 0.4], [5, 2000, 3000]),
        run('sobol', 1, [0, 0, 0], [1, 1, 1]),
      ],
    };
    const page = summarizeBenchmarks(data);
    const morbo = page.highDimensional[0]!.series[0]!;
    expect(morbo.seeds).toBe(3);
    expect(morbo.points.at(-1)).toEqual({ evaluations: 300, median: 0.4, min: 0.3, max: 0.5 });
    expect(page.askTimes[0]).toEqual({
      problem: 'DTLZ2, m = 5, d = 100',
      method: 'morbo',
      seeds: 3,
      n: [0, 200, 250],
      cpuMs: [5, 2000, 3000],
      peakRssMb: 300,
      stopped: '300 (budget), 300 (budget), 300 (budget)',
    });
    const html = renderBenchmarkReport(data, { assets });
    expect(html).toContain('<figure data-plot="highdim-0" data-problem="DTLZ2, m = 5, d = 100">');
    expect(html).toContain('data-table="ask-times"');
    const bad = { highDimensional: [{ ...run('morbo', 1, [0, 1], [1, 2, 3]) }] };
    expect(() => renderBenchmarkReport(bad, { assets })).toThrow(
      /highDimensional\[0\]\.hypervolume: has 2 values/,
    );
  });

  it('reads reference curves from a JSON file', () => {
    const file = path.join(temp.dir, 'references.json');
    fs.writeFileSync(file, JSON.stringify(syntheticBenchmarks().references));
    expect(readBenchmarkReferences(file)[0]!.method).toBe('qNEHVI');
    fs.writeFileSync(file, JSON.stringify([{ problem: 'p', method: 'q', evaluations: [1], median: [] }]));
    expect(() => readBenchmarkReferences(file)).toThrow(/median/);
  });
});
