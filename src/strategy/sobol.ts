import { SOBOL_MAX_DIMENSION, SobolSequence } from '../random/sobol.js';
import { CandidateFilter, DEFAULT_MAX_REJECTIONS, excludedPoints } from './candidate-filter.js';
import {
  checkGenerationInput,
  type GenerationInput,
  type GenerationResult,
  type Generator,
} from './generator.js';

/** Journaled state of `SobolGenerator`: the scramble seed and how many points were consumed. */
export interface SobolGeneratorState {
  readonly seed: number;
  readonly drawn: number;
}

/** Options of `SobolGenerator`. */
export interface SobolGeneratorOptions {
  /** Rejected points per generation before giving up with an error. Default 100000. */
  readonly maxRejections?: number;
}

function readSobolState(state: unknown, fallbackSeed: number): SobolGeneratorState {
  if (state === undefined || state === null) return { seed: fallbackSeed, drawn: 0 };
  const s = state as Partial<SobolGeneratorState>;
  if (
    typeof state === 'object' &&
    Number.isInteger(s.seed) &&
    (s.seed as number) >= 0 &&
    Number.isInteger(s.drawn) &&
    (s.drawn as number) >= 0
  ) {
    return { seed: s.seed as number, drawn: s.drawn as number };
  }
  throw new TypeError(
    `SobolGenerator: state must be { seed, drawn } with non-negative integers as returned before, got ${JSON.stringify(state)}`,
  );
}

/**
 * Quasi-random space filling: one scrambled Sobol sequence over [0, 1]^d per experiment. The scramble
 * seed is fixed at the first generation (from `input.seed`) and kept in the state with the number of
 * points consumed, so consecutive batches continue one sequence (a batch of 5 then one of 3 are its
 * first 8 points, less any rejected). Points are rounded by the space; those violating the linear
 * constraints or repeating a known point are skipped.
 */
export class SobolGenerator implements Generator {
  readonly name = 'sobol';
  private readonly maxRejections: number;

  constructor(options: SobolGeneratorOptions = {}) {
    const maxRejections = options.maxRejections ?? DEFAULT_MAX_REJECTIONS;
    if (!Number.isInteger(maxRejections) || maxRejections < 0) {
      throw new RangeError(`SobolGenerator: maxRejections must be an integer >= 0, got ${maxRejections}`);
    }
    this.maxRejections = maxRejections;
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const start = performance.now();
    const fn = 'SobolGenerator';
    checkGenerationInput(fn, input);
    const d = input.space.dimension;
    if (d > SOBOL_MAX_DIMENSION) {
      throw new RangeError(
        `${fn}: the space has ${d} unit-cube columns, more than the ${SOBOL_MAX_DIMENSION} Sobol dimensions; use RandomGenerator`,
      );
    }
    const state = readSobolState(input.state, input.seed);
    const filter = new CandidateFilter(fn, input.space, excludedPoints(input));
    const count = input.count;
    const out = new Float64Array(count * d);
    const sequence = new SobolSequence(d, { scramble: true, seed: state.seed });
    sequence.skip(state.drawn);
    let accepted = 0;
    let drawn = state.drawn;
    const x = new Float64Array(d);
    while (accepted < count) {
      // Draw in blocks, but count only the points examined, so the state resumes at the next one.
      const block = sequence.next(Math.min(Math.max(count - accepted, 16), 4096));
      for (let i = 0; i < block.rows && accepted < count; i++) {
        x.set(block.data.subarray(i * d, (i + 1) * d));
        drawn++;
        if (filter.offer(x)) {
          out.set(x, accepted * d);
          accepted++;
        } else if (filter.rejectedInfeasible + filter.rejectedDuplicate > this.maxRejections) {
          throw filter.exhausted(fn, accepted, count, drawn - state.drawn);
        }
      }
    }
    const next: SobolGeneratorState = { seed: state.seed, drawn };
    return {
      candidates: { rows: count, cols: d, data: out },
      metadata: {
        generator: this.name,
        seed: state.seed,
        firstIndex: state.drawn,
        drawn: drawn - state.drawn,
        rejectedInfeasible: filter.rejectedInfeasible,
        rejectedDuplicate: filter.rejectedDuplicate,
        ms: { generate: performance.now() - start },
      },
      state: next,
    };
  }
}
