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
  /** Variables for this trial (CUDA_VISIBLE_DEVICES of its lease); set in this thread's own process.env. */
  env?: Record<string, string>;
}

export type WorkerReply = { ok: true; values: Record<string, number> } | { ok: false; reason: string };

const loaded = new Map<string, Promise<TaskFunction>>();
const ORIGINAL_DEVICES = process.env.CUDA_VISIBLE_DEVICES;

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
  // A worker thread's process.env is its own copy: what one trial sets here reaches no other thread.
  // Each trial starts from the thread's original CUDA_VISIBLE_DEVICES, so a grant never leaks on.
  if (ORIGINAL_DEVICES === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
  else process.env.CUDA_VISIBLE_DEVICES = ORIGINAL_DEVICES;
  Object.assign(process.env, request.env ?? {});
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
