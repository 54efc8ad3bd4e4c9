import { describe, expect, it } from 'vitest';
import { dtlz2 } from '../../problems/dtlz.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { type Matrix, zeros } from '../../src/linalg/matrix.js';
import { SobolSequence } from '../../src/random/sobol.js';
import { SearchSpace } from '../../src/space/search-space.js';
import type { EncodedSpace, GenerationInput } from '../../src/strategy/generator.js';
import {
  MoboGenerator,
  type MoboGeneratorOptions,
  type MoboGeneratorState,
} from '../../src/strategy/mobo.js';
import { SobolGenerator } from '../../src/strategy/sobol.js';
import { createGenerator, GeneratorRegistry, MOBO_GENERATOR } from '../../src/strategy/strategies.js';
import { rowsOf } from './helpers.js';

/** Nadir of the Pareto front plus 10% of its range, by brute force (independent of src/pareto). */
function frontNadirPlusTenPercent(Y: Matrix): number[] {
  const rows = Array.from({ length: Y.rows }, (_, i) =>
    Array.from(Y.data.subarray(i * Y.cols, (i + 1) * Y.cols)),
  );
  const dominated = (a: number[], b: number[]) =>
    b.every((v, j) => v <= a[j]!) && b.some((v, j) => v < a[j]!);
  const front = rows.filter((a) => !rows.some((b) => dominated(a, b)));
  return Array.from({ length: Y.cols }, (_, j) => {
    const values = front.map((r) => r[j]!);
    const hi = Math.max(...values);
    const range = hi - Math.min(...values);
    return hi + 0.1 * (range > 0 ? range : Math.max(Math.abs(hi), 1));
  });
}

/** Small settings so that each generation takes well under a second. */
const FAST: MoboGeneratorOptions = { rawSamples: 64, restarts: 2, mcSamples: 32, maxIterations: 30 };

const d = 4;
const problem = dtlz2({ objectives: 2, dimensions: d });
const floatSpace = SearchSpace.create({
  parameters: Array.from({ length: d }, (_, i) => ({
    name: `x${i}`,
    type: 'float' as const,
    bounds: [0, 1],
  })),
}).encoded;

function sobol(n: number, dims: number, seed = 3): Matrix {
  return new SobolSequence(dims, { scramble: true, seed }).next(n);
}

function input(
  overrides: Partial<GenerationInput> & { X: Matrix },
  space: EncodedSpace = floatSpace,
): GenerationInput {
  const X = overrides.X;
  const Y = overrides.Y ?? problem.evaluate(X);
  return {
    space,
    completedIds: Array.from({ length: X.rows }, (_, i) => i),
    Y,
    C: zeros(X.rows, 0),
    failed: zeros(0, space.dimension),
    pending: zeros(0, space.dimension),
    referencePoint: Float64Array.from([1.1, 1.1]),
    count: 2,
    seed: 11,
    state: undefined,
    ...overrides,
  };
}

function minDistance(a: number[], set: number[][]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const b of set) best = Math.min(best, Math.max(...a.map((v, j) => Math.abs(v - b[j]!))));
  return best;
}

describe('MoboGenerator', () => {
  it('returns count new candidates in the cube with per-phase timings and fit facts', async () => {
    const X = sobol(10, d);
    const result = await new MoboGenerator(FAST).generate(input({ X, count: 3 }));
    expect(result.candidates.rows).toBe(3);
    expect(result.candidates.cols).toBe(d);
    expect(result.candidates.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    for (const c of rowsOf(result.candidates)) expect(minDistance(c, rowsOf(X))).toBeGreaterThan(1e-6);
    const meta = result.metadata;
    expect(meta).toMatchObject({
      generator: 'mobo',
      acquisition: 'qLogNEHVI',
      backend: 'float64-typescript',
      warmStarted: false,
    });
    for (const key of ['fitMs', 'decompositionMs', 'optimizationMs', 'totalMs']) {
      expect(meta[key]).toBeTypeOf('number');
    }
    expect(meta.acquisitionValues).toHaveLength(3);
    expect(meta.fitMoved).toHaveLength(2);
    const state = result.state as MoboGeneratorState;
    expect(state.version).toBe(1);
    expect(state.objectives).toHaveLength(2);
    expect(state.objectives[0]!.lengthscales).toHaveLength(d);
    expect(result.metadata.referencePoint).toEqual([1.1, 1.1]);
    // The state is JSON and warm-starts the next fit.
    const next = await new MoboGenerator(FAST).generate(
      input({ X, count: 1, state: JSON.parse(JSON.stringify(result.state)) }),
    );
    expect(next.metadata.warmStarted).toBe(true);
    for (const from of next.metadata.fitFrom as string[]) expect(['prior', 'warm']).toContain(from);
  });

  it('is pure: the same seed and data give the same candidates, another seed others', async () => {
    const X = sobol(10, d);
    const generator = new MoboGenerator(FAST);
    const a = await generator.generate(input({ X }));
    const b = await new MoboGenerator(FAST).generate(input({ X }));
    expect(Array.from(a.candidates.data)).toEqual(Array.from(b.candidates.data));
    const c = await generator.generate(input({ X, seed: 12 }));
    expect(Array.from(c.candidates.data)).not.toEqual(Array.from(a.candidates.data));
  });

  it('takes the reference point from its input only (the Optimizer decides it), never inferring one', async () => {
    const X = sobol(10, d);
    const generator = new MoboGenerator(FAST);
    await expect(generator.generate(input({ X, referencePoint: undefined }))).rejects.toThrow(
      'MoboGenerator: expected a reference point of length 2 (the Optimizer decides it), got none',
    );
    await expect(
      generator.generate(input({ X, referencePoint: Float64Array.from([1, 1, 1]) })),
    ).rejects.toThrow(/expected a reference point of length 2 .*got length 3/);
    const result = await generator.generate(input({ X, referencePoint: Float64Array.from([3, 2]) }));
    expect(result.metadata.referencePoint).toEqual([3, 2]);
    expect(Object.keys(result.state as object).sort()).toEqual(['constraints', 'objectives', 'version']);
  });

  it('never proposes an observed, failed or pending point, nor one twice', async () => {
    const X = sobol(8, d);
    const failed = sobol(12, d, 9);
    const pending = sobol(3, d, 5);
    const result = await new MoboGenerator(FAST).generate(input({ X, failed, pending, count: 4 }));
    const known = [...rowsOf(X), ...rowsOf(failed), ...rowsOf(pending)];
    const picks = rowsOf(result.candidates);
    picks.forEach((c, i) => {
      expect(minDistance(c, known)).toBeGreaterThan(1e-6);
      expect(minDistance(c, picks.slice(0, i).concat(picks.slice(i + 1)))).toBeGreaterThan(1e-6);
    });
  });

  it('rounds integer and choice columns and respects linear parameter constraints', async () => {
    const space = SearchSpace.create({
      parameters: [
        { name: 'a', type: 'float', bounds: [0, 1] },
        { name: 'b', type: 'float', bounds: [0, 1] },
        { name: 'k', type: 'int', bounds: [0, 3] },
        { name: 'c', type: 'choice', values: ['x', 'y', 'z'] },
      ],
      parameterConstraints: ['a + b <= 0.8'],
    }).encoded;
    const n = 10;
    const X = zeros(n, space.dimension);
    const source = sobol(40, space.dimension, 4);
    let kept = 0;
    const A = space.constraintMatrix;
    for (let i = 0; i < source.rows && kept < n; i++) {
      const x = source.data.slice(i * space.dimension, (i + 1) * space.dimension);
      space.round(x);
      let ok = true;
      for (let r = 0; r < A.rows; r++) {
        let s = 0;
        for (let j = 0; j < space.dimension; j++) s += A.data[r * space.dimension + j]! * x[j]!;
        if (s > space.constraintBound[r]!) ok = false;
      }
      if (ok) X.data.set(x, kept++ * space.dimension);
    }
    expect(kept).toBe(n);
    const Y = zeros(n, 2);
    for (let i = 0; i < n; i++) {
      const x = X.data.subarray(i * space.dimension, (i + 1) * space.dimension);
      Y.data[2 * i] = (x[0]! - 0.6) ** 2 + x[2]! + x[3]!;
      Y.data[2 * i + 1] = (x[1]! - 0.6) ** 2 + (1 - x[2]!) + x[4]!;
    }
    const result = await new MoboGenerator(FAST).generate(
      input({ X, Y, count: 3, referencePoint: Float64Array.from([3, 3]) }, space),
    );
    for (const c of rowsOf(result.candidates)) {
      const copy = Float64Array.from(c);
      space.round(copy);
      expect(Array.from(copy)).toEqual(c);
      for (let r = 0; r < A.rows; r++) {
        let s = 0;
        for (let j = 0; j < space.dimension; j++) s += A.data[r * space.dimension + j]! * c[j]!;
        expect(s).toBeLessThanOrEqual(space.constraintBound[r]! + 1e-12);
      }
    }
  });

  it('models outcome constraints, and offers qNEHVI, qEHVI and qNParEGO (the default beyond 6 objectives)', async () => {
    const X = sobol(10, d);
    const C = zeros(10, 1);
    for (let i = 0; i < 10; i++) C.data[i] = X.data[i * d]! - 0.7;
    const constrained = await new MoboGenerator(FAST).generate(input({ X, C }));
    expect(constrained.metadata.constraintFitMoved).toHaveLength(1);
    expect((constrained.state as MoboGeneratorState).constraints).toHaveLength(1);
    // No feasible point yet: still the model (the constraint GP steers towards feasibility).
    const infeasible = zeros(10, 1).data.fill(1);
    const none = await new MoboGenerator(FAST).generate(
      input({ X, C: { rows: 10, cols: 1, data: infeasible } }),
    );
    expect(none.metadata.acquisition).toBe('qLogNEHVI');
    expect(none.candidates.rows).toBe(2);
    for (const acquisition of ['qNEHVI', 'qEHVI', 'qNParEGO'] as const) {
      const r = await new MoboGenerator({ ...FAST, acquisition }).generate(
        input({ X, pending: sobol(2, d, 8), count: 2 }),
      );
      expect(r.metadata.acquisition).toBe(acquisition);
      expect(r.candidates.rows).toBe(2);
    }
    const many = dtlz2({ objectives: 7, dimensions: 8 });
    const X7 = sobol(12, 8);
    const wide = SearchSpace.create({
      parameters: Array.from({ length: 8 }, (_, i) => ({
        name: `x${i}`,
        type: 'float' as const,
        bounds: [0, 1],
      })),
    }).encoded;
    const r7 = await new MoboGenerator(FAST).generate(
      input({ X: X7, Y: many.evaluate(X7), referencePoint: many.referencePoint, count: 1 }, wide),
    );
    expect(r7.metadata.acquisition).toBe('qNParEGO');
  });

  it('honours the time budget of the acquisition optimization', async () => {
    const r = await new MoboGenerator(FAST).generate(input({ X: sobol(10, d), count: 3, timeBudgetMs: 1 }));
    expect(r.candidates.rows).toBe(3);
    expect(r.metadata.timedOut).toBe(true);
  });

  it('falls back on Sobol points with fewer than two completed trials', async () => {
    const r = await new MoboGenerator(FAST).generate(input({ X: sobol(1, d) }));
    expect(r.candidates.rows).toBe(2);
    expect(r.metadata.fallback).toMatch(/sobol/);
  });

  it('records the box decompositions used: exact up to 4 objectives, approximate (alpha) beyond', async () => {
    const X = sobol(12, d);
    const two = await new MoboGenerator(FAST).generate(input({ X, count: 1 }));
    expect(two.metadata).toMatchObject({
      partitioningAlpha: 0,
      partitioning: 'exact',
      objectiveMean: 'worst',
    });
    // Five objectives of the same 4 inputs: DTLZ2 (m = 5, d = 5) with its last input at 0.5.
    const five = dtlz2({ objectives: 5, dimensions: 5 });
    const X5 = zeros(X.rows, 5);
    for (let i = 0; i < X.rows; i++) {
      for (let k = 0; k < d; k++) X5.data[i * 5 + k] = X.data[i * d + k]!;
      X5.data[i * 5 + 4] = 0.5;
    }
    const Y5 = five.evaluate(X5);
    const ref5 = Float64Array.from(five.referencePoint);
    const approx = await new MoboGenerator(FAST).generate(
      input({ X, Y: Y5, referencePoint: ref5, count: 2 }),
    );
    expect(approx.metadata).toMatchObject({ partitioningAlpha: 1e-3, partitioning: 'approximate' });
    expect(approx.candidates.rows).toBe(2);
    const exact = await new MoboGenerator({ ...FAST, partitioningAlpha: 0 }).generate(
      input({ X, Y: Y5, referencePoint: ref5, count: 1 }),
    );
    expect(exact.metadata).toMatchObject({ partitioningAlpha: 0, partitioning: 'exact' });
    // qNParEGO builds no box decomposition.
    const parego = await new MoboGenerator({ ...FAST, acquisition: 'qNParEGO' }).generate(
      input({ X, Y: Y5, referencePoint: ref5, count: 1 }),
    );
    expect(parego.metadata).toMatchObject({ partitioningAlpha: 0, partitioning: 'exact' });
  });

  it("fixes the objective GPs' mean at the worst observed value unless objectiveMean is 'fitted'", async () => {
    const X = sobol(12, d);
    const Y = problem.evaluate(X);
    const standardizedMax = (j: number): number => {
      const col = Array.from({ length: X.rows }, (_, i) => Y.data[i * 2 + j]!);
      const avg = col.reduce((s, v) => s + v, 0) / col.length;
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - avg) ** 2, 0) / (col.length - 1));
      return (Math.max(...col) - avg) / sd;
    };
    const worst = await new MoboGenerator(FAST).generate(input({ X, count: 1 }));
    const state = worst.state as MoboGeneratorState;
    for (let j = 0; j < 2; j++) expect(state.objectives[j]!.mean).toBeCloseTo(standardizedMax(j), 10);
    const fitted = await new MoboGenerator({ ...FAST, objectiveMean: 'fitted' }).generate(
      input({ X, count: 1 }),
    );
    expect(fitted.metadata.objectiveMean).toBe('fitted');
    const fittedState = fitted.state as MoboGeneratorState;
    expect(fittedState.objectives[0]!.mean).not.toBeCloseTo(standardizedMax(0), 3);
  });

  it('validates its options', () => {
    expect(() => new MoboGenerator({ partitioningAlpha: 1 })).toThrow(/partitioningAlpha is 1/);
    expect(() => new MoboGenerator({ objectiveMean: 'best' as 'worst' })).toThrow(/objectiveMean is "best"/);
    expect(() => new MoboGenerator({ acquisition: 'qUCB' as 'qEHVI' })).toThrow(/acquisition is "qUCB"/);
    expect(() => new MoboGenerator({ restarts: 0 })).toThrow(/restarts is 0/);
    expect(() => new MoboGenerator({ rawSample: 3 } as MoboGeneratorOptions)).toThrow(
      /unknown option "rawSample"/,
    );
  });
});

describe("strategy 'mobo'", () => {
  it('works out of the box: Sobol initialization, then MoboGenerator, through the Optimizer', async () => {
    const opt = await Optimizer.create(
      {
        parameters: Array.from({ length: d }, (_, i) => ({
          name: `x${i + 1}`,
          type: 'float' as const,
          bounds: [0, 1] as [number, number],
        })),
        objectives: [
          { name: 'f1', minimize: true, threshold: 1.1 },
          { name: 'f2', minimize: true, threshold: 1.1 },
        ],
        strategy: { strategy: 'mobo', options: { ...FAST } },
        seed: 5,
      },
      { logger: { warn: () => {} } },
    );
    const evaluate = (p: Readonly<Record<string, unknown>>) => {
      const y = problem.evaluate({
        rows: 1,
        cols: d,
        data: Float64Array.from({ length: d }, (_, i) => p[`x${i + 1}`] as number),
      });
      return { f1: y.data[0]!, f2: y.data[1]! };
    };
    const initial = await opt.ask(2 * (d + 1));
    for (const t of initial) await opt.tell(t.id, evaluate(t.params));
    const model = await opt.ask(2);
    expect(model).toHaveLength(2);
    expect(opt.trials().map((t) => t.generator)).toEqual(Array(2 * (d + 1) + 2).fill('chain(sobol,mobo)'));
    const state = opt.snapshot().generatorState as { produced: number[]; states: unknown[] };
    expect(state.produced).toEqual([2 * (d + 1), 2]);
    expect((state.states[1] as MoboGeneratorState).objectives).toHaveLength(2);
    await opt.close();
  });

  it('gets its reference point and its time budget from one owner each', async () => {
    // A plug-in model records what each generation receives.
    const seen: { referencePoint: number[] | undefined; timeBudgetMs: number | undefined }[] = [];
    const registry = new GeneratorRegistry();
    registry.register(MOBO_GENERATOR, () => ({
      name: 'recorder',
      generate: async (input) => {
        seen.push({
          referencePoint: input.referencePoint && Array.from(input.referencePoint),
          timeBudgetMs: input.timeBudgetMs,
        });
        return new SobolGenerator().generate(input);
      },
    }));
    const opt = await Optimizer.create(
      {
        parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
        objectives: [
          { name: 'f1', minimize: true },
          { name: 'f2', minimize: false, threshold: -4 },
        ],
        outcomeConstraints: ['g <= 0'],
        strategy: { strategy: 'mobo', options: { initialTrials: 2, timeBudgetMs: 500 } },
        seed: 3,
      },
      { logger: { warn: () => {} }, registry },
    );
    const first = await opt.ask(2);
    await opt.tell(first[0]!.id, { f1: 1, f2: -1, g: 1 });
    await opt.tell(first[1]!.id, { f1: 3, f2: -2, g: 1 });
    // No feasible trial: the generation's point is inferred from all completed ones (f2's threshold
    // kept, negated: maximized), for this generation only; the strategy's budget applies.
    await opt.ask(1);
    const fromAll = frontNadirPlusTenPercent({ rows: 2, cols: 2, data: Float64Array.from([1, 1, 3, 2]) });
    expect(seen[0]).toEqual({ referencePoint: [fromAll[0], 4], timeBudgetMs: 500 });
    expect(opt.referencePoint()).toBeUndefined();
    expect(opt.snapshot().referencePoint).toBeNull();
    // A feasible trial: the point comes from the feasible ones; an ask's smaller budget wins.
    await opt.tell(2, { f1: 2, f2: -3, g: -1 });
    await opt.ask(1, { timeBudgetMs: 200 });
    expect(seen[1]).toEqual({ referencePoint: opt.referencePoint(), timeBudgetMs: 200 });
    expect(seen[1]!.referencePoint).toEqual([2 + 0.1 * 2, 4]);
    await opt.ask(1, { timeBudgetMs: 900 });
    expect(seen[2]!.timeBudgetMs).toBe(500);
    await opt.close();
  });

  it('uses a factory registered under mobo-bo instead of the built-in generator', () => {
    const registry = new GeneratorRegistry();
    expect(createGenerator('mobo', floatSpace, registry).name).toBe('chain(sobol,mobo)');
    registry.register(MOBO_GENERATOR, () => ({
      name: 'plug-in',
      generate: () => Promise.reject(new Error('unused')),
    }));
    expect(createGenerator('mobo', floatSpace, registry).name).toBe('chain(sobol,plug-in)');
    expect(() => createGenerator({ strategy: 'mobo', options: { restart: 3 } }, floatSpace)).toThrow(
      /unknown option "restart"/,
    );
  });
});
