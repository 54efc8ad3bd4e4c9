import { expect } from 'vitest';

/**
 * Checks an analytic gradient `g` of `f` at `x` against central differences with step `h`:
 * |g[p] - fd[p]| < tolerance * max(1, |fd[p]|) for every coordinate p.
 */
export function expectCentralDifferences(
  f: (x: Float64Array) => number,
  x: Float64Array,
  g: Float64Array,
  h = 1e-6,
  tolerance = 1e-5,
): void {
  for (let p = 0; p < x.length; p++) {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    up[p] = up[p]! + h;
    dn[p] = dn[p]! - h;
    const fd = (f(up) - f(dn)) / (2 * h);
    expect(Math.abs(g[p]! - fd)).toBeLessThan(tolerance * Math.max(1, Math.abs(fd)));
  }
}
