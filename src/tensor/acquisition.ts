/**
 * The Monte Carlo acquisition functions in float32 on a TensorFlow.js backend, for many q-batches at
 * once, with gradients from tfjs's autodiff. A `TensorAcquisition` wraps a float64 acquisition
 * (`QEhvi`, `QNehvi`, `QLogNehvi`, `QNParEgo`): it reads the float64 object's cached root, boxes and
 * parameters once (`spec()`), and computes the same value by the same formulas; the float64 class
 * is the reference the shared backend test suite checks it against.
 *
 * Work per call is B batches x N samples x K boxes x (2^q - 1) subsets x m objectives; calls are
 * cut into chunks of batches so that what autodiff keeps stays under `maxElements`.
 *
 * Reads back with `await data()`: the WebGPU backend has no synchronous read in Node.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { SampleBoxes } from '../acquisition/hvi-kernel.js';
import type { AcquisitionSpec, SpecSource } from '../acquisition/spec.js';
import type { BoxSet } from '../pareto/partitioning.js';
import type { TensorFlow, TensorRuntime } from './backend.js';
import { TensorSampler } from './posterior.js';
import {
  FLOAT32_MINUS_INFINITY,
  fatmax,
  fatmin,
  fatminimum2,
  logDiffExp,
  logFatmoid,
  logFatplus,
} from './smooth.js';

/** Options of `TensorAcquisition`. */
export interface TensorAcquisitionOptions {
  /**
   * Float32 elements that one call may keep alive for the backward pass (default 2^26: 256 MiB);
   * calls are cut into chunks of batches under it.
   */
  readonly maxElements?: number;
}

/** One batch may not need more float32 intermediates than this (1 GiB; wasm has 4 GiB in all). */
const MAX_BATCH_ELEMENTS = 2 ** 28;

/** Box sets padded to one count K, per objective: lower, upper, log(upper - lower), and a mask. */
interface BoxTensors {
  /** Nb x K each (Nb = 1 for shared boxes, else N). */
  readonly lower: Tensor[];
  readonly upper: Tensor[];
  readonly logLength: Tensor[];
  /** Nb x K: true for real boxes. */
  readonly real: Tensor;
  readonly count: number;
}

function boxTensors(tf: TensorFlow, boxes: SampleBoxes, m: number): BoxTensors {
  const list: readonly BoxSet[] = Array.isArray(boxes) ? boxes : [boxes as BoxSet];
  const K = Math.max(1, ...list.map((b) => b.count));
  const Nb = list.length;
  const lower: Tensor[] = [];
  const upper: Tensor[] = [];
  const logLength: Tensor[] = [];
  const real = new Uint8Array(Nb * K);
  for (let s = 0; s < Nb; s++) real.fill(1, s * K, s * K + list[s]!.count);
  for (let j = 0; j < m; j++) {
    const lo = new Float32Array(Nb * K);
    const up = new Float32Array(Nb * K);
    const ll = new Float32Array(Nb * K);
    for (let s = 0; s < Nb; s++) {
      const b = list[s]!;
      for (let k = 0; k < b.count; k++) {
        const l = b.lower[k * m + j]!;
        const u = b.upper[k * m + j]!;
        lo[s * K + k] = l;
        up[s * K + k] = u;
        ll[s * K + k] = Math.log(u - l);
      }
      // Padding: empty boxes [0, 0] with a finite log length, masked out of the log kernels.
    }
    lower.push(tf.tensor2d(lo, [Nb, K]));
    upper.push(tf.tensor2d(up, [Nb, K]));
    logLength.push(tf.tensor2d(ll, [Nb, K]));
  }
  return { lower, upper, logLength, real: tf.tensor2d(real, [Nb, K], 'bool'), count: K };
}

/**
 * max(a, b) as a + relu(b - a): tfjs's own Maximum gradient does not reduce over broadcast
 * dimensions. With b = -Infinity it is a, with a zero gradient for b.
 */
function maximum(tf: TensorFlow, a: Tensor, b: Tensor): Tensor {
  return tf.add(a, tf.relu(tf.sub(b, a)));
}

/**
 * The q slices of `t` along axis 1, that axis dropped. By slice, not gather or unstack: gather's
 * gradient needs UnsortedSegmentSum, which the wasm backend lacks, and unstack's fails when a
 * slice is unused.
 */
function points(tf: TensorFlow, t: Tensor): Tensor[] {
  const q = t.shape[1]!;
  const size = t.shape.map((s, k) => (k === 1 ? 1 : s));
  return Array.from({ length: q }, (_, i) =>
    tf.squeeze(
      tf.slice(
        t,
        t.shape.map((_, k) => (k === 1 ? i : 0)),
        size,
      ),
      [1],
    ),
  );
}

/** The non-empty subsets of q points: their members, and whether their size is odd (inclusion-exclusion sign). */
function subsets(q: number): { members: number[]; odd: boolean }[] {
  const out: { members: number[]; odd: boolean }[] = [];
  for (let mask = 1; mask < 1 << q; mask++) {
    const members: number[] = [];
    for (let i = 0; i < q; i++) if (mask & (1 << i)) members.push(i);
    out.push({ members, odd: members.length % 2 === 1 });
  }
  return out;
}

/** A float64 acquisition function's value and gradient, in float32 on a tfjs backend. */
export class TensorAcquisition {
  readonly d: number;
  readonly spec: AcquisitionSpec;
  readonly runtime: TensorRuntime;
  private readonly tf: TensorFlow;
  private readonly sampler: TensorSampler;
  private readonly boxes: BoxTensors | null;
  private readonly pending: Tensor | null;
  private readonly best: Tensor | null;
  private readonly maxElements: number;
  private disposed = false;

  constructor(runtime: TensorRuntime, source: SpecSource, options: TensorAcquisitionOptions = {}) {
    this.runtime = runtime;
    const tf = runtime.tf;
    this.tf = tf;
    const spec = source.spec();
    this.spec = spec;
    this.maxElements = options.maxElements ?? 2 ** 26;
    this.sampler = new TensorSampler(tf, (q) => spec.sampler.cachedRoot(q));
    this.d = this.sampler.d;
    this.boxes = spec.family === 'hypervolume' && spec.boxes ? boxTensors(tf, spec.boxes, spec.m) : null;
    this.pending =
      spec.pendingRows > 0
        ? tf.tensor3d(Float32Array.from(spec.pending), [1, spec.pendingRows, this.d])
        : null;
    this.best = spec.best ? tf.tensor1d(Float32Array.from(spec.best)) : null;
  }

  /** Values at `b` batches of `q` points (`X`: `b x q x d`, flat). */
  async evaluate(X: Float64Array, b: number, q: number): Promise<Float64Array> {
    return this.run(X, b, q, null);
  }

  /** Values at `b` batches, and their gradients written to `gradX` (`b x q x d`). */
  async valueAndGradient(X: Float64Array, b: number, q: number, gradX: Float64Array): Promise<Float64Array> {
    return this.run(X, b, q, gradX);
  }

  /**
   * Float32 elements one q-batch keeps alive through the backward pass: every (subset, objective)
   * of the box kernel holds a few dozen `samples x boxes` intermediates (about 30 in log space,
   * each subset's members stacked), and the posterior a few per output.
   */
  elementsPerBatch(q: number): number {
    const spec = this.spec;
    const qAll = q + spec.pendingRows;
    const N = this.sampler.samples;
    const K = this.boxes?.count ?? 1;
    const subsets = 2 ** Math.min(qAll, 30) - 1;
    const box =
      spec.family === 'hypervolume'
        ? N * K * (qAll * spec.m * 8 + subsets * spec.m * (spec.log ? qAll + 30 : 6))
        : N * qAll * spec.m * 30;
    return box + N * qAll * this.sampler.outputs * 10;
  }

  /**
   * Batches per call to the backend for q points (at least one). Throws a `RangeError` that says
   * what to change when one batch alone would need more than `MAX_BATCH_ELEMENTS`.
   */
  chunkSize(q: number): number {
    const per = this.elementsPerBatch(q);
    if (per > MAX_BATCH_ELEMENTS) {
      const spec = this.spec;
      throw new RangeError(
        `TensorAcquisition: one batch of q + pending = ${q + spec.pendingRows} points needs about ${Math.round(per / 1e6)}M float32 ` +
          `intermediates (m = ${spec.m}, ${this.boxes?.count ?? 0} boxes, ${this.sampler.samples} samples), above ` +
          `${Math.round(MAX_BATCH_ELEMENTS / 1e6)}M: use the float64 backend, a smaller q or fewer samples`,
      );
    }
    return Math.max(1, Math.floor(this.maxElements / per));
  }

  private async run(
    X: Float64Array,
    b: number,
    q: number,
    gradX: Float64Array | null,
  ): Promise<Float64Array> {
    if (this.disposed) throw new Error('TensorAcquisition: used after dispose()');
    const d = this.d;
    if (!Number.isInteger(b) || b < 0)
      throw new RangeError(`TensorAcquisition: b is ${b}, expected an integer >= 0`);
    if (!Number.isInteger(q) || q < 1)
      throw new RangeError(`TensorAcquisition: q is ${q}, expected an integer >= 1`);
    if (X.length < b * q * d) {
      throw new RangeError(`TensorAcquisition: X has length ${X.length}, expected b x q x d = ${b * q * d}`);
    }
    if (gradX && gradX.length < b * q * d) {
      throw new RangeError(`TensorAcquisition: gradX has length ${gradX.length}, expected ${b * q * d}`);
    }
    const tf = this.tf;
    const values = new Float64Array(b);
    const chunk = this.chunkSize(q);
    for (let start = 0; start < b; start += chunk) {
      const rows = Math.min(chunk, b - start);
      const x = tf.tensor3d(Float32Array.from(X.subarray(start * q * d, (start + rows) * q * d)), [
        rows,
        q,
        d,
      ]);
      if (!gradX) {
        const v = tf.tidy(() => this.value(x));
        values.set(await v.data(), start);
        v.dispose();
      } else {
        const { value, grad } = tf.tidy(() =>
          tf.valueAndGrad((t: Tensor) => this.value(t))(x, tf.ones([rows])),
        );
        values.set(await value.data(), start);
        gradX.set(await grad.data(), start * q * d);
        value.dispose();
        grad.dispose();
      }
      x.dispose();
    }
    return values;
  }

  /** `[B]` values at `X` (`[B, q, d]`). */
  private value(X: Tensor): Tensor {
    const tf = this.tf;
    const spec = this.spec;
    const B = X.shape[0]!;
    const Xall = this.pending ? tf.concat([X, tf.tile(this.pending, [B, 1, 1])], 1) : X;
    const F = this.sampler.sample(Xall);
    const Y = F.slice(0, spec.m);
    const logW = spec.c > 0 ? this.logFeasibility(F.slice(spec.m)) : null;
    if (spec.family === 'parego') return this.nei(Y, logW);
    return spec.log ? this.logHvi(Y, logW) : this.hvi(Y, logW);
  }

  /** `[B, q, N]`: sum over constraints of log sigma(-c / eta). */
  private logFeasibility(C: Tensor[]): Tensor {
    const tf = this.tf;
    const { eta, fat } = this.spec;
    let total: Tensor | null = null;
    C.forEach((c, k) => {
      const x = tf.div(tf.neg(c), eta.length === 1 ? eta[0]! : eta[k]!);
      // log sigmoid(x) = -softplus(-x) (tf.logSigmoid's own gradient fails inside a tidy).
      const term = fat ? logFatmoid(tf, x) : tf.neg(tf.softplus(tf.neg(x)));
      total = total ? tf.add(total, term) : term;
    });
    return total!;
  }

  /** qEHVI / qNEHVI: mean over samples of the inclusion-exclusion sum over boxes and subsets. */
  private hvi(Y: Tensor[], logW: Tensor | null): Tensor {
    const tf = this.tf;
    const boxes = this.boxes!;
    const q = Y[0]!.shape[1]!;
    const m = this.spec.m;
    // y[j][i]: [B, N, 1] against boxes [Nb, K].
    const y = Y.map((t) => points(tf, tf.expandDims(t, 3)));
    const w = logW ? points(tf, tf.expandDims(tf.exp(logW), 3)) : null;
    let total: Tensor | null = null;
    for (const { members, odd } of subsets(q)) {
      let volume: Tensor | null = null;
      for (let j = 0; j < m; j++) {
        let worst: Tensor = y[j]![members[0]!]!;
        for (const i of members.slice(1)) worst = maximum(tf, worst, y[j]![i]!);
        const side = tf.relu(tf.sub(boxes.upper[j]!, maximum(tf, worst, boxes.lower[j]!)));
        volume = volume ? tf.mul(volume, side) : side;
      }
      let term = volume!;
      if (w) for (const i of members) term = tf.mul(term, w[i]!);
      const summed = tf.sum(term, 2);
      total = total ? (odd ? tf.add(total, summed) : tf.sub(total, summed)) : summed;
    }
    // total: [B, N]
    return tf.mean(total!, 1);
  }

  /** qLogNEHVI: log-space inclusion-exclusion with fat-tailed smoothing (see src/acquisition/log-hvi-kernel.ts). */
  private logHvi(Y: Tensor[], logW: Tensor | null): Tensor {
    const tf = this.tf;
    const boxes = this.boxes!;
    const { m, tauRelu, tauMax } = this.spec;
    const q = Y[0]!.shape[1]!;
    const N = this.sampler.samples;
    // lambda_j: [B, q, N, K] = log fatplus(u_j - y_j).
    const lambda = Y.map((t, j) =>
      points(tf, logFatplus(tf, tf.sub(boxes.upper[j]!, tf.expandDims(t, 3)), tauRelu)),
    );
    const lw = logW ? points(tf, tf.expandDims(logW, 3)) : null;
    const odd: Tensor[] = [];
    const even: Tensor[] = [];
    for (const { members, odd: isOdd } of subsets(q)) {
      let v: Tensor | null = null;
      for (let j = 0; j < m; j++) {
        const a =
          members.length === 1
            ? lambda[j]![members[0]!]!
            : fatmin(tf, tf.stack(members.map((i) => lambda[j]![i]!)), 0, tauMax);
        const capped = fatminimum2(tf, a, boxes.logLength[j]!, tauMax);
        v = v ? tf.add(v, capped) : capped;
      }
      if (lw) for (const i of members) v = tf.add(v!, lw[i]!);
      (isOdd ? odd : even).push(v!);
    }
    // Per box: logdiffexp(logsumexp over odd subsets, logsumexp over even ones); [B, N, K].
    const lseOdd = odd.length === 1 ? odd[0]! : tf.logSumExp(tf.stack(odd), 0);
    const perBox = even.length === 0 ? lseOdd : logDiffExp(tf, lseOdd, tf.logSumExp(tf.stack(even), 0));
    const masked = tf.where(boxes.real, perBox, tf.fill(perBox.shape, FLOAT32_MINUS_INFINITY));
    const perSample = tf.logSumExp(masked, 2);
    return tf.sub(tf.logSumExp(perSample, 1), Math.log(N));
  }

  /** qNParEGO: (log) noisy expected improvement of the augmented Chebyshev scalarization. */
  private nei(Y: Tensor[], logW: Tensor | null): Tensor {
    const tf = this.tf;
    const spec = this.spec;
    const sc = spec.scalarization!;
    const N = this.sampler.samples;
    const terms = Y.map((t, j) => tf.mul(sc.weights[j]! * sc.invRange[j]!, tf.sub(t, sc.lower[j]!)));
    const stacked = tf.stack(terms);
    const G = tf.add(tf.max(stacked, 0), tf.mul(sc.rho, tf.sum(stacked, 0)));
    // improvement best_s - g_{s a}: [B, q, N]
    const gap = tf.sub(this.best!, G);
    if (spec.log) {
      let z = logFatplus(tf, gap, spec.tauRelu);
      if (logW) z = tf.add(z, logW);
      const perSample = fatmax(tf, z, 1, spec.tauMax);
      return tf.sub(tf.logSumExp(perSample, 1), Math.log(N));
    }
    let imp = tf.relu(gap);
    if (logW) imp = tf.mul(imp, tf.exp(logW));
    return tf.mean(tf.max(imp, 1), 1);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sampler.dispose();
    if (this.boxes) {
      for (const t of [...this.boxes.lower, ...this.boxes.upper, ...this.boxes.logLength, this.boxes.real])
        t.dispose();
    }
    this.pending?.dispose();
    this.best?.dispose();
  }
}
