/**
 * Joint posterior samples at many q-batches at once, in float32 on a TensorFlow.js backend, fed
 * with the float64 cached root of a `JointSampler` (src/acquisition/posterior.ts), which is computed
 * once per acquisition. Per output, for B batches of q candidates (R = B q rows):
 *
 *   K_XD = k(X, D)                              R x n   (scaled, centred inputs: r^2 by one matmul)
 *   mu   = yMean + yStd (c + K_XD alpha)
 *   V    = K_XD L^{-T}                           R x n   (L^{-1} precomputed in float64)
 *   S_b  = s^2 (k(X_b, X_b) - V_b V_b^T) - A_b A_b^T   per batch, with
 *   A    = s^2 (k(X, B) - V VB) Lb^{-T}         R x nb  (the baseline cross term)
 *   f    = mu + s^2 (k(X, B) - V VB) W + chol(S_b) z
 *
 * exactly the float64 sampler's formulas, so the same base samples give the same samples up to
 * float32 rounding. Differentiable in X by tfjs's autodiff (the kernel profiles have their
 * derivative in r^2 written out, so Matérn kernels have no infinite slope at r = 0).
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { CachedRoot } from '../acquisition/spec.js';
import type { KernelKind } from '../gp/kernels.js';
import { lowerInverse } from '../linalg/triangular.js';
import type { TensorFlow } from './backend.js';

/** Float32 cannot resolve posterior variances much below this fraction of the prior variance. */
const FLOAT32_MIN_VARIANCE = 1e-6;

/** (L^{-1})^T of an n x n lower factor, row-major: what a row-vector product `k L^{-T}` needs. */
function inverseTransposeOfLower(L: Float64Array, n: number): Float64Array {
  const inv = lowerInverse(L, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[j * n + i] = inv[i * n + j]!;
  return out;
}

/** A kernel profile k(r^2) with its derivative in r^2 (so tfjs never differentiates a sqrt at 0). */
function profileOp(tf: TensorFlow, kind: KernelKind): (r2: Tensor) => Tensor {
  const SQRT5 = Math.sqrt(5);
  const SQRT3 = Math.sqrt(3);
  // customGrad's typing takes inputs and the save function as one rest list.
  const op = (r2: Tensor, save: (t: Tensor[]) => void) => {
    save([r2]);
    let value: Tensor;
    if (kind === 'rbf') value = tf.exp(tf.mul(-0.5, r2));
    else if (kind === 'matern52') {
      const u = tf.mul(SQRT5, tf.sqrt(r2));
      value = tf.mul(tf.add(tf.add(1, u), tf.div(tf.square(u), 3)), tf.exp(tf.neg(u)));
    } else {
      const u = tf.mul(SQRT3, tf.sqrt(r2));
      value = tf.mul(tf.add(1, u), tf.exp(tf.neg(u)));
    }
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const x = saved[0]!;
        let dv: Tensor;
        if (kind === 'rbf') dv = tf.mul(-0.5, tf.exp(tf.mul(-0.5, x)));
        else if (kind === 'matern52') {
          const u = tf.mul(SQRT5, tf.sqrt(x));
          dv = tf.mul(tf.mul(-5 / 6, tf.add(1, u)), tf.exp(tf.neg(u)));
        } else {
          dv = tf.mul(-1.5, tf.exp(tf.mul(-SQRT3, tf.sqrt(x))));
        }
        return [tf.mul(dy, dv)];
      },
    };
  };
  return tf.customGrad(op as unknown as Parameters<TensorFlow['customGrad']>[0]) as unknown as (
    r2: Tensor,
  ) => Tensor;
}

/** One output's constants on the backend. */
interface OutputTensors {
  readonly profile: (r2: Tensor) => Tensor;
  /** d: the centre subtracted before scaling, and 1 / lengthscale. */
  readonly centre: Tensor;
  readonly invLength: Tensor;
  readonly outputscale: number;
  /** n x d and 1 x n: scaled training inputs and their squared norms. */
  readonly Zd: Tensor2D | null;
  readonly zdNorm: Tensor | null;
  /** n x 1: yStd alpha; and the mean's constant yMean + yStd c. */
  readonly alpha: Tensor2D | null;
  readonly meanConstant: number;
  /** n x n: L^{-T}. */
  readonly LinvT: Tensor2D | null;
  /** s^2 = yStd^2. */
  readonly s2: number;
  /** nb x d, 1 x nb: scaled baseline inputs and their norms; n x nb: VB; nb x nb: Lb^{-T}; nb x N: W. */
  readonly Zb: Tensor2D | null;
  readonly zbNorm: Tensor | null;
  readonly VB: Tensor2D | null;
  readonly LbInvT: Tensor2D | null;
  readonly W: Tensor2D | null;
  /** The variance floor on the user's scale. */
  readonly floor: number;
}

/** Float32 joint sampler over a fixed cached root. `dispose()` frees its tensors. */
export class TensorSampler {
  readonly samples: number;
  readonly d: number;
  readonly outputs: number;
  private readonly tf: TensorFlow;
  private readonly out: OutputTensors[];
  private readonly z = new Map<number, Tensor2D[]>();
  private readonly root: (q: number) => CachedRoot;

  constructor(tf: TensorFlow, root: (q: number) => CachedRoot) {
    this.tf = tf;
    this.root = root;
    const r = root(1);
    this.samples = r.samples;
    this.d = r.d;
    this.outputs = r.outputs.length;
    const d = r.d;
    const nb = r.nb;
    const N = r.samples;
    this.out = r.outputs.map(({ gp, VB, Lb, W }) => {
      const n = gp.X.rows;
      const centre = new Float64Array(d);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < d; j++) centre[j] = centre[j]! + gp.X.data[i * d + j]! / n;
      const inv = Float64Array.from(gp.lengthscales, (l) => 1 / l);
      const scale = (X: Float64Array, rows: number): Float64Array => {
        const Z = new Float64Array(rows * d);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < d; j++) Z[i * d + j] = (X[i * d + j]! - centre[j]!) * inv[j]!;
        }
        return Z;
      };
      const norms = (Z: Float64Array, rows: number): Float32Array => {
        const v = new Float32Array(rows);
        for (let i = 0; i < rows; i++) {
          let t = 0;
          for (let j = 0; j < d; j++) t += Z[i * d + j]! * Z[i * d + j]!;
          v[i] = t;
        }
        return v;
      };
      const Zd = n > 0 ? scale(gp.X.data, n) : null;
      const Zb = nb > 0 ? scale(r.baselineX, nb) : null;
      const priorVariance = gp.outputscale * gp.yStd * gp.yStd;
      return {
        profile: profileOp(tf, gp.kernel),
        centre: tf.tensor1d(Float32Array.from(centre)),
        invLength: tf.tensor1d(Float32Array.from(inv)),
        outputscale: gp.outputscale,
        Zd: Zd ? tf.tensor2d(Float32Array.from(Zd), [n, d]) : null,
        zdNorm: Zd ? tf.tensor2d(norms(Zd, n), [1, n]) : null,
        alpha:
          n > 0
            ? tf.tensor2d(
                Float32Array.from(gp.alpha, (a) => gp.yStd * a),
                [n, 1],
              )
            : null,
        meanConstant: gp.yMean + gp.yStd * gp.mean,
        LinvT: n > 0 ? tf.tensor2d(Float32Array.from(inverseTransposeOfLower(gp.L, n)), [n, n]) : null,
        s2: gp.yStd * gp.yStd,
        Zb: Zb ? tf.tensor2d(Float32Array.from(Zb), [nb, d]) : null,
        zbNorm: Zb ? tf.tensor2d(norms(Zb, nb), [1, nb]) : null,
        VB: nb > 0 && n > 0 ? tf.tensor2d(Float32Array.from(VB), [n, nb]) : null,
        LbInvT: nb > 0 ? tf.tensor2d(Float32Array.from(inverseTransposeOfLower(Lb, nb)), [nb, nb]) : null,
        W: nb > 0 ? tf.tensor2d(Float32Array.from(W), [nb, N]) : null,
        floor: Math.max(r.minVariance, FLOAT32_MIN_VARIANCE) * priorVariance,
      };
    });
  }

  /** Per output, `q x N`: the candidates' base samples (the float64 sampler's, transposed). */
  private baseSamples(q: number): Tensor2D[] {
    let z = this.z.get(q);
    if (!z) {
      const { z: flat } = this.root(q);
      const N = this.samples;
      const M = this.outputs;
      z = [];
      for (let o = 0; o < M; o++) {
        const zo = new Float32Array(q * N);
        for (let s = 0; s < N; s++) for (let a = 0; a < q; a++) zo[a * N + s] = flat[s * M * q + o * q + a]!;
        // Created lazily, possibly inside a tidy: kept until dispose().
        z.push(this.tf.keep(this.tf.tensor2d(zo, [q, N])));
      }
      this.z.set(q, z);
    }
    return z;
  }

  /** k(Z1, Z2) for scaled rows: r^2 = |z1|^2 + |z2|^2 - 2 z1 z2^T (clamped at 0), then the profile. */
  private cross(o: OutputTensors, Z: Tensor2D, zNorm: Tensor, Z2: Tensor2D, z2Norm: Tensor): Tensor2D {
    const tf = this.tf;
    const r2 = tf.relu(tf.sub(tf.add(zNorm, z2Norm), tf.mul(2, tf.matMul(Z, Z2, false, true))));
    return tf.mul(o.outputscale, o.profile(r2)) as Tensor2D;
  }

  /**
   * Samples at B batches of q points, `X` of shape `[B, q, d]`: one tensor per output, each
   * `[B, q, N]`.
   */
  sample(X: Tensor): Tensor[] {
    const tf = this.tf;
    const [B, q, d] = X.shape as [number, number, number];
    const R = B * q;
    const N = this.samples;
    const z = this.baseSamples(q);
    const Xf = tf.reshape(X, [R, d]);
    return this.out.map((o, index) => {
      const Z = tf.mul(tf.sub(Xf, o.centre), o.invLength) as Tensor2D;
      const zNorm = tf.sum(tf.square(Z), 1, true);
      // Batch covariance from the kernel among each batch's points.
      const Zq = tf.reshape(Z, [B, q, d]);
      const nq = tf.reshape(zNorm, [B, q, 1]);
      const r2q = tf.relu(
        tf.sub(tf.add(nq, tf.transpose(nq, [0, 2, 1])), tf.mul(2, tf.matMul(Zq, Zq, false, true))),
      );
      let S = tf.mul(o.s2 * o.outputscale, o.profile(r2q));
      let mean: Tensor = tf.fill([R, 1], o.meanConstant);
      let V: Tensor2D | null = null;
      if (o.Zd && o.zdNorm && o.alpha && o.LinvT) {
        const K = this.cross(o, Z, zNorm, o.Zd, o.zdNorm);
        mean = tf.add(mean, tf.matMul(K, o.alpha));
        V = tf.matMul(K, o.LinvT) as Tensor2D;
        const Vq = tf.reshape(V, [B, q, -1]);
        S = tf.sub(S, tf.mul(o.s2, tf.matMul(Vq, Vq, false, true)));
      }
      let f: Tensor = mean;
      if (o.Zb && o.zbNorm && o.LbInvT && o.W) {
        let SXB: Tensor2D = this.cross(o, Z, zNorm, o.Zb, o.zbNorm);
        if (V && o.VB) SXB = tf.sub(SXB, tf.matMul(V, o.VB)) as Tensor2D;
        SXB = tf.mul(o.s2, SXB) as Tensor2D;
        const A = tf.reshape(tf.matMul(SXB, o.LbInvT), [B, q, -1]);
        S = tf.sub(S, tf.matMul(A, A, false, true));
        f = tf.add(f, tf.matMul(SXB, o.W));
      } else {
        f = tf.add(f, tf.zeros([R, N]));
      }
      const L = this.factor(S, B, q, o.floor);
      return tf.reshape(tf.add(f, tf.matMul(L, z[index]!)), [B, q, N]);
    });
  }

  /** The lower factor of each `q x q` block of S (`[B, q, q]`), as `[B q, q]` rows. */
  private factor(S: Tensor, B: number, q: number, floor: number): Tensor2D {
    const tf = this.tf;
    if (q === 1) return tf.sqrt(tf.add(floor, tf.relu(tf.sub(tf.reshape(S, [B, 1]), floor)))) as Tensor2D;
    const flat = tf.reshape(S, [B, q * q]);
    // Entries by slice (unstack's gradient fails for the unused upper triangle).
    const entries = Array.from({ length: q * q }, (_, p) => tf.reshape(tf.slice(flat, [0, p], [B, 1]), [B]));
    const L: Tensor[][] = [];
    const zero = tf.zeros([B]);
    for (let i = 0; i < q; i++) L.push(new Array<Tensor>(q).fill(zero));
    for (let j = 0; j < q; j++) {
      let pivot = entries[j * q + j]!;
      for (let k = 0; k < j; k++) pivot = tf.sub(pivot, tf.square(L[j]![k]!));
      const ljj = tf.sqrt(tf.add(floor, tf.relu(tf.sub(pivot, floor))));
      L[j]![j] = ljj;
      for (let i = j + 1; i < q; i++) {
        let v = entries[i * q + j]!;
        for (let k = 0; k < j; k++) v = tf.sub(v, tf.mul(L[i]![k]!, L[j]![k]!));
        L[i]![j] = tf.div(v, ljj);
      }
    }
    // rows (b, a): [L_a0 .. L_a(q-1)] of batch b.
    const rows = tf.stack(
      L.map((row) => tf.stack(row, 1)),
      1,
    );
    return tf.reshape(rows, [B * q, q]) as Tensor2D;
  }

  dispose(): void {
    for (const o of this.out) {
      for (const t of [
        o.centre,
        o.invLength,
        o.Zd,
        o.zdNorm,
        o.alpha,
        o.LinvT,
        o.Zb,
        o.zbNorm,
        o.VB,
        o.LbInvT,
        o.W,
      ]) {
        t?.dispose();
      }
    }
    for (const list of this.z.values()) for (const t of list) t.dispose();
    this.z.clear();
  }
}
