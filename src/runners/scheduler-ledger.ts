/**
 * The sidecar ledger `<output>/runner.jsonl` of experiments written before the experiment journal had
 * runner records: which attempt of which trial was handed to the runner, and the metadata (job ids,
 * process ids, directories) that `run()` returned for it. The Scheduler now journals the same facts as
 * `runner` events in the experiment journal (`Optimizer.recordRunner`); it reads an old ledger
 * (`RunnerLedger.read`, never written) so that resuming such an experiment still reattaches its jobs.
 *
 * One JSON object a line; a torn last line (a crash mid-write) is ignored on read.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';

/** One ledger record. `t` is the wall-clock time in ms. */
export type LedgerRecord =
  /** About to call `run()` for this attempt (written first: a crash after it may leave work behind). */
  | { type: 'launch'; t: number; id: number; attempt: number }
  /** `run()` returned this metadata for the attempt. */
  | { type: 'launched'; t: number; id: number; attempt: number; metadata: Record<string, unknown> }
  /** The attempt failed in a way worth a retry (counts against the retry limit). */
  | { type: 'retry'; t: number; id: number; attempt: number; reason: string };

/** What the ledger knows about one trial. */
export interface LedgerTrial {
  /** The highest attempt number launched (0 when none). */
  attempt: number;
  /** When that attempt was launched (ms), if it was. */
  launchedAt?: number;
  /** The metadata of that attempt, when `run()` returned for it. */
  metadata?: Record<string, unknown>;
  /** Transient failures recorded so far. */
  retries: number;
}

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

/** An append-only, fsynced ledger file, or an in-memory one when `file` is undefined. */
export class RunnerLedger {
  readonly file: string | undefined;
  readonly #trials = new Map<number, LedgerTrial>();
  #fd: number | undefined;

  private constructor(file: string | undefined) {
    this.file = file;
  }

  /**
   * Opens (creating it if needed) and replays the ledger. A bad line before the last is an Error naming
   * the file and line; a torn last line is dropped.
   */
  static open(file: string | undefined): RunnerLedger {
    const { ledger, valid } = RunnerLedger.#parse(file);
    if (file === undefined) return ledger;
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    ftruncateSync(fd, valid);
    ledger.#fd = fd;
    return ledger;
  }

  /** Reads a ledger without opening it for writing (an empty one when `file` does not exist). */
  static read(file: string): RunnerLedger {
    return RunnerLedger.#parse(file).ledger;
  }

  static #parse(file: string | undefined): { ledger: RunnerLedger; valid: number } {
    const ledger = new RunnerLedger(file);
    let valid = 0;
    if (file === undefined) return { ledger, valid };
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      let offset = 0;
      for (let k = 0; k < lines.length; k++) {
        const line = lines[k]!;
        const complete = k < lines.length - 1;
        if (line.trim() !== '') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(line);
          } catch {
            parsed = undefined;
          }
          if (!complete || !isRecord(parsed)) {
            if (complete && k < lines.length - 2) {
              throw new Error(
                `runner ledger ${file} line ${k + 1}: not a valid record: ${line.slice(0, 80)}`,
              );
            }
            break;
          }
          ledger.#apply(parsed);
        }
        offset += Buffer.byteLength(line) + (complete ? 1 : 0);
        if (complete) valid = offset;
      }
    }
    return { ledger, valid };
  }

  /** The ledger's knowledge of trial `id` (attempt 0 and no retries when it never saw it). */
  trial(id: number): LedgerTrial {
    return this.#trials.get(id) ?? { attempt: 0, retries: 0 };
  }

  /** Appends `record` durably (fsync), then applies it. */
  append(record: LedgerRecord): void {
    if (this.#fd !== undefined) {
      const fd = this.#fd;
      const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
      // 'r+' has no append mode: write at the current end.
      const end = fstatSync(fd).size;
      let written = 0;
      while (written < bytes.length)
        written += writeSync(fd, bytes, written, bytes.length - written, end + written);
      fsyncSync(fd);
    }
    this.#apply(record);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #apply(record: LedgerRecord): void {
    const known = this.trial(record.id);
    switch (record.type) {
      case 'launch':
        this.#trials.set(record.id, {
          attempt: Math.max(known.attempt, record.attempt),
          retries: known.retries,
        });
        break;
      case 'launched':
        if (record.attempt >= known.attempt) {
          this.#trials.set(record.id, {
            attempt: record.attempt,
            launchedAt: record.t,
            metadata: record.metadata,
            retries: known.retries,
          });
        }
        break;
      case 'retry':
        this.#trials.set(record.id, { ...known, retries: known.retries + 1 });
        break;
    }
  }
}
