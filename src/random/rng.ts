import seedrandom from 'seedrandom';
import { normalQuantile } from './wichura.js';

/**
 * A seeded source of randomness. One per experiment; every random choice flows from it (or from a
 * child made by `fork`), so the same seed gives the same choices, also after a resume.
 */
export interface Rng {
  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A standard normal deviate (inversion of one strictly interior uniform: one draw per call). */
  normal(): number;
  /** A uniform integer in 0..n-1 without modulo bias; n a positive integer up to 2^53. */
  int(n: number): number;
  /** A uniform unsigned 32-bit integer. */
  uint32(): number;
  /**
   * An independent child stream, determined by this generator's seed and `label` only (not by how
   * much this generator has drawn): forking twice with the same label gives the same stream.
   */
  fork(label: string | number): Rng;
}

const TWO_POW_26 = 67108864;
const TWO_POW_32 = 4294967296;
const TWO_POW_M53 = 2 ** -53;

function checkSeedPart(fn: string, what: string, value: unknown): void {
  if (typeof value === 'string') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  throw new TypeError(`${fn}: ${what} must be a finite number or a string, got ${String(value)}`);
}

/** The canonical string of a seed part: JSON, so that the number 1 and the string '1' differ. */
function canonical(value: string | number): string {
  // JSON.stringify(-0) is "0", so -0 and 0 are one seed.
  return JSON.stringify(value);
}

/**
 * A 32-bit hash of a string: MurmurHash3's block mix applied per UTF-16 code unit, with its
 * finalizer, so that near-identical strings (ask counters 1, 2, 3) give unrelated seeds.
 */
function hash32(s: string): number {
  let h = 0x9e3779b9 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit unsigned seed from a stable hash of the canonical string of `seed` and `parts`, e.g.
 * `deriveSeed(experimentSeed, 'ask', askCounter)`. Stable across platforms and releases.
 */
export function deriveSeed(seed: number | string, ...parts: (string | number)[]): number {
  checkSeedPart('deriveSeed', 'seed', seed);
  for (let i = 0; i < parts.length; i++) checkSeedPart('deriveSeed', `part ${i}`, parts[i]);
  return hash32([seed, ...parts].map(canonical).join('\u0000'));
}

class XorRng implements Rng {
  /** The canonical key this generator was seeded from (seed and fork labels). */
  private readonly key: string;
  private readonly next32: () => number;

  constructor(key: string) {
    this.key = key;
    // Brent's xor4096 (period 2^4128 - 2^32, passes BigCrush) seeded by the whole key string.
    this.next32 = seedrandom.xor4096(`mobo\u0000${key}`).int32;
  }

  uniform(): number {
    const hi = this.next32() >>> 5;
    const lo = this.next32() >>> 6;
    return (hi * TWO_POW_26 + lo) * TWO_POW_M53;
  }

  normal(): number {
    const hi = this.next32() >>> 5;
    const lo = this.next32() >>> 6;
    // Half a step off the 2^-53 grid: strictly inside (0, 1) and symmetric about 1/2.
    return normalQuantile((hi * TWO_POW_26 + lo + 0.5) * TWO_POW_M53);
  }

  uint32(): number {
    return this.next32() >>> 0;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > Number.MAX_SAFE_INTEGER + 1) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^53], got ${n}`);
    }
    if (n <= TWO_POW_32) {
      // Rejection of the incomplete last block of 2^32 values removes the modulo bias.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const x = this.next32() >>> 0;
        if (x < limit) return x % n;
      }
    }
    const TWO_POW_53 = 9007199254740992;
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    for (;;) {
      const x = (this.next32() >>> 5) * TWO_POW_26 + (this.next32() >>> 6);
      if (x < limit) return x % n;
    }
  }

  fork(label: string | number): Rng {
    checkSeedPart('Rng.fork', 'label', label);
    return new XorRng(`${this.key}/${canonical(label)}`);
  }
}

/** A seeded generator (xor4096 of seedrandom). Number and string seeds are distinct: 1 is not '1'. */
export function createRng(seed: number | string): Rng {
  checkSeedPart('createRng', 'seed', seed);
  return new XorRng(canonical(seed));
}
