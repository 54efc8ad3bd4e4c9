import { describe, expect, it } from 'vitest';
import { type Matrix, toMatrix, toRows } from '../../src/linalg/matrix.js';
import { createRng } from '../../src/random/rng.js';
import type { EncodedSpace, GenerationInput } from '../../src/strategy/generator.js';
import { Nsga2Generator, type Nsga2State, parseNsga2State } from '../../src/strategy/nsga2-generator.js';
import { continuous, space as testSpace } from './helpers.js';

interface Trial {
  id: number;
  x: number[];
  y?: number[];
  c?: number[];
  failed?: boolean;
}

function matrixOf(rows: number[][], cols: number): Matrix {
  return rows.length === 0 ? { rows: 0, cols, data: new Float64Array(0) } : toMatrix(rows);
}

/** What an experiment would hand the generator: completed trials in ascending id order. */
function inputOf(
  space: EncodedSpace,
  trials: Trial[],
  count: number,
  seed: number,
  state: unknown,
): GenerationInput {
  const done = trials.filter((t) => t.y !== undefined).sort((a, b) => a.id - b.id);
  const d = space.dimension;
  const m = done[0]?.y?.length ?? 2;
  const c = done[0]?.c?.length ?? 0;
  return {
    space,
    X: matrixOf(
      done.map((t) => t.x),
      d,
    ),
    completedIds: done.map((t) => t.id),
    Y: matrixOf(
      done.map((t) => t.y!),
      m,
    ),
    C: c === 0 ? { rows: done.length, cols: 0, data: new Float64Array(0) } : toMatrix(done.map((t) => t.c!)),
    failed: matrixOf(
      trials.filter((t) => t.failed).map((t) => t.x),
      d,
    ),
    pending: matrixOf(
      trials.filter((t) => t.y === undefined && !t.failed).map((t) => t.x),
      d,
    ),
    referencePoint: undefined,
    count,
    seed,
    state,
  };
}

/** ZDT1 from its definition, on [0, 1]^d. */
function zdt1(x: number[]): number[] {
  const d = x.length;
  const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (d - 1);
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}

function hypervolume2d(points: number[][], ref: [number, number]): number {
  const inside = points
    .filter((p) => p[0]! < ref[0] && p[1]! < ref[1])
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let hv = 0;
  let best = ref[1];
  for (const p of inside) {
    if (p[1]! < best) {
      hv += (ref[0] - p[0]!) * (best - p[1]!);
      best = p[1]!;
    }
  }
  return hv;
}

describe('Nsga2Generator, generational', () => {
  it('starts with a random population, then runs generations whose state names completed trials', async () => {
    const space = testSpace(continuous(6));
    const generator = new Nsga2Generator();
    const trials: Trial[] = [];
    let state: unknown;
    const hvs: number[] = [];
    for (let g = 0; g < 25; g++) {
      const result = await generator.generate(inputOf(space, trials, 20, 1000 + g, state));
      expect(result.candidates.rows).toBe(20);
      expect(result.metadata.offspring).toBe(g === 0 ? 0 : 20);
      state = JSON.parse(JSON.stringify(result.state));
      const s = state as Nsga2State;
      expect(s.populationSize).toBe(20);
      expect(s.population.length).toBe(Math.min(20, trials.length));
      for (const id of s.population) expect(trials.some((t) => t.id === id)).toBe(true);
      if (s.population.length > 0) {
        hvs.push(
          hypervolume2d(
            s.population.map((id) => trials[id]!.y!),
            [1.1, 1.1],
          ),
        );
      }
      for (const x of toRows(result.candidates)) {
        for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
        trials.push({ id: trials.length, x, y: zdt1(x) });
      }
    }
    expect(hvs[hvs.length - 1]!).toBeGreaterThan(hvs[0]! + 0.15);
    // Elitism: the population's hypervolume never drops.
    for (let k = 1; k < hvs.length; k++) expect(hvs[k]!).toBeGreaterThanOrEqual(hvs[k - 1]! - 1e-12);
  });

  it('gives identical next candidates when resumed from its JSON state', async () => {
    const space = testSpace(continuous(4));
    const trials: Trial[] = [];
    let state: unknown;
    for (let g = 0; g < 4; g++) {
      const r = await new Nsga2Generator().generate(inputOf(space, trials, 10, g, state));
      state = r.state;
      for (const x of toRows(r.candidates)) trials.push({ id: trials.length, x, y: zdt1(x) });
    }
    const direct = await new Nsga2Generator().generate(inputOf(space, trials, 10, 99, state));
    const resumed = await new Nsga2Generator().generate(
      inputOf(space, trials, 10, 99, JSON.parse(JSON.stringify(state))),
    );
    expect(Array.from(resumed.candidates.data)).toEqual(Array.from(direct.candidates.data));
    expect(resumed.state).toEqual(direct.state);
    const otherSeed = await new Nsga2Generator().generate(inputOf(space, trials, 10, 100, state));
    expect(Array.from(otherSeed.candidates.data)).not.toEqual(Array.from(direct.candidates.data));
  });

  it('survives with what there is when trials failed, and never proposes failed or pending points', async () => {
    const space = testSpace([
      { kind: 'integer', parameter: 'a', levels: 3 },
      { kind: 'integer', parameter: 'b', levels: 3 },
      { kind: 'continuous', parameter: 'c' },
    ]);
    const generator = new Nsga2Generator({ populationSize: 8 });
    const first = await generator.generate(inputOf(space, [], 8, 1, undefined));
    const trials: Trial[] = toRows(first.candidates).map((x, id) => ({ id, x }));
    for (const t of trials.slice(0, 5)) t.y = [t.x[0]! + t.x[2]!, t.x[1]! - t.x[2]!];
    for (const t of trials.slice(5, 7)) t.failed = true;
    // Trial 7 is still pending.
    const next = await generator.generate(inputOf(space, trials, 8, 2, first.state));
    const s = next.state as Nsga2State;
    expect(s.population).toEqual([0, 1, 2, 3, 4]);
    expect(s.seen).toEqual([[0, 4]]);
    const taken = new Set(trials.map((t) => t.x.join()));
    for (const x of toRows(next.candidates)) expect(taken.has(x.join())).toBe(false);
    // Trial 7 completes late: it is new to the next survival.
    trials[7]!.y = [0, 0];
    const later = await generator.generate(inputOf(space, trials, 8, 3, next.state));
    const s2 = later.state as Nsga2State;
    expect(s2.population).toContain(7);
    expect(s2.seen).toEqual([
      [0, 4],
      [7, 7],
    ]);
    expect(later.metadata.newTrials).toBe(1);
  });

  it('proposes exactly decodable integer and choice values', async () => {
    const space = testSpace([
      { kind: 'continuous', parameter: 'x' },
      { kind: 'integer', parameter: 'n', levels: 5 },
      { kind: 'onehot', parameter: 'c', block: [2, 3, 4, 5] },
      { kind: 'onehot', parameter: 'c', block: [2, 3, 4, 5] },
      { kind: 'onehot', parameter: 'c', block: [2, 3, 4, 5] },
      { kind: 'onehot', parameter: 'c', block: [2, 3, 4, 5] },
    ]);
    const generator = new Nsga2Generator({ populationSize: 12 });
    const trials: Trial[] = [];
    let state: unknown;
    for (let g = 0; g < 6; g++) {
      const r = await generator.generate(inputOf(space, trials, 12, g, state));
      state = r.state;
      for (const x of toRows(r.candidates)) {
        const y = Float64Array.from(x);
        space.round(y);
        expect(Array.from(y)).toEqual(x);
        expect(x[2]! + x[3]! + x[4]! + x[5]!).toBe(1);
        const category = x.indexOf(1, 2) - 2;
        trials.push({ id: trials.length, x, y: [x[0]! + category, x[1]! + (1 - x[0]!) + (3 - category)] });
      }
    }
    expect(new Set(trials.map((t) => t.x.join())).size).toBe(trials.length);
  });

  it('prefers feasible trials by the outcome constraints C', async () => {
    const space = testSpace(continuous(2));
    const trials: Trial[] = [];
    let state: unknown;
    const generator = new Nsga2Generator({ populationSize: 10 });
    for (let g = 0; g < 12; g++) {
      const r = await generator.generate(inputOf(space, trials, 10, g, state));
      state = r.state;
      for (const x of toRows(r.candidates)) {
        // Minimize (x0, x1) subject to x0 + x1 >= 0.5 (C = 0.5 - x0 - x1 <= 0).
        trials.push({ id: trials.length, x, y: [x[0]!, x[1]!], c: [0.5 - x[0]! - x[1]!] });
      }
    }
    const last = await generator.generate(inputOf(space, trials, 10, 50, state));
    for (const id of (last.state as Nsga2State).population) {
      expect(trials[id]!.c![0]!).toBeLessThanOrEqual(0);
    }
  });
});

describe('Nsga2Generator, steady-state', () => {
  it('keeps proposing while results come back out of order, merging each once', async () => {
    const space = testSpace(continuous(5));
    const generator = new Nsga2Generator({ mode: 'steady-state', populationSize: 10 });
    const rng = createRng('order');
    const trials: Trial[] = [];
    let state: unknown;
    let asks = 0;
    const ask = async (count: number) => {
      const r = await generator.generate(inputOf(space, trials, count, asks++, state));
      state = JSON.parse(JSON.stringify(r.state));
      for (const x of toRows(r.candidates)) trials.push({ id: trials.length, x });
      return r;
    };
    await ask(6); // six workers
    for (let step = 0; step < 80; step++) {
      // A random one of the running trials finishes; its worker asks for one more.
      const running = trials.filter((t) => t.y === undefined);
      const t = running[rng.int(running.length)]!;
      t.y = zdt1(t.x);
      const existing = trials.length;
      const r = await ask(1);
      const s = state as Nsga2State;
      const completed = trials.filter((u) => u.y !== undefined);
      expect(s.generation).toBe(completed.length);
      expect(s.population.length).toBe(Math.min(10, completed.length));
      for (const id of completed.map((u) => u.id)) {
        expect(s.seen.some(([lo, hi]) => id >= lo && id <= hi)).toBe(true);
      }
      for (const u of trials.filter((u) => u.y === undefined && u.id < trials.length - 1)) {
        expect(s.seen.some(([lo, hi]) => u.id >= lo && u.id <= hi)).toBe(false);
      }
      expect(r.metadata.newTrials).toBe(1);
      // Random points until mu trials exist (pymoo's initial population), offspring after.
      expect(r.metadata.offspring).toBe(existing >= 10 && s.population.length >= 2 ? 1 : 0);
    }
    const finalPopulation = (state as Nsga2State).population.map((id) => trials[id]!.y!);
    const initial = trials.slice(0, 10).map((t) => zdt1(t.x));
    expect(hypervolume2d(finalPopulation, [1.1, 8])).toBeGreaterThan(hypervolume2d(initial, [1.1, 8]) + 0.5);
  });

  it('refuses a state from the other mode', async () => {
    const space = testSpace(continuous(2));
    const r = await new Nsga2Generator({ mode: 'steady-state' }).generate(
      inputOf(space, [], 4, 1, undefined),
    );
    await expect(new Nsga2Generator().generate(inputOf(space, [], 4, 1, r.state))).rejects.toThrow(
      /steady-state mode, this generator is generational/,
    );
  });
});

describe('parseNsga2State', () => {
  it('accepts a valid state and rejects malformed ones by field', () => {
    const good = {
      version: 1,
      mode: 'generational',
      populationSize: 4,
      generation: 2,
      population: [1, 3],
      seen: [[0, 5]],
    };
    expect(parseNsga2State(good)).toEqual(good);
    expect(parseNsga2State(undefined)).toBeUndefined();
    expect(() => parseNsga2State({ ...good, version: 2 })).toThrow(/version is 2, expected 1/);
    expect(() => parseNsga2State({ ...good, populationSize: 0 })).toThrow(/populationSize is 0/);
    expect(() => parseNsga2State({ ...good, seen: [[3, 1]] })).toThrow(/seen must be sorted disjoint ranges/);
    expect(() =>
      parseNsga2State({
        ...good,
        seen: [
          [0, 3],
          [4, 6],
        ],
      }),
    ).toThrow(/seen/);
    expect(() => parseNsga2State('x')).toThrow(TypeError);
  });
});
