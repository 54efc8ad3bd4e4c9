/**
 * Sample-level kernels of qEHVI / qNEHVI (Daulton, Balandat, Bakshy 2020; Daulton et al. 2021):
 * the hypervolume improvement of q points over a front, per Monte Carlo sample, by
 * inclusion-exclusion over the non-empty subsets of the q points and a sum over the disjoint boxes
 * of the front's non-dominated region. Minimization: the region a subset S dominates jointly is
 * { z >= max_{i in S} y_i } and its part inside box [l, u] has volume
 * prod_j max(0, u_j - max(l_j, max_{i in S} y_ij)).
 *
 * Reverse mode is written by hand; the gradient is the subgradient that sends each max to its
 * (first) argmax.
 */
import type { BoxSet } from '../pareto/partitioning.js';

/** The shape of a sample tensor `samples x q x m`. */
export interface SampleShape {
  readonly samples: number;
  readonly q: number;
  readonly m: number;
}

/**
 * Boxes of the non-dominated region: one set shared by every sample (qEHVI) or one per sample
 * (qNEHVI, where each sample has its own baseline front).
 */
export type SampleBoxes = BoxSet | readonly BoxSet[];

export function boxesOfSample(boxes: SampleBoxes, s: number): BoxSet {
  return Array.isArray(boxes) ? (boxes as readonly BoxSet[])[s]! : (boxes as BoxSet);
}

/** Largest q the subset enumeration accepts (2^q subsets per box and sample). */
export const MAX_Q = 16;

/** Preallocated buffers of the exact kernel for batches of up to `q` points and m objectives. */
export class HviWorkspace {
  readonly q: number;
  readonly m: number;
  /** 2^q x m: componentwise max of each subset (with the box's lower bound). */
  readonly vertex: Float64Array;
  /** 2^q x m: which point gave that max (-1: the box's lower bound). */
  readonly argmax: Int32Array;
  /** 2^q: product of the feasibility weights of each subset. */
  readonly weight: Float64Array;
  /** q: the points strictly below the box's upper corner. */
  readonly active: Int32Array;

  constructor(q: number, m: number) {
    if (!Number.isInteger(q) || q < 1 || q > MAX_Q) {
      throw new RangeError(`HviWorkspace: q is ${q}, expected an integer in 1..${MAX_Q}`);
    }
    this.q = q;
    this.m = m;
    const subsets = 1 << q;
    this.vertex = new Float64Array(subsets * m);
    this.argmax = new Int32Array(subsets * m);
    this.weight = new Float64Array(subsets);
    this.active = new Int32Array(q);
  }
}

/**
 * The hypervolume improvement of the q points `Y[s]` (`q x m`, at offset `s q m` of `Y`) over the
 * front whose non-dominated region is `boxes`, each point's contribution weighted by `weights`
 * (`samples x q`, optional: feasibility in [0, 1]; a subset counts with the product of its
 * weights). Adds `scale` times the gradient to `gradY` (`samples x q x m`) and to `gradLogWeights`
 * (`samples x q`, the gradient with respect to log w) when given.
 *
 * Only points strictly below a box's upper corner can reach into it, so each (sample, box) pair
 * enumerates the 2^a - 1 subsets of its a active points, each in O(m) from the subset without its
 * lowest member: O(boxes (q m + 2^a m)) per sample instead of O(boxes 2^q q m).
 */
export function sampleHvi(
  Y: Float64Array,
  s: number,
  q: number,
  boxes: BoxSet,
  weights: Float64Array | null,
  ws: HviWorkspace,
  scale: number,
  gradY: Float64Array | null,
  gradLogWeights: Float64Array | null,
): number {
  const m = boxes.m;
  const base = s * q * m;
  const { vertex, argmax, weight, active } = ws;
  const lower = boxes.lower;
  const upper = boxes.upper;
  let total = 0;
  for (let k = 0; k < boxes.count; k++) {
    const bo = k * m;
    let a = 0;
    for (let i = 0; i < q; i++) {
      const po = base + i * m;
      let inside = true;
      for (let j = 0; j < m; j++) {
        if (!(Y[po + j]! < upper[bo + j]!)) {
          inside = false;
          break;
        }
      }
      if (inside) active[a++] = i;
    }
    if (a === 0) continue;
    const count = 1 << a;
    weight[0] = 1;
    for (let mask = 1; mask < count; mask++) {
      const t = 31 - Math.clz32(mask & -mask);
      const prev = mask & (mask - 1);
      const point = active[t]!;
      const po = base + point * m;
      const vo = mask * m;
      const pv = prev * m;
      let volume = 1;
      for (let j = 0; j < m; j++) {
        const y = Y[po + j]!;
        const floor = prev === 0 ? lower[bo + j]! : vertex[pv + j]!;
        if (y > floor) {
          vertex[vo + j] = y;
          argmax[vo + j] = point;
        } else {
          vertex[vo + j] = floor;
          argmax[vo + j] = prev === 0 ? -1 : argmax[pv + j]!;
        }
        volume *= upper[bo + j]! - vertex[vo + j]!;
      }
      const w = weights ? weight[prev]! * weights[s * q + point]! : 1;
      weight[mask] = w;
      // Odd subsets add, even ones subtract (inclusion-exclusion).
      let bits = mask;
      let parity = 0;
      while (bits !== 0) {
        bits &= bits - 1;
        parity ^= 1;
      }
      const term = parity === 1 ? volume * w : -volume * w;
      total += term;
      if (gradY) {
        for (let j = 0; j < m; j++) {
          const owner = argmax[vo + j]!;
          if (owner < 0) continue;
          const length = upper[bo + j]! - vertex[vo + j]!;
          const gi = base + owner * m + j;
          gradY[gi] = gradY[gi]! - (scale * term) / length;
        }
      }
      if (gradLogWeights && weights) {
        let rest = mask;
        while (rest !== 0) {
          const b = 31 - Math.clz32(rest & -rest);
          rest &= rest - 1;
          const gi = s * q + active[b]!;
          gradLogWeights[gi] = gradLogWeights[gi]! + scale * term;
        }
      }
    }
  }
  return total;
}

/**
 * The Monte Carlo qEHVI value: the mean over samples of the (weighted) hypervolume improvement of
 * `Y` (`samples x q x m`) over `boxes`. When `gradY` (`samples x q x m`) is given it receives
 * the gradient of that mean (overwritten), and `gradLogWeights` (`samples x q`) likewise.
 */
export function qHviValueAndGradient(
  Y: Float64Array,
  shape: SampleShape,
  boxes: SampleBoxes,
  weights: Float64Array | null = null,
  gradY: Float64Array | null = null,
  gradLogWeights: Float64Array | null = null,
  workspace?: HviWorkspace,
): number {
  const { samples, q, m } = shape;
  checkSamples('qHviValueAndGradient', Y, shape);
  const ws = workspace && workspace.q >= q && workspace.m === m ? workspace : new HviWorkspace(q, m);
  if (gradY) gradY.fill(0, 0, samples * q * m);
  if (gradLogWeights) gradLogWeights.fill(0, 0, samples * q);
  const scale = 1 / samples;
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    sum += sampleHvi(Y, s, q, boxesOfSample(boxes, s), weights, ws, scale, gradY, gradLogWeights);
  }
  return sum * scale;
}

export function checkSamples(where: string, Y: Float64Array, shape: SampleShape): void {
  const { samples, q, m } = shape;
  if (Y.length < samples * q * m) {
    throw new RangeError(`${where}: Y has length ${Y.length}, expected samples x q x m = ${samples * q * m}`);
  }
}
