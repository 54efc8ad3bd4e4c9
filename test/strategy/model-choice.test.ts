/** The default strategy's model rule: the global model up to d = 20, MORBO above; recorded per generation. */
import { describe, expect, it } from 'vitest';
import { inferReferencePoint } from '../../src/pareto/reference.js';
import { SobolSequence } from '../../src/random/sobol.js';
import { chooseMoboModel, TRUST_REGION_DIMENSION } from '../../src/strategy/model-choice.js';
import { createGenerator, GeneratorRegistry } from '../../src/strategy/strategies.js';
import { continuous, fromRows, input, rowsOf, space } from './helpers.js';

describe("the 'mobo' strategy's model rule", () => {
  it('picks the global model up to d = 20 and trust regions above, unless told', () => {
    expect(TRUST_REGION_DIMENSION).toBe(20);
    expect(chooseMoboModel(20).model).toBe('global');
    expect(chooseMoboModel(21).model).toBe('trust-regions');
    expect(chooseMoboModel(100, 'global').model).toBe('global');
    expect(chooseMoboModel(5, 'trust-regions').model).toBe('trust-regions');
  });

  it('builds MORBO for the plain name above d = 20 and MoboGenerator up to it', () => {
    const chain = (d: number) => createGenerator('mobo', space(continuous(d))) as unknown as { name: string };
    expect(chain(21).name).toBe('chain(sobol,morbo)');
    expect(chain(20).name).toBe('chain(sobol,mobo)');
    expect(
      (
        createGenerator({ strategy: 'mobo', options: { model: 'global' } }, space(continuous(30))) as {
          name: string;
        }
      ).name,
    ).toBe('chain(sobol,mobo)');
    // A registered replacement of the global model is always used.
    const registry = new GeneratorRegistry();
    registry.register('mobo-bo', () => ({
      name: 'mine',
      generate: async () => ({ candidates: { rows: 0, cols: 0, data: new Float64Array(0) }, metadata: {} }),
    }));
    expect((createGenerator('mobo', space(continuous(30)), registry) as { name: string }).name).toBe(
      'chain(sobol,mine)',
    );
  });

  it('refuses options of the global model when the rule picks trust regions, saying how to keep them', () => {
    expect(() =>
      createGenerator({ strategy: 'mobo', options: { rawSamples: 64 } }, space(continuous(30))),
    ).toThrow(/runs trust regions \(MORBO\) here \(d = 30 > 20.*rawSamples.*options\.model to 'global'/);
    expect(() =>
      createGenerator(
        { strategy: 'mobo', options: { rawSamples: 64, initialTrials: 10 } },
        space(continuous(6)),
      ),
    ).not.toThrow();
  });

  it("records the choice in each generation's metadata", async () => {
    const d = 24;
    const generator = createGenerator(
      [
        { strategy: 'sobol', trials: 30 },
        { strategy: 'mobo', options: {} },
      ],
      space(continuous(d)),
    );
    const X = new SobolSequence(d, { scramble: true, seed: 5 }).next(30);
    const Y = fromRows(
      rowsOf(X).map((x) => [x[0]! + x.slice(2).reduce((s, v) => s + v * v, 0), 1 - x[0]! + x[1]!]),
      2,
    );
    const state = { produced: [30, 0], states: [null, null] };
    const result = await generator.generate(
      input(space(continuous(d)), 2, {
        X,
        Y,
        completedIds: Array.from({ length: 30 }, (_, i) => i),
        state,
        referencePoint: Float64Array.from(inferReferencePoint(Y)),
      }),
    );
    const meta = JSON.stringify(result.metadata);
    expect(meta).toContain('"model":"trust-regions"');
    expect(meta).toContain('d = 24 > 20: trust regions (MORBO)');
  });
});
