import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/experiment/journal.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { RandomGenerator } from '../../src/strategy/random.js';
import { GeneratorRegistry, MOBO_GENERATOR } from '../../src/strategy/strategies.js';
import { capture, evaluate, mixedConfig, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

/** Asks in a fixed pattern (some trials told, some left pending) and returns every ask record. */
async function session(offThread: boolean, journal: string): Promise<unknown[]> {
  const opt = await Optimizer.create(
    mixedConfig({
      journal,
      strategy: [
        { strategy: 'sobol', trials: 6 },
        { strategy: 'mobo', options: { restarts: 2, rawSamples: 64, mcSamples: 32, maxIterations: 30 } },
      ],
    }),
    { logger: capture() },
  );
  for (let k = 0; k < 4; k++) {
    const batch = await opt.ask(3, { offThread, markRunning: k % 2 === 0 });
    for (const t of batch) {
      if (t.id % 3 !== 2) await opt.tell(t.id, evaluate(t.params));
    }
  }
  await opt.close();
  return readJournal(journal).events.flatMap(({ event }) =>
    event.type === 'ask' ? [{ ...event, t: 0, generator: { ...event.generator, metadata: undefined } }] : [],
  );
}

describe('generation in a worker thread', () => {
  it('gives the same trials, bit for bit, as generation in this thread (Sobol then GP + qLogNEHVI)', async () => {
    const here = await session(false, path.join(tmp.dir, 'here.jsonl'));
    const there = await session(true, path.join(tmp.dir, 'there.jsonl'));
    expect(here).toHaveLength(4);
    // The same points, parameters, generator state (GP hyperparameters) and ask counters.
    expect(JSON.stringify(there)).toBe(JSON.stringify(here));
  }, 60_000);

  it('keeps recording results while a generation runs in the worker', async () => {
    const opt = await Optimizer.create(mixedConfig({ strategy: 'sobol' }), { logger: capture() });
    const first = await opt.ask(2);
    const asking = opt.ask(2, { offThread: true });
    // A tell during the ask is recorded at once, not after the generation.
    const told = await opt.tell(first[0]!.id, evaluate(first[0]!.params));
    expect(told.state).toBe('completed');
    const second = await asking;
    expect(second.map((t) => t.id)).toEqual([2, 3]);
    await opt.close();
  }, 30_000);

  it('generates in this thread when the strategy uses a plug-in registered here', async () => {
    const registry = new GeneratorRegistry();
    registry.register(MOBO_GENERATOR, () => new RandomGenerator());
    const opt = await Optimizer.create(mixedConfig({ strategy: 'mobo' }), { logger: capture(), registry });
    expect(opt.canGenerateOffThread).toBe(false);
    const batch = await opt.ask(2, { offThread: true });
    expect(batch).toHaveLength(2);
    await opt.close();
    const plain = await Optimizer.create(mixedConfig({ strategy: 'mobo' }), { logger: capture() });
    expect(plain.canGenerateOffThread).toBe(true);
    await plain.close();
  });

  it('rejects a bad offThread option', async () => {
    const opt = await Optimizer.create(mixedConfig(), { logger: capture() });
    await expect(opt.ask(1, { offThread: 'yes' as unknown as boolean })).rejects.toThrow(
      /offThread must be true or false, got "yes"/,
    );
    await opt.close();
  });
});

describe('runner records in the journal', () => {
  it('journals launch, launched and retry records, replays them on open, and changes no trial state', async () => {
    const journal = path.join(tmp.dir, 'runner.jsonl');
    const opt = await Optimizer.create(mixedConfig({ journal }), { logger: capture() });
    const [trial] = await opt.ask(1);
    const id = trial!.id;
    expect(opt.runnerState(id)).toEqual({ attempt: 0, retries: 0 });
    await opt.recordRunner(id, { phase: 'launch', attempt: 1 });
    await opt.recordRunner(id, { phase: 'launched', attempt: 1, metadata: { jobId: '17_0', dir: '/x' } });
    await opt.recordRunner(id, { phase: 'retry', attempt: 1, reason: 'node failure' });
    expect(opt.runnerState(id)).toMatchObject({
      attempt: 1,
      retries: 1,
      metadata: { jobId: '17_0', dir: '/x' },
    });
    // A new attempt has no metadata until its runner returns some.
    await opt.recordRunner(id, { phase: 'launch', attempt: 2 });
    const state = opt.runnerState(id);
    expect(state).toEqual({ attempt: 2, retries: 1, failures: ['attempt 1: node failure'] });
    expect(opt.trial(id).state).toBe('running');
    await opt.close();
    const again = await Optimizer.open(journal, { logger: capture() });
    expect(again.runnerState(id)).toEqual(state);
    await again.close();
  });

  it('refuses a record for an unknown trial, a bad attempt or metadata that is not an object', async () => {
    const opt = await Optimizer.create(mixedConfig(), { logger: capture() });
    await opt.ask(1);
    await expect(opt.recordRunner(5, { phase: 'launch', attempt: 1 })).rejects.toThrow(/no such trial/);
    await expect(opt.recordRunner(0, { phase: 'launch', attempt: 0 })).rejects.toThrow(
      /attempt must be an integer >= 1, got 0/,
    );
    await expect(
      opt.recordRunner(0, {
        phase: 'launched',
        attempt: 1,
        metadata: [1] as unknown as Record<string, unknown>,
      }),
    ).rejects.toThrow(/metadata must be an object/);
    await opt.close();
  });
});
