import { type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { hypervolume } from './hypervolume.js';

/** Scaled values stay within 2^SCALED_BITS in magnitude, so a product of up to 16 differences is finite. */
const SCALED_BITS = 60;

/**
 * The hypervolume of `points` (n x m, minimization) below `reference`, finite for any finite input:
 * for experiment data that may hold huge values (a sentinel such as 1e308 recorded before such
 * values were refused). Each objective whose values or reference coordinate pass 2^60 in magnitude
 * is divided by a power of two that brings them below it, which is exact, so the result is bit for
 * bit `hypervolume(points, reference)` whenever nothing needed scaling; the volume is scaled back at
 * the end, and a volume beyond the largest double is reported as `Number.MAX_VALUE`. A reference with
 * a coordinate that is not finite gives 0 (nothing can be measured against it).
 */
export function scaledHypervolume(points: MatrixLike, reference: ArrayLike<number>): number {
  const m = reference.length;
  for (let j = 0; j < m; j++) if (!Number.isFinite(reference[j]!)) return 0;
  const Y = toMatrix(points, 'scaledHypervolume: points', m);
  if (Y.rows === 0) return 0;
  if (Y.cols !== m) return hypervolume(Y, reference); // hypervolume's own error names the mismatch
  const exponents = new Int32Array(m);
  let scaled = false;
  for (let j = 0; j < m; j++) {
    let largest = Math.abs(reference[j]!);
    for (let i = 0; i < Y.rows; i++) largest = Math.max(largest, Math.abs(Y.data[i * m + j]!));
    if (largest > 2 ** SCALED_BITS) {
      exponents[j] = Math.ceil(Math.log2(largest)) - SCALED_BITS;
      scaled = true;
    }
  }
  if (!scaled) return hypervolume(Y, reference);
  const ref = Float64Array.from({ length: m }, (_, j) => reference[j]! * 2 ** -exponents[j]!);
  const data = new Float64Array(Y.data.length);
  for (let i = 0; i < Y.rows; i++)
    for (let j = 0; j < m; j++) data[i * m + j] = Y.data[i * m + j]! * 2 ** -exponents[j]!;
  let volume = hypervolume({ rows: Y.rows, cols: m, data }, ref);
  // 2^e for a sum of exponents up to m * 1024 does not fit one double: scale back one objective at a time.
  for (let j = 0; j < m && Number.isFinite(volume); j++) volume *= 2 ** exponents[j]!;
  return Number.isFinite(volume) ? volume : Number.MAX_VALUE;
}
