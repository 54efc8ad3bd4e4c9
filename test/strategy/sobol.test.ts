import { describe, expect, it } from 'vitest';
import { sobolSamples } from '../../src/random/sobol.js';
import type { EncodedColumn } from '../../src/strategy/generator.js';
import { SobolGenerator } from '../../src/strategy/sobol.js';
import { continuous, fromRows, input, mixedColumns, rowsOf, space } from './helpers.js';

describe('SobolGenerator', () => {
  it('is deterministic and its points are the scrambled Sobol sequence of the seed', async () => {
    const s = space(continuous(3));
    const a = await new SobolGenerator().generate(input(s, 6));
    const b = await new SobolGenerator().generate(input(s, 6));
    expect(a.candidates).toEqual(b.candidates);
    expect(a.state).toEqual({ seed: 12345, drawn: 6 });
    expect(a.candidates.data).toEqual(sobolSamples(6, 3, 12345).data);
  });

  it('continues through its state: a batch of 5 then 3 are the first 8 points', async () => {
    const s = space(continuous(4));
    const gen = new SobolGenerator();
    const first = await gen.generate(input(s, 5));
    // The next ask has another per-generation seed; the scramble seed stays the one in the state.
    const second = await gen.generate(
      input(s, 3, { state: JSON.parse(JSON.stringify(first.state)), seed: 999, pending: first.candidates }),
    );
    const all = await gen.generate(input(s, 8));
    expect([...rowsOf(first.candidates), ...rowsOf(second.candidates)]).toEqual(rowsOf(all.candidates));
    expect(second.state).toEqual({ seed: 12345, drawn: 8 });
  });

  it('rounds every candidate (integer grid, one-hot blocks)', async () => {
    const s = space(mixedColumns);
    const result = await new SobolGenerator().generate(input(s, 12));
    for (const row of rowsOf(result.candidates)) {
      expect(row[0]! >= 0 && row[0]! <= 1).toBe(true);
      expect(Number.isInteger(row[1]! * 4)).toBe(true);
      expect(row.slice(2).sort()).toEqual([0, 0, 1]);
      const again = Float64Array.from(row);
      s.round(again);
      expect(Array.from(again)).toEqual(row);
    }
  });

  it('respects linear constraints and counts the rejections', async () => {
    // x0 + x1 <= 0.6 and x0 - x1 >= -0.2 (as -x0 + x1 <= 0.2).
    const s = space(continuous(3), {
      a: [
        [1, 1, 0],
        [-1, 1, 0],
      ],
      b: [0.6, 0.2],
    });
    const result = await new SobolGenerator().generate(input(s, 20));
    for (const [x0, x1] of rowsOf(result.candidates)) {
      expect(x0! + x1!).toBeLessThanOrEqual(0.6);
      expect(-x0! + x1!).toBeLessThanOrEqual(0.2);
    }
    expect(result.metadata.rejectedInfeasible).toBeGreaterThan(0);
    expect((result.state as { drawn: number }).drawn).toBe(
      20 + (result.metadata.rejectedInfeasible as number),
    );
  });

  it('says the feasible region seems tiny when it cannot find feasible points', async () => {
    const s = space(continuous(2), { a: [[1, 1]], b: [-1] });
    await expect(new SobolGenerator({ maxRejections: 500 }).generate(input(s, 2))).rejects.toThrow(
      /SobolGenerator: found only 0 of 2 candidates after 501 draws.*feasible region .* seems tiny/,
    );
  });

  it('never repeats observed, failed or pending points, nor its own candidates', async () => {
    // 3 integer levels x 3 categories: 9 points in all.
    const block = [1, 2, 3];
    const columns: EncodedColumn[] = [
      { kind: 'integer', parameter: 'k', levels: 3 },
      ...block.map(() => ({ kind: 'onehot', parameter: 'c', block }) as const),
    ];
    const s = space(columns);
    const all: number[][] = [];
    for (const k of [0, 0.5, 1])
      for (const c of [0, 1, 2]) all.push([k, ...[0, 1, 2].map((j) => (j === c ? 1 : 0))]);
    const X = fromRows(all.slice(0, 3), 4);
    const failed = fromRows(all.slice(3, 4), 4);
    const pending = fromRows(all.slice(4, 6), 4);
    const result = await new SobolGenerator().generate(input(s, 3, { X, failed, pending }));
    const got = rowsOf(result.candidates).map((r) => r.join());
    expect(new Set(got).size).toBe(3);
    expect(got.sort()).toEqual(
      all
        .slice(6)
        .map((r) => r.join())
        .sort(),
    );
    await expect(new SobolGenerator().generate(input(s, 4, { X, failed, pending }))).rejects.toThrow(
      /found only 3 of 4 candidates.*discrete space seems exhausted/,
    );
  });

  it('excludes rows of X that only match after rounding', async () => {
    const columns: EncodedColumn[] = [{ kind: 'integer', parameter: 'k', levels: 2 }];
    const s = space(columns);
    // 0.2 rounds to 0: only 1 is left.
    const result = await new SobolGenerator().generate(input(s, 1, { X: fromRows([[0.2]], 1) }));
    expect(Array.from(result.candidates.data)).toEqual([1]);
  });

  it('returns an empty batch for count 0 and keeps its state', async () => {
    const s = space(continuous(2));
    const result = await new SobolGenerator().generate(input(s, 0, { state: { seed: 7, drawn: 3 } }));
    expect(result.candidates.rows).toBe(0);
    expect(result.state).toEqual({ seed: 7, drawn: 3 });
  });

  it('rejects bad inputs with clear messages', async () => {
    const s = space(continuous(2));
    const gen = new SobolGenerator();
    await expect(gen.generate(input(s, 1, { state: { seed: -1 } }))).rejects.toThrow(
      /SobolGenerator: state must be \{ seed, drawn \}/,
    );
    await expect(gen.generate(input(s, 1, { X: fromRows([[0.1, 0.2, 0.3]], 3) }))).rejects.toThrow(
      /SobolGenerator: X has 3 columns, expected the space dimension 2/,
    );
    await expect(gen.generate(input(s, -1))).rejects.toThrow(/count must be an integer >= 0, got -1/);
    await expect(gen.generate(input(s, 1, { seed: 1.5 }))).rejects.toThrow(
      /seed must be a 32-bit unsigned integer/,
    );
    const badConstraints = {
      ...s,
      constraintMatrix: fromRows([[1, 1, 1]], 3),
      constraintBound: Float64Array.of(1),
    };
    await expect(gen.generate(input(badConstraints, 1))).rejects.toThrow(
      /constraintMatrix is 1 x 3, expected 1 x 2/,
    );
    expect(() => new SobolGenerator({ maxRejections: -1 })).toThrow(RangeError);
  });
});
