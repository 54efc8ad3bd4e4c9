/**
 * The sample-level kernel of qLogNEHVI (Ament et al. 2023, "Unexpected improvements to expected
 * improvement", section on the hypervolume): the qEHVI inclusion-exclusion of `hvi-kernel.ts` computed
 * in log space with fat-tailed smooth approximations, so that the value and its gradient stay
 * informative where the exact improvement is zero in every sample.
 *
 * Per sample s, box k = [l, u], subset S and objective j (minimization):
 *   lambda_ij = log fatplus(u_j - y_ij; tauRelu)                 log of the smoothed side length
 *   a_Sj      = fatmin_{i in S} lambda_ij (tauMax)               the subset's joint side
 *   b_Sj      = fatmin(a_Sj, log(u_j - l_j)) (tauMax)            capped by the box's own side
 *   v_S       = sum_j b_Sj + sum_{i in S} log w_i                 log volume (times feasibility)
 * then per box logdiffexp(logsumexp over odd S, logsumexp over even S), logsumexp over boxes and
 * logmeanexp over samples.
 */
import type { BoxSet } from '../pareto/partitioning.js';
import { boxesOfSample, checkSamples, MAX_Q, type SampleBoxes, type SampleShape } from './hvi-kernel.js';
import {
  fatmax,
  fatminimum2,
  fatminimum2Value,
  logDiffExp,
  logFatplus,
  logFatplusValue,
  TAU_MAX,
  TAU_RELU,
} from './smooth.js';

/** Temperatures of the smooth approximations. */
export interface LogHviOptions {
  /** Temperature of the smooth relu (default 1e-6, BoTorch's TAU_RELU). */
  readonly tauRelu?: number;
  /** Temperature of the smooth max/min (default 1e-3, BoTorch's qLogNEHVI default). */
  readonly tauMax?: number;
}

/**
 * Terms (boxes, or subsets holding a point) whose log volume is provably this far below a kept
 * one are skipped. Each skipped term is below e^-30 (1e-13) of the kept value, so even thousands
 * of them move the log value by less than 1e-9: far below Monte Carlo error.
 */
const PRUNE = 30;

/**
 * Per box set: the distinct upper bounds of each objective (the boxes of a front's decomposition
 * share at most n + 1 of them), each box's index into them, and each box's log side lengths. Lets
 * the kernel evaluate log fatplus once per (point, distinct bound) instead of once per box.
 */
interface BoxIndex {
  /** The indexed set. */
  readonly boxes: BoxSet;
  /** m + 1 offsets into `values`: objective j's distinct upper bounds are values[offset[j] ..]. */
  readonly offset: Int32Array;
  readonly values: Float64Array;
  /** count x m: index into `values` of box k's upper bound in objective j. */
  readonly upperIndex: Int32Array;
  /** count x m: log(u - l) (+Infinity for unbounded boxes). */
  readonly logLength: Float64Array;
  /** m x count: `upperIndex` and `logLength` by objective (streamed by the q = 1 bounds). */
  readonly upperIndexByObjective: Int32Array;
  readonly logLengthByObjective: Float64Array;
  /**
   * For large sets (the boxes of m >= 4 fronts share few (u_j, l_j) pairs): count x m, the pair of
   * box k in objective j, so that q = 1 computes each pair's capped side once per sample; else null.
   */
  readonly pairOf: Int32Array | null;
  /** Per pair: its index into `values` and log(u - l). */
  readonly pairUpper: Int32Array;
  readonly pairLogLength: Float64Array;
  /** Per pair, scratch of the q = 1 kernel: capped side, its derivative, and the call that set them. */
  readonly pairValue: Float64Array;
  readonly pairDerivative: Float64Array;
  readonly pairStamp: Float64Array;
  /** m x count: `pairOf` by objective (null with it), and per pair min(lambda_j, log(u_j - l_j)). */
  readonly pairOfByObjective: Int32Array | null;
  readonly pairMin: Float64Array;
}

/** Box sets with at least this many (box, objective) entries get a pair index. */
const PAIR_MIN_ENTRIES = 1024;
/** Counts q = 1 kernel calls, stamping the pair scratch. */
let pairEpoch = 0;

function indexBoxes(boxes: BoxSet): BoxIndex {
  const { count, m, lower, upper } = boxes;
  const offset = new Int32Array(m + 1);
  const parts: Float64Array[] = [];
  const upperIndex = new Int32Array(count * m);
  for (let j = 0; j < m; j++) {
    const column = new Float64Array(count);
    for (let k = 0; k < count; k++) column[k] = upper[k * m + j]!;
    column.sort();
    let u = 0;
    for (let k = 0; k < count; k++) if (k === 0 || column[k] !== column[u - 1]) column[u++] = column[k]!;
    const distinct = column.slice(0, u);
    parts.push(distinct);
    offset[j + 1] = offset[j]! + u;
    for (let k = 0; k < count; k++) {
      // Binary search: the value is present.
      const v = upper[k * m + j]!;
      let lo = 0;
      let hi = u - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (distinct[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      upperIndex[k * m + j] = offset[j]! + lo;
    }
  }
  const values = new Float64Array(offset[m]!);
  for (let j = 0; j < m; j++) values.set(parts[j]!, offset[j]!);
  const logLength = new Float64Array(count * m);
  for (let p = 0; p < count * m; p++) logLength[p] = Math.log(upper[p]! - lower[p]!);
  const upperIndexByObjective = new Int32Array(count * m);
  const logLengthByObjective = new Float64Array(count * m);
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < m; j++) {
      upperIndexByObjective[j * count + k] = upperIndex[k * m + j]!;
      logLengthByObjective[j * count + k] = logLength[k * m + j]!;
    }
  }
  let pairOf: Int32Array | null = null;
  let pairOfByObjective: Int32Array | null = null;
  let pairs = 0;
  const pairUpperList: number[] = [];
  const pairLogLengthList: number[] = [];
  if (count * m >= PAIR_MIN_ENTRIES) {
    pairOf = new Int32Array(count * m);
    const byUpper = new Map<number, Map<number, number>>();
    for (let p = 0; p < count * m; p++) {
      const t = upperIndex[p]!;
      const ll = logLength[p]!;
      let inner = byUpper.get(t);
      if (!inner) {
        inner = new Map();
        byUpper.set(t, inner);
      }
      let id = inner.get(ll);
      if (id === undefined) {
        id = pairs++;
        inner.set(ll, id);
        pairUpperList.push(t);
        pairLogLengthList.push(ll);
      }
      pairOf[p] = id;
    }
    pairOfByObjective = new Int32Array(count * m);
    for (let k = 0; k < count; k++) {
      for (let j = 0; j < m; j++) pairOfByObjective[j * count + k] = pairOf[k * m + j]!;
    }
  }
  return {
    boxes,
    offset,
    values,
    upperIndex,
    logLength,
    upperIndexByObjective,
    logLengthByObjective,
    pairOf,
    pairUpper: Int32Array.from(pairUpperList),
    pairLogLength: Float64Array.from(pairLogLengthList),
    pairValue: new Float64Array(pairs),
    pairDerivative: new Float64Array(pairs),
    pairStamp: new Float64Array(pairs).fill(-1),
    pairOfByObjective,
    pairMin: new Float64Array(pairs),
  };
}

/** Preallocated buffers of the log kernel for batches of up to `q` points and m objectives. */
export class LogHviWorkspace {
  readonly q: number;
  readonly m: number;
  readonly lambda: Float64Array;
  readonly dLambda: Float64Array;
  readonly logVolume: Float64Array;
  /** 2^q x m: d b_Sj / d a_Sj. */
  readonly dCap: Float64Array;
  /** 2^q x m x q: d a_Sj / d lambda_ij for the members of S, in member order. */
  readonly dMin: Float64Array;
  readonly gather: Float64Array;
  readonly gatherGrad: Float64Array;
  readonly gradAcc: Float64Array;
  readonly gradLogW: Float64Array;
  readonly pair: Float64Array = new Float64Array(2);
  /** The running log-sum-exp over the cells of a sample: max, sum, last cell's weight (addCell). */
  readonly run: Float64Array = new Float64Array(3);
  readonly logLength: Float64Array;
  /** q: the points that can matter in the current box. */
  readonly active: Int32Array;
  /** q x m: each point's capped log side in the current box, and its derivative. */
  readonly capValue: Float64Array;
  readonly capDerivative: Float64Array;
  /** q x (distinct bounds): log fatplus and its derivative per point and distinct upper bound. */
  table = new Float64Array(0);
  tableDerivative = new Float64Array(0);
  /** boxes x q: per box and point, the bound of `bounds`. */
  boxBounds = new Float64Array(0);
  /** Box indices, cached per box set (the sets are immutable once built). */
  private readonly indices = new WeakMap<BoxSet, BoxIndex>();

  index(boxes: BoxSet): BoxIndex {
    let idx = this.indices.get(boxes);
    if (!idx) {
      idx = indexBoxes(boxes);
      this.indices.set(boxes, idx);
    }
    return idx;
  }

  /** The last per-sample list of box sets and their indices (one lookup per call, not per sample). */
  private lastSets: readonly BoxSet[] | null = null;
  private lastIndices: BoxIndex[] = [];

  /** Indices of the first `samples` sets of a per-sample list, checked set by set. */
  indexList(sets: readonly BoxSet[], samples: number): readonly BoxIndex[] {
    if (this.lastSets !== sets) {
      this.lastSets = sets;
      this.lastIndices = [];
    }
    const list = this.lastIndices;
    for (let s = 0; s < samples; s++) {
      const idx = list[s];
      if (idx === undefined || idx.boxes !== sets[s]) list[s] = this.index(sets[s]!);
    }
    return list;
  }

  constructor(q: number, m: number) {
    if (!Number.isInteger(q) || q < 1 || q > MAX_Q) {
      throw new RangeError(`LogHviWorkspace: q is ${q}, expected an integer in 1..${MAX_Q}`);
    }
    this.q = q;
    this.m = m;
    const subsets = 1 << q;
    this.lambda = new Float64Array(q * m);
    this.dLambda = new Float64Array(q * m);
    this.logVolume = new Float64Array(subsets);
    this.dCap = new Float64Array(subsets * m);
    this.dMin = new Float64Array(subsets * m * q);
    this.gather = new Float64Array(q);
    this.gatherGrad = new Float64Array(q);
    this.gradAcc = new Float64Array(q * m);
    this.gradLogW = new Float64Array(q);
    this.logLength = new Float64Array(m);
    this.active = new Int32Array(q);
    this.capValue = new Float64Array(q * m);
    this.capDerivative = new Float64Array(q * m);
  }
}

/**
 * log of the (weighted) hypervolume improvement of sample s (smoothed), `Y` `samples x q x m`.
 * When `gradY` is given, writes d(result)/dY[s] to `gradY` at offset `s q m` (overwriting) and
 * d(result)/d log w[s] to `gradLogWeights` at offset `s q`.
 *
 * Every point reaches every box through the fat tails, but mostly by terms too small to register:
 * O(q (n + boxes) m) per sample to bound each box, then O(2^a a m) for each box that can matter,
 * a <= q the points that can matter in it.
 */
export function sampleLogHvi(
  Y: Float64Array,
  s: number,
  q: number,
  boxes: BoxSet,
  logWeights: Float64Array | null,
  tauRelu: number,
  tauMax: number,
  ws: LogHviWorkspace,
  gradY: Float64Array | null,
  gradLogWeights: Float64Array | null,
): number {
  if (q === 1) {
    return sampleLogHviSingle(Y, s, ws.index(boxes), logWeights, tauRelu, tauMax, ws, gradY, gradLogWeights);
  }
  const m = boxes.m;
  const base = s * q * m;
  const { lambda, dLambda, logVolume, dCap, dMin, gather, gatherGrad, gradAcc, gradLogW, pair, logLength } =
    ws;
  const { active, capValue, capDerivative } = ws;
  gradAcc.fill(0, 0, q * m);
  gradLogW.fill(0, 0, q);
  const idx = ws.index(boxes);
  const T = idx.values.length;
  if (ws.table.length < q * T) {
    ws.table = new Float64Array(q * T);
    ws.tableDerivative = new Float64Array(q * T);
  }
  if (ws.boxBounds.length < boxes.count * q) ws.boxBounds = new Float64Array(boxes.count * q);
  const { table, tableDerivative, boxBounds } = ws;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < m; j++) {
      const y = Y[base + i * m + j]!;
      for (let t = idx.offset[j]!; t < idx.offset[j + 1]!; t++) {
        logFatplus(idx.values[t]! - y, tauRelu, pair);
        table[i * T + t] = pair[0]!;
        tableDerivative[i * T + t] = pair[1]!;
      }
    }
  }
  // Pass 1: per box and point, bound_i = log w_i + sum_j min(lambda_ij, log(u_j - l_j)), an upper
  // bound of the log volume of any subset holding i (fatmin <= min, log w <= 0).
  let bestBox = 0;
  let bestBoxBound = -Infinity;
  for (let k = 0; k < boxes.count; k++) {
    const bo = k * m;
    for (let i = 0; i < q; i++) {
      let bound = logWeights ? logWeights[s * q + i]! : 0;
      for (let j = 0; j < m; j++) {
        const lam = table[i * T + idx.upperIndex[bo + j]!]!;
        const cap = idx.logLength[bo + j]!;
        bound += Math.min(lam, cap);
      }
      boxBounds[k * q + i] = bound;
      if (bound > bestBoxBound) {
        bestBoxBound = bound;
        bestBox = k;
      }
    }
  }
  // Pass 2: the most promising box first, so that the running maximum prunes the rest.
  const run = ws.run;
  run[0] = -Infinity;
  run[1] = 0;
  for (let step = 0; step < boxes.count; step++) {
    const k = step === 0 ? bestBox : step <= bestBox ? step - 1 : step;
    const bo = k * m;
    let bestBound = -Infinity;
    for (let i = 0; i < q; i++) if (boxBounds[k * q + i]! > bestBound) bestBound = boxBounds[k * q + i]!;
    if (bestBound < run[0]! - PRUNE) continue;
    for (let j = 0; j < m; j++) logLength[j] = idx.logLength[bo + j]!;
    // The box is worth at least about its best singleton; points whose bound is far below that
    // cannot matter in it.
    let bestSingle = -Infinity;
    let bestPoint = 0;
    for (let i = 0; i < q; i++) {
      let single = logWeights ? logWeights[s * q + i]! : 0;
      for (let j = 0; j < m; j++) {
        const t = i * T + idx.upperIndex[bo + j]!;
        lambda[i * m + j] = table[t]!;
        dLambda[i * m + j] = tableDerivative[t]!;
        fatminimum2(table[t]!, logLength[j]!, tauMax, pair);
        single += pair[0]!;
        capValue[i * m + j] = pair[0]!;
        capDerivative[i * m + j] = pair[1]!;
      }
      if (single > bestSingle) {
        bestSingle = single;
        bestPoint = i;
      }
    }
    let a = 0;
    for (let i = 0; i < q; i++) if (boxBounds[k * q + i]! >= bestSingle - PRUNE) active[a++] = i;
    if (a === 1) {
      // One point matters (always so for q = 1): the cell is its singleton, no signed sums.
      addCell(bestSingle, run, gradY !== null, gradAcc, q * m, gradLogW, q);
      if (!gradY) continue;
      const cellWeight = run[2]!;
      const i = bestPoint;
      gradLogW[i] = gradLogW[i]! + cellWeight;
      for (let j = 0; j < m; j++) {
        gradAcc[i * m + j] =
          gradAcc[i * m + j]! - cellWeight * capDerivative[i * m + j]! * dLambda[i * m + j]!;
      }
      continue;
    }
    const subsets = 1 << a;
    let maxOdd = -Infinity;
    let maxEven = -Infinity;
    for (let mask = 1; mask < subsets; mask++) {
      let size = 0;
      let v = 0;
      for (let t = 0; t < a; t++) {
        if ((mask >>> t) & 1) {
          size++;
          if (logWeights) v += logWeights[s * q + active[t]!]!;
        }
      }
      if (size === 1) {
        // A singleton's side is its own capped side, already computed above.
        const i = active[31 - Math.clz32(mask)]!;
        for (let j = 0; j < m; j++) {
          v += capValue[i * m + j]!;
          dCap[mask * m + j] = capDerivative[i * m + j]!;
          dMin[(mask * m + j) * q] = 1;
        }
        logVolume[mask] = v;
        if (v > maxOdd) maxOdd = v;
        continue;
      }
      for (let j = 0; j < m; j++) {
        let c = 0;
        for (let t = 0; t < a; t++) if ((mask >>> t) & 1) gather[c++] = -lambda[active[t]! * m + j]!;
        // fatmin = -fatmax of the negatives; its gradient has the same sign pattern.
        const amin = -fatmax(gather, 0, 1, size, tauMax, gatherGrad);
        const go = (mask * m + j) * q;
        for (let t = 0; t < size; t++) dMin[go + t] = gatherGrad[t]!;
        fatminimum2(amin, logLength[j]!, tauMax, pair);
        v += pair[0]!;
        dCap[mask * m + j] = pair[1]!;
      }
      logVolume[mask] = v;
      if (size & 1) {
        if (v > maxOdd) maxOdd = v;
      } else if (v > maxEven) maxEven = v;
    }
    let sumOdd = 0;
    let sumEven = 0;
    for (let mask = 1; mask < subsets; mask++) {
      const v = logVolume[mask]!;
      if (popcount(mask) & 1) sumOdd += Math.exp(v - maxOdd);
      else if (maxEven > -Infinity) sumEven += Math.exp(v - maxEven);
    }
    const P = maxOdd + Math.log(sumOdd);
    const N = maxEven > -Infinity ? maxEven + Math.log(sumEven) : -Infinity;
    const cell = logDiffExp(P, N);
    if (cell === -Infinity) continue;
    addCell(cell, run, gradY !== null, gradAcc, q * m, gradLogW, q);
    if (!gradY) continue;
    const cellWeight = run[2]!;
    // d cell / d v_S = sign_S e^{v_S - P} / (1 - e^{N - P}).
    const cP = cellWeight / -Math.expm1(N - P);
    for (let mask = 1; mask < subsets; mask++) {
      const g = (popcount(mask) & 1 ? cP : -cP) * Math.exp(logVolume[mask]! - P);
      if (g === 0) continue;
      if (logWeights) {
        for (let t = 0; t < a; t++) if ((mask >>> t) & 1) gradLogW[active[t]!] = gradLogW[active[t]!]! + g;
      }
      for (let j = 0; j < m; j++) {
        const ga = g * dCap[mask * m + j]!;
        const go = (mask * m + j) * q;
        let c = 0;
        for (let t = 0; t < a; t++) {
          if ((mask >>> t) & 1) {
            const i = active[t]!;
            // d lambda / d y = -d logFatplus / dz.
            gradAcc[i * m + j] = gradAcc[i * m + j]! - ga * dMin[go + c]! * dLambda[i * m + j]!;
            c++;
          }
        }
      }
    }
  }
  const runSum = run[1]!;
  if (runSum === 0) {
    if (gradY) gradY.fill(0, base, base + q * m);
    if (gradLogWeights) gradLogWeights.fill(0, s * q, s * q + q);
    return -Infinity;
  }
  if (gradY) {
    for (let p = 0; p < q * m; p++) gradY[base + p] = gradAcc[p]! / runSum;
    if (gradLogWeights) for (let i = 0; i < q; i++) gradLogWeights[s * q + i] = gradLogW[i]! / runSum;
  }
  return run[0]! + Math.log(runSum);
}

/**
 * `sampleLogHvi` for q = 1 (every call of sequential greedy): the same operations in the same
 * order, so the same value and gradient to the last bit, without the subset machinery; the value
 * alone (no `gradY`) skips every derivative.
 */
function sampleLogHviSingle(
  Y: Float64Array,
  s: number,
  idx: BoxIndex,
  logWeights: Float64Array | null,
  tauRelu: number,
  tauMax: number,
  ws: LogHviWorkspace,
  gradY: Float64Array | null,
  gradLogWeights: Float64Array | null,
): number {
  const m = idx.boxes.m;
  const count = idx.boxes.count;
  const base = s * m;
  const { offset, values, upperIndex } = idx;
  const boxLogLength = idx.logLength;
  const T = values.length;
  if (ws.table.length < T) {
    ws.table = new Float64Array(T);
    ws.tableDerivative = new Float64Array(T);
  }
  if (ws.boxBounds.length < count) ws.boxBounds = new Float64Array(count);
  const { table, tableDerivative, boxBounds, pair, gradAcc, capDerivative } = ws;
  const logW = logWeights ? logWeights[s]! : 0;
  if (gradY) {
    for (let j = 0; j < m; j++) {
      const y = Y[base + j]!;
      for (let t = offset[j]!; t < offset[j + 1]!; t++) {
        logFatplus(values[t]! - y, tauRelu, pair);
        table[t] = pair[0]!;
        tableDerivative[t] = pair[1]!;
      }
    }
  } else {
    for (let j = 0; j < m; j++) {
      const y = Y[base + j]!;
      for (let t = offset[j]!; t < offset[j + 1]!; t++) table[t] = logFatplusValue(values[t]! - y, tauRelu);
    }
  }
  // Pass 1: each box's bound log w + sum_j min(lambda_j, log(u_j - l_j)), one objective at a time
  // (the same additions in the same order per box).
  const { upperIndexByObjective, logLengthByObjective, pairOfByObjective } = idx;
  for (let k = 0; k < count; k++) boxBounds[k] = logW;
  if (pairOfByObjective) {
    // The min once per (u_j, l_j) pair, then one gather per box and objective.
    const { pairUpper, pairLogLength, pairMin } = idx;
    for (let id = 0; id < pairMin.length; id++) {
      pairMin[id] = Math.min(table[pairUpper[id]!]!, pairLogLength[id]!);
    }
    for (let j = 0; j < m; j++) {
      const o = j * count;
      for (let k = 0; k < count; k++) boxBounds[k] = boxBounds[k]! + pairMin[pairOfByObjective[o + k]!]!;
    }
  } else {
    for (let j = 0; j < m; j++) {
      const o = j * count;
      for (let k = 0; k < count; k++) {
        boxBounds[k] =
          boxBounds[k]! + Math.min(table[upperIndexByObjective[o + k]!]!, logLengthByObjective[o + k]!);
      }
    }
  }
  let bestBox = 0;
  let bestBoxBound = -Infinity;
  for (let k = 0; k < count; k++) {
    const bound = boxBounds[k]!;
    if (bound > bestBoxBound) {
      bestBoxBound = bound;
      bestBox = k;
    }
  }
  const { pairOf, pairUpper, pairLogLength, pairValue, pairDerivative, pairStamp } = idx;
  const epoch = ++pairEpoch;
  // Pass 2: the most promising box first; the cell of a box is the point's capped volume.
  const run = ws.run;
  run[0] = -Infinity;
  run[1] = 0;
  const gradLogW = ws.gradLogW;
  gradLogW[0] = 0;
  if (gradY) gradAcc.fill(0, 0, m);
  for (let step = 0; step < count; step++) {
    const k = step === 0 ? bestBox : step <= bestBox ? step - 1 : step;
    const bound = boxBounds[k]!;
    // As the general kernel: a NaN bound counts as -Infinity there.
    if ((bound > -Infinity ? bound : -Infinity) < run[0]! - PRUNE) continue;
    const bo = k * m;
    let single = logW;
    if (pairOf) {
      // The same fatminimum2 per (u_j, l_j) pair, computed at its first use in this call.
      for (let j = 0; j < m; j++) {
        const id = pairOf[bo + j]!;
        if (pairStamp[id] !== epoch) {
          pairStamp[id] = epoch;
          if (gradY) {
            fatminimum2(table[pairUpper[id]!]!, pairLogLength[id]!, tauMax, pair);
            pairValue[id] = pair[0]!;
            pairDerivative[id] = pair[1]!;
          } else {
            pairValue[id] = fatminimum2Value(table[pairUpper[id]!]!, pairLogLength[id]!, tauMax);
          }
        }
        single += pairValue[id]!;
        if (gradY) capDerivative[j] = pairDerivative[id]!;
      }
    } else if (gradY) {
      for (let j = 0; j < m; j++) {
        fatminimum2(table[upperIndex[bo + j]!]!, boxLogLength[bo + j]!, tauMax, pair);
        single += pair[0]!;
        capDerivative[j] = pair[1]!;
      }
    } else {
      for (let j = 0; j < m; j++) {
        single += fatminimum2Value(table[upperIndex[bo + j]!]!, boxLogLength[bo + j]!, tauMax);
      }
    }
    // The general kernel's guards: a point whose bound is NaN is not active; a NaN or -Infinity
    // singleton leaves the cell at -Infinity.
    if (!(bound >= (single > -Infinity ? single : -Infinity) - PRUNE)) continue;
    const cell = single > -Infinity ? single : -Infinity;
    addCell(cell, run, gradY !== null, gradAcc, m, gradLogW, 1);
    if (!gradY) continue;
    const cellWeight = run[2]!;
    gradLogW[0] = gradLogW[0]! + cellWeight;
    for (let j = 0; j < m; j++) {
      gradAcc[j] = gradAcc[j]! - cellWeight * capDerivative[j]! * tableDerivative[upperIndex[bo + j]!]!;
    }
  }
  const runSum = run[1]!;
  if (runSum === 0) {
    if (gradY) gradY.fill(0, base, base + m);
    if (gradLogWeights) gradLogWeights[s] = 0;
    return -Infinity;
  }
  if (gradY) {
    for (let j = 0; j < m; j++) gradY[base + j] = gradAcc[j]! / runSum;
    if (gradLogWeights) gradLogWeights[s] = gradLogW[0]! / runSum;
  }
  return run[0]! + Math.log(runSum);
}

/**
 * Adds a cell of log volume `cell` to the running log-sum-exp `run` = (max, sum of e^(v - max),
 * weight of the last cell): when the cell raises the maximum, the sum and, with `grad`, the first
 * `len` entries of `gradAcc` and `lenW` of `gradLogW` (accumulated with the same weights) are
 * rescaled to it first. Leaves e^(cell - max) in `run[2]`. The doubles stay in `run`: neither
 * arguments nor a return value to box when the call is not inlined.
 */
function addCell(
  cell: number,
  run: Float64Array,
  grad: boolean,
  gradAcc: Float64Array,
  len: number,
  gradLogW: Float64Array,
  lenW: number,
): void {
  const runMax = run[0]!;
  if (cell > runMax) {
    const r = runMax === -Infinity ? 0 : Math.exp(runMax - cell);
    run[1] = run[1]! * r;
    if (grad) {
      for (let p = 0; p < len; p++) gradAcc[p] = gradAcc[p]! * r;
      for (let i = 0; i < lenW; i++) gradLogW[i] = gradLogW[i]! * r;
    }
    run[0] = cell;
  }
  const cellWeight = Math.exp(cell - run[0]!);
  run[1] = run[1]! + cellWeight;
  run[2] = cellWeight;
}

function popcount(x: number): number {
  let c = 0;
  while (x !== 0) {
    x &= x - 1;
    c++;
  }
  return c;
}

/**
 * The qLogEHVI value: log of the Monte Carlo mean over samples of the smoothed (weighted)
 * hypervolume improvement of `Y` (`samples x q x m`) over `boxes`, i.e. logmeanexp of the
 * per-sample log improvements. `logWeights` (`samples x q`, optional) are log feasibility
 * weights. When given, `gradY` (`samples x q x m`) and `gradLogWeights` (`samples x q`) receive the
 * gradient (overwritten).
 */
export function qLogHviValueAndGradient(
  Y: Float64Array,
  shape: SampleShape,
  boxes: SampleBoxes,
  logWeights: Float64Array | null = null,
  gradY: Float64Array | null = null,
  gradLogWeights: Float64Array | null = null,
  options: LogHviOptions = {},
  workspace?: LogHviWorkspace,
): number {
  const { samples, q, m } = shape;
  checkSamples('qLogHviValueAndGradient', Y, shape);
  const tauRelu = options.tauRelu ?? TAU_RELU;
  const tauMax = options.tauMax ?? TAU_MAX;
  if (!(tauRelu > 0) || !(tauMax > 0)) {
    throw new RangeError(
      `qLogHviValueAndGradient: tauRelu ${tauRelu} and tauMax ${tauMax}, expected positive temperatures`,
    );
  }
  const ws = workspace && workspace.q === q && workspace.m === m ? workspace : new LogHviWorkspace(q, m);
  const logs = new Float64Array(samples);
  let best = -Infinity;
  if (q === 1) {
    // One index lookup per call; the q = 1 kernel directly.
    const list = Array.isArray(boxes) ? ws.indexList(boxes as readonly BoxSet[], samples) : null;
    const single = list ? null : ws.index(boxes as BoxSet);
    for (let s = 0; s < samples; s++) {
      const v = sampleLogHviSingle(
        Y,
        s,
        list ? list[s]! : single!,
        logWeights,
        tauRelu,
        tauMax,
        ws,
        gradY,
        gradLogWeights,
      );
      logs[s] = v;
      if (v > best) best = v;
    }
  }
  for (let s = 0; s < samples && q !== 1; s++) {
    const v = sampleLogHvi(
      Y,
      s,
      q,
      boxesOfSample(boxes, s),
      logWeights,
      tauRelu,
      tauMax,
      ws,
      gradY,
      gradLogWeights,
    );
    logs[s] = v;
    if (v > best) best = v;
  }
  if (best === -Infinity) {
    if (gradY) gradY.fill(0, 0, samples * q * m);
    if (gradLogWeights) gradLogWeights.fill(0, 0, samples * q);
    return -Infinity;
  }
  let sum = 0;
  for (let s = 0; s < samples; s++) sum += Math.exp(logs[s]! - best);
  const value = best + Math.log(sum) - Math.log(samples);
  if (gradY) {
    for (let s = 0; s < samples; s++) {
      // d logmeanexp / d l_s = e^{l_s - best} / sum.
      const f = Math.exp(logs[s]! - best) / sum;
      const o = s * q * m;
      for (let p = 0; p < q * m; p++) gradY[o + p] = gradY[o + p]! * f;
      if (gradLogWeights)
        for (let i = 0; i < q; i++) gradLogWeights[s * q + i] = gradLogWeights[s * q + i]! * f;
    }
  }
  return value;
}
