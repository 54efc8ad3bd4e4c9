import { readFileSync } from 'node:fs';
import { checkValues, errorText, loadTask } from './task.js';
import { writeFileAtomic } from './trial-files.js';
import type { Task, TrialParams } from './types.js';

/** Where a task run in a process of its own reads and writes. */
export interface TaskFiles {
  trialId: number;
  attempt: number;
  paramsFile: string;
  resultFile: string;
  workdir: string;
}

/**
 * Runs a task for one trial inside the current process (run-task, the SLURM launcher): reads the
 * parameters file, calls the task, writes the values to the result file and returns exit code 0; on
 * a throw or bad values writes one line saying why to stderr (the stack too with MOBO_TRACE=1) and
 * returns 1.
 */
export async function runTaskWithFiles(task: Task, files: TaskFiles, signal: AbortSignal): Promise<number> {
  const where = `trial ${files.trialId}: task ${task.exportName} in ${task.module}`;
  try {
    const params = JSON.parse(readFileSync(files.paramsFile, 'utf8')) as TrialParams;
    const fn = await loadTask(task);
    const raw = await fn(params, {
      trialId: files.trialId,
      attempt: files.attempt,
      workdir: files.workdir,
      signal,
    });
    const outcome = checkValues(raw);
    if (outcome.status === 'failed') {
      process.stderr.write(`${where}: ${outcome.reason}\n`);
      return 1;
    }
    writeFileAtomic(files.resultFile, `${JSON.stringify(outcome.values)}\n`);
    return 0;
  } catch (e) {
    if (process.env.MOBO_TRACE === '1' && e instanceof Error && e.stack !== undefined) {
      process.stderr.write(`${e.stack}\n`);
    }
    process.stderr.write(`${where} threw: ${errorText(e)}\n`);
    return 1;
  }
}

/** Aborts `controller` on SIGTERM and exits 143 half a second later (the task's time to clean up). */
export function abortOnSigterm(controller: AbortController, trialId: number, onExit?: () => void): void {
  process.on('SIGTERM', () => {
    controller.abort(new Error(`trial ${trialId} stopped (SIGTERM)`));
    setTimeout(() => {
      onExit?.();
      process.exit(143);
    }, 500);
  });
}
