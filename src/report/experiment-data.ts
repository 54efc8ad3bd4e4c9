import type { JournalContents } from '../experiment/journal.js';
import { replayContext } from '../experiment/replay.js';
import { TRIAL_STATES, type TrialState } from '../experiment/trial.js';
import { paretoFilter, weaklyDominates } from '../pareto/dominance.js';
import { scaledHypervolume } from '../pareto/scaled-hypervolume.js';
import type { ObjectiveConfig, ParameterConfig } from '../space/schema.js';
import { phaseTimings } from './timings.js';

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
}

/** Where the reference point came from. */
export type ReferenceSource = 'thresholds' | 'ask' | 'event' | 'report';

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
  readonly parameters: readonly { readonly name: string; readonly description: string }[];
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

  let referenceMin: readonly number[] | null = snapshot.referencePoint;
  if (referenceMin === null && feasibleRows.length > 0) {
    const Y = { rows: feasibleRows.length, cols: m, data: new Float64Array(feasibleRows.length * m) };
    for (let i = 0; i < feasibleRows.length; i++) Y.data.set(feasibleRows[i]!, i * m);
    referenceMin = outcomes.referencePointFrom(Y) ?? null;
    referenceSource = {
      source: 'report',
      description: `not fixed by the experiment yet; computed for this report from ${inferredRule} (${feasibleRows.length} trials), the rule the optimizer will use`,
    };
  }
  const reference: ReportReference | null =
    referenceMin === null || referenceSource === undefined
      ? null
      : {
          point: referenceMin.map((v, j) => signs[j]! * v),
          source: referenceSource.source,
          description: referenceSource.description,
        };

  // The running hypervolume: only a point entering the running front changes it (as in
  // Optimizer.hypervolumeHistory), so the volume is recomputed for the front alone and only then.
  const history: { completed: number; trial: number; hypervolume: number }[] = [];
  let running: Float64Array[] = [];
  let volume = 0;
  snapshot.completionOrder.forEach((id, k) => {
    const trial = snapshot.trials[id]!;
    const y = rows.get(id)!;
    if (referenceMin !== null && outcomes.isFeasible(trial.values!)) {
      let inside = true;
      for (let j = 0; j < m && inside; j++) inside = y[j]! < referenceMin[j]!;
      if (inside && !running.some((f) => weaklyDominates(f, y))) {
        running = running.filter((f) => !weaklyDominates(y, f));
        running.push(y);
        volume = scaledHypervolume(running, referenceMin);
      }
    }
    history.push({ completed: k + 1, trial: id, hypervolume: volume });
  });

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
    };
  });
  const objectiveNames = new Set(outcomes.objectives.map((o) => o.name));
  return {
    kind: 'experiment',
    title,
    journal,
    createdAt: header.t,
    lastEventAt,
    seed: header.seed,
    strategy: describeStrategy(config.strategy),
    parameters: space.parameters.map((p) => ({ name: p.name, description: describeParameter(p) })),
    objectives: outcomes.objectives.map((o) => ({ ...o })),
    otherMetrics: outcomes.metrics.filter((name) => !objectiveNames.has(name)),
    outcomeConstraints: outcomes.constraints.map((c) => c.text),
    counts,
    infeasible: trials.filter((t) => t.feasible === false).length,
    trials,
    front,
    reference,
    hypervolume: history,
    failures,
    timings,
    timingPhases: phaseNames,
    untimedGenerators: [...untimed].filter((name) => !timings.some((t) => t.generator === name)),
    tornBytes: contents.tornBytes,
  };
}
