/**
 * What a float64 acquisition function hands to a re-implementation of its value on another backend
 * (the float32 TensorFlow.js kernels of `src/tensor`): its sampler (with the cached root of the
 * baseline), its sample kernel's parameters, and the rows it appends to every batch. The float64
 * classes stay the reference: the other backend reads these fields and never changes them.
 */

import type { GpInternals } from '../gp/model.js';
import type { SampleBoxes } from './hvi-kernel.js';

/** The cached root of a `JointSampler` (see its comment) and the base samples of a q-batch. */
export interface CachedRoot {
  readonly samples: number;
  readonly d: number;
  /** Baseline points nb (observed points kept after pruning, then pending ones). */
  readonly nb: number;
  /** nb x d. */
  readonly baselineX: Float64Array;
  /** Per output (objectives, then constraints). */
  readonly outputs: readonly {
    readonly gp: GpInternals;
    /** n x nb: L^{-1} K(D, B). */
    readonly VB: Float64Array;
    /** nb x nb: lower factor of the baseline's posterior covariance. */
    readonly Lb: Float64Array;
    /** nb x samples: Lb^{-T} z_B. */
    readonly W: Float64Array;
  }[];
  /** samples x M x q: the candidates' base samples for this q. */
  readonly z: Float64Array;
  /** Posterior variances are floored at this times the prior variance. */
  readonly minVariance: number;
}

/** Sampler access the spec needs. */
export interface RootSource {
  readonly samples: number;
  readonly d: number;
  readonly outputs: number;
  cachedRoot(q: number): CachedRoot;
}

/** The parameters of an acquisition function's sample kernel. */
export interface AcquisitionSpec {
  /** Hypervolume improvement (qEHVI, qNEHVI, qLogNEHVI) or scalarized noisy EI (qNParEGO). */
  readonly family: 'hypervolume' | 'parego';
  /** Log space with fat-tailed smoothing (qLogNEHVI, qLogNEI), or the plain expectation. */
  readonly log: boolean;
  readonly sampler: RootSource;
  /** Objectives m; constraints c (outputs m .. m + c of the sampler). */
  readonly m: number;
  readonly c: number;
  /** Feasibility temperature: one, or one per constraint. */
  readonly eta: Float64Array;
  /** Feasibility by the fat-tailed sigmoid (true) or the logistic one. */
  readonly fat: boolean;
  readonly tauRelu: number;
  readonly tauMax: number;
  /** Rows (`pendingRows x d`) appended to every batch (qEHVI's and qNParEGO's pending points). */
  readonly pending: Float64Array;
  readonly pendingRows: number;
  /** Hypervolume: one box set for every sample, or one per sample. */
  readonly boxes?: SampleBoxes;
  /** qNParEGO: the augmented Chebyshev scalarization and each sample's best baseline value. */
  readonly scalarization?: {
    readonly weights: Float64Array;
    readonly lower: Float64Array;
    readonly invRange: Float64Array;
    readonly rho: number;
  };
  readonly best?: Float64Array;
}

/** An acquisition function that can describe itself to another backend. */
export interface SpecSource {
  spec(): AcquisitionSpec;
}
