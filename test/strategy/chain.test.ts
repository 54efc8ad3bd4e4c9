import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../../src/random/rng.js';
import { ChainGenerator } from '../../src/strategy/chain.js';
import type { GenerationInput, GenerationResult, Generator } from '../../src/strategy/generator.js';
import { RandomGenerator } from '../../src/strategy/random.js';
import { SobolGenerator } from '../../src/strategy/sobol.js';
import { continuous, fromRows, input, rowsOf, space } from './helpers.js';

/**
 * A recording generator: candidate i of its life is the constant row (base + i) / 1000, and its
 * state counts what it produced, so splits are visible in the output.
 */
class Counter implements Generator {
  readonly calls: GenerationInput[] = [];
  constructor(
    readonly name: string,
    private readonly base: number,
  ) {}

  async generate(inp: GenerationInput): Promise<GenerationResult> {
    this.calls.push(inp);
    const done = (inp.state as { done: number } | undefined)?.done ?? 0;
    const d = inp.space.dimension;
    const data = new Float64Array(inp.count * d);
    for (let i = 0; i < inp.count; i++) data.fill((this.base + done + i) / 1000, i * d, (i + 1) * d);
    return {
      candidates: { rows: inp.count, cols: d, data },
      metadata: { from: this.name },
      state: { done: done + inp.count },
    };
  }
}

describe('ChainGenerator', () => {
  const s = space(continuous(2));

  it('splits a batch that crosses a step boundary and passes the first part as pending', async () => {
    const a = new Counter('a', 0);
    const b = new Counter('b', 500);
    const chain = new ChainGenerator([{ generator: a, trials: 5 }, { generator: b }]);
    expect(chain.name).toBe('chain(a,b)');
    const pending0 = fromRows([[0.9, 0.9]], 2);

    const r1 = await chain.generate(input(s, 3, { pending: pending0 }));
    expect(rowsOf(r1.candidates).map((r) => r[0])).toEqual([0, 0.001, 0.002]);
    expect(r1.metadata.steps).toEqual([0]);

    // Journaled as JSON between asks.
    const state1 = JSON.parse(JSON.stringify(r1.state));
    const r2 = await chain.generate(input(s, 4, { state: state1, pending: pending0, seed: 77 }));
    expect(rowsOf(r2.candidates).map((r) => r[0])).toEqual([0.003, 0.004, 0.5, 0.501]);
    expect(r2.metadata.steps).toEqual([0, 1]);
    const parts = r2.metadata.parts as { step: number; offset: number; count: number; generator: string }[];
    expect(parts.map((p) => [p.step, p.generator, p.offset, p.count])).toEqual([
      [0, 'a', 0, 2],
      [1, 'b', 2, 2],
    ]);
    // The second part saw the original pending point and the first part's candidates.
    const bInput = b.calls[0]!;
    expect(rowsOf(bInput.pending)).toEqual([
      [0.9, 0.9],
      [0.003, 0.003],
      [0.004, 0.004],
    ]);
    expect(a.calls[1]!.seed).toBe(77);
    expect(bInput.seed).toBe(deriveSeed(77, 'chain', 1));
    expect(bInput.state).toBeUndefined();
    expect(r2.state).toEqual({ produced: [5, 2], states: [{ done: 5 }, { done: 2 }] });

    const r3 = await chain.generate(input(s, 2, { state: JSON.parse(JSON.stringify(r2.state)) }));
    expect(rowsOf(r3.candidates).map((r) => r[0])).toEqual([0.502, 0.503]);
    expect(b.calls[1]!.state).toEqual({ done: 2 });
  });

  it('skips steps with zero trials and crosses several boundaries in one batch', async () => {
    const chain = new ChainGenerator([
      { generator: new Counter('a', 0), trials: 1 },
      { generator: new Counter('z', 900), trials: 0 },
      { generator: new Counter('b', 100), trials: 2 },
      { generator: new Counter('c', 200) },
    ]);
    const r = await chain.generate(input(s, 5));
    expect(rowsOf(r.candidates).map((row) => row[0])).toEqual([0, 0.1, 0.101, 0.2, 0.201]);
    expect(r.metadata.steps).toEqual([0, 2, 3]);
    expect((r.state as { produced: number[] }).produced).toEqual([1, 0, 2, 2]);
  });

  it('Sobol then random equals the two generators run by hand', async () => {
    const chain = new ChainGenerator([
      { generator: new SobolGenerator(), trials: 3 },
      { generator: new RandomGenerator() },
    ]);
    const r = await chain.generate(input(s, 5));
    const sobol = await new SobolGenerator().generate(input(s, 3));
    const random = await new RandomGenerator().generate(
      input(s, 2, { seed: deriveSeed(12345, 'chain', 1), pending: sobol.candidates }),
    );
    expect(rowsOf(r.candidates)).toEqual([...rowsOf(sobol.candidates), ...rowsOf(random.candidates)]);
    // Deterministic.
    expect((await chain.generate(input(s, 5))).candidates).toEqual(r.candidates);
    // The Sobol state is kept though the step is finished.
    expect(r.state).toEqual({ produced: [3, 2], states: [{ seed: 12345, drawn: 3 }, null] });
  });

  it('a count of 0 returns nothing and keeps the state', async () => {
    const chain = new ChainGenerator([
      { generator: new Counter('a', 0), trials: 1 },
      { generator: new Counter('b', 0) },
    ]);
    const r = await chain.generate(input(s, 0, { state: { produced: [1, 4], states: [null, { done: 4 }] } }));
    expect(r.candidates.rows).toBe(0);
    expect(r.state).toEqual({ produced: [1, 4], states: [null, { done: 4 }] });
  });

  it('rejects bad steps, states and child results', async () => {
    expect(() => new ChainGenerator([])).toThrow(/steps must be a non-empty array/);
    expect(
      () => new ChainGenerator([{ generator: new Counter('a', 0) }, { generator: new Counter('b', 0) }]),
    ).toThrow(/step 0 \(a\) needs trials, an integer >= 0, got undefined/);
    const chain = new ChainGenerator([
      { generator: new Counter('a', 0), trials: 1 },
      { generator: new Counter('b', 0) },
    ]);
    await expect(chain.generate(input(s, 1, { state: { produced: [1] } }))).rejects.toThrow(
      /ChainGenerator: state must be \{ produced, states \} with one entry per step \(2\)/,
    );
    const liar: Generator = {
      name: 'liar',
      generate: async () => ({ candidates: { rows: 0, cols: 2, data: new Float64Array(0) }, metadata: {} }),
    };
    await expect(new ChainGenerator([{ generator: liar }]).generate(input(s, 2))).rejects.toThrow(
      /step 0 \(liar\) returned 0 x 2 candidates, expected 2 x 2/,
    );
  });
});
