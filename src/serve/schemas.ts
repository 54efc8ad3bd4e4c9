/**
 * The zod schemas of the HTTP API's requests and responses: the service validates with them, and
 * the OpenAPI document (`openapi.ts`) and the MCP tools' input schemas are generated from them.
 */
import * as z from 'zod';
import { experimentConfigSchema } from '../experiment/config.js';
import { TRIAL_STATES, type Trial } from '../experiment/trial.js';

/**
 * An experiment's name: its folder under the served directory. Letters, digits, '.', '_' and '-',
 * starting with a letter or digit, at most 64 characters, no '..': it can never name a path
 * outside the directory.
 */
export const experimentNameSchema = z
  .string()
  .regex(/^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message:
      "expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'",
  })
  .describe("the experiment's folder under the served directory");

/** A trial id in a path: a decimal integer >= 0. */
export const trialIdSchema = z.coerce
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .describe('a trial id, as returned by ask');

const finite = z.number().describe('a finite number');
const metricValues = z
  .record(z.string(), finite)
  .describe('every objective and outcome-constraint metric by name, in its own sense (not negated)');

export const createExperimentRequestSchema = z
  .strictObject({
    name: experimentNameSchema,
    config: experimentConfigSchema.describe(
      "the same configuration as Optimizer.create (parameters, objectives, constraints, strategy, seed), without 'journal'",
    ),
  })
  .describe('a new experiment: its journal is DIR/<name>/journal.jsonl');

export const askRequestSchema = z
  .strictObject({
    n: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('how many trials to propose (default 1); every trial asked and not finished is pending'),
  })
  .describe('ask for new trials; they start running');

export const tellRequestSchema = z
  .strictObject({
    values: metricValues,
    sem: z
      .record(z.string(), z.number().min(0))
      .optional()
      .describe('standard errors of the metrics, by name'),
  })
  .describe(
    "a running trial's outcome: every objective and outcome-constraint metric, finite; to record a trial without usable values, fail it",
  );

export const failRequestSchema = z
  .strictObject({
    reason: z.string().min(1).max(10_000).describe('why the trial failed (kept in the journal)'),
  })
  .describe('mark a running trial failed');

export const abandonRequestSchema = z
  .strictObject({ reason: z.string().max(10_000).optional().describe('why it was given up') })
  .describe('give a trial up: its point is never proposed again');

export const trialStateSchema = z.enum(TRIAL_STATES as [string, ...string[]]);

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

export const trialSchema = z
  .object({
    id: z.number().int(),
    state: trialStateSchema,
    params: z.record(z.string(), paramValue).describe('parameter values by name, in the user units'),
    x: z.array(z.number()).describe('the unit-cube point'),
    source: z.enum(['ask', 'attach']),
    ask: z.number().int().optional(),
    generator: z.string().optional(),
    values: z.record(z.string(), z.number()).optional(),
    sem: z.record(z.string(), z.number()).optional(),
    reason: z.string().optional(),
    createdAt: z.number().describe('ms since the epoch'),
    startedAt: z.number().optional(),
    endedAt: z.number().optional(),
  })
  .describe('a trial');

export const askedTrialSchema = z.object({
  id: z.number().int(),
  params: z.record(z.string(), paramValue),
});

export const askResponseSchema = z.object({ trials: z.array(askedTrialSchema) });
export const trialsResponseSchema = z.object({ trials: z.array(trialSchema) });

export const experimentSummarySchema = z
  .object({
    name: z.string(),
    parameters: z.array(z.string()).describe('parameter names'),
    objectives: z.array(
      z.object({ name: z.string(), minimize: z.boolean(), threshold: z.number().optional() }),
    ),
    strategy: z.unknown().describe('the strategy as configured'),
    seed: z.number().int(),
    trials: z.number().int().describe('trials in all'),
    counts: z.record(trialStateSchema, z.number().int()).describe('trials by state'),
    front: z.number().int().describe('trials on the Pareto front'),
    hypervolume: z.number().describe('of the feasible completed trials, w.r.t. the reference point'),
    referencePoint: z
      .array(z.number())
      .nullable()
      .describe('in minimization form (a maximized objective negated); null while unknown'),
  })
  .describe("an experiment's configuration in brief and its progress");

export const experimentListingSchema = z.object({
  experiments: z.array(
    z.union([
      experimentSummarySchema,
      z.object({
        name: z.string(),
        error: z.string().describe('why it could not be opened (e.g. another process holds its lock)'),
      }),
    ]),
  ),
});

export const frontResponseSchema = z.object({
  trials: z.array(trialSchema).describe('the feasible completed trials no other dominates, by id'),
  referencePoint: z.array(z.number()).nullable(),
  hypervolume: z.number(),
});

export const hypervolumeResponseSchema = z.object({
  history: z
    .array(z.object({ completed: z.number().int(), trial: z.number().int(), hypervolume: z.number() }))
    .describe('the hypervolume after each completed trial, in the order values arrived'),
  referencePoint: z.array(z.number()).nullable(),
});

export const errorResponseSchema = z
  .object({
    error: z.object({
      status: z.number().int(),
      code: z.string().describe('e.g. invalid_request, unknown_trial, trial_finished, unauthorized'),
      message: z.string(),
      issues: z
        .array(
          z.object({
            path: z.string().describe('JSON path in the request, e.g. values.cost'),
            message: z.string(),
          }),
        )
        .optional(),
    }),
  })
  .describe('every 4xx and 5xx answer');

export const serviceEventSchema = z
  .object({
    type: z.enum(['create', 'ask', 'tell', 'fail', 'abandon']),
    experiment: z.string(),
    trials: z.array(z.number().int()).describe('the trials it touched'),
    t: z.number().describe('ms since the epoch'),
  })
  .describe('one change, as sent by the events stream');

export type CreateExperimentRequest = z.infer<typeof createExperimentRequestSchema>;
export type ExperimentSummary = z.infer<typeof experimentSummarySchema>;
export type ExperimentListing = z.infer<typeof experimentListingSchema>;
/** The front as the service returns it (trials as the Optimizer's frozen objects). */
export type FrontResponse = Omit<z.infer<typeof frontResponseSchema>, 'trials'> & {
  trials: readonly Trial[];
};
export type HypervolumeResponse = z.infer<typeof hypervolumeResponseSchema>;
export type ServiceEvent = z.infer<typeof serviceEventSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
