import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/rng.js';
import type { EncodedColumn } from '../../src/strategy/generator.js';
import { RandomGenerator } from '../../src/strategy/random.js';
import { continuous, fromRows, input, mixedColumns, rowsOf, space } from './helpers.js';

describe('RandomGenerator', () => {
  it('draws i.i.d. uniform points from createRng(seed), deterministically', async () => {
    const s = space(continuous(3));
    const a = await new RandomGenerator().generate(input(s, 4));
    expect(a.candidates).toEqual((await new RandomGenerator().generate(input(s, 4))).candidates);
    const rng = createRng(12345);
    const expected = Array.from({ length: 12 }, () => rng.uniform());
    expect(Array.from(a.candidates.data)).toEqual(expected);
    const b = await new RandomGenerator().generate(input(s, 4, { seed: 54321 }));
    expect(b.candidates.data).not.toEqual(a.candidates.data);
    expect(a.state).toBeUndefined();
  });

  it('is uniform on the cube', async () => {
    const s = space(continuous(2));
    const result = await new RandomGenerator().generate(input(s, 2000));
    let mean = 0;
    let below = 0;
    for (const v of result.candidates.data) {
      mean += v / 4000;
      if (v < 0.25) below++;
    }
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(below / 4000 - 0.25)).toBeLessThan(0.03);
  });

  it('rounds every candidate (integer grid, one-hot blocks)', async () => {
    const s = space(mixedColumns);
    const result = await new RandomGenerator().generate(input(s, 12));
    for (const row of rowsOf(result.candidates)) {
      expect(Number.isInteger(row[1]! * 4)).toBe(true);
      expect(row.slice(2).sort()).toEqual([0, 0, 1]);
    }
  });

  it('respects linear constraints', async () => {
    const s = space(continuous(2), { a: [[1, 1]], b: [0.3] });
    const result = await new RandomGenerator().generate(input(s, 30));
    for (const [x0, x1] of rowsOf(result.candidates)) expect(x0! + x1!).toBeLessThanOrEqual(0.3);
    expect(result.metadata.rejectedInfeasible).toBeGreaterThan(0);
    await expect(
      new RandomGenerator({ maxRejections: 100 }).generate(
        input(space(continuous(2), { a: [[1, 0]], b: [-0.5] }), 1),
      ),
    ).rejects.toThrow(/RandomGenerator: found only 0 of 1 candidates.*feasible region .* seems tiny/);
  });

  it('never repeats observed, failed or pending points, nor its own candidates', async () => {
    const block = [1, 2];
    const columns: EncodedColumn[] = [
      { kind: 'integer', parameter: 'k', levels: 3 },
      ...block.map(() => ({ kind: 'onehot', parameter: 'c', block }) as const),
    ];
    const s = space(columns);
    const all: number[][] = [];
    for (const k of [0, 0.5, 1]) for (const c of [0, 1]) all.push([k, c === 0 ? 1 : 0, c === 1 ? 1 : 0]);
    const pending = fromRows(all.slice(0, 2), 3);
    const X = fromRows(all.slice(2, 3), 3);
    const result = await new RandomGenerator().generate(input(s, 3, { X, pending }));
    const got = rowsOf(result.candidates).map((r) => r.join());
    expect(got.sort()).toEqual(
      all
        .slice(3)
        .map((r) => r.join())
        .sort(),
    );
    await expect(new RandomGenerator().generate(input(s, 4, { X, pending }))).rejects.toThrow(
      /discrete space seems exhausted/,
    );
  });

  it('rejects bad inputs', async () => {
    const s = space(continuous(2));
    await expect(
      new RandomGenerator().generate(input(s, 1, { pending: fromRows([[0.5]], 1) })),
    ).rejects.toThrow(/RandomGenerator: pending has 1 columns, expected the space dimension 2/);
    expect(() => new RandomGenerator({ maxRejections: 0.5 })).toThrow(RangeError);
  });
});
