/**
 * The experiments under one directory as a service: what `mobo serve` (HTTP, `app.ts`) and
 * `mobo mcp` (`mcp.ts`) both call, so that the two front-ends share one code path, one validation
 * and one lock per experiment.
 *
 * Each experiment is a folder `DIR/<name>/` holding `journal.jsonl` (the layout of `mobo run`'s
 * output, so `mobo status`, `mobo report` and `mobo resume` read it too). The service opens an
 * experiment's journal on first use and holds its lock until `close()`: it is the one writer, and
 * any number of clients ask and tell through it. Names are checked by `experimentNameSchema` and
 * the resolved folder must lie inside DIR, so no name escapes it.
 *
 * Every mutating call validates its input before the Optimizer sees it (nothing reaches a journal
 * unless valid) and throws a `ServiceError` (HTTP status, code, JSON paths) for bad input.
 *
 * How the live dashboard plugs in (the views layer):
 * - `createApp(service, options)` in `app.ts` mounts a route module at `/` (the page) and any
 *   extra routes under `/api/experiments/:name/...` (e.g. `.../model`), passed as
 *   `options.extraRoutes(app, service)`; they run behind the same auth middleware.
 * - Such routes read through this class: `optimizer(name)` gives the open `Optimizer` (its
 *   `space`, `outcomes`, `config`, `trials()`, and a model can be fitted from them), `summary`,
 *   `trials`, `front`, `hypervolumeHistory`, `reportHtml`.
 * - Live updates: `subscribe(name, listener)` calls `listener` after every create, ask, tell, fail
 *   and abandon of that experiment (`subscribe(undefined, ...)`: of every experiment); the SSE
 *   routes `GET /api/experiments/:name/events` and `GET /api/events` (all) stream the same events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { experimentConfigSchema } from '../experiment/config.js';
import { readJournal } from '../experiment/journal.js';
import type { Logger } from '../experiment/logger.js';
import { Optimizer } from '../experiment/optimizer.js';
import type { AskedTrial } from '../experiment/scheduled-experiment.js';
import { TRIAL_STATES, type Trial, type TrialState, TrialStateError } from '../experiment/trial.js';
import { experimentReportData } from '../report/experiment-data.js';
import { renderExperimentReport } from '../report/experiment-report.js';
import { ConfigError, formatValue } from '../space/errors.js';
import type { StrategyConfig } from '../strategy/strategies.js';
import { invalidRequest, parseRequest, prefixIssues, ServiceError } from './errors.js';
import {
  type ExperimentListing,
  type ExperimentSummary,
  experimentNameSchema,
  type FrontResponse,
  type HypervolumeResponse,
  type ServiceEvent,
  trialStateSchema,
} from './schemas.js';

/** The journal's file name inside an experiment's folder. */
export const JOURNAL_FILE = 'journal.jsonl';

const VERBS: Partial<Record<TrialState, string>> = {
  completed: 'told',
  failed: 'failed',
  abandoned: 'abandoned',
};

export type ServiceListener = (event: ServiceEvent) => void;

export interface ExperimentServiceOptions {
  /** Where the optimizers' warnings go; default `process.emitWarning`. */
  readonly logger?: Logger;
}

/** Whether every step of a strategy is a space-filling design (cheap asks: no worker thread needed). */
function isDesignOnly(strategy: StrategyConfig | undefined): boolean {
  if (strategy === undefined) return false;
  if (typeof strategy === 'string') return strategy === 'sobol' || strategy === 'random';
  const steps = Array.isArray(strategy) ? strategy : [strategy];
  return steps.every((s) => s.strategy === 'sobol' || s.strategy === 'random');
}

/** The experiments under one directory: list, create, ask, tell, fail, abandon, read, subscribe. */
export class ExperimentService {
  /** The served directory, resolved. */
  readonly dir: string;
  private readonly logger: Logger | undefined;
  private readonly open = new Map<string, Promise<Optimizer>>();
  private readonly listeners = new Map<string | undefined, Set<ServiceListener>>();
  private closed = false;

  constructor(dir: string, options: ExperimentServiceOptions = {}) {
    this.dir = path.resolve(dir);
    this.logger = options.logger;
  }

  /**
   * The folder of experiment `name`: a ServiceError (400) for a name that is not safe, and a check
   * that the resolved folder is a direct child of DIR (so no name reaches outside it).
   */
  folderOf(name: unknown): string {
    const valid = parseRequest(experimentNameSchema, name, 'name');
    const folder = path.resolve(this.dir, valid);
    if (path.dirname(folder) !== this.dir || path.basename(folder) !== valid) {
      throw invalidRequest([{ path: 'name', message: `names a path outside the served directory` }]);
    }
    return folder;
  }

  /** The names of the experiments under DIR (folders holding a journal), sorted. */
  names(): string[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter(
        (e) =>
          e.isDirectory() &&
          experimentNameSchema.safeParse(e.name).success &&
          fs.existsSync(path.join(this.dir, e.name, JOURNAL_FILE)),
      )
      .map((e) => e.name)
      .sort();
  }

  /**
   * The open Optimizer of experiment `name` (opened on first use; its lock is held until `close`).
   * A ServiceError: 400 for a bad name, 404 when there is no such experiment, 409 when another
   * process holds its lock.
   */
  optimizer(name: string): Promise<Optimizer> {
    this.requireOpen();
    const folder = this.folderOf(name);
    const known = this.open.get(name);
    if (known !== undefined) return known;
    const journal = path.join(folder, JOURNAL_FILE);
    if (!fs.existsSync(journal)) {
      return Promise.reject(
        new ServiceError(404, 'unknown_experiment', `no experiment "${name}" in ${this.dir}`, [
          { path: 'name', message: `no experiment "${name}"` },
        ]),
      );
    }
    const opening = Optimizer.open(journal, this.optimizerOptions()).catch((e: unknown) => {
      this.open.delete(name);
      throw new ServiceError(409, 'experiment_unavailable', `experiment "${name}": ${(e as Error).message}`);
    });
    this.open.set(name, opening);
    return opening;
  }

  /** Creates experiment `name` from `config` (Optimizer.create's configuration without `journal`). */
  async create(name: string, config: unknown): Promise<ExperimentSummary> {
    this.requireOpen();
    const folder = this.folderOf(name);
    const valid = parseRequest(experimentConfigSchema, config, 'config');
    const journal = path.join(folder, JOURNAL_FILE);
    if (this.open.has(name) || fs.existsSync(journal)) {
      throw new ServiceError(409, 'experiment_exists', `experiment "${name}" already exists`, [
        { path: 'name', message: 'already exists' },
      ]);
    }
    const creating = Optimizer.create({ ...valid, journal }, this.optimizerOptions());
    this.open.set(name, creating);
    let opt: Optimizer;
    try {
      opt = await creating;
    } catch (e) {
      this.open.delete(name);
      if (e instanceof ConfigError) throw invalidRequest(prefixIssues('config', e.issues));
      throw new ServiceError(400, 'invalid_config', `experiment "${name}": ${(e as Error).message}`);
    }
    this.emit(name, 'create', []);
    return this.summaryOf(name, opt);
  }

  /** Every experiment under DIR: a summary, or why it cannot be opened. */
  async list(): Promise<ExperimentListing> {
    const experiments: ExperimentListing['experiments'] = [];
    for (const name of this.names()) {
      try {
        experiments.push(await this.summary(name));
      } catch (e) {
        experiments.push({ name, error: (e as Error).message });
      }
    }
    return { experiments };
  }

  async summary(name: string): Promise<ExperimentSummary> {
    return this.summaryOf(name, await this.optimizer(name));
  }

  /**
   * Asks experiment `name` for `n` trials (default 1), started as running: every trial asked and
   * not finished is a pending point of the next ask, whichever client asked it. Model strategies
   * generate in a worker thread, so the server keeps answering meanwhile.
   */
  async ask(name: string, n = 1): Promise<AskedTrial[]> {
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw invalidRequest([
        { path: 'n', message: `expected an integer from 1 to 1000, got ${formatValue(n)}` },
      ]);
    }
    const opt = await this.optimizer(name);
    const trials = await opt.ask(n, { offThread: !isDesignOnly(opt.config.strategy) });
    this.emit(
      name,
      'ask',
      trials.map((t) => t.id),
    );
    return trials;
  }

  /**
   * Records trial `id`'s values (every objective and outcome-constraint metric, finite numbers)
   * and optional standard errors. A missing or unknown metric is a 400 naming `values.<metric>`;
   * to record a trial without usable values, fail it.
   */
  async tell(
    name: string,
    id: number,
    values: Readonly<Record<string, number>>,
    sem?: Readonly<Record<string, number>>,
  ): Promise<Trial> {
    const opt = await this.optimizer(name);
    this.requireTransition(opt, id, 'completed');
    const metrics = opt.outcomes.metrics;
    const issues: { path: string; message: string }[] = [];
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      issues.push({
        path: 'values',
        message: `expected an object of metric values, got ${formatValue(values)}`,
      });
    } else {
      for (const [k, v] of Object.entries(values)) {
        if (!metrics.includes(k)) {
          issues.push({ path: `values.${k}`, message: `unknown metric (expected: ${metrics.join(', ')})` });
        } else if (typeof v !== 'number' || !Number.isFinite(v)) {
          issues.push({ path: `values.${k}`, message: `expected a finite number, got ${formatValue(v)}` });
        }
      }
      for (const k of metrics) {
        if (!Object.hasOwn(values, k)) {
          issues.push({
            path: `values.${k}`,
            message: 'missing: report every objective and constraint metric, or fail the trial',
          });
        }
      }
    }
    if (sem !== undefined) {
      if (sem === null || typeof sem !== 'object' || Array.isArray(sem)) {
        issues.push({
          path: 'sem',
          message: `expected an object of standard errors, got ${formatValue(sem)}`,
        });
      } else {
        for (const [k, v] of Object.entries(sem)) {
          if (!metrics.includes(k)) issues.push({ path: `sem.${k}`, message: 'unknown metric' });
          else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
            issues.push({
              path: `sem.${k}`,
              message: `expected a finite number >= 0, got ${formatValue(v)}`,
            });
          }
        }
      }
    }
    if (issues.length > 0) throw invalidRequest(issues, 'invalid_values');
    const trial = await this.recording(() => opt.tell(id, values, sem === undefined ? undefined : { sem }));
    this.emit(name, 'tell', [id]);
    return trial;
  }

  /** Marks trial `id` failed with `reason`. */
  async fail(name: string, id: number, reason: string): Promise<Trial> {
    const opt = await this.optimizer(name);
    this.requireTransition(opt, id, 'failed');
    if (typeof reason !== 'string' || reason === '') {
      throw invalidRequest([
        { path: 'reason', message: `expected a non-empty string, got ${formatValue(reason)}` },
      ]);
    }
    const trial = await this.recording(() => opt.fail(id, reason));
    this.emit(name, 'fail', [id]);
    return trial;
  }

  /** Gives trial `id` up: its point is never proposed again. */
  async abandon(name: string, id: number, reason?: string): Promise<Trial> {
    const opt = await this.optimizer(name);
    this.requireTransition(opt, id, 'abandoned');
    if (reason !== undefined && typeof reason !== 'string') {
      throw invalidRequest([{ path: 'reason', message: `expected a string, got ${formatValue(reason)}` }]);
    }
    const trial = await this.recording(() => opt.abandon(id, reason));
    this.emit(name, 'abandon', [id]);
    return trial;
  }

  /** The trials of `name` in id order, or those in the given states. */
  async trials(name: string, states?: readonly string[]): Promise<Trial[]> {
    const opt = await this.optimizer(name);
    if (states === undefined || states.length === 0) return opt.trials();
    states.forEach((s, i) => {
      if (!trialStateSchema.safeParse(s).success) {
        throw invalidRequest([
          {
            path: `state[${i}]`,
            message: `expected one of ${TRIAL_STATES.join(', ')}, got ${formatValue(s)}`,
          },
        ]);
      }
    });
    return opt.trials(states as TrialState[]);
  }

  /** Trial `id` of `name`; a 404 naming `id` when there is none. */
  async trial(name: string, id: number): Promise<Trial> {
    const opt = await this.optimizer(name);
    const trial = opt.trials()[id];
    if (!Number.isInteger(id) || trial === undefined) throw this.unknownTrial(opt, id);
    return trial;
  }

  /** The Pareto front (feasible completed trials no other dominates), reference point, hypervolume. */
  async front(name: string): Promise<FrontResponse> {
    const opt = await this.optimizer(name);
    return {
      trials: opt.paretoFront(),
      referencePoint: opt.referencePoint() ?? null,
      hypervolume: opt.hypervolume(),
    };
  }

  /** The hypervolume after each completed trial, in the order values arrived. */
  async hypervolumeHistory(name: string): Promise<HypervolumeResponse> {
    const opt = await this.optimizer(name);
    const history = opt.hypervolumeHistory();
    const order = opt.snapshot().completionOrder;
    return {
      history: history.map((hv, i) => ({ completed: i + 1, trial: order[i] ?? -1, hypervolume: hv })),
      referencePoint: opt.referencePoint() ?? null,
    };
  }

  /** The self-contained HTML report of `name` (what `mobo report` writes), from its journal. */
  async reportHtml(name: string): Promise<string> {
    const opt = await this.optimizer(name);
    const journal = opt.journal!;
    return renderExperimentReport(experimentReportData(readJournal(journal), journal, name));
  }

  /**
   * Calls `listener` after every create, ask, tell, fail and abandon of experiment `name`, or of
   * every experiment when `name` is undefined. Returns the function that unsubscribes. A listener
   * that throws is unsubscribed.
   */
  subscribe(name: string | undefined, listener: ServiceListener): () => void {
    if (name !== undefined) this.folderOf(name);
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes every open experiment (waiting for asks in progress) and releases their locks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      all.map(async (p) => {
        try {
          await (await p).close();
        } catch {
          // an experiment that never opened holds no lock
        }
      }),
    );
  }

  // --- internals -------------------------------------------------------------------------------

  private optimizerOptions() {
    return this.logger === undefined ? {} : { logger: this.logger };
  }

  private requireOpen(): void {
    if (this.closed) throw new ServiceError(503, 'shutting_down', 'the service is shutting down');
  }

  private summaryOf(name: string, opt: Optimizer): ExperimentSummary {
    const trials = opt.trials();
    const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<string, number>;
    for (const t of trials) counts[t.state] = (counts[t.state] ?? 0) + 1;
    return {
      name,
      parameters: opt.space.parameters.map((p) => p.name),
      objectives: opt.outcomes.objectives.map((o) => ({ ...o })),
      strategy: opt.config.strategy,
      seed: opt.seed,
      trials: trials.length,
      counts,
      front: opt.paretoFront().length,
      hypervolume: opt.hypervolume(),
      referencePoint: opt.referencePoint() ?? null,
    };
  }

  private unknownTrial(opt: Optimizer, id: unknown): ServiceError {
    const size = opt.trials().length;
    const range = size === 0 ? 'it has no trials yet' : `its trials are 0..${size - 1}`;
    return new ServiceError(404, 'unknown_trial', `no trial ${formatValue(id)} (${range})`, [
      { path: 'id', message: `no trial ${formatValue(id)} (${range})` },
    ]);
  }

  /** A 404 for an unknown trial and a 409 for one that cannot move to `to` (e.g. already finished). */
  private requireTransition(opt: Optimizer, id: number, to: TrialState): void {
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw invalidRequest([{ path: 'id', message: `expected an integer trial id, got ${formatValue(id)}` }]);
    }
    const trial = opt.trials()[id];
    if (trial === undefined) throw this.unknownTrial(opt, id);
    const open = trial.state === 'candidate' || trial.state === 'running' || trial.state === 'stale';
    if (!open) {
      throw new ServiceError(409, 'trial_finished', `trial ${id} is already ${trial.state}`, [
        { path: 'id', message: `trial ${id} is ${trial.state}; only a running trial can be ${VERBS[to]}` },
      ]);
    }
  }

  /** Runs a recording call, turning the Optimizer's state errors into ServiceErrors. */
  private async recording<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof TrialStateError) {
        const status = e.state === undefined ? 404 : 409;
        throw new ServiceError(status, status === 404 ? 'unknown_trial' : 'trial_finished', e.message, [
          { path: 'id', message: e.message },
        ]);
      }
      if (e instanceof TypeError || e instanceof RangeError)
        throw new ServiceError(400, 'invalid_request', e.message);
      throw e;
    }
  }

  private emit(name: string, type: ServiceEvent['type'], trials: number[]): void {
    const event: ServiceEvent = { type, experiment: name, trials, t: Date.now() };
    for (const key of [name, undefined]) {
      const set = this.listeners.get(key);
      if (set === undefined) continue;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch {
          set.delete(listener);
        }
      }
    }
  }
}
