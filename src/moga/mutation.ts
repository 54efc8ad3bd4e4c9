import type { Rng } from '../random/rng.js';
import type { GeneLayout } from './genes.js';

/** Polynomial mutation settings; defaults are pymoo 0.6.1's `PM(eta=20)`. */
export interface MutationOptions {
  /** Distribution index: larger keeps the mutant closer to the original. Default 20. */
  readonly eta: number;
  /** Probability that an individual is mutated at all. Default 0.9 (pymoo's PM). */
  readonly probability: number;
  /**
   * Probability that a given gene of a mutated individual changes. Default (undefined):
   * min(0.5, 1 / number of genes).
   */
  readonly variableProbability: number | undefined;
}

export const defaultMutationOptions: MutationOptions = Object.freeze({
  eta: 20,
  probability: 0.9,
  variableProbability: undefined,
});

/** Fills defaults and checks every field; `where` names the caller in errors. */
export function resolveMutationOptions(
  options: Partial<MutationOptions> | undefined,
  where = 'polynomialMutation',
): MutationOptions {
  const o = { ...defaultMutationOptions, ...options };
  if (!(Number.isFinite(o.eta) && o.eta >= 0)) {
    throw new RangeError(`${where}: mutation eta must be a finite number >= 0, got ${o.eta}`);
  }
  if (!(o.probability >= 0 && o.probability <= 1)) {
    throw new RangeError(`${where}: mutation probability must be in [0, 1], got ${o.probability}`);
  }
  const v = o.variableProbability;
  if (v !== undefined && !(v >= 0 && v <= 1)) {
    throw new RangeError(`${where}: mutation variableProbability must be in [0, 1] or undefined, got ${v}`);
  }
  return o;
}

/**
 * Polynomial mutation of one individual in [0, 1]^d, in place.
 *
 * Real genes use the bounded form of Deb & Goyal 1996 as in pymoo 0.6.1 (the step shrinks towards the
 * nearer bound, so the result stays in [0, 1]); a categorical (one-hot) gene moves its 1 to a uniformly
 * chosen other column of its block. O(d) per individual.
 */
export function polynomialMutation(
  x: Float64Array,
  layout: GeneLayout,
  rng: Rng,
  options: MutationOptions = defaultMutationOptions,
): void {
  if (!(rng.uniform() < options.probability)) return;
  const pVar = options.variableProbability ?? Math.min(0.5, 1 / layout.geneCount);
  const eta1 = options.eta + 1;
  const exponent = 1 / eta1;
  const real = layout.real;
  for (let k = 0; k < real.length; k++) {
    if (!(rng.uniform() < pVar)) continue;
    const j = real[k]!;
    const v = x[j]!;
    const u = rng.uniform();
    let step: number;
    if (u <= 0.5) {
      const value = 2 * u + (1 - 2 * u) * (1 - v) ** eta1;
      step = value ** exponent - 1;
    } else {
      const value = 2 * (1 - u) + 2 * (u - 0.5) * v ** eta1;
      step = 1 - value ** exponent;
    }
    x[j] = Math.min(1, Math.max(0, v + step));
  }
  for (const block of layout.blocks) {
    if (!(rng.uniform() < pVar) || block.length < 2) continue;
    let current = 0;
    for (let k = 1; k < block.length; k++) if (x[block[k]!]! > x[block[current]!]!) current = k;
    let pick = rng.int(block.length - 1);
    if (pick >= current) pick++;
    for (let k = 0; k < block.length; k++) x[block[k]!] = k === pick ? 1 : 0;
  }
}
