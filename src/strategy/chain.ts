import type { Matrix } from '../linalg/matrix.js';
import { deriveSeed } from '../random/rng.js';
import type { GenerationInput, GenerationResult, Generator } from './generator.js';

/** One step of a chain: a generator and how many candidates it produces before the next step. */
export interface ChainStep {
  readonly generator: Generator;
  /** Candidates this step produces; required on every step but the last, which has no limit (ignored there). */
  readonly trials?: number;
}

/** Journaled state of `ChainGenerator`. */
export interface ChainGeneratorState {
  /** Candidates produced by each step so far. */
  readonly produced: number[];
  /** Each step's own state (null where it has none: JSON has no undefined). */
  readonly states: unknown[];
}

/** What the metadata says about one part of a batch. */
export interface ChainPart {
  readonly step: number;
  readonly generator: string;
  /** Rows `offset .. offset + count - 1` of the candidates. */
  readonly offset: number;
  readonly count: number;
  readonly metadata: Record<string, unknown>;
}

function concatRows(a: Matrix, b: Matrix, d: number): Matrix {
  if (a.rows === 0) return b;
  if (b.rows === 0) return a;
  const data = new Float64Array((a.rows + b.rows) * d);
  data.set(a.data);
  data.set(b.data, a.rows * d);
  return { rows: a.rows + b.rows, cols: d, data };
}

/**
 * Runs generators one after another, e.g. Sobol for the first 10 trials, then MOBO. The step is
 * picked by how many candidates the earlier steps have produced (kept in the state with each step's
 * own state). A batch that crosses a boundary is split: the rest of the current step's quota from it,
 * then the remainder from the next step, which sees the first part's candidates as pending. The first
 * part gets `input.seed`; later parts get `deriveSeed(input.seed, 'chain', step)`.
 */
export class ChainGenerator implements Generator {
  readonly name: string;
  private readonly steps: readonly ChainStep[];

  constructor(steps: readonly ChainStep[]) {
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new RangeError('ChainGenerator: steps must be a non-empty array of { generator, trials? }');
    }
    steps.forEach((step, i) => {
      if (typeof step?.generator?.generate !== 'function') {
        throw new TypeError(`ChainGenerator: step ${i} has no generator with a generate method`);
      }
      if (i < steps.length - 1) {
        const t = step.trials;
        if (t === undefined || !Number.isInteger(t) || t < 0) {
          throw new RangeError(
            `ChainGenerator: step ${i} (${step.generator.name}) needs trials, an integer >= 0, got ${t}; only the last step has no limit`,
          );
        }
      }
    });
    this.steps = steps;
    this.name = `chain(${steps.map((s) => s.generator.name).join(',')})`;
  }

  private readState(state: unknown): { produced: number[]; states: unknown[] } {
    const n = this.steps.length;
    if (state === undefined || state === null)
      return { produced: new Array(n).fill(0), states: new Array(n).fill(null) };
    const s = state as Partial<ChainGeneratorState>;
    if (
      typeof state === 'object' &&
      Array.isArray(s.produced) &&
      Array.isArray(s.states) &&
      s.produced.length === n &&
      s.states.length === n &&
      s.produced.every((p) => Number.isInteger(p) && p >= 0)
    ) {
      return { produced: [...s.produced], states: [...s.states] };
    }
    throw new TypeError(
      `ChainGenerator: state must be { produced, states } with one entry per step (${n}) as returned before, got ${JSON.stringify(state)}`,
    );
  }

  private currentStep(produced: readonly number[]): number {
    for (let i = 0; i < this.steps.length - 1; i++) {
      if (produced[i]! < this.steps[i]!.trials!) return i;
    }
    return this.steps.length - 1;
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const start = performance.now();
    if (!Number.isInteger(input.count) || input.count < 0) {
      throw new RangeError(`ChainGenerator: count must be an integer >= 0, got ${input.count}`);
    }
    const d = input.space.dimension;
    const { produced, states } = this.readState(input.state);
    const parts: ChainPart[] = [];
    let candidates: Matrix = { rows: 0, cols: d, data: new Float64Array(0) };
    let pending = input.pending;
    let remaining = input.count;
    while (remaining > 0) {
      const step = this.currentStep(produced);
      const last = step === this.steps.length - 1;
      const quota = last ? remaining : Math.min(remaining, this.steps[step]!.trials! - produced[step]!);
      const generator = this.steps[step]!.generator;
      const childState = states[step];
      const result = await generator.generate({
        ...input,
        count: quota,
        pending,
        seed: parts.length === 0 ? input.seed : deriveSeed(input.seed, 'chain', step),
        state: childState === null ? undefined : childState,
      });
      const got = result.candidates;
      if (got.rows !== quota || (quota > 0 && got.cols !== d)) {
        throw new RangeError(
          `ChainGenerator: step ${step} (${generator.name}) returned ${got.rows} x ${got.cols} candidates, expected ${quota} x ${d}`,
        );
      }
      parts.push({
        step,
        generator: generator.name,
        offset: candidates.rows,
        count: quota,
        metadata: result.metadata,
      });
      produced[step] = produced[step]! + quota;
      states[step] = result.state === undefined ? null : result.state;
      candidates = concatRows(candidates, got, d);
      pending = concatRows(pending, got, d);
      remaining -= quota;
    }
    const state: ChainGeneratorState = { produced, states };
    return {
      candidates,
      metadata: {
        generator: this.name,
        steps: parts.map((p) => p.step),
        parts,
        ms: { generate: performance.now() - start },
      },
      state,
    };
  }
}
