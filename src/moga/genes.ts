import type { Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';

/**
 * How the unit-cube columns of an individual group into genes for the variation operators.
 *
 * Continuous and integer columns are real genes (SBX and polynomial mutation act on them; integers are
 * snapped to their grid afterwards by `round`). A one-hot block of a choice parameter is one
 * categorical gene: crossover exchanges the whole block, mutation moves the 1 to another column, so a
 * block never carries two 1s or a fraction.
 */
export interface GeneLayout {
  /** d: the number of unit-cube columns of an individual. */
  readonly dimension: number;
  /** The unit-cube columns that are real genes, ascending. */
  readonly real: Int32Array;
  /** One entry per categorical gene: the columns of its one-hot block. */
  readonly blocks: readonly Int32Array[];
  /** The number of genes: `real.length + blocks.length`. */
  readonly geneCount: number;
  /** Maps a point of [0, 1]^d to the nearest exactly decodable point, in place (undefined: identity). */
  readonly round: ((x: Float64Array) => void) | undefined;
  /**
   * Linear constraints `A x <= b` every candidate must satisfy: `A` is `k x d`, `b` has length `k`
   * (undefined when there are none).
   */
  readonly constraints: { readonly A: Matrix; readonly b: Float64Array } | undefined;
}

/** The layout of `dimension` continuous columns: every column a real gene, nothing to round. */
export function continuousLayout(dimension: number): GeneLayout {
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new RangeError(`continuousLayout: dimension must be a positive integer, got ${dimension}`);
  }
  const real = new Int32Array(dimension);
  for (let j = 0; j < dimension; j++) real[j] = j;
  return { dimension, real, blocks: [], geneCount: dimension, round: undefined, constraints: undefined };
}

/** Whether `x` (length d) satisfies the layout's linear constraints, with tolerance 1e-9 on each row. */
export function satisfiesConstraints(layout: GeneLayout, x: Float64Array): boolean {
  const c = layout.constraints;
  if (c === undefined) return true;
  const { A, b } = c;
  const d = A.cols;
  const a = A.data;
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += a[o + j]! * x[j]!;
    if (s > b[i]! + 1e-9) return false;
  }
  return true;
}

/** Fills `x` (length d) with a uniform point of [0, 1]^d whose one-hot blocks hold a single 1. */
export function randomIndividual(layout: GeneLayout, rng: Rng, x: Float64Array): void {
  const real = layout.real;
  for (let k = 0; k < real.length; k++) x[real[k]!] = rng.uniform();
  for (const block of layout.blocks) {
    const pick = rng.int(block.length);
    for (let k = 0; k < block.length; k++) x[block[k]!] = k === pick ? 1 : 0;
  }
  layout.round?.(x);
}
