/**
 * Baseline pruning for qNEHVI (as BoTorch's `prune_inferior_points_multi_objective`, Daulton et
 * al. 2021): keep the baseline points that are Pareto optimal (and strictly better than the
 * reference point, and feasible) in a sampled posterior often enough. Points that never are add
 * boxes and cost to every sample's decomposition without changing the value much.
 */
import { type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { JointSampler, type PosteriorSource } from './joint-sampler.js';

/** Options of `pruneInferiorPointsMultiObjective`. */
export interface PruneOptions {
  /** Joint posterior samples drawn at the baseline (default 512). */
  readonly samples?: number;
  readonly seed?: number;
  /** Keep points whose probability of being Pareto optimal exceeds this (default 0). */
  readonly minProbability?: number;
  /** Keep at most this many points, the most probable first (default all). */
  readonly maxPoints?: number;
  /** Constraint GPs: a sample counts a point only when all its constraints are <= 0. */
  readonly constraints?: readonly PosteriorSource[];
}

/**
 * Indices (ascending) of the rows of `X` (`n x d`) worth keeping in a qNEHVI baseline, with the
 * estimated probability of each row being on the (feasible) sampled Pareto front below
 * `reference` (minimization).
 */
export function pruneInferiorPointsMultiObjective(
  objectives: readonly PosteriorSource[],
  X: MatrixLike,
  reference: ArrayLike<number>,
  options: PruneOptions = {},
): { indices: Int32Array; probability: Float64Array } {
  const m = objectives.length;
  if (reference.length !== m) {
    throw new RangeError(
      `pruneInferiorPointsMultiObjective: reference has length ${reference.length}, expected m = ${m}`,
    );
  }
  const constraints = options.constraints ?? [];
  const c = constraints.length;
  const M = m + c;
  const P = toMatrix(X, 'pruneInferiorPointsMultiObjective: X');
  const n = P.rows;
  const N = options.samples ?? 512;
  const probability = new Float64Array(n);
  if (n === 0) return { indices: new Int32Array(0), probability };
  const sampler = new JointSampler([...objectives, ...constraints], {
    samples: N,
    seed: options.seed ?? 0,
    baseline: P,
  });
  const F = sampler.baselineSamples();
  const ok = new Uint8Array(n);
  for (let s = 0; s < N; s++) {
    const o = s * n * M;
    for (let i = 0; i < n; i++) {
      let good = true;
      for (let j = 0; j < m && good; j++) if (!(F[o + i * M + j]! < reference[j]!)) good = false;
      for (let k = 0; k < c && good; k++) if (F[o + i * M + m + k]! > 0) good = false;
      ok[i] = good ? 1 : 0;
    }
    // O(n^2 m) per sample: n is the baseline size, small next to the EHVI work it saves.
    for (let i = 0; i < n; i++) {
      if (!ok[i]) continue;
      let dominated = false;
      for (let k = 0; k < n && !dominated; k++) {
        if (k === i || !ok[k]) continue;
        let all = true;
        let strict = false;
        for (let j = 0; j < m; j++) {
          const a = F[o + k * M + j]!;
          const b = F[o + i * M + j]!;
          if (a > b) {
            all = false;
            break;
          }
          if (a < b) strict = true;
        }
        // Ties keep the lower index only.
        if (all && (strict || k < i)) dominated = true;
      }
      if (!dominated) probability[i] = probability[i]! + 1;
    }
  }
  for (let i = 0; i < n; i++) probability[i] = probability[i]! / N;
  const minP = options.minProbability ?? 0;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (probability[i]! > minP) order.push(i);
  order.sort((a, b) => probability[b]! - probability[a]! || a - b);
  const kept = order.slice(0, options.maxPoints ?? n).sort((a, b) => a - b);
  return { indices: Int32Array.from(kept), probability };
}
