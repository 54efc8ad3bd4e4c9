import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SOBOL_MAX_DIMENSION,
  SobolSequence,
  sobolDirectionNumbers,
  sobolPolynomials,
  sobolSamples,
} from '../../src/random/sobol.js';

/** The repository's copy of the published file (with its licence and a note beside it). */
const JOE_KUO_FILE = new URL('./joe-kuo/new-joe-kuo-6.21201', import.meta.url);
/** The published file's SHA-256, as in test/random/joe-kuo/README.md and src/random/sobol-table.ts. */
const JOE_KUO_SHA256 = '68eedd2a4e3b659b9695e7aff0f8ac68718bcf620730fc3d3a8c65df2a067441';

// Lines of new-joe-kuo-6.21201 (d, s, a, m_1..m_s), copied from the published file.
const JOE_KUO_LINES: Record<number, string> = {
  2: '2 1 0 1',
  3: '3 2 1 1 3',
  100: '100 9 244 1 1 5 5 11 5 45 117 217',
  1111: '1111 13 4094 1 1 5 15 19 1 7 211 157 603 403 1387 1583',
  21201: '21201 18 131059 1 1 7 11 15 7 37 239 337 245 1557 3681 7357 9639 27367 26869 114603 86317',
};

/**
 * Direction integers m_1..m_32 of one dimension by the polynomial recurrence in BigInt, written
 * from Bratley & Fox: m_i = 2 a_1 m_{i-1} ^ 4 a_2 m_{i-2} ^ ... ^ 2^(s-1) a_(s-1) m_(i-s+1) ^ 2^s m_(i-s) ^ m_(i-s).
 */
function directionIntegers(line: string): bigint[] {
  const [, s, a, ...initial] = line.split(' ').map(Number) as [number, number, number, ...number[]];
  const m: bigint[] = [0n, ...initial.map(BigInt)]; // 1-based
  for (let i = s + 1; i <= 32; i++) {
    let value = (m[i - s]! << BigInt(s)) ^ m[i - s]!;
    for (let k = 1; k < s; k++) {
      const ak = (a >> (s - 1 - k)) & 1;
      if (ak) value ^= m[i - k]! << BigInt(k);
    }
    m.push(value);
  }
  return m;
}

/** Point n (Gray-code order) of the unscrambled sequence in one dimension, by the direct definition. */
function directPoint(m: bigint[], n: number): number {
  const gray = BigInt(n) ^ (BigInt(n) >> 1n);
  let x = 0n;
  for (let j = 1; j <= 32; j++) {
    if ((gray >> BigInt(j - 1)) & 1n) x ^= m[j]! << BigInt(32 - j);
  }
  return Number(x) / 2 ** 32;
}

function column(points: { rows: number; cols: number; data: Float64Array }, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.rows; i++) out.push(points.data[i * points.cols + k]!);
  return out;
}

/** Kolmogorov–Smirnov distance of a sample from U(0, 1). */
function ksUniform(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, (i + 1) / n - sorted[i]!, sorted[i]! - i / n);
  return d;
}

describe('SobolSequence, unscrambled', () => {
  it('starts with the known points of dimensions 1 to 3', () => {
    const points = new SobolSequence(3, { scramble: false }).next(8);
    expect(column(points, 0)).toEqual([0, 1 / 2, 3 / 4, 1 / 4, 3 / 8, 7 / 8, 5 / 8, 1 / 8]);
    expect(column(points, 1)).toEqual([0, 1 / 2, 1 / 4, 3 / 4, 3 / 8, 7 / 8, 1 / 8, 5 / 8]);
    const m3 = directionIntegers(JOE_KUO_LINES[3]!);
    expect(column(points, 2)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => directPoint(m3, n)));
    expect(column(points, 2)).toEqual([0, 1 / 2, 1 / 4, 3 / 4, 5 / 8, 1 / 8, 7 / 8, 3 / 8]);
  });

  it('equals the direct definition in high dimensions (100, 1111, 21201)', () => {
    for (const d of [100, 1111, 21201]) {
      const m = directionIntegers(JOE_KUO_LINES[d]!);
      const sequence = new SobolSequence(d, { scramble: false });
      const points = sequence.next(300);
      for (let n = 0; n < 300; n++) expect(points.data[n * d + d - 1]).toBe(directPoint(m, n));
      // Far along, after a direct jump.
      for (const start of [2 ** 20 + 12345, 2 ** 31 - 3, 2 ** 32 - 4]) {
        const seq = new SobolSequence(d, { scramble: false });
        seq.skip(start);
        const far = seq.next(4);
        for (let i = 0; i < 4; i++) expect(far.data[i * d + d - 1]).toBe(directPoint(m, start + i));
      }
    }
  });

  it('direction numbers of dimension 2 are those of the Pascal matrix mod 2', () => {
    const v = sobolDirectionNumbers(2);
    // m_j for x + 1: m_j = 2 m_{j-1} ^ m_{j-1}, i.e. 1, 3, 5, 15, 17, 51, ...
    let m = 1;
    for (let j = 0; j < 32; j++) {
      expect(v[j * 2 + 1]).toBe(Number((BigInt(m) << BigInt(31 - j)) & 0xffffffffn));
      m = (2 * m) ^ m;
    }
  });

  it('decodes the whole Joe–Kuo file exactly', () => {
    const bytes = readFileSync(JOE_KUO_FILE);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(JOE_KUO_SHA256);
    const lines = bytes.toString('utf8').trim().split('\n').slice(1);
    const decoded = sobolPolynomials(SOBOL_MAX_DIMENSION);
    expect(decoded.length).toBe(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const [d, s, a, ...m] = lines[i]!.trim().split(/\s+/).map(Number) as [
        number,
        number,
        number,
        ...number[],
      ];
      const p = decoded[i]!;
      if (d !== i + 2 || p.degree !== s || p.coefficients !== a || p.initial.join() !== m.join()) {
        throw new Error(`dimension ${d}: decoded ${JSON.stringify(p)}`);
      }
    }
  });
});

describe('SobolSequence, net properties (scrambled and unscrambled)', () => {
  const variants = [
    { scramble: false, seed: 0 },
    { scramble: true, seed: 1 },
    { scramble: true, seed: 987654 },
  ];

  it('each 1-D projection of the first 2^k points has one point in every [j/2^k, (j+1)/2^k)', () => {
    const dims = [1, 2, 3, 7, 50, 333];
    for (const options of variants) {
      const d = 333;
      const points = new SobolSequence(d, options).next(1024);
      for (const k of [0, 1, 4, 7, 10]) {
        const n = 2 ** k;
        for (const dim of dims) {
          const counts = new Int32Array(n);
          for (let i = 0; i < n; i++) counts[Math.floor(points.data[i * d + dim - 1]! * n)]!++;
          expect(counts.every((c) => c === 1)).toBe(true);
        }
      }
      // Every aligned block of 2^k points is stratified too, not only the first.
      const block = 64;
      for (let start = 0; start < 1024; start += block) {
        const counts = new Int32Array(block);
        for (let i = start; i < start + block; i++) counts[Math.floor(points.data[i * d + 49]! * block)]!++;
        expect(counts.every((c) => c === 1)).toBe(true);
      }
    }
  });

  it('dimensions 1 and 2 form a (0, m, 2)-net: every 2^a x 2^b elementary box holds one point', () => {
    for (const options of variants) {
      const points = new SobolSequence(2, options).next(1024);
      for (let m = 1; m <= 10; m++) {
        const n = 2 ** m;
        for (let a = 0; a <= m; a++) {
          const ca = 2 ** a;
          const cb = 2 ** (m - a);
          const counts = new Int32Array(n);
          for (let i = 0; i < n; i++) {
            const x = Math.floor(points.data[2 * i]! * ca);
            const y = Math.floor(points.data[2 * i + 1]! * cb);
            counts[x * cb + y]!++;
          }
          expect(counts.every((c) => c === 1)).toBe(true);
        }
      }
    }
  });
  it('scrambling keeps the t-value of every 2-D projection of the low dimensions', () => {
    /** The smallest t such that the first 2^m points put 2^t points in every elementary box of volume 2^(t-m). */
    function tValue(points: { cols: number; data: Float64Array }, k1: number, k2: number, m: number): number {
      const n = 2 ** m;
      for (let t = 0; t <= m; t++) {
        let ok = true;
        for (let a = 0; a <= m - t && ok; a++) {
          const ca = 2 ** a;
          const cb = 2 ** (m - t - a);
          const counts = new Int32Array(ca * cb);
          for (let i = 0; i < n; i++) {
            const x = Math.floor(points.data[i * points.cols + k1]! * ca);
            const y = Math.floor(points.data[i * points.cols + k2]! * cb);
            counts[x * cb + y]!++;
          }
          ok = counts.every((c) => c === 2 ** t);
        }
        if (ok) return t;
      }
      return m;
    }
    const d = 8;
    const m = 8;
    const plain = new SobolSequence(d, { scramble: false }).next(2 ** m);
    const scrambled = sobolSamples(2 ** m, d, 2024);
    for (let k1 = 0; k1 < d; k1++) {
      for (let k2 = k1 + 1; k2 < d; k2++) {
        const t = tValue(plain, k1, k2, m);
        expect(tValue(scrambled, k1, k2, m)).toBe(t);
        // Joe–Kuo chose the numbers for small t of 2-D projections.
        expect(t).toBeLessThanOrEqual(3);
      }
    }
    expect(tValue(plain, 0, 1, m)).toBe(0);
  });
});

describe('SobolSequence, scrambling', () => {
  it('scrambled points are uniform in every dimension', () => {
    const d = 20;
    const n = 1000;
    const points = sobolSamples(n, d, 42);
    for (let k = 0; k < d; k++) {
      const values = column(points, k);
      for (const v of values) expect(v >= 0 && v < 1).toBe(true);
      const mean = values.reduce((s, v) => s + v, 0) / n;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
      expect(ksUniform(values)).toBeLessThan(1.36 / Math.sqrt(n));
    }
  });

  it('the scrambled first point is uniform over seeds', () => {
    const firsts: number[][] = [[], [], []];
    const seeds = 1000;
    for (let seed = 0; seed < seeds; seed++) {
      const p = sobolSamples(1, 3, seed).data;
      for (let k = 0; k < 3; k++) firsts[k]!.push(p[k]!);
    }
    // 99.9% critical value of the KS distance.
    for (const values of firsts) expect(ksUniform(values)).toBeLessThan(1.95 / Math.sqrt(seeds));
  });

  it('fills 52 bits per coordinate when scrambled', () => {
    const points = sobolSamples(64, 4, 5);
    let lowBits = 0;
    for (const v of points.data) if ((v * 2 ** 52) % 2 ** 20 !== 0) lowBits++;
    expect(lowBits).toBeGreaterThan(240);
  });

  it('is equal for equal seeds and differs between seeds', () => {
    expect(sobolSamples(16, 5, 3).data).toEqual(sobolSamples(16, 5, 3).data);
    const a = sobolSamples(16, 5, 3).data;
    const b = sobolSamples(16, 5, 4).data;
    for (let i = 0; i < a.length; i++) expect(a[i]).not.toBe(b[i]);
  });

  it('a dimension does not depend on how many dimensions the sequence has', () => {
    // 3 and 40 dimensions use the column-wise loop, 80 the row-wise one.
    const small = sobolSamples(300, 3, 11);
    for (const d of [40, 80]) {
      const large = sobolSamples(300, d, 11);
      for (let i = 0; i < 300; i++) {
        for (let k = 0; k < 3; k++) expect(large.data[i * d + k]).toBe(small.data[i * 3 + k]);
      }
    }
    const unscrambled = sobolSamples(300, 3, 0, { scramble: false, skip: 5 });
    const wide = sobolSamples(300, 90, 0, { scramble: false, skip: 5 });
    for (let i = 0; i < 300; i++) {
      for (let k = 0; k < 3; k++) expect(wide.data[i * 90 + k]).toBe(unscrambled.data[i * 3 + k]);
    }
  });
});

describe('SobolSequence, skip and errors', () => {
  it('skip(k) then next(n) equals rows k..k+n of next(k + n)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 70 }),
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 60, max: 70 })),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (k, n, d, scramble, seed) => {
          const all = new SobolSequence(d, { scramble, seed }).next(k + n);
          const seq = new SobolSequence(d, { scramble, seed });
          seq.skip(k);
          expect(seq.index).toBe(k);
          const tail = seq.next(n);
          expect(seq.index).toBe(k + n);
          expect(tail.data).toEqual(all.data.subarray(k * d));
          expect(sobolSamples(n, d, seed, { scramble, skip: k }).data).toEqual(tail.data);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('next in pieces equals one long next', () => {
    const seq = new SobolSequence(4, { seed: 9 });
    const pieces = [seq.next(5), seq.next(0), seq.next(3), seq.next(24)];
    const joined = new Float64Array(32 * 4);
    let o = 0;
    for (const p of pieces) {
      joined.set(p.data, o);
      o += p.data.length;
    }
    expect(joined).toEqual(new SobolSequence(4, { seed: 9 }).next(32).data);
  });

  it('gives all 2^32 points and no more', () => {
    for (const d of [2, 100]) {
      const seq = new SobolSequence(d, { seed: 4 });
      seq.skip(2 ** 32 - 3);
      const last = seq.next(3);
      const again = new SobolSequence(d, { seed: 4 });
      again.skip(2 ** 32 - 1);
      expect(last.data.subarray(2 * d)).toEqual(again.next(1).data);
      expect(() => seq.next(1)).toThrow(/exceed the 4294967296 points/);
    }
    expect(() => new SobolSequence(1).skip(2 ** 32 + 1)).toThrow(RangeError);
  });

  it('rejects bad arguments with clear messages', () => {
    expect(() => new SobolSequence(0)).toThrow(
      /SobolSequence: dimension must be an integer in \[1, 21201\], got 0/,
    );
    expect(() => new SobolSequence(21202)).toThrow(RangeError);
    expect(() => new SobolSequence(2.5)).toThrow(RangeError);
    expect(() => new SobolSequence(2).next(-1)).toThrow(
      /SobolSequence.next: n must be an integer >= 0, got -1/,
    );
    expect(() => new SobolSequence(2).skip(0.5)).toThrow(RangeError);
    expect(() => new SobolSequence(2, { seed: Number.NaN })).toThrow(TypeError);
  });
});
