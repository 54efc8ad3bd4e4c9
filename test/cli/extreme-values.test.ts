/**
 * No value a task returns makes an experiment unusable. A Python command task answers trials 0-4 with
 * DBL_MAX, -DBL_MAX, 1e308, inf and nan: each fails its trial with a reason saying so, and `mobo
 * run`, `mobo status`, `mobo report` and `mobo resume` go on working. An experiment whose journal
 * already holds such values as results (written before they were refused) works too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/report.js';
import { resumeCommand, runCommand } from '../../src/cli/run.js';
import { readExperiment, statusCommand } from '../../src/cli/status.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { hypervolume } from '../../src/pareto/hypervolume.js';
import { inferReferencePoint } from '../../src/pareto/reference.js';
import { scaledHypervolume } from '../../src/pareto/scaled-hypervolume.js';
import { parseResult } from '../../src/runners/trial-files.js';
import { capture } from './helpers.js';

const sentinel = fileURLToPath(new URL('./fixtures/sentinel.py', import.meta.url));

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-extreme-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function config(output: string, trials: number): string {
  const file = join(root, `config-${trials}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
      objectives: [
        { name: 'f', minimize: true },
        { name: 'g', minimize: true },
      ],
      task: { command: ['python3', sentinel] },
      strategy: [
        { strategy: 'sobol', trials: 6 },
        { strategy: 'nsga2', options: { populationSize: 4 } },
      ],
      budget: { trials },
      runner: { kind: 'subprocess', maxParallel: 1 },
      seed: 2,
      output,
    }),
  );
  return file;
}

/** status, report and resume on an experiment directory; each must succeed. */
function checkUsable(output: string): { status: string; report: string } {
  const status = capture();
  expect(statusCommand(output, {}, status)).toBe(0);
  expect(status.err.join('')).toBe('');
  const report = capture();
  expect(reportCommand(output, {}, report)).toBe(0);
  expect(report.err.join('')).toBe('');
  return { status: status.out.join(''), report: report.out.join('') };
}

describe('extreme values returned by a task', () => {
  it('fails DBL_MAX, -DBL_MAX, 1e308, inf and nan with their reasons; run, status, report and resume all work', async () => {
    const output = join(root, 'sentinels');
    const io = capture();
    expect(await runCommand(config(output, 8), {}, io)).toBe(0);
    expect(io.err.join('')).not.toMatch(/hypervolume:|must be a finite number/);
    const view = readExperiment(join(output, 'journal.jsonl'));
    const reasons = view.trials.slice(0, 5).map((t) => [t.state, t.reason]);
    expect(reasons).toEqual([
      ['failed', expect.stringContaining('metric "f" is 1.7976931348623157e+308, beyond ±1e+100')],
      ['failed', expect.stringContaining('metric "f" is -1.7976931348623157e+308, beyond ±1e+100')],
      ['failed', expect.stringContaining('metric "f" is 1e+308, beyond ±1e+100')],
      ['failed', 'objective "f" is Infinity, expected a finite number'],
      ['failed', 'objective "f" is NaN, expected a finite number'],
    ]);
    expect(view.trials[0]!.reason).toBe(
      'metric "f" is 1.7976931348623157e+308, beyond ±1e+100: taken for a failure sentinel (such as DBL_MAX or HUGE_VAL), not a result',
    );
    expect(view.trials.slice(5).every((t) => t.state === 'completed')).toBe(true);
    const { status } = checkUsable(output);
    expect(status).toContain('trials: 3 completed, 5 failed (8 in all)');
    const again = capture();
    expect(await resumeCommand(output, {}, again)).toBe(0);
    expect(again.err.join('')).toBe('');
  }, 120_000);

  it('keeps an experiment usable whose journal already holds such values as results', async () => {
    const output = join(root, 'old-journal');
    expect(await runCommand(config(output, 8), {}, capture())).toBe(0);
    // What an earlier version wrote: the sentinels of trials 0-2 recorded as completed values.
    const journal = join(output, 'journal.jsonl');
    const values = ['1.7976931348623157e+308', '-1.7976931348623157e+308', '1e+308'];
    const lines = readFileSync(journal, 'utf8')
      .split('\n')
      .map((line) => {
        const m = /^\{"type":"fail","t":(\d+),"id":([012]),/.exec(line);
        if (m === null) return line;
        return `{"type":"complete","t":${m[1]},"id":${m[2]},"values":{"f":${values[Number(m[2])]},"g":0.5}}`;
      });
    writeFileSync(journal, lines.join('\n'));
    const opt = await Optimizer.open(journal, { logger: { warn: () => {} } });
    const reference = opt.referencePoint()!;
    expect(reference.every(Number.isFinite)).toBe(true);
    const volume = opt.hypervolume();
    expect(Number.isFinite(volume)).toBe(true);
    expect(opt.hypervolumeHistory().every(Number.isFinite)).toBe(true);
    await opt.close();
    checkUsable(output);
    // A resume with a larger budget asks, runs and records more trials on top of those values.
    const record = JSON.parse(readFileSync(join(output, 'mobo.json'), 'utf8'));
    record.config.budget.trials = 11;
    writeFileSync(join(output, 'mobo.json'), JSON.stringify(record));
    const again = capture();
    expect(await resumeCommand(output, {}, again)).toBe(0);
    expect(again.err.join('')).not.toMatch(/hypervolume:|must be a finite number/);
    expect(readExperiment(journal).trials.length).toBe(11);
    checkUsable(output);
  }, 120_000);
});

describe('reference point and hypervolume of extreme values', () => {
  it('infers a finite reference point, leaving out values beyond 1e100 while others remain', () => {
    const Y = (rows: number[][]) => ({
      rows: rows.length,
      cols: rows[0]!.length,
      data: Float64Array.from(rows.flat()),
    });
    // The range overflows and the nadir plus 10% would pass the largest double: both stay finite.
    expect(
      inferReferencePoint(
        Y([
          [Number.MAX_VALUE, -1],
          [-Number.MAX_VALUE, 0],
        ]),
      ).every(Number.isFinite),
    ).toBe(true);
    expect(inferReferencePoint(Y([[Number.MAX_VALUE, -1]]))).toEqual([Number.MAX_VALUE, -0.9]);
    // A sentinel among sane rows does not move the point; the sane rows alone decide it.
    expect(
      inferReferencePoint(
        Y([
          [1, 2],
          [2, 1],
          [-1e308, 5],
        ]),
      ),
    ).toEqual(
      inferReferencePoint(
        Y([
          [1, 2],
          [2, 1],
        ]),
      ),
    );
  });

  it('scaledHypervolume equals hypervolume on ordinary data and stays finite on extreme data', () => {
    const points = [
      [0.25, 0.5, 0.75],
      [0.5, 0.25, 0.5],
      [0.75, 0.75, 0.125],
    ];
    const ref = [1, 1, 1];
    expect(scaledHypervolume(points, ref)).toBe(hypervolume(points, ref));
    // Scaling by powers of two is exact: 2^200 times a box gives 2^200 times its volume.
    const big = points.map((p) => p.map((v) => v * 2 ** 200));
    expect(
      scaledHypervolume(
        big,
        ref.map((v) => v * 2 ** 200),
      ),
    ).toBe(hypervolume(points, ref) * 2 ** 600);
    expect(Number.isFinite(hypervolume([[-Number.MAX_VALUE, 0]], [Number.MAX_VALUE, 1]))).toBe(false);
    expect(scaledHypervolume([[-Number.MAX_VALUE, 0]], [Number.MAX_VALUE, 1])).toBe(Number.MAX_VALUE);
    expect(scaledHypervolume([[0, 0]], [Number.POSITIVE_INFINITY, 1])).toBe(0);
  });

  it('reads the bare NaN and Infinity tokens Python writes, so the reason names the objective', () => {
    expect(parseResult('{"f": NaN, "g": -Infinity, "h": [Infinity], "s": "NaN, x"}')).toEqual({
      f: Number.NaN,
      g: Number.NEGATIVE_INFINITY,
      h: [Number.POSITIVE_INFINITY],
      s: 'NaN, x',
    });
    expect(() => parseResult('{"f": nan}')).toThrow(SyntaxError);
  });
});
