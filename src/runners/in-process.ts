import { LocalTrials } from './local.js';
import { checkValues, errorText, loadTask } from './task.js';
import type {
  Runner,
  Task,
  TaskFunction,
  TrialHandle,
  TrialOutcome,
  TrialRequest,
  TrialStatus,
} from './types.js';

export interface InProcessRunnerOptions {
  /** Trials running at once; more wait in a queue. Default: no limit. */
  maxConcurrent?: number;
  /**
   * Root of the trials' working directories (`<directory>/trials/<id>/attempt-<n>`). Default: a
   * temporary directory, removed by close().
   */
  directory?: string;
}

/**
 * Runs trials in this process, on its event loop: the cheapest runner, for fast tasks and tests. A
 * synchronous task blocks the loop while it runs. stop() aborts the task's `signal` and reports
 * 'stopped' at once; a task that ignores its signal keeps running in the background, its result unused.
 * Nothing survives the process: another instance polls these trials as `unknown`.
 */
export class InProcessRunner implements Runner {
  readonly kind = 'in-process';
  readonly #trials: LocalTrials;

  /** `task`: a named task (loaded on first use) or a function. */
  constructor(task: Task | TaskFunction, options: InProcessRunnerOptions = {}) {
    let fn: Promise<TaskFunction> | undefined =
      typeof task === 'function' ? Promise.resolve(task) : undefined;
    const load = () => {
      fn ??= loadTask(task as Task);
      return fn;
    };
    const execute = async (
      trial: TrialRequest,
      workdir: string,
      signal: AbortSignal,
    ): Promise<TrialOutcome> => {
      let f: TaskFunction;
      try {
        f = await load();
      } catch (e) {
        return { status: 'failed', reason: errorText(e), transient: false };
      }
      try {
        return checkValues(
          await f(trial.params, { trialId: trial.id, attempt: trial.attempt, workdir, signal }),
        );
      } catch (e) {
        return { status: 'failed', reason: `task threw: ${errorText(e)}`, transient: false };
      }
    };
    this.#trials = new LocalTrials(
      execute,
      options.maxConcurrent ?? Number.POSITIVE_INFINITY,
      options.directory,
      'InProcessRunner',
    );
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

  close(): Promise<void> {
    return this.#trials.close();
  }
}
