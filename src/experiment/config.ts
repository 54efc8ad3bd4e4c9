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

/** The fields every experiment configuration has (the `mobo run` config file reuses them). */
export const experimentConfigShape = {
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
  v: { parameters: z.output<typeof experimentConfigShape.parameters> } & {
    parameterConstraints?: z.output<typeof experimentConfigShape.parameterConstraints>;
    objectives: z.output<typeof experimentConfigShape.objectives>;
    outcomeConstraints?: z.output<typeof experimentConfigShape.outcomeConstraints>;
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
    ...experimentConfigShape,
  })
  .superRefine(checkExperiment);

/**
 * An experiment's configuration without a journal path: what `mobo serve` and `mobo mcp` take to
 * create an experiment (the service puts the journal in the experiment's folder).
 */
export const experimentConfigSchema = z.strictObject(experimentConfigShape).superRefine(checkExperiment);

export type ExperimentConfig = z.input<typeof experimentConfigSchema>;

export type OptimizerConfig = z.input<typeof optimizerConfigSchema>;
export type ValidOptimizerConfig = z.output<typeof optimizerConfigSchema>;

/** Validates an `Optimizer.create` configuration; throws a `ConfigError` listing every bad path. */
export function parseOptimizerConfig(input: unknown, what = 'Optimizer.create'): ValidOptimizerConfig {
  return parseConfig(optimizerConfigSchema, input, what);
}
