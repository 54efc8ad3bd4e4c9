/**
 * The scheduler's interface to an experiment: the ask/tell verbs it drives and the records it
 * journals about runners and interrupts. `Optimizer` implements it; the Scheduler (runners/) sees
 * nothing else of it, so the user's facade and what a scheduler needs can change apart.
 */
import type { Params } from '../space/schema.js';
import type { RunnerRecord, RunnerState } from './attempts.js';
import type { ValidOptimizerConfig } from './config.js';
import type { Trial, TrialState } from './trial.js';

/**
 * The most trials one `ask` proposes. A model-based batch is built one candidate at a time against
 * the earlier ones, so a batch of thousands would take hours and hold them all pending; a larger
 * count is almost always a mistake (a slot count or a budget passed by error).
 */
export const MAX_ASK = 1000;

/** A proposed trial: its id (for tell/fail/abandon) and its parameters by name. */
export interface AskedTrial {
  readonly id: number;
  readonly params: Readonly<Params>;
}

export interface AskOptions {
  /** true (default): new trials start 'running'; false: 'candidate' until `markRunning(id)`. */
  readonly markRunning?: boolean;
  /**
   * Run the generator in a worker thread (default false), so this thread stays free (tell, fail,
   * a scheduler's polls and launches) while it works. The candidates are the same as in-thread, bit
   * for bit. Ignored, with generation in this thread, when the strategy's model generator is a
   * plug-in registered in this thread (`canGenerateOffThread` is false).
   */
  readonly offThread?: boolean;
  /**
   * Wall-clock budget of this ask's generation in ms (default none): a model generator cuts its
   * acquisition search short to keep pace with quick trials. The trials asked are then not the
   * same as without it (the budget depends on the machine's speed).
   */
  readonly timeBudgetMs?: number;
}

export interface TellOptions {
  /** Standard errors of the observed metrics, by name (finite, >= 0). */
  readonly sem?: Readonly<Record<string, number>>;
}

/** What the Scheduler needs of an experiment (see `Optimizer` for each verb's contract). */
export interface ScheduledExperiment {
  /** The configuration; the scheduler reads the strategy to decide on off-thread generation. */
  readonly config: Readonly<Pick<ValidOptimizerConfig, 'strategy'>>;
  ask(n: number, options?: AskOptions): Promise<AskedTrial[]>;
  tell(id: number, values: Readonly<Record<string, number>>, options?: TellOptions): Promise<Trial>;
  fail(id: number, reason: string): Promise<Trial>;
  markRunning(id: number): Promise<Trial>;
  markStale(id: number, reason?: string): Promise<Trial>;
  trial(id: number): Trial;
  trials(state?: TrialState | readonly TrialState[]): Trial[];
  hypervolume(): number;
  /** Journals what a runner did with an attempt of trial `id`; resolves to the trial's runner state. */
  recordRunner(id: number, record: RunnerRecord): Promise<RunnerState>;
  /** What the journal's runner records say about trial `id`. */
  runnerState(id: number): RunnerState;
  /** Journals that a session was interrupted: the signal and what became of the trials in flight. */
  recordInterrupt(signal: string, message: string): Promise<void>;
  /** Starts the generation worker thread now (a no-op where asks cannot go off-thread). */
  startGenerationThread(): void;
}
