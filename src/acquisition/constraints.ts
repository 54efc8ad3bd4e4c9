/**
 * Smoothed feasibility of outcome constraints for MC acquisition functions (as BoTorch's
 * `compute_smoothed_feasibility_indicator`): a constraint sample c is feasible when c <= 0, and the
 * indicator 1[c <= 0] is replaced by sigmoid(-c / eta), or in log space by log sigmoid or the log
 * of the fat-tailed sigmoid (`fatmoid`), whose 1 / x^2 tail keeps gradients alive deep in the
 * infeasible region. The weight of a point is the product over its constraints.
 */
import { logFatmoid, logSigmoid, sigmoid } from './smooth.js';

/** Default temperature of the smoothed indicator (BoTorch's eta). */
export const DEFAULT_ETA = 1e-3;

/**
 * log feasibility weights of `C` (`samples x q x M` with the c constraint outputs at columns
 * `offset .. offset + c` of each row of M outputs): `out[s q + i] = sum_c log sigma(-C / eta)`
 * (`samples x q`), with sigma the logistic sigmoid or, when `fat`, the fatmoid. `eta` has one
 * temperature per constraint or one for all.
 */
export function logFeasibility(
  F: Float64Array,
  rows: number,
  M: number,
  offset: number,
  c: number,
  eta: ArrayLike<number>,
  fat: boolean,
  out: Float64Array,
): void {
  const pair = new Float64Array(2);
  for (let r = 0; r < rows; r++) {
    let lw = 0;
    for (let k = 0; k < c; k++) {
      const e = eta.length === 1 ? eta[0]! : eta[k]!;
      const x = -F[r * M + offset + k]! / e;
      if (fat) {
        logFatmoid(x, pair);
        lw += pair[0]!;
      } else {
        lw += logSigmoid(x);
      }
    }
    out[r] = lw;
  }
}

/**
 * Adds to `gradF` (`rows x M`, the constraint columns) the gradient of the log weights given
 * `gradLogW` (`rows`).
 */
export function logFeasibilityBackward(
  F: Float64Array,
  rows: number,
  M: number,
  offset: number,
  c: number,
  eta: ArrayLike<number>,
  fat: boolean,
  gradLogW: Float64Array,
  gradF: Float64Array,
): void {
  const pair = new Float64Array(2);
  for (let r = 0; r < rows; r++) {
    const g = gradLogW[r]!;
    if (g === 0) continue;
    for (let k = 0; k < c; k++) {
      const e = eta.length === 1 ? eta[0]! : eta[k]!;
      const x = -F[r * M + offset + k]! / e;
      let dx: number;
      if (fat) {
        logFatmoid(x, pair);
        dx = pair[1]!;
      } else {
        // d log sigmoid(x) / dx = sigmoid(-x).
        dx = sigmoid(-x);
      }
      const gi = r * M + offset + k;
      gradF[gi] = gradF[gi]! - (g * dx) / e;
    }
  }
}

/** Validates eta: one positive temperature or one per constraint. */
export function checkEta(where: string, eta: number | ArrayLike<number>, c: number): Float64Array {
  const arr = typeof eta === 'number' ? Float64Array.of(eta) : Float64Array.from(eta);
  if (arr.length !== 1 && arr.length !== c) {
    throw new RangeError(`${where}: eta has ${arr.length} values, expected 1 or one per constraint (${c})`);
  }
  for (let k = 0; k < arr.length; k++) {
    if (!(arr[k]! > 0) || !Number.isFinite(arr[k]!)) {
      throw new RangeError(`${where}: eta[${k}] is ${arr[k]}, expected a positive temperature`);
    }
  }
  return arr;
}
