/**
 * The sidecar ledger `<output>/runner.jsonl` of experiments written before the experiment journal had
 * runner records: which attempt of which trial was handed to the runner, and the metadata (job ids,
 * process ids, directories) that `run()` returned for it. The Scheduler now journals the same facts as
 * `runner` events in the experiment journal (`Optimizer.recordRunner`); it reads an old ledger
 * (`RunnerLedger.read`, never written) so that resuming such an experiment still reattaches its jobs.
 *
 * One JSON object a line, `{ type: 'launch' | 'launched' | 'retry', t, id, attempt, metadata? }`; a
 * torn last line (a crash mid-write) is ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { nextRunnerState, type RunnerState } from '../experiment/experiment.js';

/** One ledger record. `t` is the wall-clock time in ms. */
export type LedgerRecord =
  /** About to call `run()` for this attempt. */
  | { type: 'launch'; t: number; id: number; attempt: number }
  /** `run()` returned this metadata for the attempt. */
  | { type: 'launched'; t: number; id: number; attempt: number; metadata: Record<string, unknown> }
  /** The attempt failed in a way worth a retry (counts against the retry limit). */
  | { type: 'retry'; t: number; id: number; attempt: number; reason: string };

function isRecord(value: unknown): value is LedgerRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    (r.type === 'launch' || r.type === 'launched' || r.type === 'retry') &&
    Number.isInteger(r.id) &&
    Number.isInteger(r.attempt) &&
    typeof r.t === 'number'
  );
}

const NONE: RunnerState = Object.freeze({ attempt: 0, retries: 0 });

/** An old ledger file, read once: what it says about each trial's attempts. */
export class RunnerLedger {
  readonly file: string;
  readonly #trials = new Map<number, RunnerState>();

  private constructor(file: string) {
    this.file = file;
  }

  /**
   * Reads a ledger (an empty one when `file` does not exist). A bad line before the last is an Error
   * naming the file and line; a torn last line is dropped.
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
      if (!complete || !isRecord(parsed)) {
        if (complete && k < lines.length - 2) {
          throw new Error(`runner ledger ${file} line ${k + 1}: not a valid record: ${line.slice(0, 80)}`);
        }
        break;
      }
      ledger.#trials.set(
        parsed.id,
        nextRunnerState(ledger.trial(parsed.id), { ...parsed, phase: parsed.type }),
      );
    }
    return ledger;
  }

  /** The ledger's knowledge of trial `id` (attempt 0 and no retries when it never saw it). */
  trial(id: number): RunnerState {
    return this.#trials.get(id) ?? NONE;
  }
}
