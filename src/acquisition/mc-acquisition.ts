/**
 * What every Monte Carlo acquisition function is to the optimizer (`optimize.ts`): a value of a
 * q-batch of candidates and its gradient. Implemented by `QEhvi`, `QNehvi`, `QLogNehvi`
 * (hypervolume-improvement.ts) and `QNParEgo` (parego.ts).
 */

/** An acquisition function of a q-batch of candidates X (`q x d`, flat, unit cube), maximized. */
export interface McAcquisition {
  /** Input dimension d. */
  readonly d: number;
  /** The value at X (`q x d`). */
  evaluate(X: Float64Array, q: number): number;
  /** The value at X and its gradient with respect to X, written to `gradX` (`q x d`). */
  valueAndGradient(X: Float64Array, q: number, gradX: Float64Array): number;
}
