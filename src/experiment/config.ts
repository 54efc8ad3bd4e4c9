import * as z from 'zod';
import { parseConfig } from '../space/errors.js';
import {
  checkOutcomes,
  checkSpace,
  linearConstraintSchema,
  objectiveSchema,
  parameterSchema,
  reportIssues,
} from '../space/schema.js';
import { strategySchema } from '../strategy/strategies.js';

const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .describe('the experiment seed (0 .. 2^32 - 1); every random choice derives from it');

const shape = {
  parameters: z.array(parameterSchema).min(1).describe('the search space'),
  parameterConstraints: z
    .array(linearConstraintSchema)
    .optional()
    .describe('linear inequalities over float and int parameters, e.g. "x1 + 2*x2 <= 3"'),
  objectives: z.array(objectiveSchema).min(1).describe('what to optimize, by metric name'),
  outcomeConstraints: z
    .array(linearConstraintSchema)
    .optional()
    .describe('constraints on metrics, e.g. "cost <= 10"; a trial is feasible when all hold'),
  strategy: strategySchema.optional().describe("how candidates are generated; default 'mobo'"),
  seed: seedSchema.optional(),
};

function checkExperiment(
  v: { parameters: z.output<typeof shape.parameters> } & {
    parameterConstraints?: z.output<typeof shape.parameterConstraints>;
    objectives: z.output<typeof shape.objectives>;
    outcomeConstraints?: z.output<typeof shape.outcomeConstraints>;
  },
  ctx: z.RefinementCtx,
): void {
  reportIssues(ctx, checkSpace(v.parameters, v.parameterConstraints));
  reportIssues(ctx, checkOutcomes(v.objectives, v.outcomeConstraints));
}

/**
 * What `Optimizer.create` takes: the search space, objectives, strategy and seed (all JSON), plus
 * an optional journal path. Every error names its path (`parameters[2].bounds[1]`) and value.
 */
export const optimizerConfigSchema = z
  .strictObject({
    journal: z
      .string()
      .min(1)
      .optional()
      .describe('journal file (JSON lines); omit for an in-memory experiment'),
    ...shape,
  })
  .superRefine(checkExperiment);

/**
 * An experiment's configuration without a journal path: what `mobo serve` and `mobo mcp` take to
 * create an experiment (the service puts the journal in the experiment's folder).
 */
export const experimentConfigSchema = z.strictObject(shape).superRefine(checkExperiment);

export type ExperimentConfig = z.input<typeof experimentConfigSchema>;

export type OptimizerConfig = z.input<typeof optimizerConfigSchema>;
export type ValidOptimizerConfig = z.output<typeof optimizerConfigSchema>;

const problemSchema = z
  .strictObject({
    name: z.string().min(1).describe('a built-in problem: dtlz1 .. dtlz7, zdt1 .. zdt4, zdt6, ...'),
    objectives: z.number().int().min(1).optional().describe('m, for problems with any number of objectives'),
    dimensions: z.number().int().min(1).optional().describe('d, the number of parameters'),
  })
  .describe('a built-in test problem instead of parameters, objectives and task');

const taskSchema = z
  .strictObject({
    module: z.string().min(1).describe('module path, relative to the config file'),
    export: z.string().min(1).optional().describe("the exported task; default 'default'"),
  })
  .describe('the function that evaluates a trial');

const budgetSchema = z
  .strictObject({
    trials: z.number().int().min(1).optional().describe('stop after this many completed or failed trials'),
    seconds: z.number().positive().optional().describe('stop starting trials after this much wall time'),
    maxFailures: z.number().int().min(0).optional().describe('stop after this many failed trials'),
  })
  .describe('when to stop');

/** How `mobo run` hands trials out (the scheduler's and the runners' options); unknown keys are errors. */
export const runnerSchema = z
  .strictObject({
    kind: z
      .enum(['inprocess', 'inline', 'pool', 'subprocess', 'slurm'])
      .describe(
        "where trials run: this process ('inprocess', also 'inline'), worker threads, subprocesses or SLURM",
      ),
    maxParallel: z.number().int().min(1).optional().describe('trials in flight at once (default 2)'),
    timeoutSeconds: z.number().positive().optional().describe('per-trial time limit'),
    retries: z.number().int().min(0).optional().describe('re-runs of a trial whose failure is transient'),
    sbatch: z
      .array(z.string())
      .optional()
      .describe('extra sbatch arguments (slurm), e.g. ["--time=02:00:00"]'),
    batchSynchronous: z.boolean().optional().describe('ask maxParallel trials, wait for all, repeat'),
    onInterrupt: z
      .enum(['wait', 'cancel'])
      .optional()
      .describe('on SIGINT: wait for running trials (default) or cancel them; a second SIGINT cancels'),
    retryDelaySeconds: z.number().min(0).optional().describe('first retry delay, doubled each retry'),
    staleAfterSeconds: z
      .number()
      .positive()
      .optional()
      .describe('a trial the runner no longer knows is stale after this'),
    maxFailureRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('stop when this share of recent trials failed'),
    failureWindow: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('how many recent trials maxFailureRate looks at'),
    maxConsecutiveFailures: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('stop after this many failures in a row'),
    pollInterval: z.number().positive().optional().describe('slurm: ms between squeue calls'),
  })
  .describe('how trials are run');

/**
 * A whole optimization for the `mobo` command: either a built-in `problem`, or `parameters`,
 * `objectives` and a `task`; plus strategy, budget, runner, seed and output folder.
 */
export const moboConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    problem: problemSchema.optional(),
    task: taskSchema.optional(),
    parameters: shape.parameters.optional(),
    parameterConstraints: shape.parameterConstraints,
    objectives: shape.objectives.optional(),
    outcomeConstraints: shape.outcomeConstraints,
    strategy: shape.strategy,
    seed: shape.seed,
    budget: budgetSchema.optional(),
    runner: runnerSchema.optional(),
    output: z.string().min(1).optional().describe('folder for the journal and the report'),
  })
  .superRefine((v, ctx) => {
    if (v.problem !== undefined) {
      for (const key of ['parameters', 'objectives', 'task'] as const) {
        if (v[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `a built-in problem brings its own ${key}: give either problem or ${key}, not both`,
          });
        }
      }
      return;
    }
    for (const key of ['parameters', 'objectives', 'task'] as const) {
      if (v[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'required unless a built-in problem is given' });
      }
    }
    if (v.parameters !== undefined) reportIssues(ctx, checkSpace(v.parameters, v.parameterConstraints));
    if (v.objectives !== undefined) reportIssues(ctx, checkOutcomes(v.objectives, v.outcomeConstraints));
  });

export type MoboConfig = z.input<typeof moboConfigSchema>;
export type ValidMoboConfig = z.output<typeof moboConfigSchema>;

/** Validates an `Optimizer.create` configuration; throws a `ConfigError` listing every bad path. */
export function parseOptimizerConfig(input: unknown, what = 'Optimizer.create'): ValidOptimizerConfig {
  return parseConfig(optimizerConfigSchema, input, what);
}

/** Validates a `mobo` command configuration; throws a `ConfigError` listing every bad path. */
export function parseMoboConfig(input: unknown, what = 'mobo config'): ValidMoboConfig {
  return parseConfig(moboConfigSchema, input, what);
}

/** The published JSON Schema of a `mobo` configuration file (what schema/mobo.schema.json holds). */
export function moboJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(moboConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    title: 'mobo configuration',
    description:
      'A multi-objective optimization for the mobo command: a built-in problem, or parameters, objectives and a task.',
    ...schema,
  };
}
