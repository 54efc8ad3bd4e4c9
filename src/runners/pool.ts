import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { LocalTrials } from './local.js';
import { machineCapacity, ResourceSlots, type TrialResources } from './resources.js';
import { entryScript, errorText, nodeExecArgv } from './task.js';
import type { Runner, Task, TrialHandle, TrialOutcome, TrialRequest, TrialStatus } from './types.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export interface PoolRunnerOptions {
  /** Worker threads, and so trials running at once. Default: the number of CPUs. */
  maxThreads?: number;
  /** Root of the trials' working directories; default a temporary directory removed by close(). */
  directory?: string;
  /**
   * Node options of the worker threads. Default: `--import <tsx loader>` when the task module or mobo
   * itself is TypeScript, else none.
   */
  execArgv?: string[];
  /** Milliseconds an idle thread lives before it exits. Default 30 000. */
  idleTimeout?: number;
  /**
   * What each trial needs: a trial waits until its cores, memory and GPUs are free in `slots`; the
   * GPUs granted are in the thread's CUDA_VISIBLE_DEVICES while the task runs (each worker thread has
   * its own copy of process.env). Default: nothing counted.
   */
  resources?: TrialResources;
  /** The capacity trials share. Default: this machine's (`machineCapacity()`), when `resources` is given. */
  slots?: ResourceSlots;
}

/**
 * Runs trials in a pool of worker threads (piscina), one trial per thread at a time.
 *
 * A task that throws or returns bad values fails its trial, not transient. A task that crashes its
 * thread (process.exit in the worker, an uncaught error in a timer) fails only its own trial, as
 * transient (a fresh thread may well succeed; the scheduler's retry limit bounds repeats), and the pool
 * starts a new thread for the next trial. stop() terminates the thread running the trial.
 * Trials live in this process: another instance polls them as `unknown`.
 */
export class PoolRunner implements Runner {
  readonly kind = 'pool';
  readonly #pool: Piscina<WorkerRequest, WorkerReply>;
  readonly #trials: LocalTrials;

  constructor(task: Task, options: PoolRunnerOptions = {}) {
    const maxThreads = options.maxThreads ?? availableParallelism();
    if (!Number.isInteger(maxThreads) || maxThreads < 1) {
      throw new RangeError(`PoolRunner: maxThreads must be a positive integer, got ${maxThreads}`);
    }
    this.#pool = new Piscina<WorkerRequest, WorkerReply>({
      filename: entryScript('worker'),
      execArgv: options.execArgv ?? nodeExecArgv(task),
      minThreads: 0,
      maxThreads,
      concurrentTasksPerWorker: 1,
      idleTimeout: options.idleTimeout ?? 30_000,
    });
    // A worker's uncaught error also reaches the pool; the trial's own promise reports it.
    this.#pool.on('error', () => {});
    const execute = async (
      trial: TrialRequest,
      workdir: string,
      signal: AbortSignal,
      env: Readonly<Record<string, string>>,
    ): Promise<TrialOutcome> => {
      try {
        const reply = await this.#pool.run(
          { task, trialId: trial.id, attempt: trial.attempt, workdir, params: trial.params, env: { ...env } },
          { signal },
        );
        return reply.ok
          ? { status: 'completed', values: reply.values }
          : { status: 'failed', reason: reply.reason, transient: false };
      } catch (e) {
        if (signal.aborted) return { status: 'failed', reason: 'stopped', transient: false };
        return { status: 'failed', reason: `worker thread crashed: ${errorText(e)}`, transient: true };
      }
    };
    const resources =
      options.resources === undefined
        ? undefined
        : { needs: options.resources, slots: options.slots ?? new ResourceSlots(machineCapacity()) };
    this.#trials = new LocalTrials(execute, maxThreads, options.directory, 'PoolRunner', resources);
  }

  async run(trials: readonly TrialRequest[]): Promise<Record<string, unknown>[]> {
    const metadata = this.#trials.run(trials, this.kind);
    this.#trials.pump();
    return metadata;
  }

  async poll(trials: readonly TrialHandle[]): Promise<TrialStatus[]> {
    return this.#trials.poll(trials);
  }

  stop(trials: readonly TrialHandle[]): Promise<void> {
    return this.#trials.stop(trials);
  }

  async close(): Promise<void> {
    await this.#trials.close();
    await this.#pool.destroy();
  }
}
