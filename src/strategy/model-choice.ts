/**
 * Which model the default strategy `'mobo'` runs: the global GP with qLogNEHVI (`MoboGenerator`)
 * or trust regions with Thompson-sampled batches (`MorboGenerator`). The rule, measured (README,
 * "Choosing the model"; bench/closure.ts and bench/highdim.ts):
 *
 * - up to d = 20 parameters, the global model: it closes DTLZ2 (d = 6 to 20) fastest, and asks
 *   stay in seconds at the hundreds of trials such problems need;
 * - above d = 20, MORBO: at d = 100 (DTLZ2, 200 Sobol points) the global model, even with its
 *   search kept local (`defaultLocalRadius`), proposes batches only slightly better than random
 *   points in DTLZ2's distance term g (batch means 7.5 to 7.8 against 8.0, seeds 1-3, q = 10) and
 *   one ask of 10 takes minutes, growing with n; MORBO's asks of 50 take 3 s (m = 2) to 8 s
 *   (m = 5) of CPU, flat in n, and its batches move towards the front (batch-mean g from 8.2 to
 *   2.7-3.0 by n = 1150-1300 at m = 2, to 4.2-4.5 by n = 600 at m = 5), where NSGA-II reached 1.9
 *   (m = 2) and 7.7 (m = 5) at n = 2000 (bench/highdim.ts).
 *
 * The threshold is a measured bracket, not a fine one: the global model wins at d <= 20, MORBO at
 * d = 100; between them the choice has not been measured point by point. `options.model` forces
 * either ('global' or 'trust-regions'); a generator registered under 'mobo-bo' replaces the global
 * model and is always used.
 */
import type { GenerationInput, GenerationResult, Generator } from './generator.js';

/** Above this many unit-cube dimensions the default 'mobo' strategy runs MORBO. */
export const TRUST_REGION_DIMENSION = 20;

export type MoboModelSetting = 'auto' | 'global' | 'trust-regions';
export type MoboModel = 'global' | 'trust-regions';

/** The model and a sentence saying why, for the generation metadata. */
export interface MoboModelChoice {
  readonly model: MoboModel;
  readonly reason: string;
}

/** The model the 'mobo' strategy runs for d unit-cube dimensions under `setting` (default 'auto'). */
export function chooseMoboModel(d: number, setting: MoboModelSetting = 'auto'): MoboModelChoice {
  if (setting === 'global') return { model: 'global', reason: "options.model is 'global'" };
  if (setting === 'trust-regions')
    return { model: 'trust-regions', reason: "options.model is 'trust-regions'" };
  return d > TRUST_REGION_DIMENSION
    ? { model: 'trust-regions', reason: `d = ${d} > ${TRUST_REGION_DIMENSION}: trust regions (MORBO)` }
    : { model: 'global', reason: `d = ${d} <= ${TRUST_REGION_DIMENSION}: the global model (qLogNEHVI)` };
}

/**
 * A generator that runs `inner` and records the model choice in every generation's metadata
 * (`model`, `modelReason`); its name and state are the inner generator's.
 */
export class ModelChoiceGenerator implements Generator {
  readonly name: string;
  readonly inner: Generator;
  readonly choice: MoboModelChoice;

  constructor(inner: Generator, choice: MoboModelChoice) {
    this.inner = inner;
    this.choice = choice;
    this.name = inner.name;
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const result = await this.inner.generate(input);
    return {
      ...result,
      metadata: { ...result.metadata, model: this.choice.model, modelReason: this.choice.reason },
    };
  }
}
