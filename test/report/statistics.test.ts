import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median } from '../../src/report/statistics.js';

describe('median', () => {
  it('gives the middle value, or the mean of the middle two, and NaN for no values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('leaves its input as it was', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('splits the values in halves: at least half at or below it and at least half at or above it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 40 }), (values) => {
        const m = median(values);
        const below = values.filter((v) => v <= m).length;
        const above = values.filter((v) => v >= m).length;
        expect(2 * below).toBeGreaterThanOrEqual(values.length);
        expect(2 * above).toBeGreaterThanOrEqual(values.length);
        // An odd count: one of the values; an even one: halfway between two of them.
        if (values.length % 2 === 1) expect(values).toContain(m);
        else expect(values.some((a) => values.some((b) => a + b === 2 * m))).toBe(true);
      }),
    );
  });
});
