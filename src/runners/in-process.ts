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

/** Thrown in place of exiting when a task calls process.exit() while in-process trials run. */
export class TaskExitError extends Error {
  readonly code: number | string | null | undefined;
  constructor(code: number | string | null | undefined) {
    super(
      `the task called process.exit(${code ?? ''}), which would end mobo itself; an in-process task must return values or throw (run code that exits with the pool or subprocess runner)`,
    );
    this.name = 'TaskExitError';
    this.code = code;
  }
}

/**
 * While in-process trials run, process.exit throws a TaskExitError instead of ending the process, so
 * that a task that calls it fails its trial with that reason. One guard for all runners of this
 * process, counted, and the original restored when the last trial ends. A call from a timer or an
 * event handler of the task cannot be caught by its trial: it becomes an uncaught exception, and the
 * 'exit' listener says loudly what happened and that the experiment can be resumed.
 */
const exitGuard = {
  active: 0,
  original: undefined as typeof process.exit | undefined,
  onExit: undefined as ((code: number) => void) | undefined,
  /** Guards process.exit until the returned release is called (once; later calls do nothing). */
  hold(): () => void {
    this.enter();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.leave();
    };
  },
  enter(): void {
    if (this.active++ > 0) return;
    this.original = process.exit;
    process.exit = ((code?: number | string | null) => {
      throw new TaskExitError(code);
    }) as typeof process.exit;
    this.onExit = (code: number) => {
      process.stderr.write(
        `\nmobo: exiting (code ${code}) while in-process trials were running, probably because a task called process.exit() or threw outside its trial; the trials in flight re-run on \`mobo resume\`\n`,
      );
    };
    process.on('exit', this.onExit);
  },
  leave(): void {
    if (--this.active > 0) return;
    if (this.original !== undefined) process.exit = this.original;
    if (this.onExit !== undefined) process.off('exit', this.onExit);
    this.original = undefined;
    this.onExit = undefined;
  },
};

/**
 * Runs trials in this process, on its event loop: the cheapest runner, for fast tasks and tests. A
 * synchronous task blocks the loop while it runs. stop() aborts the task's `signal` and reports
 * 'stopped' at once; a task that ignores its signal keeps running in the background, its result
 * unused, and keeps the process alive (`lingering` counts such tasks; `mobo run` says so and exits
 * anyway). A task that calls process.exit fails its trial instead (see TaskExitError).
 * Nothing survives the process: another instance polls these trials as `unknown`.
 */
export class InProcessRunner implements Runner {
  readonly kind = 'in-process';
  readonly #trials: LocalTrials;
  /** Releases of the process.exit guard held by running tasks; close() drops those still held. */
  readonly #holds = new Set<() => void>();

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
      const release = exitGuard.hold();
      this.#holds.add(release);
      try {
        return checkValues(
          await f(trial.params, { trialId: trial.id, attempt: trial.attempt, workdir, signal }),
        );
      } catch (e) {
        if (e instanceof TaskExitError) return { status: 'failed', reason: e.message, transient: false };
        return { status: 'failed', reason: `task threw: ${errorText(e)}`, transient: false };
      } finally {
        release();
        this.#holds.delete(release);
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

  /** Stops what still runs; a task that ignores its signal no longer has process.exit guarded. */
  async close(): Promise<void> {
    await this.#trials.close();
    for (const release of this.#holds) release();
    this.#holds.clear();
  }

  /** Trials stopped (timed out, cancelled) whose task ignored its signal and has not returned. */
  get lingering(): number {
    return this.#trials.lingering;
  }
}
