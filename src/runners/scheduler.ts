/**
 * The Scheduler: drives an experiment (an `Optimizer`, seen through `ScheduledExperiment`) and a
 * `Runner`. It keeps up to `maxParallel` trials in flight, asks for new ones as slots free (the
 * experiment's running trials are the pending points of the next ask), times trials out, retries transient failures with exponential back-off, marks trials the runner
 * lost track of as stale, stops when too many trials fail, and handles SIGINT/SIGTERM.
 *
 * Journaling. Every event is written before it is acted on: a trial is marked running in the experiment
 * journal before `run()` starts it; the outcome is told (or failed) before its slot is reused; a timeout
 * is journaled as failed before the trial is stopped. What the runner did with each attempt goes into
 * the same journal as `runner` events (`recordRunner`, experiment/attempts.ts): 'launch' before `run()`, 'launched'
 * with the metadata it returned (job ids, process ids, directories) right after, 'retry' for a
 * transient failure. Experiments written before those events existed kept them in a sidecar
 * `runner.jsonl`; the `legacyLedger` option reads one (never writes it).
 *
 * Asking. In asynchronous mode an ask runs while the scheduler goes on polling and launching: with a
 * model-based strategy the generator runs in a worker thread (`offThreadGeneration`), and the
 * scheduler asks ahead (`askAhead`): it keeps candidates proposed for slots that will free soon, so a
 * freed slot is filled at once instead of waiting for the next generation. Such trials are journaled
 * as candidates and marked running when they start; every trial asked and not finished (candidates
 * included) is a pending point of the next ask. A kill at any moment loses nothing: a resume starts
 * the candidates as slots free.
 *
 * Retries. A retry is a new attempt of the same trial id with the same parameters, never a new trial:
 * the trial goes `running -> stale` (journaled with the reason, e.g. "attempt 1 failed (transient):
 * worker thread crashed: ...; retry 2 of 3 in 2 s") and `stale -> running` when the next attempt
 * starts. The runner sees `attempt` 2, 3, ... (SubprocessRunner and SlurmRunner give each attempt its
 * own directory). So every trial id appears once, its point stays pending throughout (never proposed
 * again), and the journal says what happened to each attempt.
 *
 * Resume. Trials that the journal holds as running are re-polled with their runner metadata
 * (reattach) when the runner can follow work of an earlier process (subprocess, SLURM); those of
 * runners whose trials die with their process (in-process, pool), or that never got metadata (a crash
 * inside `run()`), are re-run as their next attempt, which does not count as a retry. Stale trials
 * (waiting for a retry, or cancelled by an interrupt) are re-run the same way. A trial the runner
 * reports `unknown` for longer than `staleAfterSeconds` is marked stale and retried.
 *
 * Determinism. In batch-synchronous mode the scheduler asks `maxParallel` trials only when none is in
 * flight, so every ask sees the same data whatever the runner's timing: the same seed gives the same
 * trials on every runner, also across kills and resumes.
 */
import { mergeRunnerStates, RunnerLedger, type RunnerState } from '../experiment/attempts.js';
import { defaultLogger, type Logger } from '../experiment/logger.js';
import { MAX_ASK, type ScheduledExperiment } from '../experiment/scheduled-experiment.js';
import type { Trial } from '../experiment/trial.js';
import type { Runner, TrialHandle, TrialOutcome, TrialRequest, TrialStatus } from './types.js';

/** The share of the slots' pace an ask may take (see `paceGeneration`). */
export const PACE_FRACTION = 0.7;
/** Below this many ms of search per trial, asks are not paced (see `paceGeneration`). */
export const MIN_PACED_SEARCH_MS = 50;

export interface SchedulerOptions {
  /** Trials in the experiment at which asking stops (trials of earlier sessions count). Required. */
  trials: number;
  /** Trials in flight at once (waiting retries hold their slot). Default 1. */
  maxParallel?: number;
  /** Ask `maxParallel` trials, wait for all of them, repeat. Default false (refill slots as they free). */
  batchSynchronous?: boolean;
  /**
   * Run the strategy's generator in a worker thread, so that slots freed during a slow generation are
   * refilled and results recorded meanwhile (same candidates as in-thread). Default: true when the
   * strategy has a 'mobo' step (GP fits and acquisition optimization take seconds), else false.
   */
  offThreadGeneration?: boolean;
  /**
   * Asynchronous mode: candidates to keep proposed beyond the free slots, so that a slot that frees
   * starts its next trial at once. The next ask is for the free slots plus this, less the candidates
   * waiting. Default: `maxParallel` with off-thread generation, else 0 (an in-thread ask blocks
   * everything anyway). Each candidate asked ahead is proposed with the data known at its ask.
   */
  askAhead?: number;
  /**
   * Asynchronous mode: the most trials one ask proposes. Default `ceil(maxParallel / 2)` with
   * off-thread generation, else `maxParallel`. An ask's candidates all arrive when it ends, so when
   * many slots wait, two asks of 4 start the first 4 trials after about half the time one ask of 8
   * takes; a sequential greedy batch costs about the same per candidate either way (its model fit is
   * a few percent of an ask).
   */
  maxAskSize?: number;
  /**
   * Asynchronous mode: give each ask a time budget so that generation keeps pace with the trials,
   * `PACE_FRACTION x median attempt time / maxParallel x trials asked` (once 3 attempts have
   * completed). A model generator then cuts its acquisition search short rather than leave slots
   * idle. With trials of minutes or hours the budget is far above what an ask takes and changes
   * nothing; with trials so quick that less than `MIN_PACED_SEARCH_MS` per trial would be left,
   * asks are not paced at all. Default true with off-thread generation; never in batch-synchronous
   * mode (which keeps asks independent of timing).
   */
  paceGeneration?: boolean;
  /** Per-attempt time limit: past it the trial is failed 'timeout after N s' and stopped. Default none. */
  timeoutSeconds?: number;
  /** Re-runs of a trial after failures the runner marks transient. Default 2. */
  retries?: number;
  /** Delay before retry k is `retryDelaySeconds * 2^(k-1)`, at most `maxRetryDelaySeconds`. Default 1. */
  retryDelaySeconds?: number;
  /** Default 60. */
  maxRetryDelaySeconds?: number;
  /** Seconds a trial may be reported `unknown` before it is marked stale and retried. Default 300. */
  staleAfterSeconds?: number;
  /** Stop after this many failed trials in this session. Default: no limit. */
  maxFailures?: number;
  /** Stop when more than this fraction of the last `failureWindow` finished trials failed. Default 0.5. */
  maxFailureRate?: number;
  /** Default 20 (the rate is checked once that many trials finished in this session). */
  failureWindow?: number;
  /** Stop after this many failures in a row. Default 10. */
  maxConsecutiveFailures?: number;
  /** Stop starting trials after this much wall time of this session. Default: no limit. */
  seconds?: number;
  /** On SIGINT/SIGTERM (or `interrupt()`): 'wait' for running trials (default) or 'cancel' them. */
  onInterrupt?: 'wait' | 'cancel';
  /** Install SIGINT/SIGTERM handlers for the duration of `run()` (a second signal cancels). Default false. */
  handleSignals?: boolean;
  /** Shortest pause between polls, ms. Default 10. */
  minPollMs?: number;
  /** Longest pause between polls, ms (polls slow down as trials age: 5% of the youngest's age). Default 5000. */
  maxPollMs?: number;
  /**
   * The sidecar `runner.jsonl` of an experiment written before the journal had runner records: read
   * (never written) so that a resume reattaches the jobs it lists. A missing file is fine.
   */
  legacyLedger?: string;
  /** Called after every change (trial started or finished), and at least every poll round. */
  onProgress?: (progress: SchedulerProgress) => void;
  /** Messages for the user (interrupts, retries, stop reasons). Default: none. */
  log?: (message: string) => void;
  /** Warnings. Default: `process.emitWarning`. */
  logger?: Logger;
}

/** A snapshot for progress displays. */
export interface SchedulerProgress {
  /** The budget: trials the experiment will hold. */
  total: number;
  /** Trials in the experiment. */
  asked: number;
  completed: number;
  failed: number;
  /** Trials in flight or waiting for a retry. */
  running: number;
  /** Hypervolume of the completed trials (0 until one completes). */
  hypervolume: number;
  /** Milliseconds since this session's `run()` began. */
  elapsedMs: number;
  /** Trials finished (completed or failed) in this session. */
  finishedThisSession: number;
}

export type StopReason = 'budget' | 'exhausted' | 'interrupted' | 'failures' | 'time';

export interface SchedulerResult {
  reason: StopReason;
  /** One line saying why the run stopped. */
  message: string;
  progress: SchedulerProgress;
  stats: SchedulerStats;
}

export interface SchedulerStats {
  /** Wall time of this session's run(), ms. */
  wallMs: number;
  /** Sum over attempts of launch-to-outcome time, ms. */
  busyMs: number;
  /** busyMs / (maxParallel * wallMs): how well the slots were kept busy. */
  busyFraction: number;
  /** Every ask: trials in the experiment before it, how many it asked, and its latency in ms. */
  asks: { size: number; count: number; ms: number; budgetMs?: number }[];
  /** Whether asks ran in a worker thread. */
  offThread: boolean;
  /** Candidates kept ahead of the free slots (asynchronous mode). */
  askAhead: number;
  /** The most trials one ask proposed (asynchronous mode). */
  maxAskSize: number;
  /** Whether asks had a time budget that keeps pace with the slots (see `paceGeneration`). */
  paceGeneration: boolean;
  /** Transient failures retried in this session. */
  retries: number;
}

interface Flight {
  id: number;
  attempt: number;
  metadata: Record<string, unknown>;
  /** When this attempt was launched (ms since the epoch). */
  launchedAt: number;
  /** When the runner last knew the trial (queued, running). */
  lastSeen: number;
}

interface Relaunch {
  id: number;
  /** Not before this time (ms since the epoch). */
  due: number;
}

/** Whether a strategy (as configured) has a model-based 'mobo' step, whose asks take seconds. */
function hasModelStep(strategy: unknown): boolean {
  if (strategy === undefined || strategy === 'mobo') return true;
  const steps = Array.isArray(strategy) ? strategy : [strategy];
  return steps.some((s) => s === 'mobo' || (s !== null && typeof s === 'object' && s.strategy === 'mobo'));
}

/** Runner kinds whose trials die with the process that started them: never reattached on resume. */
const EPHEMERAL_RUNNERS = new Set(['in-process', 'pool']);

function positive(value: number | undefined, fallback: number, name: string, integer = false): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= 0) || (integer && !Number.isInteger(v))) {
    throw new RangeError(
      `Scheduler: ${name} must be ${integer ? 'an integer' : 'a number'} >= 0, got ${String(v)}`,
    );
  }
  return v;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? String(Number(s.toFixed(2))) : String(Math.round(s));
}

/** Drives an optimizer and a runner until the budget is spent, the run is interrupted or fails too often. */
export class Scheduler {
  readonly #opt: ScheduledExperiment;
  readonly #runner: Runner;
  readonly #trials: number;
  readonly #maxParallel: number;
  readonly #batch: boolean;
  readonly #timeoutMs: number | undefined;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #staleMs: number;
  readonly #maxFailures: number;
  readonly #maxFailureRate: number;
  readonly #failureWindow: number;
  readonly #maxConsecutive: number;
  readonly #secondsMs: number | undefined;
  readonly #onInterrupt: 'wait' | 'cancel';
  readonly #handleSignals: boolean;
  readonly #minPollMs: number;
  readonly #maxPollMs: number;
  readonly #legacyFile: string | undefined;
  readonly #offThread: boolean;
  readonly #askAhead: number;
  readonly #maxAskSize: number;
  readonly #pace: boolean;
  /** Durations in ms of the attempts that completed, for the pace of generation. */
  readonly #durations: number[] = [];
  readonly #onProgress: (progress: SchedulerProgress) => void;
  readonly #log: (message: string) => void;
  readonly #logger: Logger;

  readonly #inFlight = new Map<number, Flight>();
  readonly #relaunch = new Map<number, Relaunch>();
  readonly #outcomes: boolean[] = [];
  /** Candidates asked (journaled as 'candidate') and not yet started, in ask order. */
  readonly #ready: number[] = [];
  /** The ask running in the background (off-thread generation), if any. */
  #asking: Promise<void> | undefined;
  #askError: { error: unknown } | undefined;
  /** A wake-up that arrived while the loop was not pausing: the next pause returns at once. */
  #nudged = false;
  #legacy: RunnerLedger | undefined;
  #stopping: StopReason | undefined;
  #stopMessage = '';
  #cancel = false;
  #detach = false;
  /** The signals of this session, with what each did and how many trials were in flight. */
  readonly #interrupts: { signal: NodeJS.Signals; mode: 'wait' | 'cancel' | 'detach'; flight: number }[] = [];
  #exhausted = false;
  #wake: (() => void) | undefined;
  #startedAt = 0;
  #hypervolume = 0;
  #running = false;
  readonly #stats: SchedulerStats;

  constructor(optimizer: ScheduledExperiment, runner: Runner, options: SchedulerOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('Scheduler: options must be an object');
    this.#opt = optimizer;
    this.#runner = runner;
    this.#trials = positive(options.trials, Number.NaN, 'trials', true);
    this.#maxParallel = positive(options.maxParallel, 1, 'maxParallel', true);
    if (this.#maxParallel < 1) throw new RangeError('Scheduler: maxParallel must be at least 1, got 0');
    this.#batch = options.batchSynchronous ?? false;
    this.#timeoutMs =
      options.timeoutSeconds === undefined
        ? undefined
        : 1000 * positive(options.timeoutSeconds, 0, 'timeoutSeconds');
    this.#retries = positive(options.retries, 2, 'retries', true);
    this.#retryDelayMs = 1000 * positive(options.retryDelaySeconds, 1, 'retryDelaySeconds');
    this.#maxRetryDelayMs = 1000 * positive(options.maxRetryDelaySeconds, 60, 'maxRetryDelaySeconds');
    this.#staleMs = 1000 * positive(options.staleAfterSeconds, 300, 'staleAfterSeconds');
    this.#maxFailures = positive(options.maxFailures, Number.POSITIVE_INFINITY, 'maxFailures');
    this.#maxFailureRate = positive(options.maxFailureRate, 0.5, 'maxFailureRate');
    this.#failureWindow = Math.max(1, positive(options.failureWindow, 20, 'failureWindow', true));
    this.#maxConsecutive = Math.max(
      1,
      positive(options.maxConsecutiveFailures, 10, 'maxConsecutiveFailures', true),
    );
    this.#secondsMs =
      options.seconds === undefined ? undefined : 1000 * positive(options.seconds, 0, 'seconds');
    const onInterrupt = options.onInterrupt ?? 'wait';
    if (onInterrupt !== 'wait' && onInterrupt !== 'cancel') {
      throw new RangeError(`Scheduler: onInterrupt must be 'wait' or 'cancel', got ${String(onInterrupt)}`);
    }
    this.#onInterrupt = onInterrupt;
    this.#handleSignals = options.handleSignals ?? false;
    this.#minPollMs = positive(options.minPollMs, 10, 'minPollMs');
    this.#maxPollMs = Math.max(this.#minPollMs, positive(options.maxPollMs, 5000, 'maxPollMs'));
    this.#legacyFile = options.legacyLedger;
    this.#offThread = options.offThreadGeneration ?? hasModelStep(optimizer.config.strategy);
    this.#askAhead = this.#batch
      ? 0
      : positive(options.askAhead, this.#offThread ? this.#maxParallel : 0, 'askAhead', true);
    // One ask proposes at most MAX_ASK trials, however many slots there are.
    this.#maxAskSize = Math.min(
      MAX_ASK,
      Math.max(
        1,
        positive(
          options.maxAskSize,
          this.#offThread ? Math.ceil(this.#maxParallel / 2) : this.#maxParallel,
          'maxAskSize',
          true,
        ),
      ),
    );
    this.#pace = !this.#batch && (options.paceGeneration ?? this.#offThread);
    this.#stats = {
      wallMs: 0,
      busyMs: 0,
      busyFraction: 0,
      asks: [],
      retries: 0,
      offThread: this.#offThread,
      askAhead: this.#askAhead,
      maxAskSize: this.#maxAskSize,
      paceGeneration: this.#pace,
    };
    this.#onProgress = options.onProgress ?? (() => {});
    this.#log = options.log ?? (() => {});
    this.#logger = options.logger ?? defaultLogger;
  }

  /**
   * Stops asking for trials; with 'cancel' (default: the `onInterrupt` option) also stops the trials in
   * flight, marking them stale so that a resume re-runs them. A second call with 'cancel' cancels.
   */
  interrupt(mode: 'wait' | 'cancel' | 'detach' = this.#onInterrupt): void {
    if (this.#stopping === undefined || this.#stopping !== 'interrupted') {
      this.#stopping = 'interrupted';
      this.#stopMessage = 'interrupted';
    }
    if (mode === 'cancel') this.#cancel = true;
    // Detach: end the session now and leave the trials in flight to their processes or jobs; the
    // journal holds them as running with their metadata, so a resume reattaches to them.
    if (mode === 'detach') this.#detach = true;
    this.#wake?.();
  }

  /** Whether this runner's trials outlive this process (so a resume can reattach to them). */
  #outlivesProcess(): boolean {
    return !EPHEMERAL_RUNNERS.has(this.#runner.kind);
  }

  /** The user's words for a signal. */
  static #signalName(signal: NodeJS.Signals): string {
    if (signal === 'SIGINT') return 'Ctrl-C (SIGINT)';
    if (signal === 'SIGHUP') return 'the terminal closed (SIGHUP)';
    return signal;
  }

  /** The age of the oldest trial in flight, for the interrupt message ('' when none). */
  #oldest(): string {
    let first = Number.POSITIVE_INFINITY;
    for (const f of this.#inFlight.values()) first = Math.min(first, f.launchedAt);
    if (!Number.isFinite(first)) return '';
    const s = Math.round((Date.now() - first) / 1000);
    const text = s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
    return ` (the oldest has run ${text})`;
  }

  /**
   * What a signal does: the first SIGINT or SIGTERM stops asking and, by `onInterrupt`, waits for the
   * trials in flight or cancels them; a second one cancels them. SIGHUP (the terminal is gone, so
   * nobody can press Ctrl-C again) never waits: trials of runners whose work outlives this process
   * (subprocess, SLURM) are left running for a resume to reattach, the others are cancelled. Each
   * says what it does and what the next signal would do, and the session's end is journaled.
   */
  #onSignal(signal: NodeJS.Signals, count: number): void {
    const flight = this.#inFlight.size;
    const who = Scheduler.#signalName(signal);
    let mode: 'wait' | 'cancel' | 'detach';
    let message: string;
    if (signal === 'SIGHUP') {
      mode = this.#outlivesProcess() ? 'detach' : 'cancel';
      message =
        mode === 'detach'
          ? `${who}: stopping; ${flight} running trial(s) go on in their ${this.#runner.kind === 'slurm' ? 'SLURM jobs' : 'processes'}, and \`mobo resume\` reattaches to them`
          : `${who}: stopping; cancelling ${flight} running trial(s), which \`mobo resume\` re-runs`;
    } else if (count > 1 || this.#onInterrupt === 'cancel') {
      mode = 'cancel';
      message = `${who}${count > 1 ? ' again' : ''}: stopping ${flight} running trial(s) now; they are marked stale, and \`mobo resume\` re-runs them`;
    } else {
      mode = 'wait';
      message =
        flight === 0
          ? `${who}: stopping; no trial is running`
          : `${who}: starting no new trials; waiting for the ${flight} running trial(s) to finish, however long they take${this.#oldest()}. Press Ctrl-C again to stop them now (they re-run on \`mobo resume\`)`;
    }
    this.#interrupts.push({ signal, mode, flight });
    this.#log(message);
    this.interrupt(mode);
  }

  /** The journal line for this session's interrupt: what became of the trials in flight. */
  #interruptRecord(): { signal: string; message: string } | undefined {
    const last = this.#interrupts.at(-1);
    if (last === undefined) return undefined;
    const first = this.#interrupts[0]!;
    const what =
      last.mode === 'detach'
        ? `${last.flight} trial(s) left running in their ${this.#runner.kind} ${this.#runner.kind === 'slurm' ? 'jobs' : 'processes'}; \`mobo resume\` reattaches to them`
        : last.mode === 'cancel'
          ? `${last.flight} running trial(s) stopped and marked stale; \`mobo resume\` re-runs them`
          : `waited for the ${first.flight} running trial(s) to finish; \`mobo resume\` continues`;
    return { signal: last.signal, message: `${Scheduler.#signalName(last.signal)}: ${what}` };
  }

  /** Runs until done. Resolves with why it stopped; rejects only when the journal or runner breaks. */
  async run(): Promise<SchedulerResult> {
    if (this.#running) throw new Error('Scheduler.run: already running');
    this.#running = true;
    this.#startedAt = Date.now();
    this.#legacy = this.#legacyFile === undefined ? undefined : RunnerLedger.read(this.#legacyFile);
    if (this.#offThread) this.#opt.startGenerationThread();
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      this.#onSignal(signal, signals);
    };
    if (this.#handleSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.on('SIGHUP', onSignal);
    }
    try {
      this.#hypervolume = this.#opt.hypervolume();
      await this.#recover();
      await this.#loop();
      const record = this.#interruptRecord();
      if (record !== undefined) await this.#opt.recordInterrupt(record.signal, record.message);
    } finally {
      // An ask still out (the loop failed) must not outlive run(): its trials are journaled candidates.
      await this.#asking?.catch(() => {});
      if (this.#handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('SIGHUP', onSignal);
      }
      this.#running = false;
    }
    const wallMs = Date.now() - this.#startedAt;
    this.#stats.wallMs = wallMs;
    this.#stats.busyFraction = wallMs > 0 ? this.#stats.busyMs / (this.#maxParallel * wallMs) : 0;
    const reason = this.#stopping ?? (this.#exhausted ? 'exhausted' : 'budget');
    const progress = this.progress();
    let message = this.#stopMessage;
    if (reason === 'budget') message = `budget of ${this.#trials} trials reached`;
    if (reason === 'exhausted') message = 'the strategy proposed no new points';
    if (reason === 'interrupted') {
      const left = this.#opt.trials(['running', 'stale', 'candidate']).length;
      message = `interrupted with ${progress.asked} of ${this.#trials} trials asked${left > 0 ? `, ${left} to re-run on resume` : ''}`;
    }
    return { reason, message, progress, stats: { ...this.#stats, asks: [...this.#stats.asks] } };
  }

  /**
   * What is known of trial `id`'s attempts: the journal's runner records, merged with an old sidecar
   * ledger's (attempts continue its numbering; retries add up).
   */
  #known(id: number): RunnerState {
    return mergeRunnerStates(this.#opt.runnerState(id), this.#legacy?.trial(id));
  }

  /** The current counts. */
  progress(): SchedulerProgress {
    const all = this.#opt.trials();
    let completed = 0;
    let failed = 0;
    for (const t of all) {
      if (t.state === 'completed') completed++;
      else if (t.state === 'failed') failed++;
    }
    return {
      total: this.#trials,
      asked: all.length,
      completed,
      failed,
      running: this.#inFlight.size + this.#relaunch.size,
      hypervolume: this.#hypervolume,
      elapsedMs: Date.now() - this.#startedAt,
      finishedThisSession: this.#outcomes.length,
    };
  }

  // --- recovery --------------------------------------------------------------------------------

  /**
   * Picks up trials an earlier session left running or stale (re-run at once, or reattached) and
   * candidates (started as slots free, before any new ask).
   */
  async #recover(): Promise<void> {
    const now = Date.now();
    const open = this.#opt.trials(['running', 'candidate', 'stale']);
    for (const trial of open) {
      if (trial.state === 'candidate' && this.#known(trial.id).attempt === 0) {
        this.#ready.push(trial.id);
        continue;
      }
      const known = this.#known(trial.id);
      const canReattach =
        trial.state === 'running' &&
        known.metadata !== undefined &&
        known.launchedAt !== undefined &&
        !EPHEMERAL_RUNNERS.has(this.#runner.kind) &&
        known.metadata.runner !== 'in-process' &&
        known.metadata.runner !== 'pool';
      if (canReattach) {
        this.#inFlight.set(trial.id, {
          id: trial.id,
          attempt: known.attempt,
          metadata: { ...known.metadata! },
          launchedAt: known.launchedAt!,
          lastSeen: now,
        });
        this.#log(`trial ${trial.id}: reattached to attempt ${known.attempt} (${this.#runner.kind} runner)`);
        continue;
      }
      if (trial.state === 'running') {
        const why =
          known.attempt === 0
            ? 'was never handed to a runner'
            : known.metadata === undefined
              ? `attempt ${known.attempt} was being handed to the runner when the run stopped`
              : `attempt ${known.attempt} ran in a process that is gone`;
        await this.#opt.markStale(trial.id, `resumed: ${why}; re-running it as attempt ${known.attempt + 1}`);
      }
      this.#relaunch.set(trial.id, { id: trial.id, due: now });
    }
  }

  // --- the loop --------------------------------------------------------------------------------

  async #loop(): Promise<void> {
    for (;;) {
      if (this.#cancel) await this.#cancelAll();
      // Detached: the trials in flight stay running in the journal, with their runner metadata.
      if (this.#detach) this.#inFlight.clear();
      this.#checkTime();
      this.#rethrowAskError();
      if (this.#stopping === undefined) {
        await this.#launchDue();
        await this.#launchReady();
        await this.#askMore();
        await this.#launchReady();
      }
      this.#onProgress(this.progress());
      if (this.#inFlight.size === 0) {
        if (this.#stopping !== undefined) {
          // Waiting retries stay stale and unstarted candidates stay candidates: a resume runs them.
          await this.#asking;
          this.#rethrowAskError();
          return;
        }
        if (this.#relaunch.size === 0 && this.#ready.length === 0 && this.#asking === undefined) {
          if (this.#exhausted || this.#opt.trials().length >= this.#trials) return;
          continue;
        }
      }
      const changed = this.#inFlight.size > 0 ? await this.#pollOnce() : false;
      if (this.#stopping === undefined || this.#inFlight.size > 0) {
        if (!changed) await this.#pause();
      }
    }
  }

  #checkTime(): void {
    if (
      this.#stopping === undefined &&
      this.#secondsMs !== undefined &&
      Date.now() - this.#startedAt >= this.#secondsMs
    ) {
      this.#stopping = 'time';
      this.#stopMessage = `time budget of ${seconds(this.#secondsMs)} s reached`;
      this.#log(`${this.#stopMessage}: starting no more trials`);
    }
  }

  /** A background ask that failed (a journal write, a generator bug) ends the run with its error. */
  #rethrowAskError(): void {
    if (this.#askError !== undefined) throw this.#askError.error;
  }

  /** Ends a pause now, or the next one at once when the loop is not pausing (an ask came back). */
  #nudge(): void {
    this.#nudged = true;
    this.#wake?.();
  }

  /** Sleeps until the next poll is due, a retry is due, an ask comes back, or an interrupt. */
  async #pause(): Promise<void> {
    if (this.#nudged) {
      this.#nudged = false;
      return;
    }
    const now = Date.now();
    let youngest = Number.POSITIVE_INFINITY;
    for (const f of this.#inFlight.values()) youngest = Math.min(youngest, now - f.launchedAt);
    let delay = Number.isFinite(youngest) ? Math.max(this.#minPollMs, 0.05 * youngest) : this.#maxPollMs;
    delay = Math.min(delay, this.#maxPollMs);
    if (this.#stopping === undefined) {
      for (const r of this.#relaunch.values()) delay = Math.min(delay, Math.max(0, r.due - now));
    }
    if (this.#timeoutMs !== undefined) {
      for (const f of this.#inFlight.values()) {
        delay = Math.min(delay, Math.max(0, f.launchedAt + this.#timeoutMs - now));
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
    this.#nudged = false;
  }

  /** Free slots, counting waiting retries as taken. */
  #free(): number {
    return this.#maxParallel - this.#inFlight.size - this.#relaunch.size;
  }

  /**
   * Asks for trials when slots (and, asynchronously, the candidates kept ahead) need them. Batch mode
   * and in-thread generation wait for the ask; an off-thread ask runs in the background and hands its
   * candidates over when it comes back.
   */
  async #askMore(): Promise<void> {
    if (this.#exhausted || this.#asking !== undefined) return;
    const size = this.#opt.trials().length;
    if (this.#batch) {
      if (this.#inFlight.size > 0 || this.#relaunch.size > 0 || this.#ready.length > 0) return;
      const n = Math.min(this.#free(), this.#trials - size, MAX_ASK);
      if (n <= 0) return;
      await this.#ask(size, n, true);
      return;
    }
    // Bounded: an ask's candidates all arrive when it ends, so a larger ask keeps starved slots
    // waiting longer, and its later picks cost more (see maxAskSize).
    const n = Math.min(
      this.#free() + this.#askAhead - this.#ready.length,
      this.#maxAskSize,
      this.#trials - size,
    );
    if (n <= 0) return;
    // Without ask-ahead or a worker thread, the asked trials start at once: journal them as running.
    const direct = this.#askAhead === 0 && !this.#offThread;
    if (!this.#offThread) {
      await this.#ask(size, n, direct);
      return;
    }
    this.#asking = this.#ask(size, n, false).then(
      () => {
        this.#asking = undefined;
        this.#nudge();
      },
      (error: unknown) => {
        this.#asking = undefined;
        this.#askError = { error };
        this.#nudge();
      },
    );
  }

  /** One ask of `n` trials: started now (`direct`, as running) or kept as candidates for free slots. */
  async #ask(size: number, n: number, direct: boolean): Promise<void> {
    const t0 = performance.now();
    const budget = this.#paceBudget(n);
    const asked = await this.#opt.ask(n, {
      markRunning: direct,
      offThread: this.#offThread,
      ...(budget !== undefined ? { timeBudgetMs: budget } : {}),
    });
    this.#stats.asks.push({
      size,
      count: n,
      ms: performance.now() - t0,
      ...(budget !== undefined ? { budgetMs: budget } : {}),
    });
    if (asked.length === 0) {
      this.#exhausted = true;
      this.#log('the strategy proposed no new points: finishing the trials in flight');
      return;
    }
    const ids = asked.map((t) => t.id);
    if (direct) await this.#launch(ids);
    else this.#ready.push(...ids);
  }

  /** The time budget of an ask of n trials that keeps pace with the slots (see `paceGeneration`). */
  #paceBudget(n: number): number | undefined {
    if (!this.#pace || this.#durations.length < 3) return undefined;
    const sorted = [...this.#durations].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    const perTrial = (PACE_FRACTION * median) / this.#maxParallel;
    // Trials so quick that no useful search fits in their pace: keep the full search (idle slots
    // cost little there, and a search cut to nothing would propose near-random points).
    if (perTrial < MIN_PACED_SEARCH_MS) return undefined;
    return perTrial * n;
  }

  /** Starts waiting candidates in the free slots, oldest first. */
  async #launchReady(): Promise<void> {
    const free = this.#free();
    if (free <= 0 || this.#ready.length === 0) return;
    const ids = this.#ready
      .splice(0, free)
      // One that was finished or given up elsewhere meanwhile (tell, abandon) is not run.
      .filter((id) => this.#opt.trial(id).state === 'candidate');
    if (ids.length > 0) await this.#launch(ids);
  }

  async #launchDue(): Promise<void> {
    const now = Date.now();
    const due = [...this.#relaunch.values()].filter((r) => r.due <= now).map((r) => r.id);
    if (due.length === 0) return;
    for (const id of due) this.#relaunch.delete(id);
    await this.#launch(due);
  }

  /**
   * Hands trials to the runner as their next attempts: journal a runner 'launch', markRunning where
   * needed, `run()`, then a runner 'launched' with the metadata, before anything else happens.
   */
  async #launch(ids: readonly number[]): Promise<void> {
    const requests: TrialRequest[] = [];
    for (const id of ids) {
      const trial = this.#opt.trial(id);
      const attempt = this.#known(id).attempt + 1;
      await this.#opt.recordRunner(id, { phase: 'launch', attempt });
      if (trial.state !== 'running') await this.#opt.markRunning(id);
      requests.push({ id, attempt, params: { ...trial.params } });
    }
    let metadata: Record<string, unknown>[];
    try {
      metadata = await this.#runner.run(requests);
      if (!Array.isArray(metadata) || metadata.length !== requests.length) {
        throw new Error(
          `returned ${Array.isArray(metadata) ? metadata.length : typeof metadata} metadata objects for ${requests.length} trials`,
        );
      }
    } catch (e) {
      const reason = `the ${this.#runner.kind} runner could not start it: ${(e as Error).message}`;
      const now = Date.now();
      for (const r of requests) {
        this.#inFlight.set(r.id, {
          id: r.id,
          attempt: r.attempt,
          metadata: {},
          launchedAt: now,
          lastSeen: now,
        });
        await this.#finish(r.id, { status: 'failed', reason, transient: true });
      }
      return;
    }
    const now = Date.now();
    for (let k = 0; k < requests.length; k++) {
      const r = requests[k]!;
      const state = await this.#opt.recordRunner(r.id, {
        phase: 'launched',
        attempt: r.attempt,
        metadata: (metadata[k] ?? {}) as Record<string, unknown>,
      });
      this.#inFlight.set(r.id, {
        id: r.id,
        attempt: r.attempt,
        metadata: { ...state.metadata },
        launchedAt: now,
        lastSeen: now,
      });
    }
  }

  /** Polls every trial in flight once and acts on what changed; true when something finished. */
  async #pollOnce(): Promise<boolean> {
    const flights = [...this.#inFlight.values()];
    const handles: TrialHandle[] = flights.map((f) => ({ id: f.id, metadata: f.metadata }));
    let statuses: TrialStatus[];
    try {
      statuses = await this.#runner.poll(handles);
    } catch (e) {
      this.#logger.warn(`Scheduler: the ${this.#runner.kind} runner's poll failed: ${(e as Error).message}`);
      statuses = flights.map((f) => ({ id: f.id, state: 'unknown' }));
    }
    const now = Date.now();
    let changed = false;
    for (let k = 0; k < flights.length; k++) {
      const flight = flights[k]!;
      if (this.#inFlight.get(flight.id) !== flight) continue;
      const status = statuses[k];
      if (status?.state === 'finished' && status.outcome !== undefined) {
        await this.#finish(flight.id, status.outcome);
        changed = true;
        continue;
      }
      if (status?.state === 'queued' || status?.state === 'running') flight.lastSeen = now;
      if (this.#timeoutMs !== undefined && now - flight.launchedAt > this.#timeoutMs) {
        await this.#timeout(flight);
        changed = true;
      } else if (now - flight.lastSeen > this.#staleMs) {
        const reason = `the ${this.#runner.kind} runner lost track of attempt ${flight.attempt} (no news for ${seconds(now - flight.lastSeen)} s)`;
        await this.#runner.stop([{ id: flight.id, metadata: flight.metadata }]).catch(() => {});
        await this.#finish(flight.id, { status: 'failed', reason, transient: true });
        changed = true;
      }
    }
    return changed;
  }

  async #timeout(flight: Flight): Promise<void> {
    const limit = seconds(this.#timeoutMs!);
    this.#inFlight.delete(flight.id);
    this.#stats.busyMs += Date.now() - flight.launchedAt;
    // Journaled first, so the 'stopped' outcome the runner reports afterwards is never taken for the result.
    await this.#opt.fail(flight.id, `timeout after ${limit} s (attempt ${flight.attempt})`);
    this.#log(`trial ${flight.id}: timeout after ${limit} s; stopping it`);
    this.#recordOutcome(false, `trial ${flight.id}: timeout after ${limit} s`);
    await this.#runner.stop([{ id: flight.id, metadata: flight.metadata }]);
  }

  /** Journals the outcome of an attempt: completed, failed, or stale with a retry scheduled. */
  async #finish(id: number, outcome: TrialOutcome): Promise<void> {
    const flight = this.#inFlight.get(id);
    if (flight === undefined) return;
    this.#inFlight.delete(id);
    this.#stats.busyMs += Date.now() - flight.launchedAt;
    if (outcome.status === 'completed') {
      this.#durations.push(Date.now() - flight.launchedAt);
      let trial: Trial;
      try {
        trial = await this.#opt.tell(id, outcome.values);
      } catch (e) {
        // Values the experiment cannot take (an unknown metric name, say): the trial fails, the run goes on.
        trial = await this.#opt.fail(
          id,
          `task returned values the experiment cannot take: ${(e as Error).message}`,
        );
      }
      if (trial.state === 'completed') this.#hypervolume = this.#opt.hypervolume();
      this.#recordOutcome(trial.state === 'completed', `trial ${id}: ${trial.reason ?? ''}`);
      return;
    }
    const known = this.#known(id);
    if (outcome.transient && known.retries < this.#retries && !this.#cancel) {
      const k = known.retries + 1;
      const delay = Math.min(this.#maxRetryDelayMs, this.#retryDelayMs * 2 ** (k - 1));
      const reason = `attempt ${flight.attempt} failed (transient): ${outcome.reason}; retry ${k} of ${this.#retries} in ${seconds(delay)} s`;
      await this.#opt.markStale(id, reason);
      await this.#opt.recordRunner(id, { phase: 'retry', attempt: flight.attempt, reason: outcome.reason });
      this.#stats.retries++;
      this.#log(`trial ${id}: ${reason}`);
      this.#relaunch.set(id, { id, due: Date.now() + delay });
      return;
    }
    await this.#opt.fail(id, this.#finalReason(outcome.reason, outcome.transient, flight.attempt, known));
    this.#recordOutcome(false, `trial ${id}: ${outcome.reason}`);
  }

  /**
   * The reason a trial failed for good: the last attempt's reason alone when it was the only one;
   * after retries, how many attempts ran and why each ended, and whether the retry limit or a
   * failure not worth a retry ended it.
   */
  #finalReason(reason: string, transient: boolean, attempt: number, known: RunnerState): string {
    const earlier = known.failures ?? [];
    if (earlier.length === 0) return reason;
    const why = transient
      ? `retries exhausted: runner.retries is ${this.#retries}`
      : 'the last failure is not worth a retry';
    return `failed after ${attempt} attempts (${why}): ${[...earlier, `attempt ${attempt}: ${reason}`].join('; ')}`;
  }

  /** Feeds the failure guards with one finished trial of this session. */
  #recordOutcome(ok: boolean, last: string): void {
    this.#outcomes.push(ok);
    if (ok || this.#stopping !== undefined) return;
    const failures = this.#outcomes.filter((o) => !o).length;
    let consecutive = 0;
    for (let i = this.#outcomes.length - 1; i >= 0 && !this.#outcomes[i]; i--) consecutive++;
    const window = this.#outcomes.slice(-this.#failureWindow);
    const windowFailures = window.filter((o) => !o).length;
    let message: string | undefined;
    if (failures >= this.#maxFailures) {
      message = `${failures} trials failed in this session (limit ${this.#maxFailures})`;
    } else if (consecutive >= this.#maxConsecutive) {
      message = `${consecutive} trials failed in a row (limit ${this.#maxConsecutive})`;
    } else if (
      window.length >= this.#failureWindow &&
      windowFailures / window.length > this.#maxFailureRate
    ) {
      message =
        `${windowFailures} of the last ${window.length} finished trials failed ` +
        `(more than ${Math.round(100 * this.#maxFailureRate)}%)`;
    }
    if (message !== undefined) {
      this.#stopping = 'failures';
      this.#stopMessage = `stopping: ${message}; last failure: ${last}`;
      this.#log(`${this.#stopMessage}; waiting for the trials in flight`);
    }
  }

  /** Stops every trial in flight; each is marked stale first, so a resume re-runs it. */
  async #cancelAll(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    const flights = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const f of flights) {
      this.#stats.busyMs += Date.now() - f.launchedAt;
      await this.#opt.markStale(
        f.id,
        `cancelled by an interrupt during attempt ${f.attempt}; a resume re-runs it`,
      );
    }
    await this.#runner.stop(flights.map((f) => ({ id: f.id, metadata: f.metadata })));
  }
}
