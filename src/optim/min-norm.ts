/**
 * The min-norm point of a convex hull: the weights w on the simplex that minimize
 * |Σ_j w_j u_j|² = wᵀ G w, given the Gram matrix G (m x m) of the vectors u_j. Its negative is the
 * common descent direction of several objectives with gradients u_j (Désidéri's multiple-gradient
 * descent, MGDA: "Multiple-gradient descent algorithm (MGDA) for multiobjective optimization",
 * C. R. Acad. Sci. Paris I 350, 2012): a step against it lowers every objective at once, and it
 * vanishes exactly at Pareto-stationary points.
 *
 * Solved by pairwise Frank-Wolfe (Lacoste-Julien and Jaggi, NeurIPS 2015): each iteration moves
 * weight from the support vertex with the largest (G w)_i to the vertex whose exact line search
 * lowers wᵀGw most; it converges linearly on the simplex and needs no factorization, so collinear
 * or repeated vectors (a singular G) are no special case. O(m²) per iteration.
 */

/** Iteration cap; the gap usually closes to `GAP` within a few times m iterations. */
const MAX_ITERATIONS = 1000;
const GAP = 1e-13;

/**
 * Writes the minimizing weights into `w` (length m) and returns the minimum wᵀ G w. `G` is a
 * symmetric positive semi-definite m x m matrix, row-major. `scratch`, when given, holds m numbers.
 */
export function minNormWeights(
  G: Float64Array,
  m: number,
  w: Float64Array,
  scratch: Float64Array = new Float64Array(m),
): number {
  const Gw = scratch;
  w.fill(1 / m);
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(G[i * (m + 1)]!));
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let away = -1;
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < m; i++) {
      let t = 0;
      for (let j = 0; j < m; j++) t += G[i * m + j]! * w[j]!;
      Gw[i] = t;
      if (t < least) least = t;
      if (w[i]! > 0 && (away < 0 || t > Gw[away]!)) away = i;
    }
    // The Frank-Wolfe gap; below it, w is optimal to rounding.
    if (!(Gw[away]! - least > GAP * Math.max(scale, Number.MIN_VALUE))) break;
    // Toward the vertex whose pairwise step lowers wᵀGw most (the steepest one alone can stall
    // where several tie, for example at zero gradients).
    let toward = -1;
    let bestStep = 0;
    let bestDecrease = 0;
    for (let i = 0; i < m; i++) {
      const slope = Gw[i]! - Gw[away]!; // half the derivative along e_i − e_away
      if (!(slope < 0)) continue;
      const curvature = G[i * (m + 1)]! + G[away * (m + 1)]! - 2 * G[i * m + away]!;
      const step = curvature > 0 ? Math.min(w[away]!, -slope / curvature) : w[away]!;
      const decrease = -(2 * step * slope + step * step * Math.max(0, curvature));
      if (decrease > bestDecrease) {
        bestDecrease = decrease;
        bestStep = step;
        toward = i;
      }
    }
    if (toward < 0 || !(bestStep > 0)) break;
    w[toward] = w[toward]! + bestStep;
    w[away] = bestStep === w[away] ? 0 : w[away]! - bestStep;
  }
  let value = 0;
  for (let i = 0; i < m; i++) {
    let t = 0;
    for (let j = 0; j < m; j++) t += G[i * m + j]! * w[j]!;
    value += w[i]! * t;
  }
  return Math.max(0, value);
}
