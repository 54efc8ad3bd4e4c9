import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Matrix, zeros } from '../linalg/matrix.js';
import { paretoFilter } from '../pareto/dominance.js';
import { deriveSeed } from '../random/rng.js';
import { formatValue } from '../space/errors.js';
import { Outcomes } from '../space/outcomes.js';
import { deepFreeze, type Params } from '../space/schema.js';
import { SearchSpace } from '../space/search-space.js';
import type { GenerationInput, Generator } from '../strategy/generator.js';
import {
  createGenerator,
  defaultGeneratorRegistry,
  type GeneratorRegistry,
  MOBO_GENERATOR,
} from '../strategy/strategies.js';
import { type RunnerRecord, type RunnerState, runnerEvent } from './attempts.js';
import { type OptimizerConfig, parseOptimizerConfig, type ValidOptimizerConfig } from './config.js';
import { JOURNAL_FORMAT, JOURNAL_VERSION, type JournalEvent, type JournalHeader } from './events.js';
import { Experiment, type ExperimentSnapshot } from './experiment.js';
import { GenerationThread } from './generation-thread.js';
import {
  experimentHypervolume,
  type HypervolumeStatus,
  hypervolumeHistory,
  type ReferenceStatus,
  referenceStatus,
} from './hypervolume.js';
import { type EventSink, FileSink, NullSink, readJournal, truncateTornTail } from './journal.js';
import { acquireLock } from './lock.js';
import { defaultLogger, type Logger } from './logger.js';
import {
  type AskedTrial,
  type AskOptions,
  MAX_ASK,
  type ScheduledExperiment,
  type TellOptions,
} from './scheduled-experiment.js';
import { isPending, reasonText, type Trial, type TrialState } from './trial.js';

/** Options that are not part of the (journaled, JSON) configuration. */
export interface OptimizerOptions {
  /** Default: `process.emitWarning(message, 'MoboWarning')`. */
  readonly logger?: Logger;
  /** Where strategies find plug-in generators; default the module's `defaultGeneratorRegistry`. */
  readonly registry?: GeneratorRegistry;
}

// Candidates may leave the cube by this much (rounding in a generator) before they are rejected.
const CUBE_SLACK = 1e-9;

function optionsObject<T>(options: unknown, what: string): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${what}: options must be an object, got ${formatValue(options)}`);
  }
  return options as Partial<T>;
}

/**
 * The ask/tell facade over one experiment: proposes trials, records their outcomes, and keeps
 * every event in an append-only journal (fsynced before each call resolves) so that
 * `Optimizer.open` resumes exactly where a run stopped, with the same next asks.
 *
 * Asks run one at a time in call order, so two concurrent asks never see the same pending set or
 * ask counter; tell, fail, abandon and attach are recorded at once, also while an ask waits on its
 * generator (they change no pending point, and the ask numbers its trials when it records them).
 * Values are given by objective (and outcome-constraint metric) name in the user's sense; below
 * this class objectives are in minimization form. It alone decides the reference point and hands
 * it to the generators. A Scheduler sees it only as a `ScheduledExperiment`.
 */
export class Optimizer implements ScheduledExperiment {
  /** The validated configuration, with the strategy and seed filled in (deeply frozen). */
  readonly config: Readonly<ValidOptimizerConfig>;
  readonly space: SearchSpace;
  readonly outcomes: Outcomes;
  /** The experiment seed: every random stream derives from it and the ask counter. */
  readonly seed: number;
  private readonly generator: Generator;
  private readonly threadable: boolean;
  private thread: GenerationThread | undefined;
  private readonly experiment: Experiment;
  private readonly logger: Logger;
  private sink: EventSink = new NullSink();
  private releaseLock: () => void = () => {};
  private journalPath: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly rows = new Map<number, Float64Array>();

  /** Builds everything that can fail on the configuration, before any file is touched. */
  private constructor(config: ValidOptimizerConfig, seed: number, options: OptimizerOptions) {
    // The resolved strategy and seed go into the header, so a resumed run never depends on defaults.
    this.config = deepFreeze(structuredClone({ ...config, strategy: config.strategy ?? 'mobo', seed }));
    this.seed = seed;
    this.space = SearchSpace.create({
      parameters: config.parameters,
      parameterConstraints: config.parameterConstraints,
    });
    this.outcomes = Outcomes.create({
      objectives: config.objectives,
      outcomeConstraints: config.outcomeConstraints,
    });
    const registry = options.registry ?? defaultGeneratorRegistry;
    this.generator = createGenerator(this.config.strategy ?? 'mobo', this.space.encoded, registry);
    // A worker thread rebuilds the generator from the configuration with the built-in generators only.
    this.threadable = !registry.has(MOBO_GENERATOR);
    this.experiment = new Experiment(this.space.dimension, this.outcomes.m, this.outcomes.thresholdPoint);
    this.logger = options.logger ?? defaultLogger;
  }

  /** The journal file, or undefined for an in-memory experiment. */
  get journal(): string | undefined {
    return this.journalPath;
  }

  /**
   * Starts a new experiment. With `config.journal`, creates that file (refusing one that already
   * holds an experiment) and locks it; writes the header (the whole configuration and the seed)
   * before resolving. Throws a `ConfigError` naming every bad path of `config`, or an Error when the
   * strategy cannot be built (e.g. 'mobo' before its model generator is registered).
   */
  static async create(config: OptimizerConfig, options: OptimizerOptions = {}): Promise<Optimizer> {
    const valid = parseOptimizerConfig(config, 'Optimizer.create');
    const seed = valid.seed ?? randomInt(0, 2 ** 32 - 1);
    const opt = new Optimizer(valid, seed, options);
    const file = valid.journal;
    if (file !== undefined) {
      mkdirSync(dirname(file), { recursive: true });
      const release = acquireLock(file, (m) => opt.logger.warn(m));
      try {
        opt.sink = FileSink.open(file, true);
      } catch (e) {
        release();
        throw e;
      }
      opt.releaseLock = release;
      opt.journalPath = file;
    }
    opt.writeHeader();
    return opt;
  }

  /**
   * Continues the experiment journaled in `file`: locks it, replays every event, drops a torn last
   * record with a warning (cutting it off the file so appends stay valid), and resolves to an
   * optimizer whose next asks are those the interrupted run would have made. A bad record before
   * the last is an Error naming the file and line.
   */
  static async open(file: string, options: OptimizerOptions = {}): Promise<Optimizer> {
    if (typeof file !== 'string' || file === '') {
      throw new TypeError(`Optimizer.open: expected a journal path, got ${formatValue(file)}`);
    }
    const logger = options.logger ?? defaultLogger;
    const release = acquireLock(file, (m) => logger.warn(m));
    try {
      const contents = readJournal(file);
      const { header } = contents;
      const config = parseOptimizerConfig(header.config, `journal ${file} line 1: config`);
      const opt = new Optimizer(config, header.seed, options);
      for (const { line, event } of contents.events) {
        opt.experiment.apply(event, `journal ${file} line ${line}`);
      }
      if (contents.tornBytes > 0) {
        logger.warn(
          `journal ${file}: dropped a torn last record (${contents.tornBytes} bytes at line ` +
            `${contents.tornLine}), left by a crash mid-write; cutting it off so appends stay valid`,
        );
        truncateTornTail(file, contents.validBytes);
      }
      opt.sink = FileSink.open(file, false);
      opt.releaseLock = release;
      opt.journalPath = file;
      return opt;
    } catch (e) {
      release();
      throw e;
    }
  }

  // --- the ask/tell verbs ------------------------------------------------------------------------

  /**
   * Proposes `n` new trials (default 1) and records them before resolving: running by default, or
   * candidates with `{ markRunning: false }`. Every candidate, running, stale or abandoned trial is
   * pending: never proposed again. May return fewer than `n` when the generator cannot find that
   * many new points (e.g. a small discrete space), with a warning. With `{ offThread: true }` the
   * generator runs in a worker thread (same candidates); tell, fail and the other recording calls
   * are taken meanwhile.
   */
  ask(n = 1, options?: AskOptions): Promise<AskedTrial[]> {
    return this.exclusive(async () => {
      const what = 'Optimizer.ask';
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_ASK) {
        throw new RangeError(
          `${what}: expected a count of trials from 1 to ${MAX_ASK} (MAX_ASK, the most one ask proposes; ask again for more), got ${formatValue(n)}`,
        );
      }
      const given = optionsObject<AskOptions>(options, what);
      const markRunning = given.markRunning ?? true;
      if (typeof markRunning !== 'boolean') {
        throw new TypeError(`${what}: markRunning must be true or false, got ${formatValue(markRunning)}`);
      }
      const offThread = given.offThread ?? false;
      if (typeof offThread !== 'boolean') {
        throw new TypeError(`${what}: offThread must be true or false, got ${formatValue(offThread)}`);
      }
      // A point inferred for this generation is journaled in the ask record itself, so that an ask
      // is one record: a crash keeps all of it or none.
      const inferred = this.experiment.referencePoint === null ? this.frozenInference() : undefined;
      const budget = given.timeBudgetMs;
      if (budget !== undefined && !(typeof budget === 'number' && budget > 0)) {
        throw new RangeError(`${what}: timeBudgetMs must be a number of ms > 0, got ${formatValue(budget)}`);
      }
      const input = {
        ...this.generationInput(n, inferred ?? this.generationReferencePoint()),
        ...(budget !== undefined ? { timeBudgetMs: budget } : {}),
      };
      const result =
        offThread && this.threadable
          ? await this.generationThread().generate(input)
          : await this.generator.generate(input);
      const rows = this.checkCandidates(result?.candidates, n, input.pending);
      let metadata: unknown;
      let state: unknown;
      try {
        metadata = JSON.parse(JSON.stringify(result.metadata ?? {}) ?? '{}');
        state = result.state === undefined ? undefined : JSON.parse(JSON.stringify(result.state));
      } catch (e) {
        throw new TypeError(
          `${what}: generator "${this.generator.name}" returned metadata or state that is not JSON: ${(e as Error).message}`,
        );
      }
      const first = this.experiment.size;
      const event = this.commit({
        type: 'ask',
        t: Date.now(),
        ask: input.asks,
        generator: { name: this.generator.name, metadata, state },
        // Unless a hypervolume() call fixed one while the generator ran.
        ...(inferred !== undefined && this.experiment.referencePoint === null ? { reference: inferred } : {}),
        state: markRunning ? 'running' : 'candidate',
        trials: rows.map((x, k) => ({ id: first + k, x: Array.from(x), params: this.space.decode(x) })),
      });
      return event.trials.map((t) => Object.freeze({ id: t.id, params: Object.freeze(t.params) }));
    });
  }

  /**
   * Records the outcome of trial `id`: `values` by objective and outcome-constraint metric name,
   * every one of them. A null, NaN or infinite value, or one beyond ±1e100 (MAX_METRIC_MAGNITUDE: a
   * failure sentinel such as DBL_MAX), makes the trial failed with that reason (and a warning)
   * instead of throwing. Throws a TrialStateError for an unknown or finished trial and a TypeError,
   * naming the trial and the metric, for a payload that is not an object of numbers, names an
   * unknown metric or leaves one out; a call that throws changes nothing. Resolves to the trial as
   * recorded.
   */
  tell(id: number, values: Readonly<Record<string, number>>, options?: TellOptions): Promise<Trial> {
    return this.immediate(() => {
      const what = `Optimizer.tell(trial ${formatValue(id)})`;
      this.experiment.requireTransition(id, 'completed', what);
      const semInput = optionsObject<TellOptions>(options, what).sem;
      const sem = semInput === undefined ? undefined : this.outcomes.checkSem(semInput, what);
      const checked = this.outcomes.check(values, what);
      if (!checked.ok) {
        this.logger.warn(`${what}: the trial failed: ${checked.reason}`);
        this.commit({ type: 'fail', t: Date.now(), id, reason: checked.reason });
      } else {
        this.commit({ type: 'complete', t: Date.now(), id, values: checked.values, ...(sem ? { sem } : {}) });
      }
      return this.experiment.trial(id)!;
    });
  }

  /** Marks trial `id` failed with `reason` (kept in the journal). */
  fail(id: number, reason: string): Promise<Trial> {
    return this.transition(id, 'failed', 'Optimizer.fail', () => ({
      type: 'fail',
      t: Date.now(),
      id,
      reason: reasonText(reason, `Optimizer.fail(trial ${id})`),
    }));
  }

  /** Gives trial `id` up: its point is never suggested again. */
  abandon(id: number, reason?: string): Promise<Trial> {
    return this.transition(id, 'abandoned', 'Optimizer.abandon', () => ({
      type: 'abandon',
      t: Date.now(),
      id,
      ...(reason === undefined ? {} : { reason: reasonText(reason, `Optimizer.abandon(trial ${id})`) }),
    }));
  }

  /** Moves a candidate (or stale) trial to running. */
  markRunning(id: number): Promise<Trial> {
    return this.transition(id, 'running', 'Optimizer.markRunning', () => ({
      type: 'running',
      t: Date.now(),
      id,
    }));
  }

  /** Marks a trial whose worker went silent as stale; a late `tell` is still accepted. */
  markStale(id: number, reason?: string): Promise<Trial> {
    return this.transition(id, 'stale', 'Optimizer.markStale', () => ({
      type: 'stale',
      t: Date.now(),
      id,
      ...(reason === undefined ? {} : { reason: reasonText(reason, `Optimizer.markStale(trial ${id})`) }),
    }));
  }

  /**
   * Adds a trial evaluated elsewhere: `params` are validated like user input (bounds, choices,
   * parameter constraints: a TypeError or RangeError otherwise), `values` like `tell`'s. Resolves
   * to the new trial (completed, or failed when a value is null or not finite).
   */
  attach(
    params: Readonly<Params>,
    values: Readonly<Record<string, number>>,
    options?: TellOptions,
  ): Promise<Trial> {
    return this.immediate(() => {
      const what = 'Optimizer.attach';
      const valid = this.space.validate(params, what);
      const x = this.space.encode(valid);
      const semInput = optionsObject<TellOptions>(options, what).sem;
      const sem = semInput === undefined ? undefined : this.outcomes.checkSem(semInput, what);
      const checked = this.outcomes.check(values, what);
      const id = this.experiment.size;
      const base = { type: 'attach' as const, t: Date.now(), id, x: Array.from(x), params: valid };
      if (!checked.ok) {
        this.logger.warn(`${what}: trial ${id} is recorded as failed: ${checked.reason}`);
        this.commit({ ...base, reason: checked.reason });
      } else {
        this.commit({ ...base, values: checked.values, ...(sem ? { sem } : {}) });
      }
      return this.experiment.trial(id)!;
    });
  }

  /** Releases the journal lock and closes the file; later mutating calls throw. Idempotent. */
  async close(): Promise<void> {
    await this.queue.catch(() => {});
    if (this.closed) return;
    this.closed = true;
    await this.thread?.close();
    this.thread = undefined;
    this.sink.close();
    this.releaseLock();
  }

  // --- for schedulers (ScheduledExperiment): runner records, interrupts, the generation thread -----

  /**
   * Journals what a runner did with an attempt of trial `id` (before resolving): the attempt handed
   * to it, the metadata it returned (job ids, directories), or a transient failure to retry. Replayed
   * by `open`, so a resumed scheduler reattaches to work an earlier process started. Changes no trial
   * state. Throws a RangeError for an unknown trial or a bad record.
   */
  recordRunner(id: number, record: RunnerRecord): Promise<RunnerState> {
    return this.immediate(() => {
      const what = `Optimizer.recordRunner(trial ${formatValue(id)})`;
      if (this.experiment.trial(id) === undefined) {
        throw new RangeError(`${what}: no such trial (trials are 0..${this.experiment.size - 1})`);
      }
      this.commit(runnerEvent(id, record, Date.now(), what));
      return this.experiment.runnerState(id);
    });
  }

  /** What the journal's runner records say about trial `id`: last attempt, its metadata, retries. */
  runnerState(id: number): RunnerState {
    return this.experiment.runnerState(id);
  }

  /**
   * Journals that a session was interrupted: the signal (SIGINT, SIGTERM, SIGHUP) and one line on
   * what became of the trials in flight and how to continue. Changes no trial state.
   */
  recordInterrupt(signal: string, message: string): Promise<void> {
    return this.immediate(() => {
      const what = 'Optimizer.recordInterrupt';
      if (typeof signal !== 'string' || signal === '')
        throw new TypeError(`${what}: signal must be a non-empty string, got ${formatValue(signal)}`);
      this.commit({ type: 'interrupt', t: Date.now(), signal, message: reasonText(message, what) });
    });
  }

  /** The last interrupt journaled, if any (see `recordInterrupt`). */
  lastInterrupt(): Readonly<{ t: number; signal: string; message: string }> | undefined {
    return this.experiment.lastInterrupt;
  }

  /** Whether `ask(n, { offThread: true })` generates in a worker thread (false: a plug-in generator). */
  get canGenerateOffThread(): boolean {
    return this.threadable;
  }

  /** Starts the generation worker thread now, so the first off-thread ask does not wait for it to load. */
  startGenerationThread(): void {
    if (this.threadable && !this.closed) this.generationThread().start();
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The trial with this id; a RangeError when there is none. */
  trial(id: number): Trial {
    const trial = this.experiment.trial(id);
    if (trial === undefined) {
      throw new RangeError(
        `Optimizer.trial: no trial ${formatValue(id)} (trials are 0..${this.experiment.size - 1})`,
      );
    }
    return trial;
  }

  /** All trials in id order, or those in the given state(s). Frozen objects. */
  trials(state?: TrialState | readonly TrialState[]): Trial[] {
    const all = this.experiment.trials();
    if (state === undefined) return all;
    const wanted = typeof state === 'string' ? [state] : state;
    return all.filter((t) => wanted.includes(t.state));
  }

  /** The completed trials that satisfy every outcome constraint, in id order. */
  feasibleTrials(): Trial[] {
    return this.experiment
      .trials()
      .filter((t) => t.state === 'completed' && this.outcomes.isFeasible(t.values as Record<string, number>));
  }

  /** The feasible completed trials that no other dominates (in the objectives' own senses), by id. */
  paretoFront(): Trial[] {
    const feasible = this.feasibleTrials();
    if (feasible.length === 0) return [];
    const Y = this.objectiveMatrix(feasible);
    return Array.from(paretoFilter(Y), (i) => feasible[i]!);
  }

  /**
   * The reference point in minimization form (a maximized objective's threshold negated): the
   * thresholds where objectives have one; the other coordinates inferred from the feasible completed
   * trials (the nadir of their Pareto front plus 10% of its range, or of max(|nadir|, 1) where the
   * range is 0).
   * An inferred point is provisional, and moves as results arrive, until 2(d+1) feasible trials have
   * completed (the size of the default initial design); then it is journaled and frozen, so that a
   * point inferred from one or two early results never fixes the hypervolume for good. Undefined
   * while there is nothing to infer it from.
   */
  referencePoint(): number[] | undefined {
    const point = this.ensureReferencePoint();
    return point === undefined ? undefined : Array.from(point);
  }

  /**
   * The hypervolume of the feasible completed trials with respect to the reference point (0 when
   * none), as `experimentHypervolume` computes it for every view of the experiment.
   */
  hypervolume(): number {
    return this.hypervolumeStatus().hypervolume;
  }

  /**
   * The hypervolume with its reference point, the rule that gave the point (thresholds, fixed, or
   * provisional: it can still move) and, when it is 0, how far the trials are from the point.
   */
  hypervolumeStatus(): HypervolumeStatus {
    this.ensureReferencePoint();
    return experimentHypervolume(this.experiment, this.outcomes, this.space.dimension);
  }

  /** The reference point now, the rule that gave it, and the feasible trials that fix an inferred one. */
  referenceStatus(): ReferenceStatus {
    this.ensureReferencePoint();
    return referenceStatus(this.experiment, this.outcomes, this.space.dimension);
  }

  /**
   * The hypervolume after each completed trial, in the order values arrived (length: the number of
   * completed trials), with respect to the reference point; infeasible trials leave it unchanged.
   */
  hypervolumeHistory(): number[] {
    return hypervolumeHistory(this.experiment, this.outcomes, this.ensureReferencePoint());
  }

  /** The whole replayable state as plain data (trials, reference point, ask counter, generator state). */
  snapshot(): ExperimentSnapshot {
    return this.experiment.snapshot();
  }

  // --- internals -------------------------------------------------------------------------------

  private generationThread(): GenerationThread {
    this.thread ??= new GenerationThread(
      JSON.parse(JSON.stringify({ ...this.config, journal: undefined })) as Record<string, unknown>,
    );
    return this.thread;
  }

  /**
   * Runs a recording call now. Such calls have no await inside, so each is atomic in the event loop;
   * they do not wait behind a slow generation, so a result is durable as soon as it is told.
   */
  private immediate<T>(fn: () => T): Promise<T> {
    try {
      if (this.closed) throw new Error('Optimizer: closed; open the journal again to continue');
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Runs asks one at a time in call order, so that two never share a pending set or ask counter. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error('Optimizer: closed; open the journal again to continue');
      return fn();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  private transition(id: number, to: TrialState, what: string, make: () => JournalEvent): Promise<Trial> {
    return this.immediate(() => {
      const label = `${what}(trial ${formatValue(id)})`;
      this.experiment.requireTransition(id, to, label);
      this.commit(make());
      return this.experiment.trial(id)!;
    });
  }

  /**
   * Checks an event, writes it durably, then applies the parsed line: the state in memory is built
   * from exactly the text a replay will read, so the two can never differ (not even in -0 or an
   * omitted undefined).
   */
  private commit<E extends JournalEvent>(event: E): E {
    const line = JSON.stringify(event);
    const parsed = JSON.parse(line) as E;
    const apply = this.experiment.prepare(parsed, 'Optimizer');
    this.sink.append(line);
    apply();
    return parsed;
  }

  private writeHeader(): void {
    const header: JournalHeader = {
      type: 'header',
      format: JOURNAL_FORMAT,
      version: JOURNAL_VERSION,
      t: Date.now(),
      seed: this.seed,
      config: JSON.parse(JSON.stringify({ ...this.config, journal: undefined })) as Record<string, unknown>,
    };
    this.sink.append(JSON.stringify(header));
  }

  private ensureReferencePoint(): readonly number[] | undefined {
    const known = this.experiment.referencePoint;
    if (known !== null) return known;
    const point = this.frozenInference();
    if (point === undefined || this.closed) return this.inferReferencePoint();
    this.commit({ type: 'reference', t: Date.now(), point });
    return this.experiment.referencePoint ?? undefined;
  }

  /** The inferred reference point once enough feasible trials have completed to freeze it, else undefined. */
  private frozenInference(): number[] | undefined {
    const quorum = 2 * (this.space.dimension + 1);
    return this.feasibleTrials().length >= quorum ? this.inferReferencePoint() : undefined;
  }

  /** Thresholds where given, elsewhere inferred from the feasible completed trials (see `referencePoint`). */
  private inferReferencePoint(): number[] | undefined {
    return this.outcomes.referencePointFrom(this.objectiveMatrix(this.feasibleTrials()));
  }

  /**
   * The reference point of a generation while none is fixed: `inferReferencePoint`, or, while no
   * completed trial is feasible, the same rule over all completed trials (the constraint models
   * steer towards feasibility meanwhile). For this generation only: never journaled, and never what
   * `referencePoint()` or the hypervolume use. Undefined only while no trial has completed.
   */
  private generationReferencePoint(): number[] | undefined {
    return (
      this.inferReferencePoint() ??
      this.outcomes.referencePointFrom(
        this.objectiveMatrix(this.experiment.trials().filter((t) => t.state === 'completed')),
      )
    );
  }

  /** n x m objective matrix (minimization form) of completed trials. */
  private objectiveMatrix(trials: readonly Trial[]): Matrix {
    const m = this.outcomes.m;
    const Y = zeros(trials.length, m);
    for (let i = 0; i < trials.length; i++) Y.data.set(this.objectiveRow(trials[i]!), i * m);
    return Y;
  }

  /** The objectives of a completed trial in minimization form (cached: completed trials never change). */
  private objectiveRow(trial: Trial): Float64Array {
    let y = this.rows.get(trial.id);
    if (y === undefined) {
      y = new Float64Array(this.outcomes.m);
      this.outcomes.objectiveRow(trial.values!, y);
      this.rows.set(trial.id, y);
    }
    return y;
  }

  private generationInput(
    count: number,
    inferred: readonly number[] | undefined,
  ): GenerationInput & { asks: number } {
    const d = this.space.dimension;
    const m = this.outcomes.m;
    const c = this.outcomes.c;
    const all = this.experiment.trials();
    const completed = all.filter((t) => t.state === 'completed');
    const failed = all.filter((t) => t.state === 'failed');
    const pending = all.filter((t) => isPending(t.state));
    const xs = (list: readonly Trial[]): Matrix => {
      const out = zeros(list.length, d);
      for (let i = 0; i < list.length; i++) out.data.set(this.experiment.point(list[i]!.id), i * d);
      return out;
    };
    const C = zeros(completed.length, c);
    for (let i = 0; i < completed.length; i++)
      this.outcomes.constraintRow(completed[i]!.values!, C.data, i * c);
    const ref = this.experiment.referencePoint ?? inferred ?? null;
    const asks = this.experiment.asks;
    return {
      space: this.space.encoded,
      X: xs(completed),
      completedIds: completed.map((t) => t.id),
      Y: m > 0 ? this.objectiveMatrix(completed) : zeros(completed.length, 0),
      C,
      failed: xs(failed),
      pending: xs(pending),
      referencePoint: ref === null ? undefined : Float64Array.from(ref),
      count,
      seed: deriveSeed(this.seed, 'ask', asks),
      // A copy, so that a generator that edits its state in place cannot reach the experiment's.
      state: structuredClone(this.experiment.generatorState),
      asks,
    };
  }

  /**
   * Copies the generator's candidates, clamps them into the cube, rounds them, and drops any that
   * repeat a pending point or an earlier row of the batch (with a warning).
   */
  private checkCandidates(candidates: Matrix | undefined, n: number, pending: Matrix): Float64Array[] {
    const what = `Optimizer.ask: generator "${this.generator.name}"`;
    const d = this.space.dimension;
    if (
      candidates === undefined ||
      candidates === null ||
      typeof candidates !== 'object' ||
      !(candidates.data instanceof Float64Array) ||
      candidates.cols !== d ||
      candidates.data.length !== candidates.rows * d
    ) {
      throw new TypeError(`${what} returned candidates that are not an r x ${d} matrix`);
    }
    if (candidates.rows > n)
      throw new RangeError(`${what} returned ${candidates.rows} candidates, asked for ${n}`);
    const seen = new Set<string>();
    for (let i = 0; i < pending.rows; i++) seen.add(pending.data.subarray(i * d, (i + 1) * d).join(','));
    const out: Float64Array[] = [];
    let dropped = 0;
    for (let i = 0; i < candidates.rows; i++) {
      const x = candidates.data.slice(i * d, (i + 1) * d);
      for (let j = 0; j < d; j++) {
        const v = x[j]!;
        if (!(v >= -CUBE_SLACK && v <= 1 + CUBE_SLACK)) {
          throw new RangeError(`${what} returned candidate ${i} with column ${j} = ${v}, outside [0, 1]`);
        }
        x[j] = Math.min(1, Math.max(0, v));
      }
      this.space.round(x);
      const key = x.join(',');
      if (seen.has(key)) {
        dropped++;
        continue;
      }
      seen.add(key);
      out.push(x);
    }
    const infeasible = out.filter((x) => !this.space.isFeasible(x)).length;
    if (infeasible > 0) {
      this.logger.warn(`${what} proposed ${infeasible} point(s) that break the parameter constraints`);
    }
    if (dropped > 0) {
      this.logger.warn(
        `${what} proposed ${dropped} point(s) already pending or repeated in the batch; returning ${out.length} of ${n}`,
      );
    }
    return out;
  }
}
