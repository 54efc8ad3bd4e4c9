import type { Rng } from '../random/rng.js';
import type { GeneLayout } from './genes.js';

/** Simulated binary crossover settings; defaults are pymoo 0.6.1's `SBX(eta=15, prob=0.9)`. */
export interface SbxOptions {
  /** Distribution index: larger keeps children closer to their parents. Default 15. */
  readonly eta: number;
  /** Probability that a mating recombines at all (otherwise the children copy the parents). Default 0.9. */
  readonly probability: number;
  /** Probability that a given gene of a recombining mating is crossed. Default 0.5. */
  readonly variableProbability: number;
  /** Probability that the two children of a crossed gene swap sides. Default 0.5. */
  readonly exchangeProbability: number;
}

export const defaultSbxOptions: SbxOptions = Object.freeze({
  eta: 15,
  probability: 0.9,
  variableProbability: 0.5,
  exchangeProbability: 0.5,
});

/** Fills defaults and checks every field; `where` names the caller in errors. */
export function resolveSbxOptions(options: Partial<SbxOptions> | undefined, where = 'sbx'): SbxOptions {
  const o = { ...defaultSbxOptions, ...options };
  if (!(Number.isFinite(o.eta) && o.eta >= 0)) {
    throw new RangeError(`${where}: crossover eta must be a finite number >= 0, got ${o.eta}`);
  }
  for (const key of ['probability', 'variableProbability', 'exchangeProbability'] as const) {
    const p = o[key];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${where}: crossover ${key} must be in [0, 1], got ${p}`);
  }
  return o;
}

/** Parents closer than this in a gene are not crossed in it (pymoo's guard against delta = 0). */
const TOO_CLOSE = 1e-14;

/**
 * The spread factor of bounded SBX (Deb & Agrawal 1995, bounded form as in Deb's NSGA-II C code and
 * pymoo): `beta` is 1 + 2 (distance from the nearer parent to its bound) / delta, `u` the uniform draw.
 */
function spread(beta: number, u: number, exponent: number, eta1: number): number {
  const alpha = 2 - beta ** -eta1;
  return u <= 1 / alpha ? (u * alpha) ** exponent : (1 / (2 - u * alpha)) ** exponent;
}

/**
 * Simulated binary crossover of two parents in [0, 1]^d, writing two children (each length d).
 *
 * Real genes follow pymoo 0.6.1's bounded SBX; each categorical (one-hot) gene of a recombining mating
 * is swapped between the children with probability 1/2 (uniform crossover). Children are clamped to
 * [0, 1]. `childA`/`childB` may not alias the parents. O(d) per mating.
 */
export function sbx(
  parentA: Float64Array,
  parentB: Float64Array,
  childA: Float64Array,
  childB: Float64Array,
  layout: GeneLayout,
  rng: Rng,
  options: SbxOptions = defaultSbxOptions,
): void {
  const d = layout.dimension;
  for (let j = 0; j < d; j++) {
    childA[j] = parentA[j]!;
    childB[j] = parentB[j]!;
  }
  if (!(rng.uniform() < options.probability)) return;
  const eta1 = options.eta + 1;
  const exponent = 1 / eta1;
  const pVar = options.variableProbability;
  const pExchange = options.exchangeProbability;
  const real = layout.real;
  for (let k = 0; k < real.length; k++) {
    if (!(rng.uniform() < pVar)) continue;
    const j = real[k]!;
    const a = parentA[j]!;
    const b = parentB[j]!;
    const y1 = Math.min(a, b);
    const y2 = Math.max(a, b);
    const delta = y2 - y1;
    if (delta <= TOO_CLOSE) continue;
    const u = rng.uniform();
    const c1 = Math.min(
      1,
      Math.max(0, 0.5 * (y1 + y2 - spread(1 + (2 * y1) / delta, u, exponent, eta1) * delta)),
    );
    const c2 = Math.min(
      1,
      Math.max(0, 0.5 * (y1 + y2 + spread(1 + (2 * (1 - y2)) / delta, u, exponent, eta1) * delta)),
    );
    // pymoo 0.6.1: the lower child goes to the first slot unless exchanged, whatever the parents' order.
    if (rng.uniform() < pExchange) {
      childA[j] = c2;
      childB[j] = c1;
    } else {
      childA[j] = c1;
      childB[j] = c2;
    }
  }
  for (const block of layout.blocks) {
    if (!(rng.uniform() < 0.5)) continue;
    for (let k = 0; k < block.length; k++) {
      const j = block[k]!;
      childA[j] = parentB[j]!;
      childB[j] = parentA[j]!;
    }
  }
}
