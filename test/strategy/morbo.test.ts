import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { dtlz2 } from '../../problems/dtlz.js';
import type { OptimizerConfig } from '../../src/experiment/config.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { type Matrix, zeros } from '../../src/linalg/matrix.js';
import { hypervolume } from '../../src/pareto/hypervolume.js';
import { inferReferencePoint } from '../../src/pareto/reference.js';
import { createRng } from '../../src/random/rng.js';
import { SobolSequence } from '../../src/random/sobol.js';
import {
  hvScalarization,
  MorboGenerator,
  type MorboGeneratorOptions,
  type MorboGeneratorState,
  pointKey,
  scalarizedPick,
} from '../../src/strategy/morbo.js';
import { createGenerator } from '../../src/strategy/strategies.js';
import { capture, tempDir } from '../experiment/helpers.js';
import { continuous, input, mixedColumns, rowsOf, space } from './helpers.js';

/** Small settings so that each generation takes well under a second. */
const FAST: MorboGeneratorOptions = {
  regions: 2,
  candidates: 300,
  features: 64,
  minLocalPoints: 10,
  maxLocalPoints: 40,
  fitIterations: 5,
  scalarizedRegions: 1,
};

interface Region {
  centre: number;
  length: number;
  successes: number;
  failures: number;
  event: string;
  observed: number;
  pending: number;
}

/** n Sobol points of [0, 1]^d evaluated on f (n x m out). */
function data(n: number, d: number, f: (x: Float64Array) => number[]): { X: Matrix; Y: Matrix } {
  const X = new SobolSequence(d, { scramble: true, seed: 3 }).next(n);
  const rows = Array.from({ length: n }, (_, i) => f(X.data.subarray(i * d, (i + 1) * d)));
  const m = rows[0]!.length;
  return { X, Y: { rows: n, cols: m, data: Float64Array.from(rows.flat()) } };
}

const problem = dtlz2({ objectives: 2, dimensions: 6 });
const dtlz = (x: Float64Array) => Array.from(problem.evaluate([Array.from(x)]).data);

function appendRows(A: Matrix, B: Matrix): Matrix {
  const data = new Float64Array((A.rows + B.rows) * A.cols);
  data.set(A.data);
  data.set(B.data, A.rows * A.cols);
  return { rows: A.rows + B.rows, cols: A.cols, data };
}

/**
 * Scripted region updates on the 24 DTLZ2 points of `data` (d = 6): `first` asks for 6 points;
 * `second` gives each of them the outcome its region's `outcomeOf` says, asks for 4 more from the
 * first ask's state and resolves to the second ask's regions.
 */
const scripted = {
  d: 6,
  points: () => data(24, 6, dtlz),
  first(generator: MorboGenerator, referencePoint: Float64Array) {
    const { X, Y } = this.points();
    const completedIds = Array.from({ length: 24 }, (_, i) => i);
    return generator.generate(
      input(space(continuous(this.d)), 6, { X, Y, completedIds, C: zeros(24, 0), referencePoint }),
    );
  },
  async second(
    generator: MorboGenerator,
    first: Awaited<ReturnType<MorboGenerator['generate']>>,
    referencePoint: Float64Array,
    outcomeOf: (region: number | undefined) => number[],
    seed: number,
  ): Promise<Region[]> {
    const { X, Y } = this.points();
    const state = first.state as MorboGeneratorState;
    const regionOf = new Map(state.proposals);
    const outcomes = rowsOf(first.candidates).map((x) =>
      outcomeOf(regionOf.get(pointKey(Float64Array.from(x), 0, this.d))),
    );
    const next = await generator.generate(
      input(space(continuous(this.d)), 4, {
        X: appendRows(X, first.candidates),
        Y: appendRows(Y, { rows: 6, cols: 2, data: Float64Array.from(outcomes.flat()) }),
        completedIds: Array.from({ length: 30 }, (_, i) => i),
        C: zeros(30, 0),
        referencePoint,
        state,
        seed,
      }),
    );
    return next.metadata.regions as Region[];
  },
};

/**
 * A 2-objective DTLZ2 in d = 30 (position x1, distance g = sum over the other 29 of (x - 0.5)^2):
 * 30 points on the front (g = 0) with x1 in [0, 0.3] and 90 near it, all inside the reference box
 * of (1.1, 1.1); `faceInput` asks for 10 points.
 */
const faceD = 30;
const faceN = 120;
const faceRows = (() => {
  const sobol = new SobolSequence(faceD, { scramble: true, seed: 11 }).next(faceN);
  return Array.from({ length: faceN }, (_, i) => {
    const x = Array.from(sobol.data.subarray(i * faceD, (i + 1) * faceD), (v, k) =>
      k === 0 ? 0.3 * v : 0.3 + 0.4 * v,
    );
    if (i < 30) x.fill(0.5, 1);
    return x;
  });
})();
const faceProblem = dtlz2({ objectives: 2, dimensions: faceD });
const faceInput = (seed: number) =>
  input(space(continuous(faceD)), 10, {
    X: { rows: faceN, cols: faceD, data: Float64Array.from(faceRows.flat()) },
    Y: faceProblem.evaluate(faceRows),
    completedIds: Array.from({ length: faceN }, (_, i) => i),
    C: zeros(faceN, 0),
    referencePoint: Float64Array.from([1.1, 1.1]),
    seed,
  });

describe('MorboGenerator', () => {
  it('proposes new points on the integer grid, with one-hot blocks, inside the linear constraints', async () => {
    // x0 + k <= 1.2 in unit-cube form.
    const s = space(mixedColumns, { a: [[1, 1, 0, 0, 0]], b: [1.2] });
    const X: number[][] = [];
    for (let i = 0; i < 30; i++) {
      const x = [((i * 7) % 10) / 10, ((i * 3) % 5) / 4, 0, 0, 0];
      if (x[0]! + x[1]! > 1.2) x[1] = 0;
      x[2 + (i % 3)] = 1;
      X.push(x);
    }
    const Y = X.map((x) => [x[0]! + x[1]!, 1 - x[0]! + x[2]!]);
    const given = input(s, 8, {
      X: { rows: 30, cols: 5, data: Float64Array.from(X.flat()) },
      completedIds: X.map((_, i) => i),
      Y: { rows: 30, cols: 2, data: Float64Array.from(Y.flat()) },
      C: zeros(30, 0),
      referencePoint: Float64Array.from([2.2, 2.2]),
    });
    const result = await new MorboGenerator(FAST).generate(given);
    expect(result.candidates.rows).toBe(8);
    const known = new Set(X.map((x) => x.join(',')));
    for (const x of rowsOf(result.candidates)) {
      expect(x[0]! + x[1]!).toBeLessThanOrEqual(1.2 + 1e-12);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(x[1]);
      expect(x[2]! + x[3]! + x[4]!).toBe(1);
      expect(known.has(x.join(','))).toBe(false);
    }
  });

  it('journals regions, proposals and hyperparameters; scripted outcomes expand and shrink regions', async () => {
    const d = 6;
    const { X, Y } = data(24, d, dtlz);
    // Both regions by hypervolume contribution (MORBO's rule; the last assertion is about it).
    const generator = new MorboGenerator({
      ...FAST,
      successTolerance: 1,
      failureTolerance: 1,
      scalarizedRegions: 0,
    });
    const first = await generator.generate(
      input(space(continuous(d)), 6, {
        X,
        Y,
        completedIds: Array.from({ length: 24 }, (_, i) => i),
        C: zeros(24, 0),
        referencePoint: Float64Array.from([1.1, 1.1]),
      }),
    );
    const state = first.state as MorboGeneratorState;
    expect(state.version).toBe(1);
    expect(state.asks).toBe(1);
    expect(state.proposals).toHaveLength(6);
    expect(state.regions.every((r) => r.centre !== null && r.objectives?.length === 2)).toBe(true);
    const regionOf = new Map(state.proposals);
    const picks = rowsOf(first.candidates);
    // Script: region 0's proposals land on the true front (an improvement), region 1's far away.
    const outcomes = picks.map((x) => {
      const key = pointKey(Float64Array.from(x), 0, d);
      return regionOf.get(key) === 0 ? [0.05, 0.05] : [5, 5];
    });
    expect(new Set(regionOf.values())).toEqual(new Set([0, 1]));
    const next = await generator.generate(
      input(space(continuous(d)), 4, {
        X: appendRows(X, first.candidates),
        Y: appendRows(Y, { rows: 6, cols: 2, data: Float64Array.from(outcomes.flat()) }),
        completedIds: Array.from({ length: 30 }, (_, i) => i),
        C: zeros(30, 0),
        referencePoint: Float64Array.from([1.1, 1.1]),
        state,
        seed: 99,
      }),
    );
    const regions = next.metadata.regions as Region[];
    expect(regions[0]!.event).toBe('expand');
    expect(regions[0]!.length).toBeCloseTo(1.6, 12);
    expect(regions[1]!.event).toBe('shrink');
    expect(regions[1]!.length).toBeCloseTo(0.4, 12);
    expect(regions.map((r) => r.observed).reduce((a, b) => a + b)).toBe(6);
    // The new point on the front with the largest contribution becomes a centre.
    const centres = regions.map((r) => r.centre);
    expect(centres.some((id) => id >= 24 && outcomes[id - 24]![0] === 0.05)).toBe(true);
    expect((next.state as MorboGeneratorState).proposals).toHaveLength(4);
  });

  it("a region's new points are a success only when they raise the hypervolume by more than improvementThreshold (default 1e-3)", async () => {
    const { Y } = scripted.points();
    const ref = Float64Array.from([1.1, 1.1]);
    const inside = Array.from({ length: 24 }, (_, i) => [Y.data[2 * i]!, Y.data[2 * i + 1]!]).filter(
      (y) => y[0]! < 1.1 && y[1]! < 1.1,
    );
    expect(inside.length).toBeGreaterThan(0);
    const volume = (points: number[][]) =>
      hypervolume({ rows: points.length, cols: 2, data: Float64Array.from(points.flat()) }, ref);
    const before = volume(inside);
    // A point on the diagonal through the reference point, moved until it adds 0.4% (bisection on
    // the relative gain, which grows with the distance moved).
    const gain = (t: number) => volume([...inside, [1.1 - t, 1.1 - t]]) / before - 1;
    let lo = 0;
    let hi = 1.1;
    for (let k = 0; k < 80; k++) {
      const mid = (lo + hi) / 2;
      if (gain(mid) < 0.004) lo = mid;
      else hi = mid;
    }
    const point = [1.1 - hi, 1.1 - hi];
    expect(gain(hi)).toBeGreaterThan(1e-3);
    expect(gain(hi)).toBeLessThan(1e-2);
    const eventOfRegion0 = async (options: MorboGeneratorOptions) => {
      const generator = new MorboGenerator({
        ...FAST,
        ...options,
        failureTolerance: 1,
        scalarizedRegions: 0,
      });
      const first = await scripted.first(generator, ref);
      expect((first.state as MorboGeneratorState).proposals.map(([, r]) => r)).toContain(0);
      // Region 0's points all land on `point`, region 1's far outside the box.
      const regions = await scripted.second(generator, first, ref, (r) => (r === 0 ? point : [5, 5]), 97);
      return regions[0]!.event;
    };
    expect(await eventOfRegion0({})).toBe('none');
    expect(await eventOfRegion0({ improvementThreshold: 1e-2 })).toBe('shrink');
  });

  it('with nothing inside the reference box, getting closer to it is a success', async () => {
    // DTLZ2 has |f| >= 1: no point lies inside the box of (0.2, 0.2).
    const ref = Float64Array.from([0.2, 0.2]);
    const generator = new MorboGenerator({ ...FAST, successTolerance: 1, failureTolerance: 1 });
    const first = await scripted.first(generator, ref);
    const regionOf = new Map((first.state as MorboGeneratorState).proposals);
    const events = async (outcome: number[]) =>
      (await scripted.second(generator, first, ref, () => outcome, 98)).map((r) =>
        r.observed > 0 ? r.event : 'idle',
      );
    const proposing = [0, 1].map((r) => [...regionOf.values()].includes(r));
    // Closer to the box than any point so far: each proposing region expands; farther: shrinks.
    expect(await events([0.3, 0.3])).toEqual(proposing.map((p) => (p ? 'expand' : 'idle')));
    expect(await events([5, 5])).toEqual(proposing.map((p) => (p ? 'shrink' : 'idle')));
  });

  it('is pure: the same input and state give the same candidates', async () => {
    const d = 6;
    const { X, Y } = data(20, d, dtlz);
    const given = input(space(continuous(d)), 5, {
      X,
      Y,
      completedIds: Array.from({ length: 20 }, (_, i) => i),
      C: zeros(20, 0),
      referencePoint: Float64Array.from(inferReferencePoint(Y)),
    });
    const a = await new MorboGenerator(FAST).generate(given);
    const b = await new MorboGenerator(FAST).generate(given);
    expect(Array.from(a.candidates.data)).toEqual(Array.from(b.candidates.data));
    expect(JSON.stringify(a.state)).toBe(JSON.stringify(b.state));
  });

  it('counts pending points: their sampled outcomes join the front, and they are not proposed again', async () => {
    const d = 6;
    const { X, Y } = data(20, d, dtlz);
    const base = {
      X,
      Y,
      completedIds: Array.from({ length: 20 }, (_, i) => i),
      C: zeros(20, 0),
      referencePoint: Float64Array.from(inferReferencePoint(Y)),
    };
    const generator = new MorboGenerator(FAST);
    const first = await generator.generate(input(space(continuous(d)), 5, base));
    const second = await generator.generate(
      input(space(continuous(d)), 5, { ...base, pending: first.candidates, state: first.state, seed: 7 }),
    );
    const regions = second.metadata.regions as Region[];
    expect(regions.reduce((s, r) => s + r.pending, 0)).toBe(5);
    const before = new Set(rowsOf(first.candidates).map((x) => x.join(',')));
    for (const x of rowsOf(second.candidates)) expect(before.has(x.join(','))).toBe(false);
    // The first batch stays in flight: its proposals are still journaled, joined by the second's.
    expect((second.state as MorboGeneratorState).proposals).toHaveLength(10);
  });

  it('outcome constraints: with nothing feasible it minimizes the sampled violation; then keeps to feasibility', async () => {
    const d = 4;
    const X = new SobolSequence(d, { scramble: true, seed: 5 }).next(40);
    const Y = { rows: 40, cols: 2, data: new Float64Array(80) };
    const C = { rows: 40, cols: 1, data: new Float64Array(40) };
    for (let i = 0; i < 40; i++) {
      Y.data[2 * i] = X.data[i * d + 1]!;
      Y.data[2 * i + 1] = 1 - X.data[i * d + 1]! + X.data[i * d + 2]!;
      // Never feasible (c = 1 + x0 > 0), least violated at x0 = 0.
      C.data[i] = 1 + X.data[i * d]!;
    }
    const given = input(space(continuous(d)), 6, {
      X,
      Y,
      C,
      completedIds: Array.from({ length: 40 }, (_, i) => i),
      referencePoint: Float64Array.from(inferReferencePoint(Y)),
    });
    const result = await new MorboGenerator({ ...FAST, minLocalPoints: 20 }).generate(given);
    expect(result.metadata.pickRules).toEqual(Array(6).fill('least-violation'));
    let meanData = 0;
    for (let i = 0; i < 40; i++) meanData += X.data[i * d]! / 40;
    const picks = rowsOf(result.candidates);
    const meanPicks = picks.reduce((s, x) => s + x[0]!, 0) / picks.length;
    expect(meanPicks).toBeLessThan(meanData);

    // Feasible when x0 <= 0.25, half the data feasible: the picks' sampled outcomes are feasible
    // (no least-violation rule), and so, the constraint being linear, are almost all the picks.
    for (let i = 0; i < 40; i++) {
      if (i < 20) X.data[i * d] = 0.25 * X.data[i * d + 3]!;
      C.data[i] = X.data[i * d]! - 0.25;
    }
    const again = await new MorboGenerator({ ...FAST, minLocalPoints: 20 }).generate({ ...given, X, C });
    expect(again.metadata.pickRules).not.toContain('least-violation');
    const feasible = rowsOf(again.candidates).filter((x) => x[0]! <= 0.3).length;
    expect(feasible).toBeGreaterThanOrEqual(5);
  });

  // f1 = x0 + 0.1 s, f2 = 1 − x0 + 0.1 s with s the sum of the other 39 coordinates: every point
  // off x1..x39 = 0 is dominated, and a step against the posterior means' gradients lowers s in all
  // 39 at once, where a perturbation of a few random coordinates lowers it by a few terms.
  const trendD = 40;
  const trendN = 60;
  const trend = (x: ArrayLike<number>) => {
    let s = 0;
    for (let k = 1; k < trendD; k++) s += x[k]!;
    return [x[0]! + 0.1 * s, 1 - x[0]! + 0.1 * s];
  };
  const trendData = data(trendN, trendD, trend);
  /**
   * One batch of 10 on the trend problem: the proposals' objectives, the descent picks and those of
   * them along the shared direction.
   */
  const trendBatch = async (ref: number[], descentCandidates: number, seed: number) => {
    const result = await new MorboGenerator({ ...FAST, maxLocalPoints: trendN, descentCandidates }).generate(
      input(space(continuous(trendD)), 10, {
        ...trendData,
        completedIds: Array.from({ length: trendN }, (_, i) => i),
        C: zeros(trendN, 0),
        referencePoint: Float64Array.from(ref),
        seed,
      }),
    );
    return {
      proposed: rowsOf(result.candidates).map(trend),
      picks: result.metadata.descentPicks as number,
      shared: result.metadata.sharedPicks as number,
    };
  };

  it('descent candidates follow the local models: where the objectives share a trend, a batch gains more hypervolume with them', async () => {
    const { Y } = trendData;
    const ref = [4, 4];
    const gain = async (descentCandidates: number, seed: number) => {
      const { proposed, picks } = await trendBatch(ref, descentCandidates, seed);
      const all = { rows: trendN + 10, cols: 2, data: Float64Array.from([...Y.data, ...proposed.flat()]) };
      return { gain: hypervolume(all, ref) - hypervolume(Y, ref), picks };
    };
    for (const seed of [1, 2, 3]) {
      const without = await gain(0, seed);
      const withDescent = await gain(300, seed);
      expect(without.picks).toBe(0);
      expect(withDescent.picks).toBeGreaterThan(0);
      expect(withDescent.gain).toBeGreaterThan(without.gain);
    }
  });

  it('while no point is inside the reference box, descent candidates head for it', async () => {
    // The reference point (1.2, 1.2): random points have s near 19.5, so f1 and f2 near 2, and none
    // is inside; the box needs s below about 7. Four batches of 10, each told before the next ask
    // (the approach's steps are short, so one batch alone is not enough to tell).
    const ref = [1.2, 1.2];
    const excess = (y: readonly number[]) => Math.max(y[0]! - ref[0]!, y[1]! - ref[1]!);
    expect(Math.min(...rowsOf(trendData.Y).map(excess))).toBeGreaterThan(0);
    const approach = async (descentCandidates: number, seed: number) => {
      const generator = new MorboGenerator({ ...FAST, maxLocalPoints: trendN + 40, descentCandidates });
      let X = trendData.X;
      let Y = trendData.Y;
      let state: unknown;
      let shared = 0;
      let picks = 0;
      for (let batch = 0; batch < 4; batch++) {
        const result = await generator.generate({
          ...input(space(continuous(trendD)), 10, {
            X,
            Y,
            completedIds: Array.from({ length: X.rows }, (_, i) => i),
            C: zeros(X.rows, 0),
            referencePoint: Float64Array.from(ref),
            seed: 10 * seed + batch,
          }),
          state,
        });
        state = result.state;
        shared += result.metadata.sharedPicks as number;
        picks += result.metadata.descentPicks as number;
        const proposed = rowsOf(result.candidates).map(trend);
        X = appendRows(X, result.candidates);
        Y = appendRows(Y, { rows: proposed.length, cols: 2, data: Float64Array.from(proposed.flat()) });
      }
      return { excess: Math.min(...rowsOf(Y).map(excess)), picks, shared };
    };
    for (const seed of [1, 2, 3]) {
      const without = await approach(0, seed);
      const withDescent = await approach(300, seed);
      expect(without.shared).toBe(0);
      expect(withDescent.shared).toBeGreaterThan(0);
      expect(withDescent.shared).toBeLessThanOrEqual(withDescent.picks);
      expect(withDescent.excess).toBeLessThan(without.excess);
    }
  });

  it('while no point is inside the reference box, the centres are the closest points, not old centres far out', async () => {
    // A: Pareto-optimal (the least f1) but far from the box (f2 = 10); B and C: the closest to it;
    // the rest dominated by B. A lies in a corner, more than half a region's length (0.4) from
    // every other point, so MORBO's rule (keep a point inside the old centre's box) would keep it.
    const d = 3;
    const rows: number[][] = [[0.02, 0.03, 0.01]];
    const outcomes: number[][] = [[0, 10]];
    rows.push([0.9, 0.85, 0.8], [0.8, 0.95, 0.9]);
    outcomes.push([2, 2], [2.2, 1.9]);
    const sobol = new SobolSequence(d, { scramble: true, seed: 5 }).next(20);
    for (let i = 0; i < 20; i++) {
      rows.push(Array.from(sobol.data.subarray(i * d, (i + 1) * d), (v) => 0.5 + 0.5 * v));
      outcomes.push([3 + (i % 5), 3 + (i % 7)]);
    }
    const n = rows.length;
    const given = input(space(continuous(d)), 4, {
      X: { rows: n, cols: d, data: Float64Array.from(rows.flat()) },
      Y: { rows: n, cols: 2, data: Float64Array.from(outcomes.flat()) },
      completedIds: Array.from({ length: n }, (_, i) => 100 + i),
      C: zeros(n, 0),
      referencePoint: Float64Array.from([1, 1]),
    });
    const generator = new MorboGenerator({ ...FAST, regions: 2 });
    const first = await generator.generate(given);
    const state = first.state as MorboGeneratorState;
    // Region 0 as if it had started at A.
    const stale = { ...state, regions: state.regions.map((r, i) => (i === 0 ? { ...r, centre: 100 } : r)) };
    const next = await generator.generate({ ...given, seed: 7, state: stale });
    const centres = (next.metadata.regions as Region[]).map((r) => r.centre).sort();
    expect(centres).toEqual([101, 102]);
  });

  it('inside the box, random candidates change from one to about perturbedCoordinates coordinates', async () => {
    // The front of `faceRows`. With MORBO's fixed probability (20 / 30 per coordinate) a candidate
    // changing at most two coordinates has probability 1e-11; with the probability log-uniform in
    // [1 / 30, 20 / 30] for half of them, about 0.15.
    for (const seed of [1, 2, 3]) {
      const result = await new MorboGenerator({
        ...FAST,
        maxLocalPoints: faceN,
        descentCandidates: 0,
      }).generate(faceInput(seed));
      // How many coordinates each proposal changed, against the nearest observed point.
      const changed = rowsOf(result.candidates).map((x) =>
        Math.min(...faceRows.map((r) => r.reduce((s, v, k) => s + (v === x[k] ? 0 : 1), 0))),
      );
      expect(Math.min(...changed)).toBeLessThanOrEqual(2);
    }
  });

  it('inside the box, each region also offers candidates that change one column of its centre', async () => {
    // The front of `faceRows`, with descent steps: the one-column candidates (kind 3) that are
    // picked differ from their region's centre in exactly one column.
    let coordinatePicks = 0;
    for (const seed of [1, 2, 3]) {
      const result = await new MorboGenerator({ ...FAST, maxLocalPoints: faceN }).generate(faceInput(seed));
      const kinds = result.metadata.pickKinds as number[];
      const pickRegions = result.metadata.pickRegions as number[];
      const regions = result.metadata.regions as Region[];
      expect(result.metadata.coordinatePicks).toBe(kinds.filter((k) => k === 3).length);
      rowsOf(result.candidates).forEach((x, t) => {
        if (kinds[t] !== 3) return;
        coordinatePicks++;
        const centre = faceRows[regions[pickRegions[t]!]!.centre]!;
        expect(x.filter((v, k) => v !== centre[k]).length).toBe(1);
      });
    }
    expect(coordinatePicks).toBeGreaterThan(0);
  });

  it('inside the box, the last scalarizedRegions regions centre on the front point that best attains a random hypervolume scalarization, drawn anew each ask', async () => {
    // 24 points: 16 on a quarter circle inside the box of (1.1, 1.1), 8 dominated. The first region
    // takes the largest hypervolume contribution to the front (computed here as HV(front) −
    // HV(front but i)); the second maximizes min_j (ref_j − y_j) / (ref_j − ideal_j) / λ_j over the rest, λ from the
    // metadata.
    const d = 4;
    const n = 24;
    const X = new SobolSequence(d, { scramble: true, seed: 2 }).next(n);
    const Yrows = Array.from({ length: n }, (_, i) => {
      const t = (((i % 16) + 0.5) / 16) ** 1.4;
      const r = i < 16 ? 1 : 1.05;
      return [r * Math.cos((t * Math.PI) / 2) + 0.01 * (i % 3), r * Math.sin((t * Math.PI) / 2)];
    });
    const Y = { rows: n, cols: 2, data: Float64Array.from(Yrows.flat()) };
    const ref = [1.1, 1.1];
    const front = Yrows.flatMap((y, i) =>
      Yrows.some((z) => z[0]! <= y[0]! && z[1]! <= y[1]! && (z[0]! < y[0]! || z[1]! < y[1]!)) ? [] : [i],
    );
    const all = hypervolume(
      front.map((i) => Yrows[i]!),
      ref,
    );
    const contribution = (i: number) =>
      all -
      hypervolume(
        front.filter((k) => k !== i).map((k) => Yrows[k]!),
        ref,
      );
    const ideal = [0, 1].map((j) => Math.min(...Yrows.map((y) => y[j]!)));
    for (const seed of [1, 2, 3]) {
      const generator = new MorboGenerator({ ...FAST, regions: 2, scalarizedRegions: 1 });
      const given = input(space(continuous(d)), 2, {
        X,
        Y,
        completedIds: Array.from({ length: n }, (_, i) => 10 + i),
        C: zeros(n, 0),
        referencePoint: Float64Array.from(ref),
        seed,
      });
      const result = await generator.generate(given);
      const regions = result.metadata.regions as (Region & { centreWeights?: number[] })[];
      const first = front.reduce((a, b) => (contribution(b) > contribution(a) ? b : a));
      expect(regions[0]!.centre).toBe(10 + first);
      expect(regions[0]!.centreWeights).toBeUndefined();
      const lambda = regions[1]!.centreWeights!;
      expect(lambda).toHaveLength(2);
      expect(Math.hypot(...lambda)).toBeCloseTo(1, 12);
      const score = (i: number) =>
        Math.min(...[0, 1].map((j) => (ref[j]! - Yrows[i]![j]!) / (ref[j]! - ideal[j]!) / lambda[j]!));
      const second = front.filter((i) => i !== first).reduce((a, b) => (score(b) > score(a) ? b : a));
      expect(regions[1]!.centre).toBe(10 + second);
      // The next ask draws a new λ, and the scalarized region takes the best point for it from the
      // whole front, not from its old box.
      const next = await generator.generate({ ...given, state: result.state });
      const again = next.metadata.regions as (Region & { centreWeights?: number[] })[];
      const mu = again[1]!.centreWeights!;
      expect(mu).not.toEqual(lambda);
      const scoreNext = (i: number) =>
        Math.min(...[0, 1].map((j) => (ref[j]! - Yrows[i]![j]!) / (ref[j]! - ideal[j]!) / mu[j]!));
      const taken = again[0]!.centre - 10;
      const best = front.filter((i) => i !== taken).reduce((a, b) => (scoreNext(b) > scoreNext(a) ? b : a));
      expect(again[1]!.centre).toBe(10 + best);
    }
  });

  it("a scalarized region's picks (pick t of region t mod regions) chase its scalarization; the other picks are by hypervolume improvement", async () => {
    // The front of `faceRows`, 10 picks, 2 regions of which region 1 is scalarized.
    let scalarized = 0;
    for (const seed of [1, 2, 3]) {
      const result = await new MorboGenerator({ ...FAST, maxLocalPoints: faceN }).generate(faceInput(seed));
      const rules = result.metadata.pickRules as string[];
      const pickRegions = result.metadata.pickRegions as number[];
      const values = result.metadata.pickValues as number[];
      rules.forEach((rule, t) => {
        if (rule !== 'scalarized') return;
        scalarized++;
        expect(t % 2).toBe(1);
        expect(pickRegions[t]).toBe(1);
        expect(values[t]).toBeGreaterThan(0);
      });
      const plain = await new MorboGenerator({
        ...FAST,
        maxLocalPoints: faceN,
        scalarizedRegions: 0,
      }).generate(faceInput(seed));
      expect(plain.metadata.pickRules).not.toContain('scalarized');
    }
    expect(scalarized).toBeGreaterThan(0);
  });

  it('scalarizedPick takes the unused, sampled-feasible candidate of largest scalarization above the level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (m, c, count, S, seed) => {
          const rng = createRng(seed);
          const values = Array.from({ length: m + c }, (_, j) =>
            Float64Array.from({ length: count * S }, () =>
              j < m ? 1.2 * rng.uniform() : rng.uniform() - 0.7,
            ),
          );
          const used = Uint8Array.from({ length: count }, () => +(rng.uniform() < 0.2));
          const ref = Array.from({ length: m }, () => 1.1);
          const range = Array.from({ length: m }, () => 0.5 + rng.uniform());
          const lambda = Array.from({ length: m }, () => 0.1 + rng.uniform());
          const level = rng.uniform() < 0.5 ? 0 : 0.3 * rng.uniform();
          const t = rng.int(S);
          // Brute force: each candidate's scalarization, or -Infinity where it may not be picked.
          const scores = Array.from({ length: count }, (_, a) => {
            const feasible = values.slice(m).every((v) => v[a * S + t]! <= 0);
            if (used[a] || !feasible) return Number.NEGATIVE_INFINITY;
            return Math.min(...lambda.map((l, j) => (ref[j]! - values[j]![a * S + t]!) / range[j]! / l));
          });
          const top = Math.max(...scores);
          const expected = top > level ? scores.indexOf(top) : -1;
          expect(scalarizedPick(values, used, t, S, m, ref, range, lambda, level)).toBe(expected);
          if (expected >= 0) {
            const y = values.slice(0, m).map((v) => v[expected * S + t]!);
            expect(hvScalarization(y, 0, ref, range, lambda)).toBe(top);
          }
        },
      ),
    );
  });

  it('validates its options', () => {
    expect(() => new MorboGenerator({ regions: 0 })).toThrow(/regions is 0/);
    expect(() => new MorboGenerator({ lengthMin: 0.9 })).toThrow(/lengthMin <= lengthInit/);
    expect(() => new MorboGenerator({ minLocalPoints: 50, maxLocalPoints: 20 })).toThrow(/minLocalPoints/);
    expect(() => new MorboGenerator({ winsorize: 0.7 } as MorboGeneratorOptions)).toThrow(/winsorize/);
    expect(() => new MorboGenerator({ lengthscaleRange: [4, 0.05] })).toThrow(/lengthscaleRange/);
    expect(() => new MorboGenerator({ descentCandidates: -1 })).toThrow(/descentCandidates is -1/);
    expect(() => new MorboGenerator({ scalarizedRegions: 1.5 })).toThrow(/scalarizedRegions is 1.5/);
    expect(() => new MorboGenerator({ bogus: 1 } as MorboGeneratorOptions)).toThrow(/unknown option "bogus"/);
    expect(() =>
      createGenerator({ strategy: 'morbo', options: { regions: -1 } }, space(continuous(2))),
    ).toThrow(/invalid strategy/);
  });

  it('is a strategy: by name (Sobol first) and as a later step of a chain', async () => {
    const s = space(continuous(3));
    expect(createGenerator('morbo', s).name).toBe('chain(sobol,morbo)');
    expect(createGenerator([{ strategy: 'sobol', trials: 5 }, { strategy: 'morbo' }], s).name).toBe(
      'chain(sobol,morbo)',
    );
    expect(createGenerator({ strategy: 'morbo', options: { initialTrials: 4, regions: 2 } }, s).name).toBe(
      'chain(sobol,morbo)',
    );
  });
});

describe('morbo through the Optimizer', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  const d = 5;
  const config = (journal: string): OptimizerConfig & { journal: string } => ({
    journal,
    parameters: [
      ...Array.from({ length: d - 1 }, (_, i) => ({
        name: `x${i}`,
        type: 'float' as const,
        bounds: [0, 1] as [number, number],
      })),
      { name: 'k', type: 'int' as const, bounds: [0, 4] as [number, number] },
    ],
    objectives: [
      { name: 'f1', minimize: true },
      { name: 'f2', minimize: true },
    ],
    strategy: [
      { strategy: 'sobol', trials: 12 },
      { strategy: 'morbo', options: { ...FAST } },
    ],
    seed: 4,
  });
  const evaluate = (params: Record<string, unknown>) => {
    const x = [
      ...Array.from({ length: d - 1 }, (_, i) => params[`x${i}`] as number),
      (params.k as number) / 4,
    ];
    const y = problem.evaluate([[...x, 0.5]]).data;
    return { f1: y[0]!, f2: y[1]! };
  };

  /** Asks 4 batches of 4, telling all but the last trial of each batch before the next ask. */
  async function campaign(journal: string, reopenAfter: number | null): Promise<unknown[]> {
    let opt = await Optimizer.create(config(journal), { logger: capture() });
    const asked: unknown[] = [];
    let held: { id: number; params: Record<string, unknown> } | null = null;
    for (let round = 0; round < 5; round++) {
      const batch = await opt.ask(round === 0 ? 12 : 4);
      asked.push(...batch.map((t) => t.params));
      if (held !== null) await opt.tell(held.id, evaluate(held.params));
      for (const t of batch.slice(0, -1)) await opt.tell(t.id, evaluate(t.params));
      held = batch[batch.length - 1]!;
      if (round === reopenAfter) {
        await opt.close();
        opt = await Optimizer.open(journal, { logger: capture() });
      }
    }
    await opt.close();
    return asked;
  }

  it('a resumed experiment asks exactly what an uninterrupted one asks (trials in flight included)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const straight = await campaign(path.join(dir, 'a.jsonl'), null);
    const resumed = await campaign(path.join(dir, 'b.jsonl'), 2);
    expect(straight).toHaveLength(28);
    expect(resumed).toEqual(straight);
  });
});
