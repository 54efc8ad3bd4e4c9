/**
 * `DIR/.mobo-serve.json`: which process serves DIR and at which URL, so that scripts find the URL
 * of a server started on `--port 0` and `mobo serve --stop DIR` can stop it (a SIGTERM to its own
 * pid: through `npx` or a shell, the pid of the background job is not the server's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SERVE_FILE = '.mobo-serve.json';

export interface ServeRecord {
  readonly pid: number;
  readonly url: string;
  readonly started: string;
}

/** Whether `pid` runs; an exited process its parent has not yet reaped (a zombie, on Linux) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The record of the live server of `dir`, or undefined (none, or one left by a dead process). */
export function readServeRecord(dir: string): ServeRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, SERVE_FILE), 'utf8')) as Partial<ServeRecord>;
    if (typeof record.pid !== 'number' || typeof record.url !== 'string') return undefined;
    return isAlive(record.pid) ? (record as ServeRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records this process as the server of `dir` at `url`; returns the function that removes the
 * record (only while it still names this process). Throws when another live process serves `dir`.
 */
export function writeServeRecord(dir: string, url: string): () => void {
  const other = readServeRecord(dir);
  if (other !== undefined && other.pid !== process.pid) {
    throw new Error(
      `${dir} is already served by pid ${other.pid} at ${other.url} (mobo serve --stop ${dir})`,
    );
  }
  const file = path.join(dir, SERVE_FILE);
  const record: ServeRecord = { pid: process.pid, url, started: new Date().toISOString() };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(record)}\n`);
  return () => {
    try {
      const now = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServeRecord>;
      if (now.pid === process.pid) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/**
 * Stops the server of `dir`: SIGTERM to its pid, then waits (up to `timeoutMs`) until it has exited,
 * having closed its experiments. Resolves to its record, or undefined when none was running.
 */
export async function stopServer(dir: string, timeoutMs = 120_000): Promise<ServeRecord | undefined> {
  const record = readServeRecord(dir);
  if (record === undefined) return undefined;
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(record.pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${record.pid} did not stop within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return record;
}
