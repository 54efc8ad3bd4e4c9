/**
 * Model views: importance ranks the parameters a synthetic function depends on first, and the
 * slices equal the GP posterior written out independently (Rasmussen & Williams eq. 2.23-2.24 with
 * an explicit ml-matrix inverse) at points built by encoding the user's values.
 */
import { inverse, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { Trial } from '../../src/experiment/trial.js';
import type { GpModel } from '../../src/gp/model.js';
import { createRng } from '../../src/random/rng.js';
import {
  defaultSliceTrial,
  fitObjectiveModels,
  modelViews,
  parameterImportance,
} from '../../src/report/model-views.js';
import { Outcomes } from '../../src/space/outcomes.js';
import type { ParameterConfig, Params } from '../../src/space/schema.js';
import { SearchSpace } from '../../src/space/search-space.js';

/** Completed trials of `f` at `n` random points of `space` (ids 0..n-1). */
function trialsOf(
  space: SearchSpace,
  n: number,
  f: (p: Params) => Record<string, number>,
  seed = 1,
): Trial[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, id) => {
    const u = Float64Array.from({ length: space.dimension }, () => rng.uniform());
    space.round(u);
    const params = space.decode(u);
    const x = Array.from(space.encode(params));
    return { id, state: 'completed', params, x, source: 'attach', values: f(params), createdAt: 0 } as Trial;
  });
}

/** The posterior of `model`'s data at Xs, computed from its hyperparameters and the user's y. */
function closedForm(model: GpModel, y: readonly number[], Xs: readonly (readonly number[])[]) {
  const { X, noise } = model.internals;
  const h = model.hyperparameters;
  const n = X.rows;
  const d = X.cols;
  const rows = Array.from({ length: n }, (_, i) => Array.from(X.data.subarray(i * d, (i + 1) * d)));
  const k = (a: readonly number[], b: readonly number[]) => {
    let r2 = 0;
    for (let j = 0; j < d; j++) r2 += ((a[j]! - b[j]!) / h.lengthscales[j]!) ** 2;
    return h.outputscale * Math.exp(-r2 / 2);
  };
  const mu = y.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1));
  const K = new MlMatrix(rows.map((a, i) => rows.map((b, j) => k(a, b) + (i === j ? noise[i]! : 0))));
  const Ks = new MlMatrix(Xs.map((a) => rows.map((b) => k(a, b))));
  const Kinv = inverse(K);
  const r = MlMatrix.columnVector(y.map((v) => (v - mu) / sd - h.mean));
  const m = Ks.mmul(Kinv).mmul(r);
  const v = Ks.mmul(Kinv).mmul(Ks.transpose());
  return Xs.map((a, i) => ({
    mean: mu + sd * (h.mean + m.get(i, 0)),
    sd: sd * Math.sqrt(k(a, a) - v.get(i, i)),
  }));
}

describe('parameter importance', () => {
  it('ranks first the parameters each objective depends on (6 parameters, 2 matter for f, 1 for g)', () => {
    const parameters: ParameterConfig[] = Array.from({ length: 6 }, (_, j) => ({
      name: `x${j + 1}`,
      type: 'float',
      bounds: [0, 1],
    }));
    const space = SearchSpace.create({ parameters });
    const outcomes = Outcomes.create({
      objectives: [
        { name: 'f', minimize: true },
        { name: 'g', minimize: false },
      ],
    });
    const trials = trialsOf(space, 40, (p) => {
      const x = (name: string) => p[name] as number;
      return { f: Math.sin(3 * x('x2')) + 2 * (x('x5') - 0.3) ** 2, g: Math.cos(4 * x('x3')) };
    });
    const fitted = fitObjectiveModels(space, outcomes, trials)!;
    const importance = parameterImportance(space, fitted.models);
    const rank = (j: number) =>
      [...importance].sort((a, b) => b.importance[j]! - a.importance[j]!).map((p) => p.parameter);
    expect(new Set(rank(0).slice(0, 2))).toEqual(new Set(['x2', 'x5']));
    expect(rank(1)[0]).toBe('x3');
    for (let j = 0; j < 2; j++) {
      expect(importance.reduce((s, p) => s + p.importance[j]!, 0)).toBeCloseTo(1, 12);
      // Importance is the inverse lengthscale normalized: check it against the model's lengthscales.
      const inv = fitted.models[j]!.hyperparameters.lengthscales.map((l) => 1 / l);
      const total = inv.reduce((a, b) => a + b, 0);
      for (const p of importance) {
        const k = Number(p.parameter.slice(1)) - 1;
        expect(p.importance[j]).toBeCloseTo(inv[k]! / total, 12);
        expect(p.lengthscale[j]).toBeCloseTo(fitted.models[j]!.hyperparameters.lengthscales[k]!, 12);
      }
    }
    // The unimportant ones get at most a small share for f.
    for (const name of ['x1', 'x4', 'x6']) {
      expect(importance.find((p) => p.parameter === name)!.importance[0]!).toBeLessThan(0.12);
    }
  });
});

describe('model slices', () => {
  const parameters: ParameterConfig[] = [
    { name: 'a', type: 'float', bounds: [-2, 3] },
    { name: 'rate', type: 'float', bounds: [1, 100], log: true },
    { name: 'n', type: 'int', bounds: [2, 6] },
    { name: 'mode', type: 'choice', values: ['fast', 'slow', 'exact'] },
    { name: 'k', type: 'fixed', value: 7 },
  ];
  const space = SearchSpace.create({ parameters });
  const outcomes = Outcomes.create({
    objectives: [
      { name: 'f', minimize: true },
      { name: 'g', minimize: false },
    ],
  });
  const bonus: Record<string, number> = { fast: 0, slow: 0.5, exact: -0.4 };
  const trials = trialsOf(
    space,
    25,
    (p) => ({
      f: (p.a as number) ** 2 / 4 + Math.log10(p.rate as number) + bonus[p.mode as string]!,
      g: Math.sin(p.a as number) - 0.1 * (p.n as number),
    }),
    7,
  );

  it('equal the posterior computed independently, at points built from the user values', () => {
    const fitted = fitObjectiveModels(space, outcomes, trials)!;
    const views = modelViews(space, outcomes, trials, { through: 4, points: 9 }, fitted)!;
    expect(views.through.trial).toBe(4);
    expect(views.slices.map((s) => s.parameter)).toEqual(['a', 'rate', 'n', 'mode']);
    const through = trials[4]!.params;
    for (const slice of views.slices) {
      expect(slice.at).toBe(through[slice.parameter]);
      const Xs = slice.points.map((p) =>
        Array.from(space.encode({ ...through, [slice.parameter]: p.value })),
      );
      for (let j = 0; j < 2; j++) {
        const y = trials.map((t) => t.values![j === 0 ? 'f' : 'g']!);
        const expected = closedForm(fitted.models[j]!, y, Xs);
        slice.points.forEach((p, i) => {
          expect(p.mean[j]).toBeCloseTo(expected[i]!.mean, 6);
          expect(p.sd[j]).toBeCloseTo(expected[i]!.sd, 6);
        });
      }
    }
  });

  it('are decoded to the user units: an even grid, a log grid, every integer, every choice', () => {
    const views = modelViews(space, outcomes, trials, { through: 0, points: 5 })!;
    const values = (name: string) =>
      views.slices.find((s) => s.parameter === name)!.points.map((p) => p.value);
    expect(values('a')).toEqual([-2, -0.75, 0.5, 1.75, 3]);
    const rate = values('rate') as number[];
    const expected = [1, Math.sqrt(10), 10, Math.sqrt(1000), 100];
    for (let i = 0; i < 5; i++) expect(rate[i]).toBeCloseTo(expected[i]!, 9);
    expect(views.slices.find((s) => s.parameter === 'rate')!.log).toBe(true);
    // 5 levels of n fit in 5 points; choices are categorical, one point each.
    expect(values('n')).toEqual([2, 3, 4, 5, 6]);
    expect(values('mode')).toEqual(['fast', 'slow', 'exact']);
    expect(views.slices.find((s) => s.parameter === 'mode')!.kind).toBe('categorical');
    // The fixed parameter has no column: no slice and no importance.
    expect(views.importance.map((p) => p.parameter).sort()).toEqual(['a', 'mode', 'n', 'rate']);
  });

  it('go through the Pareto-optimal trial nearest the ideal point by default', () => {
    const m2 = Outcomes.create({
      objectives: [
        { name: 'f', minimize: true },
        { name: 'g', minimize: true },
      ],
    });
    const mk = (id: number, f: number, g: number) => ({ ...trials[id]!, id, values: { f, g } }) as Trial;
    // Front (0,1), (0.4,0.4), (1,0) and a dominated (0.9,0.9): the middle one is nearest (0,0).
    const list = [mk(0, 0, 1), mk(1, 0.9, 0.9), mk(2, 0.4, 0.4), mk(3, 1, 0)];
    expect(defaultSliceTrial(m2, list)).toBe(2);
    expect(() => modelViews(space, m2, list, { through: 17 })).toThrow(
      /trial 17, but there is no such trial/,
    );
    expect(modelViews(space, m2, list.slice(0, 1))).toBeUndefined();
  });
});
