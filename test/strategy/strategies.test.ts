import { describe, expect, it } from 'vitest';
import { zeros } from '../../src/linalg/matrix.js';
import { SearchSpace } from '../../src/space/search-space.js';
import type { GenerationInput, Generator } from '../../src/strategy/generator.js';
import { RandomGenerator } from '../../src/strategy/random.js';
import {
  createGenerator,
  GeneratorRegistry,
  MOBO_GENERATOR,
  strategySchema,
} from '../../src/strategy/strategies.js';

const space = SearchSpace.create({
  parameters: [
    { name: 'a', type: 'float', bounds: [0, 1] },
    { name: 'b', type: 'int', bounds: [0, 4] },
    { name: 'c', type: 'choice', values: ['x', 'y'] },
  ],
}).encoded;

function input(count: number, state: unknown, seed = 5): GenerationInput {
  const d = space.dimension;
  return {
    space,
    X: zeros(0, d),
    completedIds: [],
    Y: zeros(0, 2),
    C: zeros(0, 0),
    failed: zeros(0, d),
    pending: zeros(0, d),
    referencePoint: undefined,
    count,
    seed,
    state,
  };
}

/** A stand-in model generator that records the options it was built with. */
function fakeModel(seen: unknown[]): GeneratorRegistry {
  const registry = new GeneratorRegistry();
  registry.register(MOBO_GENERATOR, (s, options) => {
    seen.push({ d: s.dimension, options });
    const inner = new RandomGenerator();
    const model: Generator = { name: 'model', generate: (i) => inner.generate(i) };
    return model;
  });
  return registry;
}

describe('createGenerator', () => {
  it('builds the named built-in strategies', () => {
    expect(createGenerator('sobol', space).name).toBe('sobol');
    expect(createGenerator('random', space).name).toBe('random');
    expect(createGenerator({ strategy: 'nsga2', options: { populationSize: 8 } }, space).name).toMatch(
      /nsga/i,
    );
    expect(createGenerator([{ strategy: 'sobol', trials: 10 }, { strategy: 'nsga2' }], space).name).toMatch(
      /^chain\(sobol,.*nsga/i,
    );
  });

  it("'mobo' uses the built-in model generator when no other is registered", () => {
    expect(createGenerator('mobo', space, new GeneratorRegistry()).name).toBe('chain(sobol,mobo)');
  });

  it("'mobo' is 2 (d + 1) Sobol points, then the registered model with its options", async () => {
    const seen: unknown[] = [];
    const generator = createGenerator({ strategy: 'mobo', options: { restarts: 3 } }, space, fakeModel(seen));
    expect(generator.name).toBe('chain(sobol,model)');
    expect(seen).toEqual([{ d: 4, options: { restarts: 3 } }]);
    const initial = 2 * (space.dimension + 1);
    const result = await generator.generate(input(initial + 2, undefined));
    expect(result.candidates.rows).toBe(initial + 2);
    expect((result.state as { produced: number[] }).produced).toEqual([initial, 2]);
  });

  it('honours initialTrials, and is the model alone as a later step of a chain', async () => {
    const seen: unknown[] = [];
    const registry = fakeModel(seen);
    const first = createGenerator({ strategy: 'mobo', options: { initialTrials: 3 } }, space, registry);
    const r = await first.generate(input(4, undefined));
    expect((r.state as { produced: number[] }).produced).toEqual([3, 1]);
    expect(seen).toEqual([{ d: 4, options: {} }]);
    const later = createGenerator([{ strategy: 'random', trials: 2 }, { strategy: 'mobo' }], space, registry);
    expect(later.name).toBe('chain(random,model)');
  });

  it('is pure: the same input and state give the same candidates', async () => {
    const generator = createGenerator([{ strategy: 'sobol', trials: 3 }, { strategy: 'random' }], space);
    const a = await generator.generate(input(5, undefined, 9));
    const b = await generator.generate(input(5, undefined, 9));
    expect(Array.from(a.candidates.data)).toEqual(Array.from(b.candidates.data));
    const c = await generator.generate(input(2, a.state, 10));
    const d = await generator.generate(input(2, JSON.parse(JSON.stringify(a.state)), 10));
    expect(Array.from(c.candidates.data)).toEqual(Array.from(d.candidates.data));
  });

  it('rejects malformed strategies and registrations clearly', () => {
    expect(() => createGenerator('annealing' as never, space)).toThrow(
      /createGenerator: invalid strategy "annealing"/,
    );
    expect(() => createGenerator([{ strategy: 'sobol' }, { strategy: 'random' }] as never, space)).toThrow(
      /every step of a chain but the last needs a number of trials/,
    );
    expect(strategySchema.safeParse([]).success).toBe(false);
    const registry = new GeneratorRegistry();
    expect(() => registry.register('', () => new RandomGenerator())).toThrow(
      /name must be a non-empty string/,
    );
    expect(() => registry.register('x', 5 as never)).toThrow(/factory for "x" must be a function/);
    expect(registry.has('x')).toBe(false);
  });
});
