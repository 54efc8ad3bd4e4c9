import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parameterVariable } from '../space/schema.js';
import { checkValues } from './task.js';
import type { TrialOutcome, TrialParams, TrialRequest } from './types.js';

/**
 * The files of one trial attempt, in `<root>/trials/<id>/attempt-<attempt>/`. They are the contract
 * between a runner, the command it starts, and any later runner instance that polls the same trial:
 *
 * - `params.json`: the parameters (`MOBO_PARAMS_FILE`)
 * - `result.json`: objective values the command writes (`MOBO_RESULT_FILE`)
 * - `stdout.txt`, `stderr.txt`: the command's output; the last line of stdout is the result when
 *   there is no result file
 * - `exit.json`: `{ code, signal, error? }`, written by whoever watched the process end
 * - `pid.json`: `{ pid, startTime, hostname }` of a subprocess
 * - `stopped`: present when the trial was stopped on purpose
 */
export const TRIAL_FILES = Object.freeze({
  params: 'params.json',
  result: 'result.json',
  stdout: 'stdout.txt',
  stderr: 'stderr.txt',
  exit: 'exit.json',
  pid: 'pid.json',
  stopped: 'stopped',
});

/** How a process ended: its exit code or the signal that killed it, or why it never started. */
export interface ExitRecord {
  code: number | null;
  signal: string | null;
  error?: string;
}

/**
 * Signals by which a program ends itself when it is at fault (a segmentation fault, a bus error, an
 * illegal instruction, an arithmetic fault, abort()): such a crash is deterministic more often than
 * not, so it fails the trial without retries. Other signals (SIGKILL from the out-of-memory killer
 * or a node going down, SIGTERM, SIGHUP) come from outside and are worth a retry.
 */
export const CRASH_SIGNALS: ReadonlySet<string> = new Set([
  'SIGSEGV',
  'SIGBUS',
  'SIGILL',
  'SIGFPE',
  'SIGABRT',
  'SIGSYS',
]);

/** Exit code 75 (EX_TEMPFAIL in sysexits.h): a command says its failure is worth a retry. */
export const EXIT_TRANSIENT = 75;

export function trialDirectory(root: string, id: number, attempt: number): string {
  return join(root, 'trials', String(id), `attempt-${attempt}`);
}

/** Writes a file whole or not at all (readers on other processes never see half of it). */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Creates the trial's directory, clears what an earlier run there left, writes params.json. */
export function prepareTrialDirectory(dir: string, params: TrialParams): void {
  mkdirSync(dir, { recursive: true });
  for (const name of [TRIAL_FILES.result, TRIAL_FILES.exit, TRIAL_FILES.pid, TRIAL_FILES.stopped]) {
    rmSync(join(dir, name), { force: true });
  }
  writeFileAtomic(join(dir, TRIAL_FILES.params), `${JSON.stringify(params, null, 2)}\n`);
}

/** The environment variable of a parameter (`MOBO_PARAM_<NAME>`); defined with the search space's checks. */
export { parameterVariable } from '../space/schema.js';

/**
 * The variables a trial's command sees: MOBO_TRIAL_ID, MOBO_ATTEMPT, MOBO_PARAMS_FILE,
 * MOBO_RESULT_FILE, MOBO_WORKDIR and one MOBO_PARAM_<NAME> per parameter (a string with a NUL
 * character cannot be an environment variable and is only in the params file).
 */
export function trialEnvironment(
  trial: Pick<TrialRequest, 'id' | 'attempt'>,
  dir: string,
  params: TrialParams,
) {
  const env: Record<string, string> = {
    MOBO_TRIAL_ID: String(trial.id),
    MOBO_ATTEMPT: String(trial.attempt),
    MOBO_PARAMS_FILE: join(dir, TRIAL_FILES.params),
    MOBO_RESULT_FILE: join(dir, TRIAL_FILES.result),
    MOBO_WORKDIR: dir,
  };
  for (const [name, value] of Object.entries(params)) {
    const text = String(value);
    if (!text.includes('\0')) env[parameterVariable(name)] = text;
  }
  return env;
}

export function readParams(dir: string): TrialParams {
  const path = join(dir, TRIAL_FILES.params);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TrialParams;
  } catch (e) {
    throw new Error(`cannot read the parameters file ${path}: ${(e as Error).message}`);
  }
}

export function writeExit(dir: string, record: ExitRecord): void {
  writeFileAtomic(join(dir, TRIAL_FILES.exit), `${JSON.stringify(record)}\n`);
}

export function readExit(dir: string): ExitRecord | undefined {
  try {
    const raw = JSON.parse(readFileSync(join(dir, TRIAL_FILES.exit), 'utf8')) as Partial<ExitRecord>;
    return {
      code: typeof raw.code === 'number' ? raw.code : null,
      signal: typeof raw.signal === 'string' ? raw.signal : null,
      ...(typeof raw.error === 'string' ? { error: raw.error } : {}),
    };
  } catch {
    return undefined;
  }
}

export function markStopped(dir: string): void {
  try {
    writeFileSync(join(dir, TRIAL_FILES.stopped), `${new Date().toISOString()}\n`);
  } catch {
    // The directory is gone: nothing left to mark.
  }
}

export function isStopped(dir: string): boolean {
  return existsSync(join(dir, TRIAL_FILES.stopped));
}

/** The end of a text file: its last `lines` non-empty lines, at most `chars` characters; '' if none. */
export function fileTail(path: string, lines = 5, chars = 1000): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const length = Math.min(size, Math.max(16 * 1024, chars * 4));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer
      .toString('utf8')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.length > 0);
    const tail = text.slice(-lines).join('\n');
    return tail.length > chars ? `...${tail.slice(-chars)}` : tail;
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses a result: JSON, or JSON with the bare tokens NaN, Infinity and -Infinity that Python's
 * json module and many C formatters write, read as those numbers (so that the trial fails saying
 * which objective was not finite, rather than that the file is not JSON). Throws JSON.parse's error
 * for anything else.
 */
export function parseResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const marked = text.replace(
      /([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g,
      (_, before: string, token: string) => `${before}"\\u0000${token}"`,
    );
    if (marked === text) throw e;
    return JSON.parse(marked, (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith('\u0000') ? Number(value.slice(1)) : value,
    );
  }
}

function readResultFile(path: string): TrialOutcome | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = parseResult(text);
  } catch (e) {
    return {
      status: 'failed',
      reason: `result file ${path} is not valid JSON: ${(e as Error).message}`,
      transient: false,
    };
  }
  return checkValues(raw);
}

/**
 * The outcome that a trial's files show, or undefined when they show none yet (no exit record, no
 * result). With an exit record: a start error, a signal (transient, except CRASH_SIGNALS) or a
 * non-zero code (transient for 75) is a failure; code 0 takes the result file, else the last line of stdout. Without one (nobody
 * watched the process end) a result file or a JSON last line still counts.
 */
export function outcomeFromFiles(dir: string, exit: ExitRecord | undefined): TrialOutcome | undefined {
  const stderr = () => {
    const tail = fileTail(join(dir, TRIAL_FILES.stderr));
    return tail === '' ? '' : `; stderr: ${tail}`;
  };
  if (exit !== undefined) {
    if (exit.error !== undefined) return { status: 'failed', reason: exit.error, transient: false };
    if (exit.signal !== null) {
      if (CRASH_SIGNALS.has(exit.signal)) {
        return {
          status: 'failed',
          reason: `crashed with signal ${exit.signal} (a fault of the program itself: not retried)${stderr()}`,
          transient: false,
        };
      }
      return { status: 'failed', reason: `killed by signal ${exit.signal}${stderr()}`, transient: true };
    }
    if (exit.code !== 0) {
      return {
        status: 'failed',
        reason: `exit code ${exit.code}${stderr()}`,
        transient: exit.code === EXIT_TRANSIENT,
      };
    }
  }
  const resultPath = join(dir, TRIAL_FILES.result);
  const fromFile = readResultFile(resultPath);
  if (fromFile !== undefined) return fromFile;
  const last = fileTail(join(dir, TRIAL_FILES.stdout), 1, 100_000);
  if (last !== '') {
    try {
      return checkValues(parseResult(last));
    } catch {
      if (exit === undefined) return undefined;
      const shown = last.length > 200 ? `${last.slice(0, 197)}...` : last;
      return {
        status: 'failed',
        reason: `wrote no result file ${resultPath} and its last line of output is not JSON: ${JSON.stringify(shown)}`,
        transient: false,
      };
    }
  }
  if (exit === undefined) return undefined;
  return {
    status: 'failed',
    reason: `wrote no result file ${resultPath} and nothing on standard output`,
    transient: false,
  };
}
