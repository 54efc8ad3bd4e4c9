import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSnapshot } from '../../src/experiment/experiment.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import type { Trial } from '../../src/experiment/trial.js';
import { capture, evaluate, leaveCrashedLock, mixedConfig, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let counter = 0;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

const fresh = (name: string): string => path.join(tmp.dir, `${name}-${counter++}.jsonl`);

type Command =
  | { kind: 'ask'; n: number; running: boolean }
  | { kind: 'tell'; pick: number; variant: 'ok' | 'nan' | 'missing' | 'sem' }
  | { kind: 'fail' | 'abandon' | 'stale' | 'running'; pick: number }
  | { kind: 'attach'; x1: number; x2: number; n: number; k: 'a' | 'b' | 'c'; nan: boolean }
  | { kind: 'hv' }
  | { kind: 'bad'; pick: number; payload: unknown };

const pick = fc.nat(40);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ask' as const),
      n: fc.integer({ min: 1, max: 3 }),
      running: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('tell' as const),
      pick,
      variant: fc.constantFrom(
        'ok' as const,
        'ok' as const,
        'nan' as const,
        'missing' as const,
        'sem' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('fail' as const, 'abandon' as const, 'stale' as const, 'running' as const),
      pick,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('attach' as const),
      x1: fc.double({ min: 0, max: 1, noNaN: true }),
      x2: fc.double({ min: 1, max: 100, noNaN: true }),
      n: fc.integer({ min: 1, max: 6 }),
      k: fc.constantFrom('a' as const, 'b' as const, 'c' as const),
      nan: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'hv' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad' as const), pick, payload: fc.anything() }) },
);

/** Runs one command; resolves to what ask returned (or undefined). Throws what the call threw. */
async function run(opt: Optimizer, c: Command): Promise<unknown> {
  const size = opt.trials().length;
  const id = 'pick' in c ? (size === 0 ? c.pick : c.pick % (size + 1)) : 0;
  switch (c.kind) {
    case 'ask':
      return opt.ask(c.n, { markRunning: c.running });
    case 'tell': {
      const params = opt.trials()[id]?.params ?? { x1: 0.5, x2: 2, n: 1, kind: 'a' };
      const v = evaluate(params);
      if (c.variant === 'nan') return opt.tell(id, { ...v, f2: Number.NaN });
      if (c.variant === 'missing') return opt.tell(id, { f1: v.f1, g: v.g } as never);
      if (c.variant === 'sem') return opt.tell(id, v, { sem: { f1: 0.01, g: 0 } });
      return opt.tell(id, v);
    }
    case 'fail':
      return opt.fail(id, `failure of ${id}`);
    case 'abandon':
      return opt.abandon(id);
    case 'stale':
      return opt.markStale(id);
    case 'running':
      return opt.markRunning(id);
    case 'attach': {
      const params = { x1: c.x1, x2: c.x2, n: c.n, kind: c.k };
      const v = evaluate(params);
      return opt.attach(params, c.nan ? { ...v, f1: Number.NaN } : v);
    }
    case 'hv':
      return opt.hypervolume();
    case 'bad':
      return opt.tell(id, c.payload as never);
  }
}

interface Checkpoint {
  readonly bytes: number;
  readonly snapshot: ExperimentSnapshot;
}

/**
 * Runs `commands` against a new journaled optimizer. After every call that resolves, records the
 * journal length and state; after every call that throws, checks that neither changed.
 */
async function record(
  journal: string,
  commands: readonly Command[],
): Promise<{ opt: Optimizer; checkpoints: Checkpoint[] }> {
  const opt = await Optimizer.create(mixedConfig({ journal }), { logger: capture() });
  const checkpoints: Checkpoint[] = [{ bytes: fs.statSync(journal).size, snapshot: opt.snapshot() }];
  for (const c of commands) {
    const before = checkpoints.at(-1)!;
    let threw = false;
    try {
      await run(opt, c);
    } catch (e) {
      threw = true;
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(/^Optimizer\.|^SearchSpace|^Sobol|^Nsga2|^chain|found only/);
    }
    const now = { bytes: fs.statSync(journal).size, snapshot: opt.snapshot() };
    if (threw) {
      expect(now.bytes).toBe(before.bytes);
      expect(now.snapshot).toEqual(before.snapshot);
    } else if (now.bytes !== before.bytes) {
      checkpoints.push(now);
    }
  }
  return { opt, checkpoints };
}

/** Opens a copy of the first `bytes` bytes of `journal` and returns its state (or the error). */
async function replayPrefix(journal: string, bytes: number): Promise<ExperimentSnapshot | Error> {
  const copy = fresh('prefix');
  const fd = fs.openSync(journal, 'r');
  const buffer = Buffer.alloc(bytes);
  fs.readSync(fd, buffer, 0, bytes, 0);
  fs.closeSync(fd);
  fs.writeFileSync(copy, buffer);
  try {
    const opt = await Optimizer.open(copy, { logger: capture() });
    const snap = opt.snapshot();
    await opt.close();
    return snap;
  } catch (e) {
    return e as Error;
  } finally {
    fs.rmSync(copy, { force: true });
    fs.rmSync(`${copy}.lock`, { force: true });
  }
}

async function checkKillPoint(
  journal: string,
  checkpoints: readonly Checkpoint[],
  offset: number,
): Promise<void> {
  const result = await replayPrefix(journal, offset);
  const expected = checkpoints.filter((c) => c.bytes <= offset).at(-1);
  if (expected === undefined) {
    // Cut inside the header: create never resolved, so there is no experiment to lose.
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/no complete header record/);
    return;
  }
  if (result instanceof Error) throw result;
  expect(result).toEqual(expected.snapshot);
}

function withoutTimes(trials: readonly Trial[]): unknown[] {
  return trials.map(({ createdAt: _c, startedAt: _s, endedAt: _e, ...rest }) => rest);
}

describe('journal replay', () => {
  it('property: a journal cut at any byte replays to the state of its last complete record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 4,
          maxLength: 4,
        }),
        async (commands, cuts) => {
          const journal = fresh('cut');
          const { opt, checkpoints } = await record(journal, commands);
          await opt.close();
          const size = fs.statSync(journal).size;
          // Every acknowledged state replays exactly, and random cuts give the last complete one.
          const last = await replayPrefix(journal, size);
          expect(last).toEqual(checkpoints.at(-1)!.snapshot);
          for (const u of cuts) await checkKillPoint(journal, checkpoints, Math.floor(u * (size + 1)));
          fs.rmSync(journal);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('200 random kill points of one session all replay to the expected prefix state', async () => {
    const [commands] = fc.sample(fc.array(commandArb, { minLength: 40, maxLength: 40 }), {
      seed: 2024,
      numRuns: 1,
    });
    const journal = fresh('kill200');
    const { opt, checkpoints } = await record(journal, commands!);
    await opt.close();
    const size = fs.statSync(journal).size;
    expect(checkpoints.length).toBeGreaterThan(10);
    // A small LCG picks the offsets: reproducible, and unrelated to the session's own streams.
    let s = 12345;
    const offsets: number[] = [];
    for (let i = 0; i < 200; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      offsets.push(s % (size + 1));
    }
    // The record boundaries themselves, and one byte either side, are the interesting cuts.
    for (const c of checkpoints) offsets.push(c.bytes, Math.max(0, c.bytes - 1), Math.min(size, c.bytes + 1));
    for (const offset of offsets) await checkKillPoint(journal, checkpoints, offset);
  });

  it('property: kill and resume asks exactly what a straight run asks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 0, maxLength: 14 }),
        fc.array(commandArb, { minLength: 1, maxLength: 8 }),
        async (before, after) => {
          const outputs = async (opt: Optimizer, commands: readonly Command[]): Promise<unknown[]> => {
            const out: unknown[] = [];
            for (const c of commands) {
              try {
                out.push(await run(opt, c));
              } catch (e) {
                out.push(`threw ${(e as Error).constructor.name}`);
              }
            }
            return out.map((o) =>
              o !== null && typeof o === 'object' && 'createdAt' in o ? withoutTimes([o as Trial])[0] : o,
            );
          };
          const straightJournal = fresh('straight');
          const straight = await Optimizer.create(mixedConfig({ journal: straightJournal }), {
            logger: capture(),
          });
          await outputs(straight, before);
          const expected = await outputs(straight, after);
          const expectedState = straight.snapshot();
          await straight.close();

          const killedJournal = fresh('killed');
          const doomed = await Optimizer.create(mixedConfig({ journal: killedJournal }), {
            logger: capture(),
          });
          await outputs(doomed, before);
          // The process dies: no close; its lock stays behind naming a pid that is gone.
          leaveCrashedLock(killedJournal);
          const resumed = await Optimizer.open(killedJournal, { logger: capture() });
          const got = await outputs(resumed, after);
          expect(got).toEqual(expected);
          const state = resumed.snapshot();
          expect(withoutTimes(state.trials)).toEqual(withoutTimes(expectedState.trials));
          expect(state.generatorState).toEqual(expectedState.generatorState);
          expect(state.referencePoint).toEqual(expectedState.referencePoint);
          expect(state.asks).toBe(expectedState.asks);
          await resumed.close();
        },
      ),
      { numRuns: 10 },
    );
  });

  it('property: fuzzed tell payloads either fail cleanly naming the trial or are recorded; the journal always replays', async () => {
    const journal = fresh('fuzz');
    const opt = await Optimizer.create(mixedConfig({ journal, strategy: 'random' }), { logger: capture() });
    await opt.ask(30);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -2, max: 35 }),
        fc.oneof(
          fc.anything(),
          fc.record({ f1: fc.anything(), f2: fc.double(), g: fc.double() }),
          fc.dictionary(
            fc.constantFrom('f1', 'f2', 'g', 'h', '__proto__', 'constructor'),
            fc.oneof(fc.double(), fc.anything()),
          ),
        ),
        fc.option(fc.anything(), { nil: undefined }),
        async (id, payload, sem) => {
          const before = opt.snapshot();
          const bytes = fs.statSync(journal).size;
          try {
            await opt.tell(id, payload as never, sem === undefined ? undefined : ({ sem } as never));
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toContain(`Optimizer.tell(trial ${id})`);
            expect(opt.snapshot()).toEqual(before);
            expect(fs.statSync(journal).size).toBe(bytes);
          }
          const replayed = await replayPrefix(journal, fs.statSync(journal).size);
          expect(replayed).toEqual(opt.snapshot());
        },
      ),
      { numRuns: 150 },
    );
    await opt.close();
  });
});
