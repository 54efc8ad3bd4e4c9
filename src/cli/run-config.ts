/**
 * The configuration file of `mobo run` (a built-in problem, or parameters, objectives and a task;
 * plus strategy, budget, runner, seed and output folder): its schema, its validation, and the JSON
 * Schema published as schema/mobo.schema.json. Only the CLI reads such files; the experiment's own
 * fields are the Optimizer's (`experimentConfigShape`).
 */
import * as z from 'zod';
import { experimentConfigShape } from '../experiment/config.js';
import { commandTaskProblems } from '../runners/task-spec.js';
import { parseConfig } from '../space/errors.js';
import { checkOutcomes, checkSpace, reportIssues } from '../space/schema.js';

const problemSchema = z
  .strictObject({
    name: z.string().min(1).describe('a built-in problem: dtlz1 .. dtlz7, zdt1 .. zdt4, zdt6, ...'),
    objectives: z.number().int().min(1).optional().describe('m, for problems with any number of objectives'),
    dimensions: z.number().int().min(1).optional().describe('d, the number of parameters'),
  })
  .describe('a built-in test problem instead of parameters, objectives and task');

const taskSchema = z
  .strictObject({
    module: z.string().min(1).optional().describe('a JavaScript module, relative to the config file'),
    export: z.string().min(1).optional().describe("the module's exported task function; default 'default'"),
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        'a program and its arguments (argv, never a shell), e.g. ["python3", "sim.py", "--seed", "{trial}"]; placeholders {trial}, {attempt}, {dir}, {params_file}, {result_file}',
      ),
    cwd: z
      .string()
      .min(1)
      .optional()
      .describe(
        "the command's working directory, relative to the config file; default the config file's folder",
      ),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe("variables added to the command's environment (placeholders allowed in values)"),
  })
  .superRefine((v, ctx) => {
    if ((v.module === undefined) === (v.command === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'give either module (a JavaScript task function) or command (a program to run), not both or neither',
      });
      return;
    }
    const misplaced = v.module !== undefined ? (['cwd', 'env'] as const) : (['export'] as const);
    for (const key of misplaced) {
      if (v[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} belongs to a ${v.module !== undefined ? 'command' : 'module'} task`,
        });
      }
    }
    if (v.command !== undefined) {
      // Checked as if cwd were absolute: the caller resolves it against the config file.
      const { cwd: _cwd, ...rest } = v;
      for (const problem of commandTaskProblems(rest, '')) {
        const match = /^\.?([^:]*): (.*)$/s.exec(problem);
        const path = (match?.[1] ?? '').split(/[.[\]]+/).filter((k) => k !== '');
        ctx.addIssue({
          code: 'custom',
          path: path.map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
          message: match?.[2] ?? problem,
        });
      }
    }
  })
  .describe(
    'what evaluates a trial: a JavaScript module export, or a command (argv) such as a Python script',
  );

const resourcesSchema = z
  .strictObject({
    cpus: z.number().int().min(1).optional().describe('CPU cores per trial (SLURM --cpus-per-task)'),
    memoryMb: z.number().int().min(1).optional().describe('memory per trial in MB (SLURM --mem)'),
    gpus: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('GPUs per trial (SLURM --gres=gpu:N; locally CUDA_VISIBLE_DEVICES)'),
    timeLimitMinutes: z
      .number()
      .positive()
      .optional()
      .describe('wall time per attempt (SLURM --time; locally the default timeoutSeconds)'),
  })
  .describe('what each trial needs; local runners start a trial once it fits, SLURM is told');

const devicesSchema = z
  .strictObject({
    gpus: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'GPU ids local trials may use, e.g. ["0", "1"]; default CUDA_VISIBLE_DEVICES or the NVIDIA GPUs present',
      ),
  })
  .describe('the devices of this machine that local runners hand to trials');

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
      .enum(['inprocess', 'inline', 'pool', 'subprocess', 'slurm', 'queue'])
      .describe(
        "where trials run: this process ('inprocess', also 'inline'), worker threads, subprocesses, SLURM, or a Redis queue that `mobo worker` processes take trials from ('queue')",
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
    redis: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional()
      .describe(
        'queue: the Redis server, redis://[user:password@]host[:port][/db]; default MOBO_REDIS_URL, else redis://127.0.0.1:6379',
      ),
    queue: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be 1-100 letters, digits, '_', '-' or '.'")
      .optional()
      .describe("queue: the queue's name, as `mobo worker --queue NAME` gives it; default 'mobo'"),
    resources: resourcesSchema.optional(),
    devices: devicesSchema.optional(),
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
    parameters: experimentConfigShape.parameters.optional(),
    parameterConstraints: experimentConfigShape.parameterConstraints,
    objectives: experimentConfigShape.objectives.optional(),
    outcomeConstraints: experimentConfigShape.outcomeConstraints,
    strategy: experimentConfigShape.strategy,
    seed: experimentConfigShape.seed,
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
