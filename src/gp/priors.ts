/**
 * Priors on GP hyperparameters, with their log densities and the gradients the MAP fit needs.
 *
 * Convention (the same as GPyTorch, hence BoTorch): a prior is a density on the natural parameter θ
 * (a lengthscale, the outputscale, the noise variance), evaluated at θ = e^η while the optimizer moves
 * η = log θ. Its gradient in η is the chain rule ∂/∂η = θ ∂/∂θ. The change-of-variables term
 * log |dθ/dη| = η is deliberately not added: adding it would make the MAP the mode of the density of
 * η (for LogNormal(μ, σ) that moves the mode from e^{μ−σ²} to e^{μ}) and our fits would no longer
 * match BoTorch's. `priorLogDensityOfLog` gives the density of η (with the Jacobian) for anyone who
 * wants it.
 */

/** LogNormal(loc, scale): log θ ~ Normal(loc, scale²). */
export interface LogNormalPrior {
  readonly kind: 'lognormal';
  readonly loc: number;
  readonly scale: number;
}

/** Gamma(concentration a, rate b): density b^a θ^{a−1} e^{−bθ} / Γ(a). */
export interface GammaPrior {
  readonly kind: 'gamma';
  readonly concentration: number;
  readonly rate: number;
}

export type Prior = LogNormalPrior | GammaPrior;

/** The priors of one GP. A null outputscale prior means no outputscale (fixed at 1). */
export interface GpPriors {
  readonly lengthscale: Prior;
  /** null: the kernel has no outputscale (s = 1), as in BoTorch's dimension-scaled default. */
  readonly outputscale: Prior | null;
  /** Prior on the (learned) noise variance; ignored when the noise is fixed per point. */
  readonly noise: Prior;
}

export type PriorName = 'dimension-scaled' | 'gamma';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Hvarfner, Hellsten, Nardi 2024 ("Vanilla Bayesian optimization performs great in high dimensions"),
 * as BoTorch's current default (`get_covar_module_with_dim_scaled_prior` and
 * `get_gaussian_likelihood_with_lognormal_prior` in botorch/models/utils/gpytorch_modules.py):
 * lengthscales LogNormal(√2 + log(d)/2, √3) with ℓ ≥ 0.025, no outputscale, noise LogNormal(−4, 1)
 * with noise ≥ 1e-4 (MIN_INFERRED_NOISE_LEVEL); initial values at the priors' modes.
 */
export function dimensionScaledPriors(d: number): GpPriors {
  if (!Number.isInteger(d) || d < 1) {
    throw new RangeError(`dimensionScaledPriors: d is ${d}, expected a positive integer`);
  }
  return {
    lengthscale: { kind: 'lognormal', loc: Math.SQRT2 + 0.5 * Math.log(d), scale: Math.sqrt(3) },
    outputscale: null,
    noise: { kind: 'lognormal', loc: -4, scale: 1 },
  };
}

/**
 * BoTorch's earlier default (`get_matern_kernel_with_gamma_prior`,
 * `get_gaussian_likelihood_with_gamma_prior`): Matérn-5/2 lengthscales Gamma(3, 6), ScaleKernel
 * outputscale Gamma(2, 0.15), noise Gamma(1.1, 0.05) with noise ≥ 1e-4.
 */
export function gammaPriors(): GpPriors {
  return {
    lengthscale: { kind: 'gamma', concentration: 3, rate: 6 },
    outputscale: { kind: 'gamma', concentration: 2, rate: 0.15 },
    noise: { kind: 'gamma', concentration: 1.1, rate: 0.05 },
  };
}

/** The priors called `name` for inputs of dimension d. */
export function namedPriors(name: PriorName, d: number): GpPriors {
  if (name === 'dimension-scaled') return dimensionScaledPriors(d);
  if (name === 'gamma') return gammaPriors();
  throw new TypeError(
    `namedPriors: prior is ${JSON.stringify(name)}, expected 'dimension-scaled' or 'gamma'`,
  );
}

/** Lanczos approximation (g = 7, 9 terms) of log Γ(x) for x > 0; relative error ~1e-15. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log p(θ) of the natural parameter θ > 0 (−Infinity for θ ≤ 0). */
export function priorLogDensity(prior: Prior, theta: number): number {
  if (!(theta > 0)) return Number.NEGATIVE_INFINITY;
  const lt = Math.log(theta);
  if (prior.kind === 'lognormal') {
    const z = (lt - prior.loc) / prior.scale;
    return -lt - Math.log(prior.scale) - LOG_SQRT_2PI - 0.5 * z * z;
  }
  const a = prior.concentration;
  const b = prior.rate;
  return a * Math.log(b) - logGamma(a) + (a - 1) * lt - b * theta;
}

/**
 * log p(θ) at θ = e^η and its derivative with respect to η (θ ∂ log p/∂θ), with no Jacobian term
 * (see the module comment). Returns [value, derivative].
 */
export function priorTermAtLog(prior: Prior, eta: number): [number, number] {
  if (prior.kind === 'lognormal') {
    const s2 = prior.scale * prior.scale;
    const z = (eta - prior.loc) / prior.scale;
    return [-eta - Math.log(prior.scale) - LOG_SQRT_2PI - 0.5 * z * z, -1 - (eta - prior.loc) / s2];
  }
  const a = prior.concentration;
  const b = prior.rate;
  const theta = Math.exp(eta);
  return [a * Math.log(b) - logGamma(a) + (a - 1) * eta - b * theta, a - 1 - b * theta];
}

/** The density of η = log θ itself: log p(e^η) + η (with the change-of-variables Jacobian). */
export function priorLogDensityOfLog(prior: Prior, eta: number): number {
  return priorTermAtLog(prior, eta)[0] + eta;
}

/** The mode of the prior on θ: e^{μ−σ²} (log-normal) or (a − 1)/b (gamma, a ≥ 1; else 0). */
export function priorMode(prior: Prior): number {
  if (prior.kind === 'lognormal') return Math.exp(prior.loc - prior.scale * prior.scale);
  return Math.max(prior.concentration - 1, 0) / prior.rate;
}

export function validatePrior(prior: Prior, where: string): void {
  if (prior.kind === 'lognormal') {
    if (!Number.isFinite(prior.loc) || !(prior.scale > 0) || !Number.isFinite(prior.scale)) {
      throw new RangeError(
        `${where}: LogNormal prior has loc ${prior.loc}, scale ${prior.scale}; expected a finite loc and scale > 0`,
      );
    }
    return;
  }
  if (prior.kind === 'gamma') {
    if (
      !(prior.concentration > 0) ||
      !(prior.rate > 0) ||
      !Number.isFinite(prior.concentration + prior.rate)
    ) {
      throw new RangeError(
        `${where}: Gamma prior has concentration ${prior.concentration}, rate ${prior.rate}; expected both finite and > 0`,
      );
    }
    return;
  }
  throw new TypeError(
    `${where}: prior kind is ${JSON.stringify((prior as { kind: unknown }).kind)}, expected 'lognormal' or 'gamma'`,
  );
}
