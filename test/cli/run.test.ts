import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, resumeCommand, runCommand } from '../../src/cli/run.js';
import { moboConfigSchema } from '../../src/cli/run-config.js';
import { statusCommand } from '../../src/cli/status.js';
import { readJournal } from '../../src/experiment/journal.js';
import { capture } from './helpers.js';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-cli-run-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function writeConfig(config: unknown): string {
  const file = join(root, `config-${counter++}.json`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

describe('mobo run, status and resume', () => {
  it('runs a small config to the end, prints the summary and front; status shows it without the lock', async () => {
    const output = join(root, 'zdt1');
    const file = writeConfig({
      problem: { name: 'zdt1', dimensions: 4 },
      strategy: [{ strategy: 'sobol', trials: 6 }, { strategy: 'nsga2' }],
      budget: { trials: 12 },
      runner: { kind: 'inline', maxParallel: 3 },
      seed: 5,
      output,
    });
    const io = capture();
    expect(await runCommand(file, {}, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain('strategy: sobol (6 trials), then nsga2; seed 5');
    expect(out).toContain('stopped: budget of 12 trials reached');
    expect(out).toContain('trials: 12 completed (12 in all)');
    expect(out).toMatch(/hypervolume: [\d.]+ \(reference point f1 = 1\.1, f2 = 1\.1/);
    expect(out).toMatch(/Pareto front: \d+ trial\(s\)\nid +x1 +x2 +x3 +x4 +f1 +f2\n/);
    expect(out).toMatch(/wall time: /);
    expect(out).toMatch(/\[.*\] 0\/12 trials done/);
    // The progress line says what the hypervolume is measured against (ZDT1's thresholds, 1.1 each,
    // which no trial of this short run beats in both objectives), and the summary why it is 0.
    expect(out).toMatch(
      /12\/12 trials done, .*hypervolume 0 \(reference point: the thresholds, no trial beats it yet\)/,
    );
    expect(out).toContain('hypervolume is 0: no feasible trial beats the reference point in every objective');
    expect(out).toMatch(/ {2}f2 \(min\): best [\d.]+, reference 1\.1: [\d.]+ short\n/);
    // The progress line names the report, which is written at the end.
    expect(out).toContain(`; report ${join(output, 'report.html')}`);
    expect(out).toContain(
      `mobo report: wrote ${join(output, 'report.html')}: 12 trials (12 completed, 0 failed)`,
    );
    expect(readFileSync(join(output, 'report.html'), 'utf8')).toContain('<figure data-plot="front"');
    expect(existsSync(join(output, 'task.mts'))).toBe(true);
    // Runner metadata is in the experiment journal; no sidecar ledger any more.
    expect(existsSync(join(output, 'runner.jsonl'))).toBe(false);
    const runnerEvents = readFileSync(join(output, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"type":"runner"'));
    expect(runnerEvents.length).toBeGreaterThanOrEqual(24);

    const status = capture();
    expect(statusCommand(output, {}, status)).toBe(0);
    const text = status.out.join('');
    expect(text.split('\n')[0]).toMatch(/^id +state +f1 +f2 +reason$/);
    expect(text.match(/^ *\d+ +completed /gm)).toHaveLength(12);
    expect(text).toContain('trials: 12 completed (12 in all)');

    // Resuming a finished experiment asks nothing more.
    const asks = () =>
      readJournal(join(output, 'journal.jsonl')).events.filter((e) => e.event.type === 'ask').length;
    const before = asks();
    const again = capture();
    expect(await resumeCommand(output, {}, again)).toBe(0);
    expect(asks()).toBe(before);
    expect(again.out.join('')).toContain('trials: 12 completed (12 in all)');

    // --trials extends the finished run's budget; mobo.json keeps it for later resumes.
    const tooFew = capture();
    expect(await resumeCommand(output, { trials: 11 }, tooFew)).toBe(2);
    expect(tooFew.err.join('')).toContain(
      '--trials 11: the experiment already holds 12 trials, and the budget counts them all; give at least 12',
    );
    const bad = capture();
    expect(await resumeCommand(output, { trials: 'many' }, bad)).toBe(2);
    expect(bad.err.join('')).toContain('--trials: expected a whole number of trials >= 1, got "many"');
    expect(asks()).toBe(before);
    const extended = capture();
    expect(await resumeCommand(output, { trials: '16' }, extended)).toBe(0);
    expect(extended.out.join('')).toContain('budget: 16 trials in all (was 12;');
    expect(extended.out.join('')).toContain('trials: 16 completed (16 in all)');
    const record = JSON.parse(readFileSync(join(output, 'mobo.json'), 'utf8'));
    expect(record.config.budget).toEqual({ trials: 16 });
    const later = capture();
    expect(await resumeCommand(output, {}, later)).toBe(0);
    expect(later.out.join('')).toContain('trials: 16 completed (16 in all)');

    // A second run into the same output is refused.
    const twice = capture();
    expect(await runCommand(file, {}, twice)).toBe(2);
    expect(twice.err.join('')).toContain(
      `already holds an experiment; continue it with: mobo resume ${output}, or start a new one elsewhere with --output DIR`,
    );
  });

  it('runs the embedded default (DTLZ2, pool of 2, the mobo strategy) and says which strategy it uses', async () => {
    const io = capture();
    const output = join(root, 'default');
    expect(await runCommand(undefined, { output }, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain('mobo run: no config given: DTLZ2 (2 objectives, 6 parameters), 40 trials');
    expect(out).toContain('strategy: mobo; seed 1;');
    expect(out).toContain('trials: 40 completed (40 in all)');
    expect(out).toContain('largest possible hypervolume of dtlz2: 0.424602');
    expect(moboConfigSchema.safeParse(defaultConfig(true)).success).toBe(true);
    expect(moboConfigSchema.safeParse(defaultConfig(false)).success).toBe(true);
    expect(defaultConfig(false).strategy).toEqual([
      { strategy: 'sobol', trials: 14 },
      { strategy: 'nsga2', options: { populationSize: 14, mode: 'steady-state' } },
    ]);
  });

  it('every config in examples/ is valid', () => {
    const folder = new URL('../../examples/', import.meta.url);
    const configs = readdirSync(folder).filter((f) => f.endsWith('.json'));
    expect(configs).toContain('dtlz2.json');
    for (const name of configs) {
      const example = JSON.parse(readFileSync(new URL(name, folder), 'utf8'));
      expect(moboConfigSchema.safeParse(example).error, name).toBeUndefined();
    }
  });

  it('reports every config problem on its own line with its JSON path, exit code 2', async () => {
    const file = writeConfig({
      problem: { name: 'dtlz2', objectives: 2 },
      budget: { trials: 0 },
      runner: { kind: 'cloud' },
      seed: -1,
    });
    const io = capture();
    expect(await runCommand(file, {}, io)).toBe(2);
    const lines = io.err.join('').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.startsWith(`mobo run: ${file}: `)).toBe(true);
    expect(lines.some((l) => l.includes(': budget.trials: '))).toBe(true);
    expect(lines.some((l) => l.includes(': runner.kind: '))).toBe(true);
    expect(lines.some((l) => l.includes(': seed: '))).toBe(true);
  });

  it('rejects unknown runner options, unknown problems, bad JSON and missing task modules', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { problem: { name: 'dtlz2' }, runner: { kind: 'pool', maxParalel: 3 } },
        /: runner\.maxParalel: unknown key/,
      ],
      [{ problem: { name: 'dtlz99' } }, /: problem: unknown problem 'dtlz99'/],
      ['{ "problem": ', /: not valid JSON: /],
      [
        {
          task: { module: './nowhere.mjs' },
          parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
          objectives: [{ name: 'f', minimize: true }],
        },
        /: task\.module: .*nowhere\.mjs does not exist/,
      ],
      [
        { problem: { name: 'dtlz2' }, strategy: { strategy: 'nsga2', options: { populationSize: 1 } } },
        /: strategy/,
      ],
    ];
    for (const [config, pattern] of cases) {
      const io = capture();
      expect(await runCommand(writeConfig(config), {}, io)).toBe(2);
      expect(io.err.join('')).toMatch(pattern);
    }
  });

  it('status and resume of a directory without an experiment say so, exit code 2', async () => {
    const io = capture();
    expect(statusCommand(join(root, 'none'), {}, io)).toBe(2);
    expect(io.err.join('')).toMatch(/no experiment in .*none/);
    const resume = capture();
    expect(await resumeCommand(join(root, 'none'), {}, resume)).toBe(2);
    expect(resume.err.join('')).toMatch(/not an experiment directory of mobo run \(no mobo\.json\)/);
  });

  it('a task module config: failed trials show their reason in status', async () => {
    const module = join(root, 'task.mjs');
    writeFileSync(
      module,
      'export function evaluate(p, c) { if (c.trialId === 2) throw new Error("mesh failed"); return { cost: p.a, loss: 1 - p.a }; }\n',
    );
    const output = join(root, 'task-run');
    const file = writeConfig({
      task: { module: './task.mjs', export: 'evaluate' },
      parameters: [{ name: 'a', type: 'float', bounds: [0, 1] }],
      objectives: [
        { name: 'cost', minimize: true, threshold: 2 },
        { name: 'loss', minimize: true, threshold: 2 },
      ],
      strategy: 'sobol',
      budget: { trials: 5 },
      runner: { kind: 'inline', maxParallel: 1 },
      output,
    });
    const io = capture();
    expect(await runCommand(file, {}, io)).toBe(0);
    const status = capture();
    expect(statusCommand(output, {}, status)).toBe(0);
    expect(status.out.join('')).toMatch(/\n 2 +failed +task threw: mesh failed\n/);
  });
});
