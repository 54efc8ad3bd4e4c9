/**
 * A shared problem for the backend suite: three objectives and one outcome constraint of four
 * inputs, GPs with fixed hyperparameters (different kernels and lengthscales per output), and
 * every acquisition function built on it, with and without pending points.
 */
import seedrandom from 'seedrandom';
import { QEhvi, QLogNehvi, QNehvi } from '../../src/acquisition/hypervolume-improvement.js';
import type { McAcquisition } from '../../src/acquisition/mc-acquisition.js';
import { QNParEgo } from '../../src/acquisition/parego.js';
import type { SpecSource } from '../../src/acquisition/spec.js';
import { createGpModel, type GpModel } from '../../src/gp/model.js';

export const D = 4;

function outputs(x: number[]): number[] {
  const [a, b, c, e] = x as [number, number, number, number];
  return [
    (a - 0.2) ** 2 + 0.5 * (b - 0.3) ** 2 + 0.1 * c,
    (a - 0.8) ** 2 + (c - 0.6) ** 2 + 0.2 * e,
    0.6 * (b - 0.7) ** 2 + 0.4 * (e - 0.1) ** 2 + 0.3 * a,
    // constraint: feasible where <= 0
    a + b - 1.2,
  ];
}

export interface Problem {
  X: number[][];
  Y: number[][];
  objectives: GpModel[];
  constraints: GpModel[];
  pending: number[][];
}

export function problem(n = 16, seed = 'tensor-suite'): Problem {
  const rng = seedrandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: D }, () => rng()));
  const out = X.map(outputs);
  const kernels = ['rbf', 'matern52', 'matern32', 'rbf'] as const;
  const gps = [0, 1, 2, 3].map((o) =>
    createGpModel(
      X,
      out.map((y) => y[o]!),
      {
        kernel: kernels[o]!,
        lengthscales: [0.4 + 0.1 * o, 0.6, 0.5 + 0.05 * o, 0.8],
        outputscale: 1,
        noise: 1e-3,
        mean: 0,
      },
    ),
  );
  const pending = Array.from({ length: 2 }, () => Array.from({ length: D }, () => rng()));
  return {
    X,
    Y: out.map((y) => y.slice(0, 3)),
    objectives: gps.slice(0, 3),
    constraints: gps.slice(3),
    pending,
  };
}

export type Case = { name: string; acq: McAcquisition & SpecSource; q: number; log: boolean };

/** Every acquisition function, with and without a constraint and pending points. */
export function cases(p: Problem): Case[] {
  const reference = [0.9, 0.9, 0.9];
  const base = { objectives: p.objectives, reference, samples: 32, seed: 7 };
  const withC = { ...base, constraints: p.constraints };
  const out: Case[] = [];
  for (const q of [1, 3]) {
    out.push({ name: `qEHVI q=${q}`, acq: new QEhvi({ ...base, front: p.Y }), q, log: false });
    out.push({
      name: `qEHVI q=${q} constrained, pending`,
      acq: new QEhvi({ ...withC, front: p.Y, pending: p.pending.slice(0, 1) }),
      q,
      log: false,
    });
    out.push({ name: `qNEHVI q=${q}`, acq: new QNehvi({ ...base, baseline: p.X }), q, log: false });
    const lognehvi = new QLogNehvi({ ...withC, baseline: p.X });
    lognehvi.addPending(p.pending);
    out.push({ name: `qLogNEHVI q=${q} constrained, pending`, acq: lognehvi, q, log: true });
    out.push({ name: `qLogNEHVI q=${q}`, acq: new QLogNehvi({ ...base, baseline: p.X }), q, log: true });
    out.push({
      name: `qNParEGO (log) q=${q} constrained, pending`,
      acq: new QNParEgo({ ...withC, baseline: p.X, observed: p.Y, pending: p.pending.slice(0, 1) }),
      q,
      log: true,
    });
    out.push({
      name: `qNParEGO (plain) q=${q}`,
      acq: new QNParEgo({ ...base, baseline: p.X, observed: p.Y, log: false }),
      q,
      log: false,
    });
  }
  return out;
}
