import { expect } from 'vitest';

/**
 * Checks an analytic gradient `g` of `f` at `x` against central differences with step `h`:
 * |g[p] - fd[p]| < tolerance * max(1, |fd[p]|) for every coordinate p.
 *
 * `piecewise`: `f` is only piecewise smooth (a Monte Carlo hypervolume improvement with a fixed
 * base sample: the box clipping's min and max). Where a kink lies within h of x in coordinate p,
 * the central difference matches neither piece (a random x of a qNEHVI property, q = 2 and seed
 * 618216, lies 1e-6 from one); the gradient must then match one side's difference, the derivative
 * of the piece x lies on. (Not a test of which side: where the curvature is large the one-sided
 * differences disagree too, and there the central one decides.)
 */
export function expectCentralDifferences(
  f: (x: Float64Array) => number,
  x: Float64Array,
  g: Float64Array,
  h = 1e-6,
  tolerance = 1e-5,
  piecewise = false,
): void {
  const f0 = piecewise ? f(x) : 0;
  for (let p = 0; p < x.length; p++) {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    up[p] = up[p]! + h;
    dn[p] = dn[p]! - h;
    const fUp = f(up);
    const fDn = f(dn);
    const fd = (fUp - fDn) / (2 * h);
    let error = Math.abs(g[p]! - fd);
    if (piecewise)
      error = Math.min(error, Math.abs(g[p]! - (fUp - f0) / h), Math.abs(g[p]! - (f0 - fDn) / h));
    expect(error).toBeLessThan(tolerance * Math.max(1, Math.abs(fd)));
  }
}
