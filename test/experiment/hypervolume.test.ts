/**
 * One hypervolume for every view: the Optimizer (progress line), `mobo status` and the run summary
 * (readExperiment), and the report (experimentReportData) agree after every result, and the value
 * matches an independent two-dimensional staircase sum.
 */
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceNote } from '../../src/cli/progress.js';
import { hypervolumeLines, readExperiment } from '../../src/cli/status.js';
import { readJournal } from '../../src/experiment/journal.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { experimentReportData } from '../../src/report/experiment-data.js';
import { renderExperimentReport } from '../../src/report/experiment-report.js';
import { tempDir } from './helpers.js';

/** Independent 2-D hypervolume by a grid-free union of rectangles: inclusion by sweeping x. */
function unionArea(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const xs = [...new Set([...points.map((p) => p[0]!), ref[0]!])]
    .filter((x) => x <= ref[0]!)
    .sort((a, b) => a - b);
  let area = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    const x = xs[i]!;
    // Lowest y among points with first coordinate <= x: the rectangle column covers [low, ref].
    let low = ref[1]!;
    for (const p of points) if (p[0]! <= x && p[1]! < low) low = p[1]!;
    area += (xs[i + 1]! - x) * (ref[1]! - low);
  }
  return area;
}

describe('experimentHypervolume: one computation for every view', () => {
  const temp = tempDir();
  afterAll(() => temp.cleanup());

  it('the optimizer, the CLI summary and the report agree after each result, before and after the point is fixed', async () => {
    const journal = path.join(temp.dir, 'agree.jsonl');
    // d = 2: the inferred point is fixed at 2(d+1) = 6 feasible trials. f2 is maximized.
    const opt = await Optimizer.create(
      {
        journal,
        parameters: [
          { name: 'a', type: 'float', bounds: [0, 1] },
          { name: 'b', type: 'float', bounds: [0, 1] },
        ],
        objectives: [
          { name: 'f1', minimize: true },
          { name: 'f2', minimize: false },
        ],
        strategy: 'sobol',
        seed: 3,
      },
      { logger: { warn: () => {} } },
    );
    // (f1, -f2) pairs. Trial 3 dominates trial 0, the front's nadir moves in and the provisional point
    // with it: the hypervolume goes down. Trial 5 is the 6th feasible one: the point is fixed.
    const results = [
      [0, 1],
      [1, 0],
      [0.5, 0.5],
      [0, 0.05],
      [0.2, 0.02],
      [0.01, 0.01],
      [0.005, 0.03],
      [0.3, 0.001],
    ];
    const seen: number[] = [];
    const rules: string[] = [];
    for (let k = 0; k < results.length; k++) {
      const [f1, minusF2] = results[k]!;
      await opt.attach({ a: k / 10, b: 0.5 }, { f1: f1!, f2: -minusF2! });
      // Readers first (they read the journal as it is), then the optimizer (which may fix the point).
      const summary = readExperiment(journal);
      const report = experimentReportData(readJournal(journal), journal, 'agree');
      const status = opt.hypervolumeStatus();
      const mins = results.slice(0, k + 1);
      const independent = unionArea(mins, status.point!);
      expect(status.hypervolume).toBeCloseTo(independent, 12);
      expect(summary.hypervolume).toBe(status.hypervolume);
      expect(report.hypervolumeNow).toBe(status.hypervolume);
      expect(report.hypervolume.at(-1)!.hypervolume).toBeCloseTo(status.hypervolume, 12);
      expect(summary.reference).toEqual([...status.point!]);
      expect(report.reference!.point).toEqual([status.point![0], -status.point![1]!]);
      seen.push(status.hypervolume);
      rules.push(status.rule!);
    }
    expect(rules.slice(0, 5)).toEqual(Array(5).fill('provisional'));
    expect(rules.slice(5)).toEqual(Array(3).fill('fixed'));
    // The provisional point moved and the hypervolume went down once; after fixing it only rises.
    expect(seen[3]!).toBeLessThan(seen[2]!);
    for (let k = 6; k < seen.length; k++) expect(seen[k]!).toBeGreaterThanOrEqual(seen[k - 1]!);
    await opt.close();
    const after = readExperiment(journal);
    expect(hypervolumeLines(after.hypervolumeStatus, after.objectiveNames, after.minimize)[0]).toMatch(
      /^hypervolume: [\d.]+ \(reference point f1 = [\d.]+, f2 = -?[\d.]+: inferred from the feasible trials, then fixed\)$/,
    );
  });

  it('says the hypervolume is 0 because no trial beats the thresholds, and how far the best trials are', async () => {
    const journal = path.join(temp.dir, 'short.jsonl');
    const opt = await Optimizer.create(
      {
        journal,
        parameters: [{ name: 'a', type: 'float', bounds: [0, 1] }],
        objectives: [
          { name: 'cost', minimize: true, threshold: 1 },
          { name: 'gain', minimize: false, threshold: 10 },
        ],
        strategy: 'sobol',
        seed: 1,
      },
      { logger: { warn: () => {} } },
    );
    // Each trial beats one threshold and misses the other: no trial beats both.
    await opt.attach({ a: 0.1 }, { cost: 0.5, gain: 4 }); // gain 6 short
    await opt.attach({ a: 0.2 }, { cost: 3, gain: 12 }); // cost 2 short
    await opt.attach({ a: 0.3 }, { cost: 1.5, gain: 9 }); // both short: 0.5 and 1
    const status = opt.hypervolumeStatus();
    expect(status.hypervolume).toBe(0);
    expect(status.rule).toBe('thresholds');
    expect(status.shortfall!.objectives).toEqual([
      { reference: 1, best: 0.5, gap: -0.5 },
      { reference: 10, best: 12, gap: -2 },
    ]);
    // Trials 0 and 1 each miss one objective; scaled by the observed ranges (2.5 and 8), trial 1's
    // miss of 2 / 2.5 = 0.8 is larger than trial 0's 6 / 8 = 0.75, so trial 0 is the closest.
    expect(status.shortfall!.closest).toEqual({ trial: 0, gaps: [-0.5, 6] });
    await opt.close();
    const view = readExperiment(journal);
    const lines = hypervolumeLines(view.hypervolumeStatus, view.objectiveNames, view.minimize);
    expect(lines[0]).toBe("hypervolume: 0 (reference point cost = 1, gain = 10: the objectives' thresholds)");
    expect(lines[1]).toMatch(/no feasible trial beats the reference point in every objective/);
    expect(lines[2]).toBe('  cost (min): best 0.5, reference 1: beats it by 0.5');
    expect(lines[3]).toBe('  gain (max): best 12, reference 10: beats it by 2');
    expect(lines[4]).toBe('  closest: trial 0, gain 6 short');
    const report = experimentReportData(readJournal(journal), journal, 'short');
    expect(report.shortfall).toEqual(status.shortfall);
    const html = renderExperimentReport(report, { assets: { d3: '', plot: '' } });
    expect(html).toContain(
      'The hypervolume is 0 because no feasible trial beats the reference point in every objective',
    );
    expect(html).toMatch(
      /<td>gain \(max\)<\/td><td class="num">10<\/td><td class="num">12<\/td><td>beats it by 2<\/td><td>6 short<\/td>/,
    );
    expect(referenceNote(0, view.hypervolumeStatus)).toBe(
      ' (reference point: the thresholds, no trial beats it yet)',
    );
  });

  it('explains a provisional point on the progress line', () => {
    expect(referenceNote(0.4, { point: [1, 1], rule: 'provisional', feasible: 5, quorum: 42 })).toBe(
      ' (reference point provisional until 42 feasible trials, 5 so far: it can move)',
    );
    expect(referenceNote(0, { point: undefined, rule: undefined, feasible: 0, quorum: 42 })).toBe(
      ' (no reference point yet)',
    );
  });
});
