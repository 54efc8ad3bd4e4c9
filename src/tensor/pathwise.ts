/**
 * Pathwise posterior samples (`gp/pathwise.ts`) evaluated in float32 on a TensorFlow.js backend,
 * from the float64 sampler's features and draws: for q points P (q x d) and S samples,
 *
 *   Φ = sqrt(2 s / F) cos(P Ω + b)        q x F   (Ω, b: the sampler's frequencies and phases)
 *   K = s k(r²(P, X))                      q x n   (r² by one matmul on centred, scaled inputs)
 *   f = yMean + yStd (c + Φ W + K V)       q x S   (W, V: the draws' weights and update)
 *
 * the float64 formulas, so the values agree up to float32 rounding: the cosine's argument ω·x
 * carries a relative error near 1e-7 of its size, and r² is formed as |a|² + |b|² − 2 a·b on inputs
 * centred at the training mean (as `tensor/posterior.ts`).
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import type { PathwiseDraws, PathwiseSampler } from '../gp/pathwise.js';
import type { Matrix } from '../linalg/matrix.js';
import type { TensorRuntime } from './backend.js';

/** Points per backend call: bounds the q x (F + n) intermediates. */
const BLOCK = 1024;

function f32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

/**
 * The values of S pathwise samples of one GP at points, on a TensorFlow.js backend. Holds the
 * constants (frequencies, scaled training inputs, weights) as tensors until `dispose()`.
 */
export class TensorPathwiseEvaluator {
  private readonly runtime: TensorRuntime;
  private readonly sampler: PathwiseSampler;
  private readonly draws: PathwiseDraws;
  private readonly omega: Tensor2D;
  private readonly phases: Tensor2D;
  private readonly weights: Tensor2D;
  private readonly update: Tensor2D | null;
  /** n x d: (X − centre) / ℓ; 1 x n: its squared row norms. */
  private readonly scaled: Tensor2D | null;
  private readonly scaledNorm: Tensor2D | null;
  /** The centre and 1 / ℓ, as 1 x d. */
  private readonly centre: Float64Array;
  private readonly invLength: Float64Array;
  private disposed = false;

  constructor(runtime: TensorRuntime, sampler: PathwiseSampler, draws: PathwiseDraws) {
    const tf = runtime.tf;
    this.runtime = runtime;
    this.sampler = sampler;
    this.draws = draws;
    const it = sampler.model.internals;
    const n = it.X.rows;
    const d = it.X.cols;
    const F = sampler.features;
    const S = draws.count;
    if (draws.weights.length !== F * S || draws.update.length !== n * S) {
      throw new RangeError('TensorPathwiseEvaluator: draws were not made by this sampler (shapes differ)');
    }
    this.centre = new Float64Array(d);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < d; k++) this.centre[k] = this.centre[k]! + it.X.data[i * d + k]! / n;
    this.invLength = Float64Array.from(it.lengthscales, (l) => 1 / l);
    // Phases absorb ω·centre: cos(ω·p + b) = cos(ω·(p − centre) + (b + ω·centre)), which keeps the
    // float32 argument small.
    const phases = Float64Array.from(sampler.phases);
    for (let k = 0; k < d; k++) {
      const c = this.centre[k]!;
      for (let f = 0; f < F; f++) phases[f] = phases[f]! + c * sampler.frequencies[k * F + f]!;
    }
    this.omega = tf.tensor2d(f32(sampler.frequencies), [d, F]);
    this.phases = tf.tensor2d(f32(phases), [1, F]);
    this.weights = tf.tensor2d(f32(draws.weights), [F, S]);
    if (n > 0) {
      const Z = new Float32Array(n * d);
      const norm = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) {
          const z = (it.X.data[i * d + k]! - this.centre[k]!) * this.invLength[k]!;
          Z[i * d + k] = z;
          s += z * z;
        }
        norm[i] = s;
      }
      this.scaled = tf.tensor2d(Z, [n, d]);
      this.scaledNorm = tf.tensor2d(norm, [1, n]);
      this.update = tf.tensor2d(f32(draws.update), [n, S]);
    } else {
      this.scaled = null;
      this.scaledNorm = null;
      this.update = null;
    }
  }

  /** The samples' values at `points` (q x d): q x S row-major, user's scale, float64 holding float32 values. */
  async evaluate(points: Matrix): Promise<Float64Array> {
    if (this.disposed) throw new Error('TensorPathwiseEvaluator: used after dispose()');
    const tf = this.runtime.tf;
    const it = this.sampler.model.internals;
    const d = it.X.cols;
    if (points.rows > 0 && points.cols !== d) {
      throw new RangeError(
        `TensorPathwiseEvaluator.evaluate: points have ${points.cols} columns, expected d = ${d}`,
      );
    }
    const q = points.rows;
    const S = this.draws.count;
    const out = new Float64Array(q * S);
    const amplitude = this.sampler.amplitude;
    const SQRT5 = Math.sqrt(5);
    const SQRT3 = Math.sqrt(3);
    for (let a0 = 0; a0 < q; a0 += BLOCK) {
      const b = Math.min(BLOCK, q - a0);
      const shifted = new Float32Array(b * d);
      const scaled = new Float32Array(b * d);
      for (let a = 0; a < b; a++) {
        for (let k = 0; k < d; k++) {
          const v = points.data[(a0 + a) * d + k]! - this.centre[k]!;
          shifted[a * d + k] = v;
          scaled[a * d + k] = v * this.invLength[k]!;
        }
      }
      const values = tf.tidy(() => {
        const P = tf.tensor2d(shifted, [b, d]);
        const phi = tf.mul(amplitude, tf.cos(tf.add(tf.matMul(P, this.omega), this.phases)));
        let f = tf.matMul(phi, this.weights);
        if (this.scaled !== null && this.scaledNorm !== null && this.update !== null) {
          const Z = tf.tensor2d(scaled, [b, d]);
          const zNorm = tf.sum(tf.square(Z), 1, true);
          const r2 = tf.relu(
            tf.sub(tf.add(zNorm, this.scaledNorm), tf.mul(2, tf.matMul(Z, this.scaled, false, true))),
          );
          let k: ReturnType<typeof tf.exp>;
          if (it.kernel === 'rbf') k = tf.exp(tf.mul(-0.5, r2));
          else if (it.kernel === 'matern52') {
            const u = tf.mul(SQRT5, tf.sqrt(r2));
            k = tf.mul(tf.add(tf.add(1, u), tf.div(tf.square(u), 3)), tf.exp(tf.neg(u)));
          } else {
            const u = tf.mul(SQRT3, tf.sqrt(r2));
            k = tf.mul(tf.add(1, u), tf.exp(tf.neg(u)));
          }
          f = tf.add(f, tf.matMul(tf.mul(it.outputscale, k), this.update));
        }
        return tf.add(it.yMean, tf.mul(it.yStd, tf.add(it.mean, f)));
      });
      out.set(await values.data(), a0 * S);
      values.dispose();
    }
    return out;
  }

  /** Frees the backend's copies of the constants. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.omega, this.phases, this.weights, this.update, this.scaled, this.scaledNorm])
      t?.dispose();
  }
}
