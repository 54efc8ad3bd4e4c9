import { createRng } from '../random/rng.js';
import { CandidateFilter, DEFAULT_MAX_REJECTIONS, excludedPoints } from './candidate-filter.js';
import {
  checkGenerationInput,
  type GenerationInput,
  type GenerationResult,
  type Generator,
} from './generator.js';

/** Options of `RandomGenerator`. */
export interface RandomGeneratorOptions {
  /** Rejected points per generation before giving up with an error. Default 100000. */
  readonly maxRejections?: number;
}

/**
 * I.i.d. uniform points of [0, 1]^d from `createRng(input.seed)`: stateless, since the experiment
 * derives a fresh seed for every generation. Rounding, linear constraints and duplicates are handled
 * as by `SobolGenerator`.
 */
export class RandomGenerator implements Generator {
  readonly name = 'random';
  private readonly maxRejections: number;

  constructor(options: RandomGeneratorOptions = {}) {
    const maxRejections = options.maxRejections ?? DEFAULT_MAX_REJECTIONS;
    if (!Number.isInteger(maxRejections) || maxRejections < 0) {
      throw new RangeError(`RandomGenerator: maxRejections must be an integer >= 0, got ${maxRejections}`);
    }
    this.maxRejections = maxRejections;
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const start = performance.now();
    const fn = 'RandomGenerator';
    checkGenerationInput(fn, input);
    const d = input.space.dimension;
    const filter = new CandidateFilter(fn, input.space, excludedPoints(input));
    const rng = createRng(input.seed);
    const count = input.count;
    const out = new Float64Array(count * d);
    const x = new Float64Array(d);
    let accepted = 0;
    let drawn = 0;
    while (accepted < count) {
      for (let j = 0; j < d; j++) x[j] = rng.uniform();
      drawn++;
      if (filter.offer(x)) {
        out.set(x, accepted * d);
        accepted++;
      } else if (filter.rejectedInfeasible + filter.rejectedDuplicate > this.maxRejections) {
        throw filter.exhausted(fn, accepted, count, drawn);
      }
    }
    return {
      candidates: { rows: count, cols: d, data: out },
      metadata: {
        generator: this.name,
        seed: input.seed,
        drawn,
        rejectedInfeasible: filter.rejectedInfeasible,
        rejectedDuplicate: filter.rejectedDuplicate,
        ms: { generate: performance.now() - start },
      },
    };
  }
}
