import * as fs from 'node:fs';
import * as os from 'node:os';

/** What a lock file holds. */
interface LockInfo {
  readonly pid: number;
  readonly hostname: string;
  readonly created: string;
}

function readLock(lockPath: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid === 'number' && typeof info.hostname === 'string') {
      return { pid: info.pid, hostname: info.hostname, created: String(info.created ?? 'an unknown time') };
    }
  } catch {
    // unreadable or half-written: reported by the caller
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<journal>.lock` (created with the exclusive 'wx' flag, holding pid and hostname) so that a
 * second writer is kept out; returns the function that releases it. A lock left by a dead process
 * on this host is taken over with a warning; anything else is an Error that says who holds it.
 */
export function acquireLock(journalPath: string, warn: (message: string) => void): () => void {
  const lockPath = `${journalPath}.lock`;
  const hostname = os.hostname();
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(lockPath, 'wx');
    } catch (e) {
      // After a takeover another process may win the race for the new lock: report it as the holder.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
        throw new Error(
          `journal ${journalPath}: cannot create the lock file ${lockPath}: ${(e as Error).message}`,
        );
      }
      const info = readLock(lockPath);
      if (info === undefined) {
        throw new Error(
          `journal ${journalPath} is locked by ${lockPath}, which cannot be read; if no other process ` +
            'is using the journal, delete the lock file',
        );
      }
      const holder = `pid ${info.pid} on host ${info.hostname} since ${info.created}`;
      if (info.hostname !== hostname) {
        throw new Error(
          `journal ${journalPath} is locked by ${holder}; if that process is gone, delete ${lockPath}`,
        );
      }
      if (info.pid === process.pid) {
        throw new Error(
          `journal ${journalPath} is already open in this process (${holder}); close that Optimizer first`,
        );
      }
      if (isAlive(info.pid)) {
        throw new Error(`journal ${journalPath} is locked by ${holder}: another writer is using it`);
      }
      warn(`journal ${journalPath}: taking over the lock of ${holder}, which is no longer running`);
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    const info: LockInfo = { pid: process.pid, hostname, created: new Date().toISOString() };
    try {
      fs.writeSync(fd, JSON.stringify(info));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = readLock(lockPath);
      // Never remove a lock that someone else has since taken over.
      if (now === undefined || (now.pid === info.pid && now.hostname === hostname)) {
        fs.rmSync(lockPath, { force: true });
      }
    };
  }
}
