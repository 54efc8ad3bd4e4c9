import { readdirSync, readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat (Linux): the state letter, the process group and the start time in clock ticks. */
export interface ProcessStat {
  state: string;
  processGroup: number;
  startTime: number;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone or there is no /proc. */
export function processStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '?';
  return { state, processGroup: Number(fields[2]), startTime: Number(fields[19]) };
}

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Whether process `pid` is alive and, when `startTime` is given and /proc exists, the same process
 * that had that start time (not a later one that reuses the pid). Zombies count as dead.
 */
export function processAlive(pid: number, startTime?: number): boolean {
  if (HAS_PROC) {
    const stat = processStat(pid);
    if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
    return startTime === undefined || stat.startTime === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether any live (non-zombie) process is in process group `group`. */
export function processGroupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!HAS_PROC) return true;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = processStat(Number(name));
    if (stat !== undefined && stat.processGroup === group && stat.state !== 'Z' && stat.state !== 'X')
      return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Ends a whole process group: SIGTERM, then SIGKILL when it is still there after `graceMs`. Resolves
 * once no live process is left in the group, or 5 s after SIGKILL.
 */
export async function killProcessGroup(group: number, graceMs: number): Promise<void> {
  const send = (signal: NodeJS.Signals) => {
    try {
      process.kill(-group, signal);
    } catch {
      // Already gone.
    }
  };
  send('SIGTERM');
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!processGroupAlive(group)) return true;
      await sleep(25);
    }
    return !processGroupAlive(group);
  };
  if (await waitGone(graceMs)) return;
  send('SIGKILL');
  await waitGone(5000);
}
