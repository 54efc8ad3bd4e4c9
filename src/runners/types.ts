/**
 * The runner protocol: run, poll, stop (after Ax's Runner). A runner hands trials to somewhere they
 * execute (this process, worker threads, subprocesses, a SLURM cluster) and reports their state.
 *
 * The scheduler keeps the `metadata` that `run()` returns in its journal; `poll()` and `stop()` take it
 * back, so a new runner instance (after a crash and resume) can follow work that an earlier process
 * started, where the runner's kind allows it (subprocess, SLURM).
 */

/** Parameter values by name, in the user's units. */
export type TrialParams = Record<string, number | string | boolean>;

/** One trial to start: its id, its parameters and which attempt this is (1 for the first run). */
export interface TrialRequest {
  id: number;
  params: TrialParams;
  attempt: number;
}

/**
 * How a trial ended.
 *
 * `transient` says whether a retry may succeed: true for trouble outside the task (a worker thread or
 * process that crashed or was killed by a signal, a node failure, a job that vanished), false for a bug
 * or a verdict of the task itself (it threw, exited non-zero, returned NaN or no object) and for trials
 * stopped on purpose (reason `'stopped'`).
 */
export type TrialOutcome =
  | { status: 'completed'; values: Record<string, number> }
  | { status: 'failed'; reason: string; transient: boolean };

/**
 * The state of one trial.
 *
 * - `queued`: handed over, waiting for a slot (a thread, a process, a SLURM allocation)
 * - `running`: executing
 * - `finished`: `outcome` says how it ended
 * - `unknown`: this runner cannot tell right now (a trial it never saw, a SLURM command that failed);
 *   the scheduler should keep polling and give up after its own time-to-live
 */
export interface TrialStatus {
  id: number;
  state: 'queued' | 'running' | 'finished' | 'unknown';
  outcome?: TrialOutcome;
}

/** A trial as `poll()` and `stop()` name it: its id and the metadata `run()` returned for it. */
export interface TrialHandle {
  id: number;
  metadata: Record<string, unknown>;
}

export interface Runner {
  /** 'in-process', 'pool', 'subprocess', 'slurm', ... */
  readonly kind: string;
  /** Suggested milliseconds between polls (SLURM: do not hammer slurmctld); absent: poll as you like. */
  readonly pollInterval?: number;
  /**
   * Starts the trials; resolves once they are handed over (not when they finish), with one
   * JSON-serializable metadata object per trial, in the order of `trials`.
   */
  run(trials: readonly TrialRequest[]): Promise<Record<string, unknown>[]>;
  /** The current state of each trial, in the order given. Never throws for one bad trial. */
  poll(trials: readonly TrialHandle[]): Promise<TrialStatus[]>;
  /**
   * Stops trials that have not finished; their outcome becomes failed `'stopped'` (not transient).
   * Resolves once their threads, processes or jobs are gone, or after the runner's stop timeout.
   */
  stop(trials: readonly TrialHandle[]): Promise<void>;
  /**
   * Releases the runner. In-process and pool runners abort what still runs; subprocess and SLURM
   * runners leave their processes and jobs running so that a resumed run can reattach to them.
   */
  close(): Promise<void>;
}

/** What a task function receives besides the parameters. */
export interface TaskContext {
  trialId: number;
  attempt: number;
  /** A directory of this trial's own, created before the call. */
  workdir: string;
  /** Aborted when the trial is stopped (in-process runs and subprocesses on SIGTERM). */
  signal?: AbortSignal;
}

/** A task: objective values by name from parameters, sync or async; throws to fail the trial. */
export type TaskFunction = (
  params: TrialParams,
  context: TaskContext,
) => Record<string, number> | Promise<Record<string, number>>;

/** A task named by module and export, so that any process with the same files can load it. */
export interface Task {
  /** An absolute file path or a file URL. */
  module: string;
  /** The name of the exported function. */
  exportName: string;
}

/** The outcome for a trial stopped on purpose. */
export const STOPPED: TrialOutcome = Object.freeze({ status: 'failed', reason: 'stopped', transient: false });
