/**
 * `mobo status DIR`: the trials of an experiment (id, state, objectives, reason) and its Pareto front,
 * read from the journal without taking the writer lock, so it works while `mobo run` is going.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJournal } from '../experiment/journal.js';
import { replayContext } from '../experiment/replay.js';
import type { Trial, TrialState } from '../experiment/trial.js';
import { zeros } from '../linalg/matrix.js';
import { paretoFilter } from '../pareto/dominance.js';
import { scaledHypervolume } from '../pareto/scaled-hypervolume.js';
import type { CommandIo } from './hv.js';

/** The journal of an experiment directory (or the file itself when given one). */
export function journalPath(target: string): string {
  if (existsSync(target) && statSync(target).isFile()) return target;
  return join(target, 'journal.jsonl');
}

/** A number with 6 significant digits, trailing zeros dropped. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e7) return String(Number(v.toPrecision(6)));
  return v.toExponential(4);
}

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const numeric = headers.map(
    (_, j) => rows.length > 0 && rows.every((r) => /^-?[\d.e+-]*$/.test(r[j] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => (numeric[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** The Pareto front as a table: id, then parameters, then objectives. */
export function frontTable(
  front: readonly Trial[],
  parameterNames: readonly string[],
  objectiveNames: readonly string[],
): string {
  const rows = front.map((t) => [
    String(t.id),
    ...parameterNames.map((n) => {
      const v = t.params[n];
      return typeof v === 'number' ? formatNumber(v) : String(v);
    }),
    ...objectiveNames.map((n) => formatNumber(t.values?.[n] ?? Number.NaN)),
  ]);
  return formatTable(['id', ...parameterNames, ...objectiveNames], rows);
}

/** An experiment replayed from its journal, read-only. */
export interface ExperimentView {
  trials: Trial[];
  parameterNames: string[];
  objectiveNames: string[];
  /** Reference point in minimization form, when known. */
  reference: number[] | undefined;
  front: Trial[];
  hypervolume: number;
  /** Why a torn last record was ignored, if one was. */
  warning?: string;
  /** The last interrupt journaled (signal, what became of the trials in flight), if any. */
  interrupt?: { t: number; signal: string; message: string };
}

/** Replays a journal without locking it; throws an Error naming the file for a bad one. */
export function readExperiment(file: string): ExperimentView {
  const contents = readJournal(file);
  const { config, outcomes, experiment } = replayContext(contents, file);
  for (const { line, event } of contents.events) experiment.apply(event, `journal ${file} line ${line}`);
  const trials = experiment.trials();
  const feasible = trials.filter(
    (t) => t.state === 'completed' && outcomes.isFeasible(t.values as Record<string, number>),
  );
  const m = outcomes.m;
  const Y = zeros(feasible.length, m);
  for (let i = 0; i < feasible.length; i++) outcomes.objectiveRow(feasible[i]!.values!, Y.data, i * m);
  const front = feasible.length === 0 ? [] : Array.from(paretoFilter(Y), (i) => feasible[i]!);
  const known = experiment.referencePoint;
  const reference = known === null ? undefined : Array.from(known);
  const hv = reference === undefined || feasible.length === 0 ? 0 : scaledHypervolume(Y, reference);
  return {
    trials,
    parameterNames: config.parameters.map((p) => p.name),
    objectiveNames: config.objectives.map((o) => o.name),
    reference,
    front,
    hypervolume: hv,
    ...(experiment.lastInterrupt === undefined ? {} : { interrupt: { ...experiment.lastInterrupt } }),
    ...(contents.tornBytes > 0
      ? {
          warning: `journal ${file}: ignoring a torn last record at line ${contents.tornLine} (a write in progress or a crash)`,
        }
      : {}),
  };
}

/** Counts of trials by state, e.g. '38 completed, 2 failed (40 in all)'. */
export function stateCounts(trials: readonly Trial[]): string {
  const order: TrialState[] = ['completed', 'failed', 'running', 'stale', 'candidate', 'abandoned'];
  const parts = order
    .map((s) => [s, trials.filter((t) => t.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${parts.length > 0 ? parts.join(', ') : 'none'} (${trials.length} in all)`;
}

export interface StatusOptions {
  /** Show only the summary and the front, not every trial. */
  brief?: boolean;
}

/** `mobo status DIR`: returns the exit code (2 when there is no readable journal). */
export function statusCommand(target: string, options: StatusOptions, io: CommandIo): number {
  const file = journalPath(target);
  if (!existsSync(file)) {
    io.stderr(`mobo status: no experiment in ${target} (${file} does not exist)\n`);
    return 2;
  }
  let view: ExperimentView;
  try {
    view = readExperiment(file);
  } catch (e) {
    io.stderr(`mobo status: ${(e as Error).message}\n`);
    return 2;
  }
  if (view.warning !== undefined) io.stderr(`warning: ${view.warning}\n`);
  if (options.brief !== true) {
    const rows = view.trials.map((t) => [
      String(t.id),
      t.state,
      ...view.objectiveNames.map((n) => (t.values?.[n] === undefined ? '' : formatNumber(t.values[n]!))),
      t.reason ?? '',
    ]);
    io.stdout(formatTable(['id', 'state', ...view.objectiveNames, 'reason'], rows));
    io.stdout('\n');
  }
  io.stdout(experimentSummary(view));
  // Trials left open by an interrupted session: say what happened to them and how to go on.
  const open = view.trials.filter(
    (t) => t.state === 'running' || t.state === 'stale' || t.state === 'candidate',
  );
  if (view.interrupt !== undefined && open.length > 0) {
    io.stdout(
      `interrupted ${new Date(view.interrupt.t).toISOString()}: ${view.interrupt.message}\ncontinue with: mobo resume ${dirname(file)}\n`,
    );
  }
  return 0;
}

/** Trials by state, hypervolume with its reference point, and the front as a table. */
export function experimentSummary(view: ExperimentView): string {
  const lines: string[] = [];
  lines.push(`trials: ${stateCounts(view.trials)}`);
  const ref =
    view.reference === undefined
      ? 'no reference point yet'
      : `reference point ${view.objectiveNames.map((n, j) => `${n} = ${formatNumber(view.reference![j]!)}`).join(', ')}, minimization form`;
  lines.push(`hypervolume: ${formatNumber(view.hypervolume)} (${ref})`);
  lines.push(`Pareto front: ${view.front.length} trial(s)`);
  let text = `${lines.join('\n')}\n`;
  if (view.front.length > 0) text += frontTable(view.front, view.parameterNames, view.objectiveNames);
  return text;
}
