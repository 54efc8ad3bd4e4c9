/**
 * `mobo export DIR --format csv|json`: every trial of an experiment, one row each: id, state,
 * parameters, objectives, the other metrics (those of outcome constraints), when it was asked,
 * started and finished, why it failed, and the generator that proposed it. Reads the journal
 * without the writer lock, so it works while `mobo run` or `mobo serve` is going.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '../experiment/journal.js';
import { replayContext } from '../experiment/replay.js';
import type { Trial, TrialState } from '../experiment/trial.js';
import { findJournal } from '../report/experiment-report.js';
import type { CommandIo } from './hv.js';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One trial as exported; times are ISO 8601 UTC strings. */
export interface ExportedTrial {
  readonly id: number;
  readonly state: TrialState;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Objective values in the user's sense (completed trials only). */
  readonly objectives: Readonly<Record<string, number>>;
  /** The other metrics a trial reports (those named in outcome constraints). */
  readonly metrics: Readonly<Record<string, number>>;
  /** When it was proposed (asked) or attached. */
  readonly asked: string;
  readonly started?: string;
  readonly finished?: string;
  /** Why it failed, was abandoned or went stale. */
  readonly reason?: string;
  /** The generator that proposed it, or 'attached'. */
  readonly generator: string;
}

/** An experiment's trials as exported, with the names that make the columns. */
export interface ExportTable {
  readonly parameters: readonly string[];
  readonly objectives: readonly string[];
  readonly metrics: readonly string[];
  readonly trials: readonly ExportedTrial[];
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** Replays `journal` (read without locking) into the export table; errors name the journal. */
export function exportTable(journal: string): ExportTable {
  const contents = readJournal(journal);
  const { config, outcomes, experiment } = replayContext(contents, journal);
  for (const { line, event } of contents.events) experiment.apply(event, `journal ${journal} line ${line}`);
  const objectives = outcomes.objectives.map((o) => o.name);
  const metrics = outcomes.metrics.filter((name) => !objectives.includes(name));
  const pick = (t: Trial, names: readonly string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const name of names) {
      const v = t.values?.[name];
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
  const trials = experiment.trials().map((t): ExportedTrial => {
    const started = iso(t.startedAt);
    const finished = iso(t.endedAt);
    return {
      id: t.id,
      state: t.state,
      params: { ...t.params },
      objectives: pick(t, objectives),
      metrics: pick(t, metrics),
      asked: iso(t.createdAt)!,
      ...(started === undefined ? {} : { started }),
      ...(finished === undefined ? {} : { finished }),
      ...(t.reason === undefined ? {} : { reason: t.reason }),
      generator: t.source === 'attach' ? 'attached' : (t.generator ?? ''),
    };
  });
  return { parameters: config.parameters.map((p) => p.name), objectives, metrics, trials };
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, a line break or leading
 * or trailing space, with each double quote doubled.
 */
export function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The table as CSV with a header row, lines ended by CRLF (RFC 4180). Columns: id, state, the
 * parameters, the objectives, the other metrics, asked, started, finished, reason, generator. A
 * parameter or metric whose name is also another column's is written `parameter:NAME` or
 * `metric:NAME`, so that no two columns share a name.
 */
export function exportCsv(table: ExportTable): string {
  const fixed = ['id', 'state', 'asked', 'started', 'finished', 'reason', 'generator'];
  const metricNames = [...table.objectives, ...table.metrics];
  const clash = (name: string, others: readonly string[]) => fixed.includes(name) || others.includes(name);
  const parameterHeads = table.parameters.map((n) => (clash(n, metricNames) ? `parameter:${n}` : n));
  const metricHeads = metricNames.map((n) => (clash(n, table.parameters) ? `metric:${n}` : n));
  const header = [
    'id',
    'state',
    ...parameterHeads,
    ...metricHeads,
    'asked',
    'started',
    'finished',
    'reason',
    'generator',
  ];
  const lines = [header.map(csvField).join(',')];
  for (const t of table.trials) {
    const row = [
      t.id,
      t.state,
      ...table.parameters.map((n) => t.params[n]),
      ...table.objectives.map((n) => t.objectives[n]),
      ...table.metrics.map((n) => t.metrics[n]),
      t.asked,
      t.started,
      t.finished,
      t.reason,
      t.generator,
    ];
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The table as JSON: `{ parameters, objectives, metrics, trials }`, trials as `ExportedTrial`. */
export function exportJson(table: ExportTable): string {
  return `${JSON.stringify(table, null, 2)}\n`;
}

export interface ExportOptions {
  /** 'csv' (default) or 'json'. */
  format?: string;
  /** Write here instead of standard output. */
  out?: string;
}

/** `mobo export`: returns the exit code (2 for a bad format or no readable journal, 1 write error). */
export function exportCommand(target: string, options: ExportOptions, io: CommandIo): number {
  const format = options.format ?? 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    io.stderr(`mobo export: --format is ${JSON.stringify(format)}, expected csv or json\n`);
    return 2;
  }
  let table: ExportTable;
  try {
    table = exportTable(findJournal(target));
  } catch (e) {
    io.stderr(`mobo export: ${(e as Error).message}\n`);
    return 2;
  }
  const text = format === 'csv' ? exportCsv(table) : exportJson(table);
  if (options.out === undefined) {
    io.stdout(text);
    return 0;
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, text, 'utf8');
  } catch (e) {
    io.stderr(`mobo export: cannot write ${options.out}: ${(e as Error).message}\n`);
    return 1;
  }
  io.stderr(`mobo export: wrote ${table.trials.length} trials to ${options.out}\n`);
  return 0;
}
