import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMatrix } from '../../src/linalg/matrix.js';
import {
  binaryTournament,
  dominance,
  type TournamentPopulation,
  tournamentWinner,
} from '../../src/moga/selection.js';
import { createRng } from '../../src/random/rng.js';

function population(
  F: number[][],
  extra: { cv?: number[]; rank?: number[]; crowding?: number[] } = {},
): TournamentPopulation {
  const n = F.length;
  return {
    F: toMatrix(F),
    cv: extra.cv === undefined ? undefined : Float64Array.from(extra.cv),
    rank: Int32Array.from(extra.rank ?? new Array<number>(n).fill(0)),
    crowding: Float64Array.from(extra.crowding ?? new Array<number>(n).fill(1)),
  };
}

describe('dominance', () => {
  it('agrees with the definition on small integer vectors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (pairs) => {
          const a = pairs.map((p) => p[0]);
          const b = pairs.map((p) => p[1]);
          const F = toMatrix([a, b]);
          const aDom = a.every((v, j) => v <= b[j]!) && a.some((v, j) => v < b[j]!);
          const bDom = b.every((v, j) => v <= a[j]!) && b.some((v, j) => v < a[j]!);
          expect(dominance(F, 0, 1)).toBe(aDom ? 1 : bDom ? -1 : 0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('tournamentWinner', () => {
  const rng = createRng('tournament');

  it('prefers a feasible individual, then the smaller violation', () => {
    const pop = population(
      [
        [0, 0],
        [5, 5],
        [1, 1],
      ],
      { cv: [2, 0, 1] },
    );
    expect(tournamentWinner(pop, 0, 1, rng)).toBe(1);
    expect(tournamentWinner(pop, 1, 0, rng)).toBe(1);
    expect(tournamentWinner(pop, 0, 2, rng)).toBe(2);
  });

  it('breaks equal violations at random', () => {
    const pop = population(
      [
        [0, 0],
        [1, 1],
      ],
      { cv: [1, 1] },
    );
    let first = 0;
    for (let i = 0; i < 400; i++) if (tournamentWinner(pop, 0, 1, rng) === 0) first++;
    expect(first).toBeGreaterThan(140);
    expect(first).toBeLessThan(260);
  });

  it('lets dominance decide between feasible ones, then crowding', () => {
    const pop = population(
      [
        [1, 1],
        [2, 2],
        [0, 3],
      ],
      { crowding: [0.1, 5, 0.7], rank: [0, 1, 0] },
    );
    expect(tournamentWinner(pop, 0, 1, rng)).toBe(0);
    expect(tournamentWinner(pop, 1, 0, rng)).toBe(0);
    // [2, 2] and [0, 3] are mutually non-dominated: the larger crowding distance wins, even though
    // the rank says otherwise (pymoo's comp_by_dom_and_crowding).
    expect(tournamentWinner(pop, 1, 2, rng)).toBe(1);
    // With ranks, rank 0 beats rank 1 whatever the crowding.
    expect(tournamentWinner(pop, 1, 2, rng, 'rank')).toBe(2);
    expect(tournamentWinner(pop, 0, 2, rng, 'rank')).toBe(2);
  });
});

describe('binaryTournament', () => {
  it('gives each individual exactly two tournaments when count = n (n even)', () => {
    // Individual 0 dominates everyone, individual n-1 is dominated by everyone: 0 wins both of its
    // tournaments and n-1 none.
    const n = 10;
    const F = Array.from({ length: n }, (_, i) => [i, i]);
    for (let seed = 0; seed < 20; seed++) {
      const winners = binaryTournament(population(F), n, createRng(seed));
      expect(winners.length).toBe(n);
      expect(winners.filter((w) => w === 0).length).toBe(2);
      expect(winners.filter((w) => w === n - 1).length).toBe(0);
    }
  });

  it('rejects an empty population', () => {
    expect(() => binaryTournament(population([]), 2, createRng(1))).toThrow(/empty/);
  });
});
