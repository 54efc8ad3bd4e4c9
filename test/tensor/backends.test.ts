/**
 * The shared backend suite: every acquisition function on every TensorFlow.js backend present,
 * against the float64 TypeScript reference (value and gradient), within a float32 tolerance; and
 * the pathwise posterior samples of MORBO against the float64 sampler.
 *
 * cpu and wasm always run. webgpu runs when an adapter is found (a software one counts: Mesa's
 * lavapipe in CI); with MOBO_WEBGPU_TESTS=1 (set by .ci/run) a missing webgpu is a failure, not a
 * skip. tfjs-node-gpu runs where a user installed it.
 */
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpModel, type GpModel } from '../../src/gp/model.js';
import { PathwiseSampler } from '../../src/gp/pathwise.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { TensorAcquisition } from '../../src/tensor/acquisition.js';
import { type TensorBackendName, type TensorRuntime, tensorBackend } from '../../src/tensor/backend.js';
import { TensorPathwiseEvaluator } from '../../src/tensor/pathwise.js';
import { cases, D, problem } from './fixture.js';

const required = process.env.MOBO_WEBGPU_TESTS === '1';

async function tryBackend(name: TensorBackendName): Promise<TensorRuntime | string> {
  try {
    return await tensorBackend({ backend: name });
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Relative value error (floored scale), and gradient error relative to the gradient's largest
 * entry. Float32 samples carry relative errors near 1e-7; the log acquisitions' gradients divide by
 * small smoothed side lengths (tau = 1e-6), which amplifies that to a few 1e-3 of the largest entry
 * at worst (seen: 5e-3 on lavapipe for a constrained qLogNEHVI).
 */
const VALUE_RTOL = 1e-4;
const GRADIENT_RTOL = 1e-2;

const p = problem();

/** Relative error of float32 pathwise samples, in units of the prior sd. */
const PATHWISE_RTOL = 1e-3;

/** A GP on 30 points of [0, 1]^8 and 50 points to sample at, a few outside the data's hull. */
function pathwiseCase(kernel: 'rbf' | 'matern52'): { gp: GpModel; points: Matrix } {
  const rng = seedrandom(`pathwise-${kernel}`);
  const d = 8;
  const X = Array.from({ length: 30 }, () => Array.from({ length: d }, () => rng()));
  const y = X.map((x) => Math.sin(5 * x[0]!) + x[1]! * x[2]! - x[3]!);
  const gp = createGpModel(X, y, {
    kernel,
    lengthscales: [0.4, 0.6, 0.8, 1, 1.2, 0.5, 0.7, 0.9],
    outputscale: 1.5,
    noise: 1e-3,
    mean: 0.1,
  });
  const points: Matrix = {
    rows: 50,
    cols: d,
    data: Float64Array.from({ length: 50 * d }, () => 1.4 * rng() - 0.2),
  };
  return { gp, points };
}

for (const name of ['cpu', 'wasm', 'webgpu', 'tfjs-node-gpu'] as const) {
  describe(`tensor backend ${name}`, () => {
    let runtime: TensorRuntime | string = 'not started';
    beforeAll(async () => {
      runtime = await tryBackend(name);
    });

    it('starts, or is legitimately absent', () => {
      if (typeof runtime === 'string') {
        if (name === 'cpu' || name === 'wasm' || (name === 'webgpu' && required)) {
          throw new Error(`the ${name} backend must be present here: ${runtime}`);
        }
        expect(runtime).toMatch(/not available/);
        return;
      }
      expect(runtime.info.name).toBe(name);
      expect(runtime.tf.getBackend()).toBe(name === 'tfjs-node-gpu' ? 'tensorflow' : name);
    });

    for (const c of cases(p)) {
      it(`${c.name}: value and gradient match the float64 reference`, async (ctx) => {
        if (typeof runtime === 'string') {
          ctx.skip();
          return;
        }
        await tensorBackend({ backend: name });
        const B = 4;
        const rng = seedrandom(`${c.name}`);
        const X = Float64Array.from({ length: B * c.q * D }, () => rng());
        const acquisition = new TensorAcquisition(runtime, c.acq);
        try {
          const grad = new Float64Array(X.length);
          const values = await acquisition.valueAndGradient(X, B, c.q, grad);
          const valuesOnly = await acquisition.evaluate(X, B, c.q);
          for (let b = 0; b < B; b++) {
            const xb = X.slice(b * c.q * D, (b + 1) * c.q * D);
            const g = new Float64Array(xb.length);
            const ref = c.acq.valueAndGradient(xb, c.q, g);
            // Log values are O(1..100): relative; plain ones can be ~0: floored at 1e-3.
            const scale = Math.max(c.log ? 1 : 1e-3, Math.abs(ref));
            expect(Math.abs(values[b]! - ref) / scale).toBeLessThan(VALUE_RTOL);
            expect(Math.abs(valuesOnly[b]! - values[b]!) / scale).toBeLessThan(VALUE_RTOL);
            let gScale = 1e-6;
            for (const v of g) gScale = Math.max(gScale, Math.abs(v));
            for (let k = 0; k < g.length; k++) {
              expect(Math.abs(grad[b * c.q * D + k]! - g[k]!) / gScale).toBeLessThan(GRADIENT_RTOL);
            }
          }
        } finally {
          acquisition.dispose();
        }
      });
    }

    for (const kernel of ['rbf', 'matern52'] as const) {
      it(`pathwise samples (${kernel}): values match the float64 sampler`, async (ctx) => {
        if (typeof runtime === 'string') {
          ctx.skip();
          return;
        }
        await tensorBackend({ backend: name });
        const { gp, points } = pathwiseCase(kernel);
        const sampler = new PathwiseSampler(gp, { features: 256, seed: 5 });
        const draws = sampler.draw(6, 6);
        const reference = sampler.evaluate(draws, points);
        const evaluator = new TensorPathwiseEvaluator(runtime, sampler, draws);
        try {
          const values = await evaluator.evaluate(points);
          // Float32: the cosines' arguments and the kernel's r² carry relative errors near 1e-6
          // of their size; measured against the samples' spread (their prior sd, yStd sqrt(s)).
          const scale = gp.internals.yStd * Math.sqrt(gp.hyperparameters.outputscale);
          for (let i = 0; i < values.length; i++) {
            expect(Math.abs(values[i]! - reference[i]!) / scale).toBeLessThan(PATHWISE_RTOL);
          }
        } finally {
          evaluator.dispose();
        }
        await expect(evaluator.evaluate(points)).rejects.toThrow(/after dispose/);
      });
    }
  });
}

describe('tensor backend selection', () => {
  afterAll(async () => {
    await tensorBackend({ backend: 'cpu' });
  });

  it('auto picks the first usable backend and says why it skipped the others', async () => {
    const { info } = await tensorBackend({ backend: 'auto' });
    expect(['tfjs-node-gpu', 'webgpu', 'wasm', 'cpu']).toContain(info.name);
    // Nothing before the pick is silently dropped: each skipped backend has its reason.
    for (const s of info.skipped) expect(s.reason.length).toBeGreaterThan(0);
    const order = ['tfjs-node-gpu', 'webgpu', 'wasm', 'cpu'];
    expect(info.skipped.map((s) => s.name)).toEqual(order.slice(0, order.indexOf(info.name)));
    // A software GPU adapter is never auto-picked (slower than wasm).
    if (info.name === 'webgpu') expect(info.software).toBe(false);
  });

  it('auto with software adapters allowed may pick lavapipe', async () => {
    const { info } = await tensorBackend({ backend: 'auto', allowSoftwareAdapter: true });
    if (info.skipped.some((s) => s.name === 'webgpu')) {
      expect(info.skipped.find((s) => s.name === 'webgpu')!.reason).not.toMatch(/software/);
    }
  });

  it('a missing optional package is a reason, not a crash', async () => {
    const { info } = await tensorBackend({ backend: 'auto' });
    const gpu = info.skipped.find((s) => s.name === 'tfjs-node-gpu');
    if (gpu) expect(gpu.reason).toMatch(/tfjs-node-gpu/);
  });

  it('forcing an unknown backend names the choices', async () => {
    await expect(tensorBackend({ backend: 'tpu' as never })).rejects.toThrow(/expected 'auto' or one of/);
  });

  it('MOBO_TENSOR_BACKEND forces a backend when the caller does not', async () => {
    const saved = process.env.MOBO_TENSOR_BACKEND;
    process.env.MOBO_TENSOR_BACKEND = 'cpu';
    try {
      expect((await tensorBackend()).info.name).toBe('cpu');
      process.env.MOBO_TENSOR_BACKEND = 'nonsense';
      await expect(tensorBackend()).rejects.toThrow(/MOBO_TENSOR_BACKEND is "nonsense"/);
    } finally {
      if (saved === undefined) delete process.env.MOBO_TENSOR_BACKEND;
      else process.env.MOBO_TENSOR_BACKEND = saved;
    }
  });

  it('chunks a large call without changing its values', async () => {
    const runtime = await tensorBackend({ backend: 'cpu' });
    const c = cases(p).find((k) => k.name === 'qLogNEHVI q=1')!;
    const whole = new TensorAcquisition(runtime, c.acq);
    const chunked = new TensorAcquisition(runtime, c.acq, { maxElements: 1 });
    expect(chunked.chunkSize(1)).toBe(1);
    const rng = seedrandom('chunks');
    const X = Float64Array.from({ length: 7 * D }, () => rng());
    const a = await whole.evaluate(X, 7, 1);
    const b = await chunked.evaluate(X, 7, 1);
    for (let i = 0; i < 7; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
    whole.dispose();
    chunked.dispose();
    await expect(whole.evaluate(X, 7, 1)).rejects.toThrow(/after dispose/);
  });
});
