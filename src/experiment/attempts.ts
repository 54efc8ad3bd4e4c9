/**
 * Trial attempts and runner state: what a runner did with each attempt of a trial, in one place.
 *
 * A trial is evaluated by one or more attempts (a retry is a new attempt of the same trial id). The
 * Scheduler journals, for each attempt, a `runner` event (`runnerEventSchema`): 'launch' before the
 * runner is called (a crash after it may leave work behind, so the next attempt gets a new number),
 * 'launched' with the JSON metadata the runner returned (job ids, process ids, directories: what a
 * resumed run polls to reattach), 'retry' when the attempt failed in a way worth a retry. Runner
 * events change no trial state; folded per trial (`nextRunnerState`) they give its `RunnerState`.
 *
 * Experiments written before the journal held runner events kept the same records in a sidecar
 * `<output>/runner.jsonl` (`RunnerLedger`: read, never written), so that resuming such an experiment
 * still reattaches its jobs; `mergeRunnerStates` joins what the two say about a trial.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { formatValue } from '../space/errors.js';
import { reasonText } from './trial.js';

/** The journal's `runner` event (one line of the experiment journal; see `eventSchema`). */
export const runnerEventSchema = z.object({
  type: z.literal('runner'),
  /** When it was written (ms since the epoch). */
  t: z.number(),
  id: z.number().int().min(0),
  attempt: z.number().int().min(1),
  phase: z.enum(['launch', 'launched', 'retry']),
  metadata: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().optional(),
});

export type RunnerEvent = z.infer<typeof runnerEventSchema>;

/** What a runner did with an attempt of a trial, as a scheduler reports it (`Optimizer.recordRunner`). */
export type RunnerRecord =
  /** About to hand attempt `attempt` to the runner. */
  | { readonly phase: 'launch'; readonly attempt: number }
  /** The runner took the attempt and returned this JSON metadata (job ids, directories). */
  | { readonly phase: 'launched'; readonly attempt: number; readonly metadata: Record<string, unknown> }
  /** The attempt failed in a way worth a retry (counts against the retry limit). */
  | { readonly phase: 'retry'; readonly attempt: number; readonly reason: string };

/** What the runner records say about one trial's attempts. */
export interface RunnerState {
  /** The highest attempt launched (0 when none). */
  readonly attempt: number;
  /** When that attempt's runner returned its metadata (ms since the epoch), if it did. */
  readonly launchedAt?: number;
  /** The metadata the runner returned for that attempt (job ids, directories), if it did. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Attempts that failed in a way worth a retry. */
  readonly retries: number;
  /** Why each retried attempt ended, as `attempt N: reason`, oldest first (absent when none). */
  readonly failures?: readonly string[];
}

/** The state of a trial no runner record names: no attempt launched, no retries. */
export const NO_ATTEMPTS: RunnerState = Object.freeze({ attempt: 0, retries: 0 });

/** One runner record, from the journal or from the old sidecar ledger. */
export interface RunnerRecordFields {
  readonly phase: 'launch' | 'launched' | 'retry';
  readonly attempt: number;
  /** When it was written (ms since the epoch). */
  readonly t: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Why the attempt failed ('retry' records). */
  readonly reason?: string;
}

/**
 * What is known of a trial's attempts after one more runner record (frozen): 'launch' raises the
 * attempt, 'launched' for the latest attempt records its metadata, 'retry' counts one retry and
 * keeps its reason.
 */
export function nextRunnerState(known: RunnerState, record: RunnerRecordFields): RunnerState {
  let next: RunnerState = known;
  const failures = known.failures === undefined ? {} : { failures: known.failures };
  if (record.phase === 'launch') {
    next = { attempt: Math.max(known.attempt, record.attempt), retries: known.retries, ...failures };
  } else if (record.phase === 'launched' && record.attempt >= known.attempt) {
    next = {
      attempt: record.attempt,
      launchedAt: record.t,
      metadata: Object.freeze({ ...(record.metadata ?? {}) }),
      retries: known.retries,
      ...failures,
    };
  } else if (record.phase === 'retry') {
    const why = `attempt ${record.attempt}: ${record.reason ?? 'failed (no reason recorded)'}`;
    next = {
      ...known,
      retries: known.retries + 1,
      failures: Object.freeze([...(known.failures ?? []), why]),
    };
  }
  return Object.freeze(next);
}

/**
 * The journal event for `record` about trial `id`, checked: an attempt >= 1, JSON object metadata,
 * a string reason (cut like every failure reason). Throws a RangeError or TypeError headed by `what`.
 * Whether the trial exists is the experiment's check.
 */
export function runnerEvent(id: number, record: RunnerRecord, t: number, what: string): RunnerEvent {
  const r = record as Partial<Record<string, unknown>>;
  if (!Number.isInteger(r.attempt) || (r.attempt as number) < 1) {
    throw new RangeError(`${what}: attempt must be an integer >= 1, got ${formatValue(r.attempt)}`);
  }
  const base = { type: 'runner' as const, t, id, attempt: r.attempt as number };
  switch (record.phase) {
    case 'launch':
      return { ...base, phase: 'launch' };
    case 'launched': {
      let metadata: Record<string, unknown>;
      try {
        metadata = JSON.parse(JSON.stringify(record.metadata ?? {})) as Record<string, unknown>;
      } catch (e) {
        throw new TypeError(`${what}: metadata is not JSON: ${(e as Error).message}`);
      }
      if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
        throw new TypeError(`${what}: metadata must be an object, got ${formatValue(record.metadata)}`);
      }
      return { ...base, phase: 'launched', metadata };
    }
    case 'retry':
      return { ...base, phase: 'retry', reason: reasonText(record.reason, what) };
    default:
      throw new RangeError(
        `${what}: phase must be 'launch', 'launched' or 'retry', got ${formatValue(r.phase)}`,
      );
  }
}

/** Every trial's `RunnerState`, folded from runner records as they come. */
export class RunnerStates {
  readonly #trials = new Map<number, RunnerState>();

  /** What the records say about trial `id` (`NO_ATTEMPTS` when none names it). */
  get(id: number): RunnerState {
    return this.#trials.get(id) ?? NO_ATTEMPTS;
  }

  /** Folds one more record about trial `id` in. */
  apply(id: number, record: RunnerRecordFields): void {
    this.#trials.set(id, nextRunnerState(this.get(id), record));
  }
}

/**
 * What the journal and an old sidecar ledger together say about a trial: attempts continue the
 * ledger's numbering, retries and their reasons add up (the ledger's first), and the metadata is the
 * latest attempt's.
 */
export function mergeRunnerStates(journal: RunnerState, ledger: RunnerState | undefined): RunnerState {
  if (ledger === undefined || (ledger.attempt === 0 && ledger.retries === 0)) return journal;
  if (journal.attempt === 0 && journal.retries === 0) return ledger;
  const latest = journal.attempt >= ledger.attempt ? journal : ledger;
  return {
    attempt: Math.max(journal.attempt, ledger.attempt),
    ...(latest.launchedAt === undefined ? {} : { launchedAt: latest.launchedAt }),
    ...(latest.metadata === undefined ? {} : { metadata: latest.metadata }),
    retries: journal.retries + ledger.retries,
    ...(ledger.failures === undefined && journal.failures === undefined
      ? {}
      : { failures: [...(ledger.failures ?? []), ...(journal.failures ?? [])] }),
  };
}

/**
 * One record of the old sidecar ledger `runner.jsonl` (one JSON object a line). `t` is the
 * wall-clock time in ms.
 */
export type LedgerRecord =
  /** About to call `run()` for this attempt. */
  | { type: 'launch'; t: number; id: number; attempt: number }
  /** `run()` returned this metadata for the attempt. */
  | { type: 'launched'; t: number; id: number; attempt: number; metadata: Record<string, unknown> }
  /** The attempt failed in a way worth a retry (counts against the retry limit). */
  | { type: 'retry'; t: number; id: number; attempt: number; reason: string };

function isLedgerRecord(value: unknown): value is LedgerRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    (r.type === 'launch' || r.type === 'launched' || r.type === 'retry') &&
    Number.isInteger(r.id) &&
    Number.isInteger(r.attempt) &&
    typeof r.t === 'number'
  );
}

/** An old sidecar ledger file, read once: what it says about each trial's attempts. */
export class RunnerLedger {
  readonly file: string;
  readonly #states = new RunnerStates();

  private constructor(file: string) {
    this.file = file;
  }

  /**
   * Reads a ledger (an empty one when `file` does not exist). A bad line before the last is an Error
   * naming the file and line; a torn last line (a crash mid-write) is dropped.
   */
  static read(file: string): RunnerLedger {
    const ledger = new RunnerLedger(file);
    if (!existsSync(file)) return ledger;
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      if (line.trim() === '') continue;
      const complete = k < lines.length - 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      if (!complete || !isLedgerRecord(parsed)) {
        if (complete && k < lines.length - 2) {
          throw new Error(`runner ledger ${file} line ${k + 1}: not a valid record: ${line.slice(0, 80)}`);
        }
        break;
      }
      ledger.#states.apply(parsed.id, { ...parsed, phase: parsed.type });
    }
    return ledger;
  }

  /** The ledger's knowledge of trial `id` (attempt 0 and no retries when it never saw it). */
  trial(id: number): RunnerState {
    return this.#states.get(id);
  }
}
