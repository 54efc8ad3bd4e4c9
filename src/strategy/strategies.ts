import * as z from 'zod';
import { ChainGenerator } from './chain.js';
import { type EncodedSpace, type Generator, withTimeBudget } from './generator.js';
import { MoboGenerator, type MoboGeneratorOptions } from './mobo.js';
import {
  chooseMoboModel,
  type MoboModelChoice,
  type MoboModelSetting,
  ModelChoiceGenerator,
} from './model-choice.js';
import { MorboGenerator, type MorboGeneratorOptions } from './morbo.js';
import { Nsga2Generator, type Nsga2GeneratorOptions } from './nsga2-generator.js';
import { RandomGenerator } from './random.js';
import { SobolGenerator } from './sobol.js';

const positiveInt = z.number().int().min(1);
const probability = z.number().min(0).max(1);

const nsga2OptionsSchema = z.strictObject({
  populationSize: z
    .number()
    .int()
    .min(2)
    .optional()
    .describe('mu; default: the first ask count (at least 2)'),
  mode: z.enum(['generational', 'steady-state']).optional().describe("default 'generational'"),
  crossover: z
    .strictObject({
      eta: z.number().positive().optional(),
      probability: probability.optional(),
      variableProbability: probability.optional(),
      exchangeProbability: probability.optional(),
    })
    .optional()
    .describe('SBX; defaults eta 15, probability 0.9'),
  mutation: z
    .strictObject({
      eta: z.number().positive().optional(),
      probability: probability.optional(),
      variableProbability: probability.optional(),
    })
    .optional()
    .describe('polynomial mutation; defaults eta 20, probability 0.9, variableProbability min(0.5, 1/d)'),
  tournament: z.enum(['dominance', 'rank']).optional(),
  duplicateTolerance: z.number().optional(),
  maxMatingIterations: positiveInt.optional(),
});

const moboOptionsSchema = z
  .looseObject({
    initialTrials: positiveInt
      .optional()
      .describe('Sobol points before the model takes over; default 2 (d + 1)'),
    model: z
      .enum(['auto', 'global', 'trust-regions'])
      .optional()
      .describe(
        "'auto' (default): the global model up to d = 20, trust regions (MORBO, with its defaults) above; 'global' or 'trust-regions' to force one",
      ),
    timeBudgetMs: z
      .number()
      .positive()
      .optional()
      .describe(
        'wall-clock budget per generation, ms (default none); an ask with its own budget gets the smaller',
      ),
  })
  .describe(
    'options of the MOBO generator; keys other than initialTrials, model and timeBudgetMs go to the global model (MoboGenerator) unchanged',
  );

const morboOptionsSchema = z
  .strictObject({
    initialTrials: positiveInt
      .optional()
      .describe('Sobol points before the trust regions take over (first step only); default 2 (d + 1)'),
    regions: positiveInt.optional().describe('number of trust regions; default 5 (MORBO)'),
    lengthInit: z
      .number()
      .positive()
      .optional()
      .describe('initial side length in the unit cube; default 0.8'),
    lengthMin: z.number().positive().optional().describe('a region restarts below this length; default 0.01'),
    lengthMax: z.number().positive().optional().describe('longest side length; default 1.6'),
    successTolerance: positiveInt
      .optional()
      .describe("successes in a row that double a region's length; default 10000 (never, as MORBO's code)"),
    failureTolerance: positiveInt
      .optional()
      .describe('failed evaluations in a row that halve it; default max(10, floor(d / 3))'),
    improvementThreshold: z
      .number()
      .min(0)
      .optional()
      .describe(
        'relative hypervolume gain (or, outside the reference box, distance decrease) that makes a success; default 1e-3',
      ),
    minLocalPoints: positiveInt
      .optional()
      .describe('fewest points a local GP sees (the nearest); default 200'),
    maxLocalPoints: z
      .number()
      .int()
      .min(2)
      .optional()
      .describe('most points a local GP sees (the nearest to the centre); default 400 (MORBO: 2000)'),
    candidates: positiveInt
      .optional()
      .describe('Thompson-sampling candidates per region; default 2000 (MORBO: 4096)'),
    perturbedCoordinates: z
      .number()
      .positive()
      .optional()
      .describe(
        'expected coordinates a random candidate changes: probability min(1, this / d); once a point is inside the reference box, half the candidates draw theirs log-uniformly in [1 / d, min(1, this / d)]; default 20',
      ),
    features: positiveInt.optional().describe('random Fourier features of the pathwise samples; default 512'),
    winsorize: z
      .number()
      .min(0)
      .max(0.5)
      .optional()
      .describe('fraction of the worst outcomes clipped before a local fit; default 0.05'),
    fitIterations: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('L-BFGS-B iterations of a warm-started local fit; default 6'),
    tabuTenure: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('asks during which the centre of a restarted region is not a centre again; default 100'),
    prior: z.enum(['dimension-scaled', 'gamma']).optional().describe("GP prior; default 'dimension-scaled'"),
    lengthscaleRange: z
      .tuple([z.number().positive(), z.number().positive().finite()])
      .refine(([a, b]) => a < b, { message: 'expected lower < upper' })
      .optional()
      .describe(
        "bounds of the local GPs' lengthscales, as multiples of the region's length; default [0.05, 4]",
      ),
    descentCandidates: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "candidates per region stepped against the local GPs' posterior-mean gradients (half random scalarizations, half a direction shared by all objectives); default 500",
      ),
    scalarizedRegions: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'regions (the last ones) whose centres, once a point is inside the reference box, maximize a random hypervolume scalarization instead of the hypervolume contribution, and whose picks chase it; default 2 (MORBO: 0)',
      ),
  })
  .describe('options of the MORBO trust-region generator');

const trials = positiveInt.optional().describe('trials this step proposes before the next step takes over');

export const strategyStepSchema = z.discriminatedUnion('strategy', [
  z.strictObject({ strategy: z.literal('sobol'), trials }),
  z.strictObject({ strategy: z.literal('random'), trials }),
  z.strictObject({ strategy: z.literal('nsga2'), trials, options: nsga2OptionsSchema.optional() }),
  z.strictObject({ strategy: z.literal('mobo'), trials, options: moboOptionsSchema.optional() }),
  z.strictObject({ strategy: z.literal('morbo'), trials, options: morboOptionsSchema.optional() }),
]);

export const strategyNameSchema = z.enum(['mobo', 'morbo', 'nsga2', 'sobol', 'random']);

/**
 * A strategy: a name, one step with options, or a chain of steps in which every step but the last
 * says how many trials it proposes (`[{ strategy: 'sobol', trials: 10 }, { strategy: 'nsga2' }]`).
 */
export const strategySchema = z.union([
  strategyNameSchema,
  strategyStepSchema,
  z
    .array(strategyStepSchema)
    .min(1)
    .superRefine((steps, ctx) => {
      steps.forEach((s, i) => {
        if (i < steps.length - 1 && s.trials === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'trials'],
            message: 'every step of a chain but the last needs a number of trials, got nothing',
          });
        }
      });
    }),
]);

export type StrategyName = z.infer<typeof strategyNameSchema>;
export type StrategyStep = z.infer<typeof strategyStepSchema>;
export type StrategyConfig = z.infer<typeof strategySchema>;

/** Builds a generator for `space` from the options of a strategy step (already validated). */
export type GeneratorFactory = (space: EncodedSpace, options: Readonly<Record<string, unknown>>) => Generator;

/** The registry name under which the model-based MOBO generator plugs in. */
export const MOBO_GENERATOR = 'mobo-bo';

/** The built-in model-based generator of the 'mobo' strategy: `MoboGenerator` with the step's options. */
export const builtinMoboFactory: GeneratorFactory = (_space, options) =>
  new MoboGenerator(options as MoboGeneratorOptions);

/**
 * Named generator factories. Built-in strategies need no registration; a factory registered under
 * `MOBO_GENERATOR` ('mobo-bo') replaces the built-in `MoboGenerator` of the 'mobo' strategy.
 */
export class GeneratorRegistry {
  private readonly factories = new Map<string, GeneratorFactory>();

  /** Registers (or replaces) `factory` under `name`. */
  register(name: string, factory: GeneratorFactory): void {
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`GeneratorRegistry.register: name must be a non-empty string, got ${String(name)}`);
    }
    if (typeof factory !== 'function') {
      throw new TypeError(`GeneratorRegistry.register: factory for "${name}" must be a function`);
    }
    this.factories.set(name, factory);
  }

  get(name: string): GeneratorFactory | undefined {
    return this.factories.get(name);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }
}

/**
 * The registry used when none is passed. Module-level by necessity: a plug-in registers itself
 * once at import; the Optimizer takes an explicit registry for tests and embedding.
 */
export const defaultGeneratorRegistry = new GeneratorRegistry();

/** Registers `factory` under `name` in the default registry (e.g. `'mobo-bo'`). */
export function registerGenerator(name: string, factory: GeneratorFactory): void {
  defaultGeneratorRegistry.register(name, factory);
}

function normalize(strategy: StrategyConfig): StrategyStep[] {
  if (typeof strategy === 'string') return [{ strategy } as StrategyStep];
  return Array.isArray(strategy) ? strategy : [strategy];
}

function moboModel(
  space: EncodedSpace,
  options: Readonly<Record<string, unknown>>,
  registry: GeneratorRegistry,
): Generator {
  const factory = registry.get(MOBO_GENERATOR) ?? builtinMoboFactory;
  // The step's budget reaches the model through each generation's input, merged with the ask's.
  const { initialTrials: _, timeBudgetMs, ...rest } = options;
  return withTimeBudget(factory(space, rest), timeBudgetMs as number | undefined);
}

/**
 * The model of a 'mobo' step, chosen by `chooseMoboModel` (a generator registered under 'mobo-bo'
 * is always used) and wrapped to record the choice in every generation's metadata. Options for the
 * global model with 'auto' above d = 20 are an error rather than silently dropped.
 */
function moboStepModel(
  space: EncodedSpace,
  options: Readonly<Record<string, unknown>>,
  setting: MoboModelSetting | undefined,
  registry: GeneratorRegistry,
): Generator {
  const plugin = registry.has(MOBO_GENERATOR);
  const choice: MoboModelChoice = plugin
    ? { model: 'global', reason: "a generator is registered under 'mobo-bo'" }
    : chooseMoboModel(space.dimension, setting ?? 'auto');
  if (choice.model === 'global') return new ModelChoiceGenerator(moboModel(space, options, registry), choice);
  const globalOptions = Object.keys(options).filter((k) => k !== 'initialTrials');
  if (globalOptions.length > 0) {
    throw new TypeError(
      `createGenerator: strategy 'mobo' runs trust regions (MORBO) here (${choice.reason}), which take none of ` +
        `${globalOptions.join(', ')}: set options.model to 'global' to use the global model with them, or use ` +
        "strategy 'morbo' for trust-region options",
    );
  }
  return new ModelChoiceGenerator(new MorboGenerator(), choice);
}

/**
 * The generator of a strategy over `space`. `'mobo'` is a Sobol initialization of `initialTrials`
 * (default 2 (d + 1)) points followed by the model-based generator (`MoboGenerator`, or the one
 * registered under 'mobo-bo'); as a later step of a chain it is the model alone. Throws at once (not
 * at the first ask) when a strategy cannot be built, e.g. for an unknown MOBO option.
 */
export function createGenerator(
  strategy: StrategyConfig,
  space: EncodedSpace,
  registry: GeneratorRegistry = defaultGeneratorRegistry,
): Generator {
  const parsed = strategySchema.safeParse(strategy);
  if (!parsed.success) {
    throw new TypeError(
      `createGenerator: invalid strategy ${JSON.stringify(strategy)}: ${parsed.error.message}`,
    );
  }
  const steps = normalize(parsed.data);
  const chain: { generator: Generator; trials?: number }[] = [];
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const count = last ? undefined : step.trials;
    switch (step.strategy) {
      case 'sobol':
        chain.push({ generator: new SobolGenerator(), trials: count });
        break;
      case 'random':
        chain.push({ generator: new RandomGenerator(), trials: count });
        break;
      case 'nsga2':
        chain.push({
          generator: new Nsga2Generator((step.options ?? {}) as Nsga2GeneratorOptions),
          trials: count,
        });
        break;
      case 'mobo': {
        const { model: setting, ...options } = step.options ?? {};
        const model = moboStepModel(space, options, setting, registry);
        if (i === 0) {
          const initial = (options.initialTrials as number | undefined) ?? 2 * (space.dimension + 1);
          chain.push({ generator: new SobolGenerator(), trials: initial });
        }
        chain.push({ generator: model, trials: count });
        break;
      }
      case 'morbo': {
        const { initialTrials, ...options } = step.options ?? {};
        if (i === 0) {
          chain.push({ generator: new SobolGenerator(), trials: initialTrials ?? 2 * (space.dimension + 1) });
        }
        chain.push({ generator: new MorboGenerator(options as MorboGeneratorOptions), trials: count });
        break;
      }
    }
  });
  if (chain.length === 1) return chain[0]!.generator;
  return new ChainGenerator(chain.map((s) => (s.trials === undefined ? { generator: s.generator } : s)));
}
