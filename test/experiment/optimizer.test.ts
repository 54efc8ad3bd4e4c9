import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { TRANSITIONS, TrialStateError } from '../../src/experiment/trial.js';
import { ConfigError } from '../../src/space/errors.js';
import { RandomGenerator } from '../../src/strategy/random.js';
import { GeneratorRegistry } from '../../src/strategy/strategies.js';
import { capture, evaluate, mixedConfig, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Hypervolume of integer points in [0, 10]^2 (minimization) with reference (11, 11), by counting unit cells. */
function cellVolume(points: readonly (readonly number[])[]): number {
  let count = 0;
  for (let a = 0; a < 11; a++) {
    for (let b = 0; b < 11; b++) {
      if (points.some(([p, q]) => p! <= a && q! <= b)) count++;
    }
  }
  return count;
}

describe('Optimizer ask/tell', () => {
  it('asks valid, distinct points and records them as running', async () => {
    const opt = await Optimizer.create(mixedConfig({ strategy: 'sobol' }), { logger: capture() });
    const batch = await opt.ask(8);
    expect(batch.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const t of batch) {
      expect(() => opt.space.validate(t.params)).not.toThrow();
      expect(t.params.flag).toBe(true);
    }
    expect(new Set(batch.map((t) => JSON.stringify(t.params))).size).toBe(8);
    expect(
      opt.trials().every((t) => t.state === 'running' && t.source === 'ask' && t.generator === 'sobol'),
    ).toBe(true);
    expect(Object.isFrozen(opt.trials()[0])).toBe(true);
    expect(Object.isFrozen(batch[0]!.params)).toBe(true);
    expect(Object.isFrozen(opt.trials()[0]!.x)).toBe(true);
    // The configuration cannot be edited behind the optimizer's back, nor is the caller's frozen.
    expect(Object.isFrozen(opt.config.parameters[0])).toBe(true);
    expect(Object.isFrozen(opt.space.parameters[1])).toBe(true);
    const mine = mixedConfig();
    await Optimizer.create(mine, { logger: capture() });
    expect(Object.isFrozen(mine.parameters[0])).toBe(false);
  });

  it('supports the two-step candidate -> running flow', async () => {
    const opt = await Optimizer.create(mixedConfig({ strategy: 'random' }), { logger: capture() });
    const [t] = await opt.ask(1, { markRunning: false });
    expect(opt.trial(t!.id).state).toBe('candidate');
    await opt.markRunning(t!.id);
    expect(opt.trial(t!.id).state).toBe('running');
    expect(opt.trial(t!.id).startedAt).toBeTypeOf('number');
    const e = await rejection(opt.markRunning(t!.id));
    expect(e).toBeInstanceOf(TrialStateError);
    expect(e.message).toMatch(/trial 0 is running; only candidate, stale trials can become running/);
  });

  it('takes values by name, negates maximized objectives once, and computes the front and hypervolume', async () => {
    const opt = await Optimizer.create(
      {
        parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
        objectives: [
          { name: 'cost', minimize: true, threshold: 11 },
          { name: 'gain', minimize: false, threshold: -11 },
        ],
        outcomeConstraints: ['risk <= 0.5'],
        strategy: 'sobol',
        seed: 3,
      },
      { logger: capture() },
    );
    // (cost, gain, risk): gain maximized, so its minimization form is -gain.
    // Rows are (cost, minimization form of gain, risk): the user reports gain = -row[1].
    const data: [number, number, number][] = [
      [3, 7, 0.1],
      [5, 4, 0.2],
      [2, 9, 0.9], // infeasible
      [6, 2, 0.1],
      [5, 5, 0.3], // dominated by (5, 4)
      [1, 10, 0.0],
    ];
    const batch = await opt.ask(data.length);
    for (let i = 0; i < data.length; i++) {
      const [cost, gain, risk] = data[i]!;
      await opt.tell(batch[i]!.id, { cost, gain: -gain, risk });
    }
    expect(opt.referencePoint()).toEqual([11, 11]);
    const minForm = data.filter((d) => d[2] <= 0.5).map(([c, g]) => [c, g]);
    expect(opt.hypervolume()).toBe(cellVolume(minForm));
    // History after each completion, infeasible ones leaving it unchanged.
    const expected: number[] = [];
    const seen: number[][] = [];
    for (const d of data) {
      if (d[2] <= 0.5) seen.push([d[0], d[1]]);
      expected.push(cellVolume(seen));
    }
    expect(opt.hypervolumeHistory()).toEqual(expected);
    // The front by brute force over the feasible rows.
    const feasible = data.map((d, i) => ({ d, i })).filter(({ d }) => d[2] <= 0.5);
    const front = feasible
      .filter(
        ({ d }) => !feasible.some(({ d: e }) => e[0] <= d[0] && e[1] <= d[1] && (e[0] < d[0] || e[1] < d[1])),
      )
      .map(({ i }) => i);
    expect(opt.paretoFront().map((t) => t.id)).toEqual(front);
    expect(opt.paretoFront()[0]!.values).toEqual({
      cost: data[front[0]!]![0],
      gain: -data[front[0]!]![1],
      risk: data[front[0]!]![2],
    });
  });

  it('infers missing reference coordinates (front nadir + 10% of range), provisionally until 2(d+1) results, then freezes', async () => {
    const journal = path.join(tmp.dir, 'ref.jsonl');
    const opt = await Optimizer.create(
      {
        journal,
        parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
        objectives: [
          { name: 'a', minimize: true },
          { name: 'b', minimize: false, threshold: 0 },
        ],
        strategy: 'random',
        seed: 1,
      },
      { logger: capture() },
    );
    expect(opt.referencePoint()).toBeUndefined();
    expect(opt.hypervolume()).toBe(0);
    const batch = await opt.ask(6);
    await opt.tell(batch[0]!.id, { a: 1, b: 2 });
    await opt.tell(batch[1]!.id, { a: 3, b: 5 });
    // minimization form: a in [1, 3] -> 3 + 0.2; b has its threshold 0 (maximized: -0).
    const provisional = opt.referencePoint()!;
    expect(provisional[0]).toBeCloseTo(3.2, 14);
    expect(provisional[1]).toBe(-0);
    // d = 1: frozen once 2(d+1) = 4 feasible trials have completed; until then it follows the data.
    await opt.tell(batch[2]!.id, { a: 2, b: 1 });
    await opt.tell(batch[3]!.id, { a: 5, b: 1 });
    // Inferred from the Pareto front's nadir: (2, 1) and (5, 1) are dominated by (1, 2), so a stays 3.2.
    const ref = opt.referencePoint()!;
    expect(ref[0]).toBeCloseTo(3.2, 14);
    await opt.tell(batch[4]!.id, { a: 100, b: -100 });
    expect(opt.referencePoint()).toEqual(ref);
    await opt.close();
    const lines = fs.readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.includes('"type":"reference"'))).toHaveLength(1);
    const again = await Optimizer.open(journal, { logger: capture() });
    expect(again.referencePoint()).toEqual(ref);
    await again.close();
  });

  it('fails a trial with a NaN, infinite or null value, with a warning, instead of throwing', async () => {
    const logger = capture();
    const opt = await Optimizer.create(mixedConfig({ strategy: 'random' }), { logger });
    const batch = await opt.ask(3);
    const bad = [
      { f1: Number.NaN, f2: 1, g: 0 },
      { f1: 1, f2: Number.POSITIVE_INFINITY, g: 0 },
      { f1: 1, f2: 1, g: null as unknown as number },
    ];
    const reasons = ['metric "f1" is NaN', 'metric "f2" is Infinity', 'metric "g" is null'];
    for (let i = 0; i < 3; i++) {
      const trial = await opt.tell(batch[i]!.id, bad[i] as never);
      expect(trial.state).toBe('failed');
      expect(trial.reason).toBe(reasons[i]);
      expect(logger.messages[i]).toMatch(new RegExp(`trial ${i}.*${reasons[i]!.replace(/[()"]/g, '.')}`));
    }
  });

  it('refuses a tell that leaves out a metric, naming the trial and the metric, and changes nothing', async () => {
    const journal = path.join(tmp.dir, 'missing.jsonl');
    const opt = await Optimizer.create(mixedConfig({ journal, strategy: 'random' }), { logger: capture() });
    const [t] = await opt.ask(1);
    const bytes = fs.statSync(journal).size;
    // g is the outcome constraint's metric: a harness that forgets it must hear so at once.
    const e = await rejection(opt.tell(t!.id, { f1: 1, f2: 2 }));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(
      /^Optimizer\.tell\(trial 0\): metric "g" \(outcome constraint\) missing; every objective and outcome-constraint metric needs a value \(expected: f1, f2, g\)/,
    );
    expect(opt.trial(0).state).toBe('running');
    expect(fs.statSync(journal).size).toBe(bytes);
    await expect(opt.attach({ x1: 0.1, x2: 3, n: 2, kind: 'a' }, { f2: 1, g: 0 } as never)).rejects.toThrow(
      /Optimizer\.attach: metric "f1" \(objective\) missing/,
    );
    expect(opt.trials()).toHaveLength(1);
    expect((await opt.tell(t!.id, { f1: 1, f2: 2, g: 0.5 })).state).toBe('completed');
    await opt.close();
  });

  it('names the trial and its state when telling an unknown or finished trial, and the metric for bad payloads', async () => {
    const opt = await Optimizer.create(mixedConfig({ strategy: 'random' }), { logger: capture() });
    const [t] = await opt.ask(1);
    let e = await rejection(opt.tell(42, { f1: 1, f2: 1, g: 0 }));
    expect(e).toBeInstanceOf(TrialStateError);
    expect(e.message).toMatch(
      /Optimizer\.tell\(trial 42\): no trial 42 in this experiment \(its trials are 0\.\.0\)/,
    );
    e = await rejection(opt.tell(t!.id, { f1: 1, f2: 1, g: 0, h: 3 }));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/trial 0.*unknown metric "h" \(expected: f1, f2, g\)/);
    e = await rejection(opt.tell(t!.id, { f1: '1' as unknown as number, f2: 1, g: 0 }));
    expect(e.message).toMatch(/trial 0.*metric "f1": expected a number, got "1"/);
    e = await rejection(opt.tell(t!.id, 'oops' as never));
    expect(e.message).toMatch(/trial 0.*expected an object of metric values by name, got "oops"/);
    e = await rejection(opt.tell(t!.id, { f1: 1, f2: 1, g: 0 }, { sem: { f1: -1 } }));
    expect(e.message).toMatch(/trial 0.*sem: metric "f1": expected a finite number >= 0, got -1/);
    e = await rejection(opt.tell('0' as never, { f1: 1, f2: 1, g: 0 }));
    expect(e.message).toMatch(/a trial id must be an integer, got 0/);
    expect(opt.trial(0).state).toBe('running');
    const done = await opt.tell(t!.id, { f1: 1, f2: 2, g: 0 }, { sem: { f1: 0.1 } });
    expect(done.sem).toEqual({ f1: 0.1 });
    e = await rejection(opt.tell(t!.id, { f1: 1, f2: 1, g: 0 }));
    expect(e).toBeInstanceOf(TrialStateError);
    expect(e.message).toMatch(
      /trial 0 is completed; only candidate, running, stale trials can become completed/,
    );
    expect((e as TrialStateError).state).toBe('completed');
    e = await rejection(opt.fail(t!.id, 'late'));
    expect(e.message).toMatch(/Optimizer\.fail\(trial 0\): trial 0 is completed/);
    e = await rejection(opt.ask(0));
    expect(e.message).toMatch(
      /Optimizer\.ask: expected a count of trials from 1 to 1000 \(MAX_ASK, the most one ask proposes; ask again for more\), got 0/,
    );
  });

  it('follows the transition table: fail, abandon, stale and late results', async () => {
    expect(TRANSITIONS.completed).toEqual([]);
    const opt = await Optimizer.create(mixedConfig({ strategy: 'random' }), { logger: capture() });
    const b = await opt.ask(4);
    await opt.fail(b[0]!.id, 'simulation crashed');
    expect(opt.trial(0)).toMatchObject({ state: 'failed', reason: 'simulation crashed' });
    await opt.abandon(b[1]!.id);
    expect(opt.trial(1).state).toBe('abandoned');
    await opt.markStale(b[2]!.id);
    expect(opt.trial(2).state).toBe('stale');
    const late = await opt.tell(b[2]!.id, evaluate(b[2]!.params));
    expect(late.state).toBe('completed');
    await opt.markStale(b[3]!.id, 'runner lost track of it');
    expect(opt.trial(3)).toMatchObject({ state: 'stale', reason: 'runner lost track of it' });
    await opt.markRunning(3);
    expect(opt.trial(3).reason).toBeUndefined();
    expect(opt.trials('running').map((t) => t.id)).toEqual([3]);
    expect(opt.trials(['failed', 'abandoned']).map((t) => t.id)).toEqual([0, 1]);
  });

  it('attaches data from elsewhere after validating it, and rejects bad points without changing anything', async () => {
    const opt = await Optimizer.create(mixedConfig({ strategy: 'random' }), { logger: capture() });
    const params = { x1: 0.5, x2: 10, n: 3, kind: 'b' };
    const t = await opt.attach(params, evaluate(params));
    expect(t).toMatchObject({
      id: 0,
      state: 'completed',
      source: 'attach',
      params: { ...params, flag: true },
    });
    const decoded = opt.space.decode(t.x);
    expect({ ...decoded, x2: 0 }).toEqual({ ...params, x2: 0, flag: true });
    expect(decoded.x2).toBeCloseTo(10, 12);
    const before = opt.snapshot();
    let e = await rejection(opt.attach({ ...params, x1: 1.2 }, evaluate(params)));
    expect(e.message).toMatch(/Optimizer\.attach: parameter "x1": expected a number in \[0, 1\], got 1\.2/);
    e = await rejection(opt.attach({ ...params, x1: 1, n: 6 }, evaluate(params)));
    expect(e.message).toMatch(/parameter constraint "x1 \+ 0\.1 \* n <= 1\.3" does not hold/);
    e = await rejection(opt.attach(params, { f1: 1, f2: 1, g: 0, zzz: 1 }));
    expect(e.message).toMatch(/Optimizer\.attach: unknown metric "zzz"/);
    expect(opt.snapshot()).toEqual(before);
    const failed = await opt.attach(params, { f1: 1, f2: Number.NaN, g: 0 });
    expect(failed).toMatchObject({ id: 1, state: 'failed', reason: 'metric "f2" is NaN' });
  });

  it('never returns a pending or abandoned point again, even for concurrent asks on a tiny space', async () => {
    const opt = await Optimizer.create(
      {
        parameters: [
          { name: 'a', type: 'int', bounds: [0, 2] },
          { name: 'b', type: 'choice', values: ['x', 'y'] },
        ],
        objectives: [{ name: 'f', minimize: true }],
        strategy: 'sobol',
        seed: 11,
      },
      { logger: capture() },
    );
    const [first, second] = await Promise.all([opt.ask(2), opt.ask(2)]);
    const all = [...first!, ...second!];
    expect(new Set(all.map((t) => JSON.stringify(t.params))).size).toBe(4);
    await opt.abandon(all[0]!.id);
    await opt.tell(all[1]!.id, { f: 1 });
    const more = await opt.ask(2);
    const keys = new Set(all.map((t) => JSON.stringify(t.params)));
    for (const t of more) expect(keys.has(JSON.stringify(t.params))).toBe(false);
    // All six points are now used: the next ask cannot succeed and records nothing.
    const before = opt.snapshot();
    await expect(opt.ask(1)).rejects.toThrow(/exhausted|found only/);
    expect(opt.snapshot()).toEqual(before);
  });

  it("defaults to 'mobo' with the built-in model generator, and plugs another one in through a registry", async () => {
    const builtin = await Optimizer.create(mixedConfig({ strategy: undefined }), { logger: capture() });
    expect(builtin.config.strategy).toBe('mobo');
    await builtin.close();
    const registry = new GeneratorRegistry();
    const seen: unknown[] = [];
    registry.register('mobo-bo', (_space, options) => {
      seen.push(options);
      return new RandomGenerator();
    });
    const opt = await Optimizer.create(
      mixedConfig({ strategy: { strategy: 'mobo', options: { initialTrials: 2, restarts: 5 } } }),
      { registry, logger: capture() },
    );
    expect(seen).toEqual([{ restarts: 5 }]);
    await opt.ask(3);
    expect(opt.trials().map((t) => t.generator)).toEqual([
      'chain(sobol,random)',
      'chain(sobol,random)',
      'chain(sobol,random)',
    ]);
    const meta = opt.snapshot().generatorState as { produced: number[] };
    expect(meta.produced).toEqual([2, 1]);
  });

  it('rejects a bad configuration with a ConfigError naming the path, and creates no journal', async () => {
    const journal = path.join(tmp.dir, 'bad.jsonl');
    const config = mixedConfig({ journal });
    (config.parameters[1] as { bounds: unknown[] }).bounds = [1, 'x'];
    const e = await rejection(Optimizer.create(config));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(
      /^Optimizer\.create: invalid configuration:\n {2}parameters\[1\]\.bounds\[1\]: expected number, received string, got "x"/,
    );
    expect(fs.existsSync(journal)).toBe(false);
    expect(fs.existsSync(`${journal}.lock`)).toBe(false);
  });

  it('records tells at once while an ask waits on a slow generator, and numbers the new trials after them', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const registry = new GeneratorRegistry();
    registry.register('mobo-bo', () => {
      const inner = new RandomGenerator();
      return {
        name: 'slow',
        generate: async (input) => {
          await gate;
          return inner.generate(input);
        },
      };
    });
    const journal = path.join(tmp.dir, 'slow.jsonl');
    const opt = await Optimizer.create(
      mixedConfig({ journal, strategy: { strategy: 'mobo', options: { initialTrials: 2 } } }),
      { registry, logger: capture() },
    );
    const first = await opt.ask(2);
    const slowAsk = opt.ask(2);
    const order: string[] = [];
    const told = opt.tell(first[0]!.id, evaluate(first[0]!.params)).then(() => order.push('tell'));
    const attached = opt.attach({ x1: 0.1, x2: 3, n: 2, kind: 'a' }, { f1: 0, f2: 0, g: 0 });
    const closing = opt.close().then(() => order.push('close'));
    await told;
    expect((await attached).id).toBe(2);
    release();
    const batch = await slowAsk;
    order.push('ask');
    await closing;
    expect(order).toEqual(['tell', 'ask', 'close']);
    expect(batch.map((t) => t.id)).toEqual([3, 4]);
    const again = await Optimizer.open(journal, { registry, logger: capture() });
    expect(again.trials().map((t) => [t.id, t.state])).toEqual([
      [0, 'completed'],
      [1, 'running'],
      [2, 'completed'],
      [3, 'running'],
      [4, 'running'],
    ]);
    await again.close();
  });

  it('refuses to work after close', async () => {
    const opt = await Optimizer.create(mixedConfig({ strategy: 'random' }), { logger: capture() });
    await opt.close();
    await expect(opt.ask(1)).rejects.toThrow(/closed/);
    expect(opt.trials()).toEqual([]);
  });
});
