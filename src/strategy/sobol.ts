import type { Matrix } from '../linalg/matrix.js';
import { SOBOL_MAX_DIMENSION, SobolSequence } from '../random/sobol.js';
import type { EncodedSpace, GenerationInput, GenerationResult, Generator } from './generator.js';

/** Default number of rejected points after which a space-filling generator gives up. */
export const DEFAULT_MAX_REJECTIONS = 100_000;

function checkMatrixWidth(fn: string, what: string, m: Matrix, d: number): void {
  if (m.rows > 0 && m.cols !== d) {
    throw new RangeError(`${fn}: ${what} has ${m.cols} columns, expected the space dimension ${d}`);
  }
}

/**
 * Accepts candidate points for the space-filling generators: rounds each through `space.round`,
 * rejects those that violate the linear constraints `A x <= b` (with a relative tolerance of 1e-12)
 * and those equal, after rounding, to an excluded row (observed, failed, pending) or to a point
 * accepted before.
 */
export class CandidateFilter {
  /** Points rejected because they violate a linear constraint. */
  rejectedInfeasible = 0;
  /** Points rejected because they repeat a known or accepted point. */
  rejectedDuplicate = 0;
  private readonly seen = new Set<string>();
  private readonly space: EncodedSpace;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly constraints: number;

  /** `exclude`: matrices of points (each `rows x d`) never to propose again. */
  constructor(fn: string, space: EncodedSpace, exclude: readonly (readonly [string, Matrix])[]) {
    const d = space.dimension;
    if (!Number.isInteger(d) || d < 1) {
      throw new RangeError(`${fn}: the space dimension must be an integer >= 1, got ${d}`);
    }
    const a = space.constraintMatrix;
    const k = space.constraintBound.length;
    if (a.rows !== k || (k > 0 && a.cols !== d)) {
      throw new RangeError(
        `${fn}: constraintMatrix is ${a.rows} x ${a.cols}, expected ${k} x ${d} to match constraintBound and the dimension`,
      );
    }
    this.space = space;
    this.a = a.data;
    this.b = space.constraintBound;
    this.constraints = k;
    const x = new Float64Array(d);
    for (const [what, m] of exclude) {
      checkMatrixWidth(fn, what, m, d);
      for (let i = 0; i < m.rows; i++) {
        x.set(m.data.subarray(i * d, (i + 1) * d));
        space.round(x);
        this.seen.add(x.join(','));
      }
    }
  }

  /** Rounds `x` (length d) in place; true, and remembered, when it is feasible and new. */
  offer(x: Float64Array): boolean {
    this.space.round(x);
    const d = x.length;
    for (let i = 0; i < this.constraints; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += this.a[o + j]! * x[j]!;
      const bound = this.b[i]!;
      if (s > bound + 1e-12 * Math.max(1, Math.abs(bound))) {
        this.rejectedInfeasible++;
        return false;
      }
    }
    // join prints -0 as "0", so signed zeros are one point.
    const key = x.join(',');
    if (this.seen.has(key)) {
      this.rejectedDuplicate++;
      return false;
    }
    this.seen.add(key);
    return true;
  }

  /** The error thrown when the rejection budget is spent with `accepted` of `count` candidates found. */
  exhausted(fn: string, accepted: number, count: number, draws: number): Error {
    const reason =
      this.rejectedInfeasible >= this.rejectedDuplicate
        ? 'the feasible region of the linear constraints seems tiny (or empty)'
        : 'the discrete space seems exhausted by observed, failed and pending points';
    return new Error(
      `${fn}: found only ${accepted} of ${count} candidates after ${draws} draws ` +
        `(${this.rejectedInfeasible} violated the linear constraints, ${this.rejectedDuplicate} were duplicates): ${reason}`,
    );
  }
}

/** Checks the common parts of a generation input. */
export function checkGenerationInput(fn: string, input: GenerationInput): void {
  if (!Number.isInteger(input.count) || input.count < 0) {
    throw new RangeError(`${fn}: count must be an integer >= 0, got ${input.count}`);
  }
  if (!Number.isInteger(input.seed) || input.seed < 0 || input.seed >= 2 ** 32) {
    throw new RangeError(`${fn}: seed must be a 32-bit unsigned integer, got ${input.seed}`);
  }
}

/** The excluded point sets of an input, named for error messages. */
export function excludedPoints(input: GenerationInput): [string, Matrix][] {
  return [
    ['X', input.X],
    ['failed', input.failed],
    ['pending', input.pending],
  ];
}

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
