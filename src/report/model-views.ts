/**
 * What the objective models say about the parameters, for the report and the dashboard:
 * parameter importance from the GPs' ARD lengthscales, and one-dimensional slices of each
 * objective's posterior (mean ± 2 sd) through one trial along each parameter, in the user's units.
 *
 * The models are fitted here, with `fitGps` on the completed trials' unit-cube points and their
 * objective values in the user's sense (a maximized objective is not negated), with the project's
 * default kernel and prior and a fitted constant mean. They are not the optimizer's own last models
 * (which use a pessimistic mean and exist only for the 'mobo' strategy), so the views exist for
 * every strategy; with the same data the lengthscales are those the optimizer would fit.
 *
 * Why lengthscales: in the unit cube every column has the same range, so 1/ℓ_k is how fast the
 * model's correlation decays along column k; a parameter that does not change an objective gets a
 * long lengthscale (the fit has no reason to shorten it), one that does a short one. Importance of a
 * parameter for an objective is its inverse lengthscale over the sum across parameters (so each
 * objective's importances add up to 1); a choice parameter with a one-hot block takes its block's
 * largest inverse lengthscale. It is a statement about the fitted model: with few trials, or where
 * the prior dominates, it is uncertain, which the report says.
 */
import type { Trial } from '../experiment/trial.js';
import { fitGps } from '../gp/fit.js';
import type { GpModel } from '../gp/model.js';
import { paretoFilter } from '../pareto/dominance.js';
import type { Outcomes } from '../space/outcomes.js';
import type { ParameterValue } from '../space/schema.js';
import type { SearchSpace } from '../space/search-space.js';

/** Options of `fitObjectiveModels` and `modelViews`. */
export interface ModelViewsOptions {
  /**
   * Fit on at most this many completed trials, the latest ones (the GP costs O(n³)); default 400.
   * The optimizer concentrates its late trials near the front, where the views matter most.
   */
  readonly maxTrials?: number;
  /** Points per slice of a continuous parameter; default 41. */
  readonly points?: number;
  /** The trial the slices go through; default the Pareto-front trial nearest the ideal point. */
  readonly through?: number;
  /** Seed of the fit; default 0. */
  readonly seed?: number;
}

/** The objective GPs and what they were fitted on. */
export interface ObjectiveModels {
  /** One GP per objective, on the user's sense of each. */
  readonly models: readonly GpModel[];
  /** Ids of the trials fitted on, in id order. */
  readonly trials: readonly number[];
  /** Milliseconds the fit took. */
  readonly fitMs: number;
}

/** One parameter's importance for each objective. */
export interface ParameterImportance {
  readonly parameter: string;
  /** One per objective, in objective order; each objective's add up to 1 over the parameters. */
  readonly importance: readonly number[];
  /** The fitted lengthscale (unit cube) per objective; the block's shortest for a one-hot choice. */
  readonly lengthscale: readonly number[];
}

/** The posterior of every objective along one parameter, the others held at the slice's trial. */
export interface ModelSlice {
  readonly parameter: string;
  /** 'numeric' (float and int) plots against a value axis; 'categorical' (choices) one point per value. */
  readonly kind: 'numeric' | 'categorical';
  /** Whether the parameter is on a log scale. */
  readonly log: boolean;
  /** The parameter's value at the trial the slice goes through. */
  readonly at: ParameterValue;
  readonly points: readonly {
    /** The parameter's value in the user's units. */
    readonly value: ParameterValue;
    /** Posterior mean per objective (user's units and sense). */
    readonly mean: readonly number[];
    /** Posterior standard deviation per objective (latent function, no observation noise). */
    readonly sd: readonly number[];
    /** Whether the point satisfies the parameter constraints (false: the optimizer never goes there). */
    readonly feasible: boolean;
  }[];
}

/** The model views of an experiment, as plain JSON. */
export interface ModelViews {
  readonly objectives: readonly string[];
  /** Trials the models were fitted on, and how many completed in all. */
  readonly fittedTrials: number;
  readonly completedTrials: number;
  readonly fitMs: number;
  /** By decreasing mean importance across the objectives. */
  readonly importance: readonly ParameterImportance[];
  /** The trial the slices go through, and why that one. */
  readonly through: {
    readonly trial: number;
    readonly why: string;
    readonly params: Readonly<Record<string, ParameterValue>>;
  };
  /** In parameter order; fixed parameters have none. */
  readonly slices: readonly ModelSlice[];
}

/** The completed trials, in id order. */
function completedTrials(trials: readonly Trial[]): Trial[] {
  return trials.filter((t) => t.state === 'completed' && t.values !== undefined);
}

/**
 * Fits one GP per objective on the completed trials (the latest `maxTrials`): inputs their unit-cube
 * points, outputs their objective values in the user's sense. Undefined with fewer than 2 completed
 * trials.
 */
export function fitObjectiveModels(
  space: SearchSpace,
  outcomes: Outcomes,
  trials: readonly Trial[],
  options: ModelViewsOptions = {},
): ObjectiveModels | undefined {
  const maxTrials = options.maxTrials ?? 400;
  let used = completedTrials(trials);
  if (used.length < 2) return undefined;
  if (used.length > maxTrials) used = used.slice(used.length - maxTrials);
  const d = space.dimension;
  const m = outcomes.m;
  const X = { rows: used.length, cols: d, data: new Float64Array(used.length * d) };
  const Y = { rows: used.length, cols: m, data: new Float64Array(used.length * m) };
  used.forEach((t, i) => {
    X.data.set(t.x, i * d);
    outcomes.objectives.forEach((o, j) => {
      Y.data[i * m + j] = t.values![o.name]!;
    });
  });
  const t0 = performance.now();
  const models = fitGps(X, Y, { seed: options.seed ?? 0, mean: 'fitted' });
  return { models, trials: used.map((t) => t.id), fitMs: performance.now() - t0 };
}

/** The columns of each non-fixed parameter, in parameter order. */
function parameterColumns(space: SearchSpace): { name: string; columns: number[] }[] {
  const out: { name: string; columns: number[] }[] = [];
  for (const p of space.parameters) {
    const columns: number[] = [];
    space.encoded.columns.forEach((c, k) => {
      if (c.parameter === p.name) columns.push(k);
    });
    if (columns.length > 0) out.push({ name: p.name, columns });
  }
  return out;
}

/**
 * Importance of each non-fixed parameter for each objective: its inverse ARD lengthscale (the largest
 * of a one-hot block's) over the sum across parameters. Sorted by decreasing mean importance.
 */
export function parameterImportance(space: SearchSpace, models: readonly GpModel[]): ParameterImportance[] {
  const params = parameterColumns(space);
  const inverse = params.map(({ columns }) =>
    models.map((g) => Math.max(...columns.map((k) => 1 / g.hyperparameters.lengthscales[k]!))),
  );
  const totals = models.map((_, j) => inverse.reduce((s, row) => s + row[j]!, 0));
  const out = params.map(({ name }, i) => ({
    parameter: name,
    importance: models.map((_, j) => inverse[i]![j]! / totals[j]!),
    lengthscale: models.map((_, j) => 1 / inverse[i]![j]!),
  }));
  const mean = (p: ParameterImportance) => p.importance.reduce((a, b) => a + b, 0) / p.importance.length;
  return out.sort((a, b) => mean(b) - mean(a));
}

/**
 * The unit-cube points of one parameter's slice through `x` (length d): for a continuous column
 * `points` evenly spaced values of the column, for a discrete one each level (at most `points`
 * of them, evenly spaced), for a one-hot block each choice; the other columns as in `x`.
 */
function slicePoints(
  space: SearchSpace,
  x: ArrayLike<number>,
  columns: readonly number[],
  points: number,
): Float64Array[] {
  const out: Float64Array[] = [];
  const seen = new Set<string>();
  const push = (set: (p: Float64Array) => void): void => {
    const p = Float64Array.from(x);
    set(p);
    space.round(p);
    const key = columns.map((k) => p[k]).join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  const column = space.encoded.columns[columns[0]!]!;
  if (column.kind === 'onehot') {
    for (const k of columns) {
      push((p) => {
        for (const c of columns) p[c] = c === k ? 1 : 0;
      });
    }
  } else {
    const levels = column.kind === 'integer' ? Math.min(column.levels, points) : points;
    for (let i = 0; i < levels; i++) push((p) => (p[columns[0]!] = levels === 1 ? 0 : i / (levels - 1)));
  }
  return out;
}

/**
 * Slices of every objective's posterior through unit-cube point `x` (length d) along each
 * non-fixed parameter, decoded to the user's units.
 */
export function modelSlices(
  space: SearchSpace,
  models: readonly GpModel[],
  x: ArrayLike<number>,
  points = 41,
): ModelSlice[] {
  const at = space.decode(x);
  const d = space.dimension;
  return parameterColumns(space).map(({ name, columns }) => {
    const config = space.parameters.find((p) => p.name === name)!;
    const grid = slicePoints(space, x, columns, points);
    const Xs = { rows: grid.length, cols: d, data: new Float64Array(grid.length * d) };
    for (let i = 0; i < grid.length; i++) Xs.data.set(grid[i]!, i * d);
    const posteriors = models.map((g) => g.posterior(Xs));
    return {
      parameter: name,
      kind: config.type === 'choice' ? 'categorical' : 'numeric',
      log: 'log' in config && config.log === true,
      at: at[name]!,
      points: grid.map((p, i) => ({
        value: space.decode(p)[name]!,
        mean: posteriors.map((q) => q.mean[i]!),
        sd: posteriors.map((q) => Math.sqrt(q.variance[i]!)),
        feasible: space.isFeasible(p),
      })),
    };
  });
}

/**
 * The default trial to slice through: among the feasible Pareto-optimal trials, the one nearest the
 * ideal point once each objective is scaled to [0, 1] over the front (a "knee"); the best completed
 * trial by the first objective when none is feasible.
 */
export function defaultSliceTrial(outcomes: Outcomes, trials: readonly Trial[]): number | undefined {
  const completed = completedTrials(trials);
  if (completed.length === 0) return undefined;
  const feasible = completed.filter((t) => outcomes.isFeasible(t.values!));
  const pool = feasible.length > 0 ? feasible : completed;
  const m = outcomes.m;
  const rows = pool.map((t) => {
    const y = new Float64Array(m);
    outcomes.objectiveRow(t.values!, y);
    return y;
  });
  const front = Array.from(paretoFilter(rows), (i) => i);
  const lo = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  for (const i of front) {
    for (let j = 0; j < m; j++) {
      lo[j] = Math.min(lo[j]!, rows[i]![j]!);
      hi[j] = Math.max(hi[j]!, rows[i]![j]!);
    }
  }
  let best = front[0]!;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const i of front) {
    let s = 0;
    for (let j = 0; j < m; j++) {
      const range = hi[j]! - lo[j]!;
      const u = range > 0 ? (rows[i]![j]! - lo[j]!) / range : 0;
      s += u * u;
    }
    if (s < bestDistance || (s === bestDistance && pool[i]!.id < pool[best]!.id)) {
      best = i;
      bestDistance = s;
    }
  }
  return pool[best]!.id;
}

/**
 * Fits the objective models and computes importance and slices; undefined with fewer than 2
 * completed trials. Throws a RangeError when `options.through` names no trial.
 */
export function modelViews(
  space: SearchSpace,
  outcomes: Outcomes,
  trials: readonly Trial[],
  options: ModelViewsOptions = {},
  fitted?: ObjectiveModels,
): ModelViews | undefined {
  const models = fitted ?? fitObjectiveModels(space, outcomes, trials, options);
  if (models === undefined) return undefined;
  let through = options.through;
  let why: string;
  if (through === undefined) {
    through = defaultSliceTrial(outcomes, trials)!;
    why =
      'the Pareto-optimal trial nearest the ideal point (each objective scaled to its range on the front)';
  } else {
    why = 'chosen';
  }
  const trial = trials.find((t) => t.id === through);
  if (trial === undefined) {
    throw new RangeError(`modelViews: through is trial ${through}, but there is no such trial`);
  }
  return {
    objectives: outcomes.objectives.map((o) => o.name),
    fittedTrials: models.trials.length,
    completedTrials: completedTrials(trials).length,
    fitMs: models.fitMs,
    importance: parameterImportance(space, models.models),
    through: { trial: trial.id, why, params: { ...trial.params } },
    slices: modelSlices(space, models.models, trial.x, options.points ?? 41),
  };
}
