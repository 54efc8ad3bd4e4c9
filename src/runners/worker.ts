/**
 * The piscina worker of PoolRunner: loads the task (once per module and export per thread), calls it
 * and returns plain data. A throw or bad values come back as `{ ok: false }`; only a crash of the
 * thread itself (process.exit, an uncaught error in a timer) rejects the piscina task.
 */
import { checkValues, errorText, loadTask } from './task.js';
import type { Task, TaskFunction, TrialParams } from './types.js';

export interface WorkerRequest {
  task: Task;
  trialId: number;
  attempt: number;
  workdir: string;
  params: TrialParams;
}

export type WorkerReply = { ok: true; values: Record<string, number> } | { ok: false; reason: string };

const loaded = new Map<string, Promise<TaskFunction>>();

export default async function runTrial(request: WorkerRequest): Promise<WorkerReply> {
  const key = `${request.task.module}#${request.task.exportName}`;
  let fn = loaded.get(key);
  if (fn === undefined) {
    fn = loadTask(request.task);
    loaded.set(key, fn);
  }
  let f: TaskFunction;
  try {
    f = await fn;
  } catch (e) {
    loaded.delete(key);
    return { ok: false, reason: errorText(e) };
  }
  try {
    const raw = await f(request.params, {
      trialId: request.trialId,
      attempt: request.attempt,
      workdir: request.workdir,
    });
    const outcome = checkValues(raw);
    return outcome.status === 'completed'
      ? { ok: true, values: outcome.values }
      : { ok: false, reason: outcome.reason };
  } catch (e) {
    return { ok: false, reason: `task threw: ${errorText(e)}` };
  }
}
