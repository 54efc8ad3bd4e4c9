import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatValue } from '../space/errors.js';
import {
  eventSchema,
  headerSchema,
  JOURNAL_FORMAT,
  JOURNAL_VERSION,
  type JournalEvent,
  type JournalHeader,
} from './events.js';

/** Where events go: a file (durable) or memory (an experiment without a journal). */
export interface EventSink {
  /** Writes one record (a JSON line without its newline) durably before returning. */
  append(line: string): void;
  close(): void;
}

/** The sink of an experiment without a journal: its state lives in memory only. */
export class NullSink implements EventSink {
  append(_line: string): void {}
  close(): void {}
}

/**
 * An append-only journal file. Every record is written with `fs.writeSync` on a descriptor opened
 * with 'a' and then `fs.fsyncSync`, before `append` returns. A failed write is cut back off with
 * `ftruncate` so the file stays valid JSONL; if even that fails the writer refuses further records.
 */
export class FileSink implements EventSink {
  readonly path: string;
  private fd: number | undefined;
  private size: number;
  private broken: string | undefined;

  private constructor(file: string, fd: number) {
    this.path = file;
    this.fd = fd;
    this.size = fs.fstatSync(fd).size;
  }

  /** Opens `file` for appending (creating it if `create`, failing if it then exists with content). */
  static open(file: string, create: boolean): FileSink {
    if (create) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const exists = fs.existsSync(file);
      if (exists && fs.statSync(file).size > 0) {
        throw new Error(
          `journal ${file} already exists; continue it with Optimizer.open('${file}') or choose another path`,
        );
      }
      const sink = new FileSink(file, fs.openSync(file, exists ? 'a' : 'ax'));
      syncDirectory(path.dirname(file));
      return sink;
    }
    return new FileSink(file, fs.openSync(file, 'a'));
  }

  append(line: string): void {
    if (this.fd === undefined) throw new Error(`journal ${this.path}: closed`);
    if (this.broken !== undefined) {
      throw new Error(`journal ${this.path}: an earlier write failed (${this.broken}); reopen the journal`);
    }
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    try {
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
      fs.fsyncSync(this.fd);
      this.size += bytes.length;
    } catch (e) {
      try {
        fs.ftruncateSync(this.fd, this.size);
        fs.fsyncSync(this.fd);
      } catch {
        this.broken = (e as Error).message;
      }
      throw new Error(`journal ${this.path}: cannot write a record: ${(e as Error).message}`);
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

function syncDirectory(dir: string): void {
  // Makes the new file's directory entry durable; not every platform can open a directory.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/** A journal as read back. */
export interface JournalContents {
  readonly header: JournalHeader;
  /** The events in order, each with its 1-based line number. */
  readonly events: readonly { readonly line: number; readonly event: JournalEvent }[];
  /** Bytes of complete records: the file length once a torn tail is cut off. */
  readonly validBytes: number;
  /** Bytes of a torn last record (a crash mid-write), 0 when the file ends cleanly. */
  readonly tornBytes: number;
  /** The 1-based line number of the torn record, when there is one. */
  readonly tornLine: number | undefined;
}

const NEWLINE = 0x0a;

/**
 * Reads and checks a journal without changing it. A torn last record (no trailing newline, or a
 * last line that is not JSON) is reported in `tornBytes` rather than thrown; a bad line anywhere
 * else is an Error naming the file and the line.
 */
export function readJournal(file: string): JournalContents {
  let buffer: Buffer;
  try {
    buffer = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`journal ${file}: cannot read it: ${(e as Error).message}`);
  }
  const lines: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = buffer.indexOf(NEWLINE); i >= 0; i = buffer.indexOf(NEWLINE, start)) {
    lines.push({ start, end: i });
    start = i + 1;
  }
  let validBytes = start;
  let tornLine: number | undefined = start < buffer.length ? lines.length + 1 : undefined;
  const records: unknown[] = [];
  for (let k = 0; k < lines.length; k++) {
    const { start: s, end: e } = lines[k]!;
    const text = buffer.toString('utf8', s, e);
    try {
      records.push(JSON.parse(text));
    } catch {
      if (k === lines.length - 1 && tornLine === undefined) {
        // A last line that is not JSON is a torn write whose tail happened to contain a newline.
        validBytes = s;
        tornLine = k + 1;
        break;
      }
      throw new Error(`journal ${file} line ${k + 1}: not valid JSON: ${formatValue(text)}`);
    }
  }
  if (records.length === 0) {
    throw new Error(
      `journal ${file}: no complete header record (empty, or the creating process crashed before ` +
        'its first write); it holds no experiment',
    );
  }
  const first = records[0] as { format?: unknown; version?: unknown };
  if (first?.format === JOURNAL_FORMAT && first.version !== JOURNAL_VERSION) {
    throw new Error(
      `journal ${file} line 1: format version ${formatValue(first.version)}, this mobo reads version ${JOURNAL_VERSION}`,
    );
  }
  const header = headerSchema.safeParse(first);
  if (!header.success) {
    throw new Error(`journal ${file} line 1: not a mobo journal header: ${header.error.issues[0]?.message}`);
  }
  const events: { line: number; event: JournalEvent }[] = [];
  for (let k = 1; k < records.length; k++) {
    const parsed = eventSchema.safeParse(records[k]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(
        `journal ${file} line ${k + 1}: not a valid event (${issue.path.join('.') || 'record'}: ${issue.message})`,
      );
    }
    events.push({ line: k + 1, event: parsed.data });
  }
  return { header: header.data, events, validBytes, tornBytes: buffer.length - validBytes, tornLine };
}

/**
 * Cuts a torn tail off `file` so that appends start on a fresh line: the one write to a journal
 * that is not an append. Only called with the lock held, after `readJournal` found the tail torn.
 */
export function truncateTornTail(file: string, validBytes: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.ftruncateSync(fd, validBytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
