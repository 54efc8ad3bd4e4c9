/**
 * The MOBO generator on a TensorFlow.js backend: the same search, batched and in float32, reaches
 * acquisition values as good as the float64 path's (the optimum is the same function's, so the
 * float32 picks, scored by the float64 reference, are within a small tolerance of it or better).
 */
import { describe, expect, it } from 'vitest';
import { dtlz2 } from '../../problems/dtlz.js';
import { zeros } from '../../src/linalg/matrix.js';
import { SobolSequence } from '../../src/random/sobol.js';
import { MoboGenerator } from '../../src/strategy/mobo.js';
import { tensorBackend } from '../../src/tensor/backend.js';
import { continuous, space } from '../strategy/helpers.js';

const d = 4;
const problem = dtlz2({ objectives: 2, dimensions: d });

describe('MoboGenerator on a tensor backend', () => {
  it('wasm: batched float32 search reaches the float64 search value, and says which backend ran', async () => {
    const X = new SobolSequence(d, { scramble: true, seed: 5 }).next(12);
    const s = space(continuous(d));
    const input = {
      space: s,
      X,
      completedIds: Array.from({ length: 12 }, (_, i) => i),
      Y: problem.evaluate(X),
      C: zeros(12, 0),
      failed: zeros(0, d),
      pending: zeros(0, d),
      referencePoint: Float64Array.from([1.1, 1.1]),
      count: 2,
      seed: 3,
      state: undefined,
    };
    const options = { rawSamples: 128, restarts: 4, mcSamples: 32, maxIterations: 60 };
    const reference = await new MoboGenerator({ ...options, backend: 'float64' }).generate(input);
    const tensor = await new MoboGenerator({ ...options, backend: 'wasm' }).generate(input);
    expect(reference.metadata.backend).toBe('float64-typescript');
    expect(String(tensor.metadata.backend)).toMatch(/^tfjs-wasm \(float32/);
    expect(tensor.candidates.rows).toBe(2);
    for (const v of tensor.candidates.data) expect(v >= 0 && v <= 1).toBe(true);
    const a = reference.metadata.acquisitionValues as number[];
    const b = tensor.metadata.acquisitionValues as number[];
    // Log values: the first pick's optimum within 0.05 (5%) of the float64 search's, or better.
    expect(b[0]!).toBeGreaterThan(a[0]! - 0.05);
    // A generation leaves no tensors behind (GPU memory on a GPU backend).
    const { tf } = await tensorBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    await new MoboGenerator({ ...options, backend: 'wasm' }).generate(input);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown backend with the choices', () => {
    expect(() => new MoboGenerator({ backend: 'tpu' as never })).toThrow(
      /expected 'auto', 'float64' or one of/,
    );
  });
});
