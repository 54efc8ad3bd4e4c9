import { describe, expect, it } from 'vitest';
import { type Matrix, toMatrix, toRows } from '../../src/linalg/matrix.js';
import {
  type MatingOptions,
  makeOffspring,
  type ParentPopulation,
  randomCandidates,
} from '../../src/moga/mating.js';
import { resolveNsga2Options } from '../../src/moga/nsga2-algorithm.js';
import { createRng } from '../../src/random/rng.js';
import type { EncodedColumn, EncodedSpace } from '../../src/strategy/generator.js';
import { layoutFromSpace } from '../../src/strategy/nsga2-generator.js';

/** A hand-built encoded space: the rounding is written here, independently of src/space. */
function testSpace(columns: EncodedColumn[], A: number[][] = [], b: number[] = []): EncodedSpace {
  const d = columns.length;
  return {
    dimension: d,
    columns,
    constraintMatrix: A.length === 0 ? { rows: 0, cols: d, data: new Float64Array(0) } : toMatrix(A),
    constraintBound: Float64Array.from(b),
    round(x: Float64Array) {
      const done = new Set<number>();
      columns.forEach((c, j) => {
        if (c.kind === 'integer') x[j] = Math.round(x[j]! * (c.levels - 1)) / (c.levels - 1);
        if (c.kind === 'onehot' && !done.has(j)) {
          let best = c.block[0]!;
          for (const k of c.block) if (x[k]! > x[best]!) best = k;
          for (const k of c.block) {
            x[k] = k === best ? 1 : 0;
            done.add(k);
          }
        }
      });
    },
  };
}

const mixed = testSpace([
  { kind: 'continuous', parameter: 'a' },
  { kind: 'integer', parameter: 'n', levels: 4 },
  { kind: 'onehot', parameter: 'c', block: [2, 3, 4] },
  { kind: 'onehot', parameter: 'c', block: [2, 3, 4] },
  { kind: 'onehot', parameter: 'c', block: [2, 3, 4] },
]);

function ranked(X: Matrix, F: number[][]): ParentPopulation {
  return {
    X,
    F: toMatrix(F),
    cv: undefined,
    rank: new Int32Array(X.rows),
    crowding: new Float64Array(X.rows).fill(1),
  };
}

const options: MatingOptions = resolveNsga2Options({}).mating;

function decodable(space: EncodedSpace, x: number[]): boolean {
  const y = Float64Array.from(x);
  space.round(y);
  return y.every((v, j) => v === x[j]);
}

describe('randomCandidates and makeOffspring', () => {
  it('propose exactly decodable, distinct points for integer and choice parameters', () => {
    const layout = layoutFromSpace(mixed);
    const rng = createRng('mixed');
    const init = randomCandidates(12, layout, rng);
    const F = toRows(init.candidates).map((x) => [x[0]!, 1 - x[0]! + x[1]!]);
    const off = makeOffspring(ranked(init.candidates, F), 30, layout, rng, options);
    const all = [...toRows(init.candidates), ...toRows(off.candidates)];
    for (const x of all) {
      expect(decodable(mixed, x)).toBe(true);
      expect(x[2]! + x[3]! + x[4]!).toBe(1);
      for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(new Set(all.map((x) => x.join())).size).toBe(all.length);
  });

  it('regenerates duplicates until the small space is exhausted, then fills at random', () => {
    // Two integer columns with 3 levels: 9 points. 3 in the population leave exactly 6 new ones.
    const space = testSpace([
      { kind: 'integer', parameter: 'p', levels: 3 },
      { kind: 'integer', parameter: 'q', levels: 3 },
    ]);
    const layout = layoutFromSpace(space);
    const X = toMatrix([
      [0, 0],
      [0.5, 0.5],
      [1, 1],
    ]);
    const pop = ranked(X, [
      [0, 1],
      [0.5, 0.5],
      [1, 0],
    ]);
    const six = makeOffspring(pop, 6, layout, createRng(4), { ...options, maxIterations: 500 });
    const keys = new Set(toRows(six.candidates).map((x) => x.join()));
    for (const x of toRows(X)) expect(keys.has(x.join())).toBe(false);
    expect(keys.size).toBe(6);
    expect(six.randomFill).toBe(0);
    const seven = makeOffspring(pop, 7, layout, createRng(4), { ...options, maxIterations: 20 });
    expect(seven.candidates.rows).toBe(7);
    expect(seven.randomFill).toBeGreaterThan(0);
    expect(new Set(toRows(seven.candidates).map((x) => x.join())).size).toBe(6);
  });

  it('avoids the rows it is told to avoid, and keeps duplicates when the tolerance is negative', () => {
    const space = testSpace([
      { kind: 'integer', parameter: 'p', levels: 2 },
      { kind: 'integer', parameter: 'q', levels: 2 },
    ]);
    const layout = layoutFromSpace(space);
    const X = toMatrix([[0, 0]]);
    const pop = ranked(X, [[0, 0]]);
    const avoid = [toMatrix([[1, 1]]), toMatrix([[0, 1]])];
    const one = makeOffspring(pop, 1, layout, createRng(5), { ...options, maxIterations: 1000 }, avoid);
    expect(toRows(one.candidates)).toEqual([[1, 0]]);
    const copies = makeOffspring(pop, 5, layout, createRng(5), {
      ...options,
      mutation: { ...options.mutation, probability: 0 },
      duplicateTolerance: -1,
    });
    expect(toRows(copies.candidates)).toEqual(new Array(5).fill([0, 0]));
  });

  it('respects linear constraints A x <= b', () => {
    const space = testSpace(
      [
        { kind: 'continuous', parameter: 'x' },
        { kind: 'continuous', parameter: 'y' },
      ],
      [[1, 1]],
      [0.8],
    );
    const layout = layoutFromSpace(space);
    const rng = createRng(6);
    const init = randomCandidates(20, layout, rng);
    const off = makeOffspring(
      ranked(
        init.candidates,
        toRows(init.candidates).map((x) => [x[0]!, x[1]!]),
      ),
      40,
      layout,
      rng,
      options,
    );
    for (const x of [...toRows(init.candidates), ...toRows(off.candidates)]) {
      expect(x[0]! + x[1]!).toBeLessThanOrEqual(0.8 + 1e-9);
    }
  });
});
