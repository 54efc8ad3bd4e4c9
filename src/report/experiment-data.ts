import {
  experimentHypervolume,
  hypervolumeHistory,
  type ReferenceShortfall,
} from '../experiment/hypervolume.js';
import type { JournalContents } from '../experiment/journal.js';
import { replayContext } from '../experiment/replay.js';
import type { Trial } from '../experiment/trial.js';
import { TRIAL_STATES, type TrialState } from '../experiment/trial.js';
import { paretoFilter } from '../pareto/dominance.js';
import type { Outcomes } from '../space/outcomes.js';
import type { ObjectiveConfig, ParameterConfig } from '../space/schema.js';
import type { SearchSpace } from '../space/search-space.js';
import { type ModelViews, type ModelViewsOptions, modelViews, type ObjectiveModels } from './model-views.js';
import { phaseTimings } from './timings.js';

/** Options of `experimentReportData`. */
export interface ExperimentReportDataOptions {
  /**
   * Fit the objective models for the importance and slice views (default true; seconds for hundreds
   * of trials), with these options; false leaves them out (the dashboard asks for them separately).
   */
  readonly models?: boolean | ModelViewsOptions;
}

/** A trial as the report shows it; values are in the user's sense (a maximized objective is not negated). */
export interface ReportTrial {
  readonly id: number;
  readonly state: TrialState;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Objective and outcome-constraint metric values by name (completed trials only). */
  readonly values?: Readonly<Record<string, number>>;
  /** Whether every outcome constraint holds (completed trials only). */
  readonly feasible?: boolean;
  /** Whether the trial is on the Pareto front of the feasible completed trials. */
  readonly onFront: boolean;
  /** Why it failed, was abandoned or went stale. */
  readonly reason?: string;
  /** The generator that proposed it (asked trials), or 'attached'. */
  readonly generator: string;
  /** When it was asked (or attached), started and finished, ms since the epoch. */
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/**
 * Where the reference point came from: the thresholds, an inference journaled by an ask or by a
 * reference event (fixed), or an inference made for this page that can still move (provisional).
 */
export type ReferenceSource = 'thresholds' | 'ask' | 'event' | 'provisional';

export interface ReportReference {
  /** The point in the user's sense, one value per objective in objective order. */
  readonly point: readonly number[];
  readonly source: ReferenceSource;
  /** How it was obtained, as a sentence for the page. */
  readonly description: string;
}

/** One generation's timings (see `phaseTimings`). */
export interface ReportAskTiming {
  /** The ask counter (0 for the first generation). */
  readonly ask: number;
  /** The id of the first trial it proposed. */
  readonly firstTrial: number;
  /** How many trials it proposed. */
  readonly trials: number;
  readonly generator: string;
  readonly phases: Readonly<Record<string, number>>;
  readonly totalMs: number;
}

/**
 * Everything an experiment report shows, as plain JSON (embedded in the page for its figures).
 * Objective values and the reference point are in the user's sense throughout.
 */
export interface ExperimentReportData {
  readonly kind: 'experiment';
  readonly title: string;
  /** The journal file as given. */
  readonly journal: string;
  /** When the experiment was created and when its last event was written (ms since the epoch). */
  readonly createdAt: number;
  readonly lastEventAt: number;
  readonly seed: number;
  /** The strategy in words, e.g. "sobol (6 trials), then nsga2". */
  readonly strategy: string;
  readonly parameters: readonly {
    readonly name: string;
    readonly description: string;
    /** The declaration (type, bounds, log, values), for axes in the user's units. */
    readonly spec: ParameterConfig;
  }[];
  readonly objectives: readonly ObjectiveConfig[];
  /** Metrics that are not objectives (those named in outcome constraints). */
  readonly otherMetrics: readonly string[];
  readonly outcomeConstraints: readonly string[];
  /** Trials by state (every state present, 0 where none). */
  readonly counts: Readonly<Record<TrialState, number>>;
  /** Completed trials that break an outcome constraint. */
  readonly infeasible: number;
  readonly trials: readonly ReportTrial[];
  /** Ids of the Pareto-optimal feasible trials, by the first objective from best to worst. */
  readonly front: readonly number[];
  readonly reference: ReportReference | null;
  /** The hypervolume of the feasible completed trials now (experimentHypervolume; 0 without a point). */
  readonly hypervolumeNow: number;
  /**
   * When the hypervolume is 0 although feasible trials completed: how far the best values (user's
   * sense) are from the reference point, and the trial closest to beating it (see ReferenceShortfall).
   */
  readonly shortfall: ReferenceShortfall | null;
  /** The hypervolume after each completed trial, in the order values arrived. */
  readonly hypervolume: readonly {
    /** 1-based count of completed trials so far. */
    readonly completed: number;
    readonly trial: number;
    readonly hypervolume: number;
  }[];
  /** Failed trials, placed by how many trials had completed when each failed. */
  readonly failures: readonly { readonly trial: number; readonly afterCompleted: number }[];
  readonly timings: readonly ReportAskTiming[];
  /** Every phase name in `timings`, in first-seen order. */
  readonly timingPhases: readonly string[];
  /** Generators whose generations reported no timings. */
  readonly untimedGenerators: readonly string[];
  /** What the objective models say (importance, slices); null when there are none (see modelsNote). */
  readonly models: ModelViews | null;
  /** Why `models` is null, or how the models were fitted. */
  readonly modelsNote: string;
  /** Bytes of a torn last record (a run that crashed or is still writing), 0 otherwise. */
  readonly tornBytes: number;
}

function describeStrategy(strategy: unknown): string {
  if (typeof strategy === 'string') return strategy;
  const step = (s: unknown): string => {
    if (s === null || typeof s !== 'object') return String(s);
    const { strategy: name, trials } = s as { strategy?: unknown; trials?: unknown };
    return typeof trials === 'number' ? `${String(name)} (${trials} trials)` : String(name);
  };
  if (Array.isArray(strategy)) return strategy.map(step).join(', then ');
  return strategy === undefined ? 'mobo' : step(strategy);
}

function describeParameter(p: ParameterConfig): string {
  switch (p.type) {
    case 'float':
    case 'int':
      return `${p.type} in [${p.bounds[0]}, ${p.bounds[1]}]${'log' in p && p.log ? ', log scale' : ''}`;
    case 'choice':
      return `one of ${p.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'fixed':
      return `fixed at ${JSON.stringify(p.value)}`;
  }
}

/**
 * Replays a journal (read with `readJournal`, never locked or changed) into what the report shows.
 * `title` names the experiment on the page. Throws an Error naming the journal when its
 * configuration or events do not replay.
 */
export function experimentReportData(
  contents: JournalContents,
  journal: string,
  title: string,
  options: ExperimentReportDataOptions = {},
): ExperimentReportData {
  const { header, events } = contents;
  // Names the journal and line in any error; the space and outcomes it checks then build.
  const { config, space, outcomes, experiment } = replayContext(contents, journal);
  const m = outcomes.m;
  let referenceSource: { source: ReferenceSource; description: string } | undefined =
    outcomes.thresholdPoint === undefined
      ? undefined
      : {
          source: 'thresholds',
          description: "the objectives' thresholds (the worst values still of interest)",
        };
  const inferredRule = 'the nadir of the Pareto front of the feasible completed trials plus 10% of its range';
  let completedSoFar = 0;
  const failures: { trial: number; afterCompleted: number }[] = [];
  const timings: ReportAskTiming[] = [];
  const phaseNames: string[] = [];
  const untimed = new Set<string>();
  let lastEventAt = header.t;
  for (const { line, event } of events) {
    const at = `journal ${journal} line ${line}`;
    experiment.apply(event, at);
    lastEventAt = Math.max(lastEventAt, event.t);
    switch (event.type) {
      case 'ask': {
        if (event.reference !== undefined && referenceSource === undefined) {
          referenceSource = {
            source: 'ask',
            description: `inferred at ask ${event.ask} (before trial ${event.trials[0]?.id ?? '?'} was proposed) from ${inferredRule} then, and fixed from there on`,
          };
        }
        const timing = phaseTimings(event.generator.metadata);
        if (timing === undefined) {
          untimed.add(event.generator.name);
        } else if (event.trials.length > 0) {
          for (const name of Object.keys(timing.phases))
            if (!phaseNames.includes(name)) phaseNames.push(name);
          timings.push({
            ask: event.ask,
            firstTrial: event.trials[0]!.id,
            trials: event.trials.length,
            generator: event.generator.name,
            phases: timing.phases,
            totalMs: timing.totalMs,
          });
        }
        break;
      }
      case 'reference':
        referenceSource ??= {
          source: 'event',
          description: `inferred when the hypervolume was first needed (after ${completedSoFar} completed trials) from ${inferredRule}, and fixed from there on`,
        };
        break;
      case 'complete':
        completedSoFar++;
        break;
      case 'attach':
        if (event.reason === undefined) completedSoFar++;
        else failures.push({ trial: event.id, afterCompleted: completedSoFar });
        break;
      case 'fail':
        failures.push({ trial: event.id, afterCompleted: completedSoFar });
        break;
      default:
        break;
    }
  }

  const snapshot = experiment.snapshot();
  const signs = outcomes.objectives.map((o) => (o.minimize ? 1 : -1));
  const rows = new Map<number, Float64Array>();
  const feasibleIds: number[] = [];
  for (const trial of snapshot.trials) {
    if (trial.state !== 'completed' || trial.values === undefined) continue;
    const y = new Float64Array(m);
    outcomes.objectiveRow(trial.values, y);
    rows.set(trial.id, y);
    if (outcomes.isFeasible(trial.values)) feasibleIds.push(trial.id);
  }
  const feasibleRows = feasibleIds.map((id) => rows.get(id)!);
  const front =
    feasibleRows.length === 0 ? [] : Array.from(paretoFilter(feasibleRows), (i) => feasibleIds[i]!);
  front.sort((a, b) => rows.get(a)![0]! - rows.get(b)![0]! || a - b);
  const onFront = new Set(front);

  // The one hypervolume rule of every view (progress line, summary, report, server).
  const status = experimentHypervolume(experiment, outcomes, space.dimension);
  if (status.rule === 'provisional') {
    referenceSource = {
      source: 'provisional',
      description:
        status.feasible >= status.quorum
          ? `inferred from ${inferredRule} (${status.feasible} trials); the optimizer fixes it at its next ask`
          : `provisional: inferred from ${inferredRule} (${status.feasible} trials); it moves as results arrive, and the hypervolume with it, until ${status.quorum} feasible trials have completed and the optimizer fixes it`,
    };
  }
  const reference: ReportReference | null =
    status.point === undefined || referenceSource === undefined
      ? null
      : {
          point: status.point.map((v, j) => signs[j]! * v),
          source: referenceSource.source,
          description: referenceSource.description,
        };
  const history = hypervolumeHistory(experiment, outcomes, status.point).map((hypervolume, k) => ({
    completed: k + 1,
    trial: snapshot.completionOrder[k]!,
    hypervolume,
  }));

  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  const trials: ReportTrial[] = snapshot.trials.map((t) => {
    counts[t.state]++;
    const completed = t.state === 'completed' && t.values !== undefined;
    return {
      id: t.id,
      state: t.state,
      params: { ...t.params },
      ...(completed ? { values: { ...t.values }, feasible: outcomes.isFeasible(t.values!) } : {}),
      onFront: onFront.has(t.id),
      ...(t.reason === undefined ? {} : { reason: t.reason }),
      generator: t.source === 'attach' ? 'attached' : (t.generator ?? '?'),
      createdAt: t.createdAt,
      ...(t.startedAt === undefined ? {} : { startedAt: t.startedAt }),
      ...(t.endedAt === undefined ? {} : { endedAt: t.endedAt }),
    };
  });
  const { models, modelsNote } = modelsFor(space, outcomes, snapshot.trials, options.models ?? true);
  const objectiveNames = new Set(outcomes.objectives.map((o) => o.name));
  return {
    kind: 'experiment',
    title,
    journal,
    createdAt: header.t,
    lastEventAt,
    seed: header.seed,
    strategy: describeStrategy(config.strategy),
    parameters: space.parameters.map((p) => ({ name: p.name, description: describeParameter(p), spec: p })),
    objectives: outcomes.objectives.map((o) => ({ ...o })),
    otherMetrics: outcomes.metrics.filter((name) => !objectiveNames.has(name)),
    outcomeConstraints: outcomes.constraints.map((c) => c.text),
    counts,
    infeasible: trials.filter((t) => t.feasible === false).length,
    trials,
    front,
    reference,
    hypervolumeNow: status.hypervolume,
    shortfall: status.shortfall ?? null,
    hypervolume: history,
    failures,
    timings,
    timingPhases: phaseNames,
    untimedGenerators: [...untimed].filter((name) => !timings.some((t) => t.generator === name)),
    models,
    modelsNote,
    tornBytes: contents.tornBytes,
  };
}

/** The model views, or why there are none. */
export function modelsFor(
  space: SearchSpace,
  outcomes: Outcomes,
  trials: readonly Trial[],
  option: boolean | ModelViewsOptions,
  fitted?: ObjectiveModels,
): { models: ModelViews | null; modelsNote: string } {
  if (option === false) return { models: null, modelsNote: 'not computed for this page' };
  if (space.dimension === 0)
    return { models: null, modelsNote: 'every parameter is fixed: nothing to model' };
  try {
    const views = modelViews(space, outcomes, trials, option === true ? {} : option, fitted);
    if (views === undefined) {
      return { models: null, modelsNote: 'the models need at least 2 completed trials' };
    }
    const subset =
      views.fittedTrials < views.completedTrials
        ? `the latest ${views.fittedTrials} of the ${views.completedTrials} completed trials`
        : `the ${views.completedTrials} completed trials`;
    return {
      models: views,
      modelsNote: `One Gaussian process per objective (ARD RBF kernel, dimension-scaled prior, fitted constant mean) fitted to ${subset} in ${Math.round(views.fitMs)} ms, on the unit cube of the parameters.`,
    };
  } catch (e) {
    return { models: null, modelsNote: `the models could not be fitted: ${(e as Error).message}` };
  }
}
