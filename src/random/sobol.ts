import type { Matrix } from '../linalg/matrix.js';
import { createRng } from './rng.js';
import { SOBOL_TABLE_CHUNKS, SOBOL_TABLE_MAX_DIMENSION } from './sobol-table.js';

/** The largest dimension with Joe–Kuo direction numbers (new-joe-kuo-6.21201). */
export const SOBOL_MAX_DIMENSION = 21201;
/** Index bits, hence at most 2^32 points per sequence. */
export const SOBOL_BITS = 32;
/** The number of points a sequence can produce. */
export const SOBOL_MAX_POINTS = 2 ** SOBOL_BITS;

if (SOBOL_TABLE_MAX_DIMENSION !== SOBOL_MAX_DIMENSION) {
  throw new Error(
    `sobol: the table covers ${SOBOL_TABLE_MAX_DIMENSION} dimensions, expected ${SOBOL_MAX_DIMENSION}`,
  );
}

const TWO_POW_M32 = 2 ** -32;
const TWO_POW_M52 = 2 ** -52;
const CHUNK = 4096;
/** Up to this dimension `next` fills the output a column at a time (faster: the state stays in registers). */
const COLUMN_WISE_MAX_DIMENSION = 64;
const COLUMN_STRIDE = SOBOL_BITS + 1;

/** The primitive polynomial and initial direction numbers of one dimension (>= 2). */
export interface SobolPolynomial {
  /** s: the degree. */
  readonly degree: number;
  /** a: the s - 1 inner coefficients as an integer, highest power first. */
  readonly coefficients: number;
  /** m_1..m_s: odd, m_i < 2^i. */
  readonly initial: readonly number[];
}

const BASE64_VALUE = (() => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Sequential reader of the packed table (bit layout documented in tools/gen-sobol-table.ts). */
class TableReader {
  private position = 0;
  private buffer = 0;
  private available = 0;

  read(width: number): number {
    while (this.available < width) {
      const chunk = SOBOL_TABLE_CHUNKS[this.position >>> 12]!;
      const value = BASE64_VALUE[chunk.charCodeAt(this.position & (CHUNK - 1))]!;
      this.position++;
      // width <= 17, so the buffer stays below 2^23 and fits the 32-bit operators.
      this.buffer = (this.buffer << 6) | value;
      this.available += 6;
    }
    this.available -= width;
    const out = this.buffer >>> this.available;
    this.buffer &= (1 << this.available) - 1;
    return out;
  }
}

/**
 * Decodes the polynomials of dimensions 2..`dimension` from the packed table (dimension - 1 entries,
 * entry k for dimension k + 2). Work is linear in `dimension`; nothing beyond it is decoded.
 */
export function sobolPolynomials(dimension: number): SobolPolynomial[] {
  checkDimension('sobolPolynomials', dimension);
  const reader = new TableReader();
  const out: SobolPolynomial[] = [];
  for (let d = 2; d <= dimension; d++) {
    const degree = reader.read(5);
    const coefficients = reader.read(degree - 1);
    const initial = [1];
    for (let i = 2; i <= degree; i++) initial.push(2 * reader.read(i - 1) + 1);
    out.push({ degree, coefficients, initial });
  }
  return out;
}

function checkDimension(fn: string, dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > SOBOL_MAX_DIMENSION) {
    throw new RangeError(
      `${fn}: dimension must be an integer in [1, ${SOBOL_MAX_DIMENSION}], got ${dimension}`,
    );
  }
}

/**
 * The unscrambled direction numbers, 32 x d stored bit-major: entry `j * d + k` is v_{j+1} of
 * dimension k + 1 as an unsigned 32-bit integer (v = m << (32 - j - 1)). Dimension 1 is van der
 * Corput (all m = 1); the others follow the Joe–Kuo recurrence
 * m_i = 2 a_1 m_{i-1} ^ 4 a_2 m_{i-2} ^ ... ^ 2^s m_{i-s} ^ m_{i-s} (Bratley & Fox 1988).
 */
export function sobolDirectionNumbers(dimension: number): Uint32Array {
  checkDimension('sobolDirectionNumbers', dimension);
  const d = dimension;
  const v = new Uint32Array(SOBOL_BITS * d);
  for (let j = 0; j < SOBOL_BITS; j++) v[j * d] = 2 ** (SOBOL_BITS - 1 - j);
  if (d === 1) return v;
  const polynomials = sobolPolynomials(d);
  for (let k = 1; k < d; k++) {
    const { degree: s, coefficients: a, initial } = polynomials[k - 1]!;
    for (let j = 0; j < Math.min(s, SOBOL_BITS); j++) v[j * d + k] = initial[j]! * 2 ** (SOBOL_BITS - 1 - j);
    for (let j = s; j < SOBOL_BITS; j++) {
      const back = v[(j - s) * d + k]!;
      let x = back ^ (back >>> s);
      for (let l = 1; l < s; l++) {
        if ((a >>> (s - 1 - l)) & 1) x ^= v[(j - l) * d + k]!;
      }
      v[j * d + k] = x;
    }
  }
  return v;
}

/** Options of `SobolSequence`. */
export interface SobolOptions {
  /** Linear matrix scrambling plus a random digital shift. Default true. */
  readonly scramble?: boolean;
  /** Seed of the scrambling (ignored when unscrambled). Default 0. */
  readonly seed?: number;
}

/**
 * A Sobol sequence in [0, 1)^d in Gray-code order (Antonov & Saleev 1979), from the direction
 * numbers of Joe & Kuo (2008); dimension 1 is van der Corput. Unscrambled, the first point is 0.
 *
 * Scrambled (the default), as scipy's `qmc.Sobol` and torch's `SobolEngine` do: each dimension's
 * direction numbers are multiplied over GF(2) by a random lower-triangular binary matrix with unit
 * diagonal (linear matrix scrambling, Matoušek 1998), extended from 32 to 52 output bits, and the
 * points are XORed with a random 52-bit digital shift. Both preserve the (t, m, s)-net property;
 * the points are then uniform on [0, 1)^d and every coordinate has 52 random bits. The scrambling
 * of dimension k depends only on the seed and k, so a sequence's first columns do not depend on
 * how many dimensions it has.
 */
export class SobolSequence {
  readonly dimension: number;
  private readonly scrambled: boolean;
  /** 32 x d, bit-major: the top 32 bits of each (scrambled) direction number. */
  private readonly directionHigh: Int32Array;
  /** 32 x d: the next 20 bits (all zero unscrambled). */
  private readonly directionLow: Int32Array;
  /** d: the digital shift, top 32 and next 20 bits. */
  private readonly shiftHigh: Int32Array;
  private readonly shiftLow: Int32Array;
  /** d: the current point, as 32 + 20 bits. */
  private readonly stateHigh: Int32Array;
  private readonly stateLow: Int32Array;
  /** d x 33, dimension-major, entry 32 zero: the direction numbers for the column-wise loop (small d). */
  private readonly columnsHigh: Int32Array | undefined;
  private readonly columnsLow: Int32Array | undefined;
  private position = 0;

  constructor(dimension: number, options: SobolOptions = {}) {
    checkDimension('SobolSequence', dimension);
    const seed = options.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TypeError(`SobolSequence: seed must be a finite number, got ${String(seed)}`);
    }
    const d = dimension;
    this.dimension = d;
    this.scrambled = options.scramble ?? true;
    const v = sobolDirectionNumbers(d);
    this.shiftHigh = new Int32Array(d);
    this.shiftLow = new Int32Array(d);
    this.stateHigh = new Int32Array(d);
    this.stateLow = new Int32Array(d);
    this.directionLow = new Int32Array(SOBOL_BITS * d);
    // Int32 storage keeps the hot XOR loop on small integers; the bits are read back unsigned.
    this.directionHigh = new Int32Array(v.buffer);
    if (this.scrambled) {
      this.directionHigh = new Int32Array(SOBOL_BITS * d);
      this.scramble(v, seed);
    }
    if (d <= COLUMN_WISE_MAX_DIMENSION) {
      // Dimension-major copies with a zero 33rd entry, for the column-wise loop of `next`.
      this.columnsHigh = new Int32Array(COLUMN_STRIDE * d);
      this.columnsLow = new Int32Array(COLUMN_STRIDE * d);
      for (let k = 0; k < d; k++) {
        for (let j = 0; j < SOBOL_BITS; j++) {
          this.columnsHigh[k * COLUMN_STRIDE + j] = this.directionHigh[j * d + k]!;
          this.columnsLow[k * COLUMN_STRIDE + j] = this.directionLow[j * d + k]!;
        }
      }
    }
  }

  /** Linear matrix scrambling of the direction numbers `v` (32 x d, bit-major) and the digital shift. */
  private scramble(v: Uint32Array, seed: number): void {
    const d = this.dimension;
    const rng = createRng(seed).fork('sobol-scramble');
    const columnHigh = new Int32Array(SOBOL_BITS);
    const columnLow = new Int32Array(SOBOL_BITS);
    // One stream, a fixed 2 * 33 draws per dimension in order: dimension k's scrambling depends on
    // the seed and k only.
    for (let k = 0; k < d; k++) {
      // Column c of the 52 x 32 lower unit-triangular matrix: row c is 1, rows below are random.
      for (let c = 0; c < SOBOL_BITS; c++) {
        const below = 2 ** (SOBOL_BITS - 1 - c);
        columnHigh[c] = (rng.uint32() % below) + below;
        columnLow[c] = rng.uint32() >>> 12;
      }
      for (let j = 0; j < SOBOL_BITS; j++) {
        const x = v[j * d + k]!;
        let high = 0;
        let low = 0;
        // Visit the set bits of x only: bit c from the top selects column c.
        for (let rest = x; rest !== 0; ) {
          const c = Math.clz32(rest);
          high ^= columnHigh[c]!;
          low ^= columnLow[c]!;
          rest ^= 1 << (31 - c);
        }
        this.directionHigh[j * d + k] = high;
        this.directionLow[j * d + k] = low;
      }
      this.shiftHigh[k] = rng.uint32();
      this.shiftLow[k] = rng.uint32() >>> 12;
    }
    this.stateHigh.set(this.shiftHigh);
    this.stateLow.set(this.shiftLow);
  }

  /** How many points have been drawn or skipped: the index of the next point. */
  get index(): number {
    return this.position;
  }

  /** The next n points, n x d in [0, 1). */
  next(n: number): Matrix {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`SobolSequence.next: n must be an integer >= 0, got ${n}`);
    }
    if (this.position + n > SOBOL_MAX_POINTS) {
      throw new RangeError(
        `SobolSequence.next: ${n} more points after ${this.position} exceed the ${SOBOL_MAX_POINTS} points of a sequence`,
      );
    }
    const d = this.dimension;
    const out = new Float64Array(n * d);
    if (this.columnsHigh !== undefined && this.columnsLow !== undefined) {
      this.nextByColumns(n, out, this.columnsHigh, this.columnsLow);
      this.position += n;
      return { rows: n, cols: d, data: out };
    }
    const high = this.stateHigh;
    const low = this.stateLow;
    const vHigh = this.directionHigh;
    const vLow = this.directionLow;
    let index = this.position;
    // Gray-code order: point i + 1 is point i XOR one direction number, O(d) per point.
    for (let i = 0; i < n; i++) {
      const o = i * d;
      index++;
      // The bit that flips between gray(index - 1) and gray(index) is the lowest set bit of index;
      // past the last point there is nothing to advance to (the emitted point is still valid).
      const base = index === SOBOL_MAX_POINTS ? -1 : (31 - Math.clz32(index & -index)) * d;
      if (base < 0) {
        for (let k = 0; k < d; k++) out[o + k] = (high[k]! >>> 0) * TWO_POW_M32 + low[k]! * TWO_POW_M52;
      } else if (this.scrambled) {
        for (let k = 0; k < d; k++) {
          const h = high[k]!;
          const l = low[k]!;
          out[o + k] = (h >>> 0) * TWO_POW_M32 + l * TWO_POW_M52;
          high[k] = h ^ vHigh[base + k]!;
          low[k] = l ^ vLow[base + k]!;
        }
      } else {
        for (let k = 0; k < d; k++) {
          const h = high[k]!;
          out[o + k] = (h >>> 0) * TWO_POW_M32;
          high[k] = h ^ vHigh[base + k]!;
        }
      }
    }
    this.position += n;
    return { rows: n, cols: d, data: out };
  }

  /**
   * Fills `out` (n x d) a dimension at a time: the bit to flip at each step is shared by all
   * dimensions, so it is computed once, and each dimension's state lives in locals. O(n d).
   */
  private nextByColumns(n: number, out: Float64Array, vHigh: Int32Array, vLow: Int32Array): void {
    const d = this.dimension;
    const flips = new Uint8Array(n);
    let index = this.position;
    for (let i = 0; i < n; i++) {
      index++;
      // Past the last point, entry 32 (zero) leaves the state as it is.
      flips[i] = index === SOBOL_MAX_POINTS ? SOBOL_BITS : 31 - Math.clz32(index & -index);
    }
    // Blocks of rows keep the strided column writes inside the cache (about 256 KB of output).
    const blockRows = Math.max(1, Math.floor(32768 / d));
    for (let first = 0; first < n; first += blockRows) {
      const end = Math.min(n, first + blockRows);
      for (let k = 0; k < d; k++) {
        let h = this.stateHigh[k]!;
        let l = this.stateLow[k]!;
        const base = k * COLUMN_STRIDE;
        for (let i = first, o = first * d + k; i < end; i++, o += d) {
          out[o] = (h >>> 0) * TWO_POW_M32 + l * TWO_POW_M52;
          const at = base + flips[i]!;
          h ^= vHigh[at]!;
          l ^= vLow[at]!;
        }
        this.stateHigh[k] = h;
        this.stateLow[k] = l;
      }
    }
  }

  /** Skips n points in O(32 d), whatever n: the state is rebuilt from the Gray code of the new index. */
  skip(n: number): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`SobolSequence.skip: n must be an integer >= 0, got ${n}`);
    }
    const target = this.position + n;
    if (target > SOBOL_MAX_POINTS) {
      throw new RangeError(
        `SobolSequence.skip: skipping ${n} after ${this.position} exceeds the ${SOBOL_MAX_POINTS} points of a sequence`,
      );
    }
    this.position = target;
    if (target === SOBOL_MAX_POINTS) return;
    const d = this.dimension;
    const gray = (target ^ (target >>> 1)) >>> 0;
    this.stateHigh.set(this.shiftHigh);
    this.stateLow.set(this.shiftLow);
    const high = this.stateHigh;
    const low = this.stateLow;
    for (let j = 0; j < SOBOL_BITS; j++) {
      if ((gray >>> j) & 1) {
        const base = j * d;
        for (let k = 0; k < d; k++) {
          high[k] = high[k]! ^ this.directionHigh[base + k]!;
          low[k] = low[k]! ^ this.directionLow[base + k]!;
        }
      }
    }
  }
}

/** Options of `sobolSamples`. */
export interface SobolSamplesOptions {
  /** Default true. */
  readonly scramble?: boolean;
  /** Points to skip first. Default 0. */
  readonly skip?: number;
}

/** n x d points of a (by default scrambled) Sobol sequence seeded by `seed`. */
export function sobolSamples(
  n: number,
  dimension: number,
  seed: number,
  options: SobolSamplesOptions = {},
): Matrix {
  const sequence = new SobolSequence(dimension, { scramble: options.scramble ?? true, seed });
  if (options.skip !== undefined) sequence.skip(options.skip);
  return sequence.next(n);
}
