import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/experiment/attempts.js';
import type { OptimizerConfig } from '../../src/experiment/config.js';
import { readJournal } from '../../src/experiment/journal.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { InProcessRunner } from '../../src/runners/in-process.js';
import { PoolRunner } from '../../src/runners/pool.js';
import { Scheduler, type SchedulerOptions } from '../../src/runners/scheduler.js';
import { SubprocessRunner } from '../../src/runners/subprocess.js';
import { defineTask } from '../../src/runners/task.js';
import type {
  Runner,
  TaskFunction,
  TrialHandle,
  TrialRequest,
  TrialStatus,
} from '../../src/runners/types.js';
import { Counter, Gate, sleep, sleepingRunner, twoObjectiveConfig, until, values } from './fixtures.js';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-scheduler-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function dir(): string {
  return join(root, `e${counter++}`);
}

const quiet = { warn: () => {} };

const config = (journal?: string, seed = 3): OptimizerConfig => twoObjectiveConfig(journal, seed);

/** A subprocess that reads its parameters and prints the fixture's values after 600 ms. */
const slowScript =
  'const p = JSON.parse(require("fs").readFileSync(process.env.MOBO_PARAMS_FILE, "utf8"));' +
  'setTimeout(() => console.log(JSON.stringify({ f1: p.x1, f2: 1 - p.x1 + p.x2 })), 600);';
const slowCommand = [process.execPath, '-e', slowScript];

type LaunchRecord =
  | { phase: 'launch'; attempt: number }
  | { phase: 'launched'; attempt: number; metadata: Record<string, unknown> };

/**
 * A first process asks 2 trials, starts them as subprocesses (`slowCommand`), passes each launch and
 * the metadata the runner returned to `record`, then "crashes" (closes without waiting for them).
 * Returns the metadata.
 */
async function startThenCrash(
  journal: string,
  output: string,
  record: (first: Optimizer, id: number, r: LaunchRecord) => Promise<void>,
): Promise<Record<string, unknown>[]> {
  const first = await Optimizer.create(config(journal), { logger: quiet });
  const asked = await first.ask(2);
  const runner = new SubprocessRunner({ command: slowCommand, directory: output });
  const requests = asked.map((t) => ({ id: t.id, params: { ...t.params }, attempt: 1 }));
  for (const r of requests) await record(first, r.id, { phase: 'launch', attempt: 1 });
  const metadata = await runner.run(requests);
  for (const [k, r] of requests.entries()) {
    await record(first, r.id, { phase: 'launched', attempt: 1, metadata: metadata[k]! });
  }
  await runner.close();
  await first.close();
  return metadata;
}

/**
 * Resumes `startThenCrash`'s experiment with a fresh subprocess runner: both trials must be
 * reattached (not re-run) and complete with the fixture's values.
 */
async function resumeReattaching(
  opt: Optimizer,
  output: string,
  options: Partial<SchedulerOptions> = {},
): Promise<void> {
  const second = new SubprocessRunner({ command: slowCommand, directory: output });
  const logs: string[] = [];
  const result = await new Scheduler(opt, second, {
    trials: 2,
    maxParallel: 2,
    log: (m) => logs.push(m),
    ...options,
  }).run();
  await second.close();
  expect(result.reason).toBe('budget');
  expect(logs.filter((l) => l.includes('reattached to attempt 1'))).toHaveLength(2);
  for (const t of opt.trials()) {
    expect(t.state).toBe('completed');
    expect(t.values).toEqual(values(t.params));
  }
}

/** A runner that fails the first `failures` attempts of each trial as transient, then delegates. */
class FlakyRunner implements Runner {
  readonly kind = 'flaky';
  readonly inner: Runner;
  readonly failures: number;
  readonly attempts: TrialRequest[] = [];
  constructor(inner: Runner, failures: number) {
    this.inner = inner;
    this.failures = failures;
  }
  run(trials: readonly TrialRequest[]) {
    this.attempts.push(...trials);
    return this.inner.run(trials);
  }
  async poll(trials: readonly TrialHandle[]): Promise<TrialStatus[]> {
    const statuses = await this.inner.poll(trials);
    return statuses.map((s, k) => {
      const attempt = Number(trials[k]!.metadata.attempt);
      if (s.state === 'finished' && attempt <= this.failures) {
        return {
          id: s.id,
          state: 'finished',
          outcome: { status: 'failed', reason: 'node died', transient: true },
        };
      }
      return s;
    });
  }
  stop(trials: readonly TrialHandle[]) {
    return this.inner.stop(trials);
  }
  close() {
    return this.inner.close();
  }
}

describe('Scheduler with the in-process runner', () => {
  it('keeps maxParallel trials in flight and finishes the budget', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    let running = 0;
    let peak = 0;
    const task: TaskFunction = async (p) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(20);
      running--;
      return values(p);
    };
    const runner = new InProcessRunner(task, { maxConcurrent: 3, directory: dir() });
    const seen: number[] = [];
    const scheduler = new Scheduler(opt, runner, {
      trials: 15,
      maxParallel: 3,
      onProgress: (p) => seen.push(p.running),
    });
    const result = await scheduler.run();
    await runner.close();
    expect(result.reason).toBe('budget');
    expect(peak).toBe(3);
    expect(Math.max(...seen)).toBe(3);
    const trials = opt.trials();
    expect(trials.map((t) => t.id)).toEqual([...Array(15).keys()]);
    expect(trials.every((t) => t.state === 'completed')).toBe(true);
    for (const t of trials) expect(t.values).toEqual(values(t.params));
    expect(result.progress.hypervolume).toBeCloseTo(opt.hypervolume(), 12);
    expect(result.stats.asks.length).toBeGreaterThan(1);
    await opt.close();
  });

  it('batch-synchronous mode asks only when nothing is in flight', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    let running = 0;
    const atAsk: number[] = [];
    const task: TaskFunction = async (p) => {
      running++;
      await sleep(5 + 20 * Number(p.x1));
      running--;
      return values(p);
    };
    const runner = new InProcessRunner(task, { directory: dir() });
    const scheduler = new Scheduler(opt, runner, {
      trials: 10,
      maxParallel: 4,
      batchSynchronous: true,
      onProgress: () => atAsk.push(running),
    });
    const result = await scheduler.run();
    await runner.close();
    expect(result.stats.asks.map((a) => a.count)).toEqual([4, 4, 2]);
    expect(result.stats.asks.map((a) => a.size)).toEqual([0, 4, 8]);
    expect(opt.trials('completed')).toHaveLength(10);
    await opt.close();
  });

  it('fails a trial that runs past its timeout, stops it, and goes on', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    let aborted = 0;
    const task: TaskFunction = async (p, context) => {
      if (context.trialId === 1) {
        await new Promise<void>((resolve) =>
          context.signal?.addEventListener('abort', () => {
            aborted++;
            resolve();
          }),
        );
        throw new Error('aborted');
      }
      return values(p);
    };
    const runner = new InProcessRunner(task, { directory: dir() });
    const result = await new Scheduler(opt, runner, { trials: 4, maxParallel: 2, timeoutSeconds: 0.3 }).run();
    await runner.close();
    expect(result.reason).toBe('budget');
    expect(opt.trial(1)).toMatchObject({ state: 'failed', reason: 'timeout after 0.3 s (attempt 1)' });
    expect(aborted).toBe(1);
    expect(opt.trials('completed')).toHaveLength(3);
    await opt.close();
  });

  it('retries transient failures as new attempts of the same trial, with the journal saying so', async () => {
    const output = dir();
    const journal = join(output, 'journal.jsonl');
    const opt = await Optimizer.create(config(journal), { logger: quiet });
    const runner = new FlakyRunner(new InProcessRunner(async (p) => values(p), { directory: output }), 2);
    const logs: string[] = [];
    const result = await new Scheduler(opt, runner, {
      trials: 2,
      maxParallel: 2,
      retries: 2,
      retryDelaySeconds: 0.02,
      log: (m) => logs.push(m),
    }).run();
    await runner.close();
    await opt.close();
    expect(result.reason).toBe('budget');
    expect(result.stats.retries).toBe(4);
    expect(runner.attempts.map((a) => [a.id, a.attempt])).toEqual([
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
      [0, 3],
      [1, 3],
    ]);
    // Same parameters on every attempt.
    expect(new Set(runner.attempts.filter((a) => a.id === 0).map((a) => JSON.stringify(a.params))).size).toBe(
      1,
    );
    const events = readJournal(journal).events.map((e) => e.event);
    const trial0 = events.filter((e) => 'id' in e && e.id === 0 && e.type !== 'runner').map((e) => e.type);
    expect(trial0).toEqual(['stale', 'running', 'stale', 'running', 'complete']);
    // The runner's records of each attempt are in the journal too, in order.
    const runner0 = events.flatMap((e) =>
      e.type === 'runner' && e.id === 0 ? [`${e.phase} ${e.attempt}`] : [],
    );
    expect(runner0).toEqual([
      'launch 1',
      'launched 1',
      'retry 1',
      'launch 2',
      'launched 2',
      'retry 2',
      'launch 3',
      'launched 3',
    ]);
    const stale = events.find((e) => e.type === 'stale');
    expect(stale?.type === 'stale' && stale.reason).toMatch(
      /^attempt 1 failed \(transient\): node died; retry 1 of 2 in/,
    );
    expect(readJournal(journal).events.filter((e) => e.event.type === 'ask')).toHaveLength(1);
    expect(opt.runnerState(0)).toMatchObject({ attempt: 3, retries: 2, metadata: { runner: 'in-process' } });
    const replayed = await Optimizer.open(journal, { logger: quiet });
    expect(replayed.runnerState(0)).toEqual(opt.runnerState(0));
    await replayed.close();
    expect(existsSync(join(output, 'runner.jsonl'))).toBe(false);
    expect(logs.some((l) => l.includes('retry 2 of 2'))).toBe(true);
  });

  it('fails a trial once its retries are used up', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    const runner = new FlakyRunner(new InProcessRunner(async (p) => values(p), { directory: dir() }), 10);
    await new Scheduler(opt, runner, { trials: 1, retries: 1, retryDelaySeconds: 0.01 }).run();
    await runner.close();
    expect(opt.trial(0)).toMatchObject({
      state: 'failed',
      reason:
        'failed after 2 attempts (retries exhausted: runner.retries is 1): attempt 1: node died; attempt 2: node died',
    });
    await opt.close();
  });

  it('marks a trial the runner lost track of stale and retries it', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    const inner = new InProcessRunner(async (p) => values(p), { directory: dir() });
    // Attempt 1 of every trial is 'unknown' to this runner, as after a crash of its workers.
    const lost: Runner = {
      kind: 'lost',
      run: (trials) => inner.run(trials),
      poll: async (trials) => {
        const statuses = await inner.poll(trials);
        return statuses.map((s, k) =>
          trials[k]!.metadata.attempt === 1 ? { id: s.id, state: 'unknown' } : s,
        );
      },
      stop: (trials) => inner.stop(trials),
      close: () => inner.close(),
    };
    const result = await new Scheduler(opt, lost, {
      trials: 2,
      maxParallel: 2,
      staleAfterSeconds: 0.2,
      retryDelaySeconds: 0.01,
    }).run();
    await lost.close();
    expect(result.reason).toBe('budget');
    expect(result.stats.retries).toBe(2);
    for (const t of opt.trials()) expect(t.state).toBe('completed');
    await opt.close();
  });

  it('stops starting trials when the time budget is spent', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    const runner = sleepingRunner(100, dir());
    const result = await new Scheduler(opt, runner, { trials: 100, maxParallel: 2, seconds: 0.25 }).run();
    await runner.close();
    expect(result.reason).toBe('time');
    expect(result.message).toBe('time budget of 0.25 s reached');
    expect(opt.trials().length).toBeLessThan(10);
    expect(opt.trials().every((t) => t.state === 'completed')).toBe(true);
    await opt.close();
  });

  it('stops with a clear message when too many trials fail', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    const runner = new InProcessRunner(
      async () => {
        throw new Error('license server down');
      },
      { directory: dir() },
    );
    const result = await new Scheduler(opt, runner, {
      trials: 50,
      maxParallel: 2,
      maxConsecutiveFailures: 4,
    }).run();
    await runner.close();
    expect(result.reason).toBe('failures');
    expect(result.message).toMatch(
      /^stopping: \d+ trials failed in a row \(limit 4\); last failure: trial \d+: task threw: license server down/,
    );
    expect(opt.trials().length).toBeLessThan(8);
    expect(opt.trials().every((t) => t.state === 'failed')).toBe(true);

    const opt2 = await Optimizer.create(config(), { logger: quiet });
    let n = 0;
    const flaky = new InProcessRunner(
      async (p) => {
        n++;
        if (n % 3 !== 0) throw new Error('boom');
        return values(p);
      },
      { directory: dir() },
    );
    const rate = await new Scheduler(opt2, flaky, {
      trials: 100,
      maxFailureRate: 0.5,
      failureWindow: 6,
      maxConsecutiveFailures: 100,
    }).run();
    await flaky.close();
    expect(rate.reason).toBe('failures');
    expect(rate.message).toMatch(/^stopping: 4 of the last 6 finished trials failed \(more than 50%\)/);
    await opt2.close();
  });

  it('on interrupt with cancel, marks running trials stale; a resume re-runs them under the same ids', async () => {
    const output = dir();
    const journal = join(output, 'journal.jsonl');
    const opt = await Optimizer.create(config(journal), { logger: quiet });
    const started = new Counter();
    const hang: TaskFunction = (_, context) =>
      new Promise((_resolve, reject) => {
        context.signal?.addEventListener('abort', () => reject(new Error('stopped')));
        started.add();
      });
    const runner = new InProcessRunner(hang, { directory: output });
    const scheduler = new Scheduler(opt, runner, { trials: 6, maxParallel: 3 });
    const done = scheduler.run();
    await started.reached(3);
    scheduler.interrupt('cancel');
    const result = await done;
    await runner.close();
    expect(result.reason).toBe('interrupted');
    expect(result.message).toBe('interrupted with 3 of 6 trials asked, 3 to re-run on resume');
    expect(opt.trials().map((t) => t.state)).toEqual(['stale', 'stale', 'stale']);
    await opt.close();

    const again = await Optimizer.open(journal, { logger: quiet });
    const good = new InProcessRunner(async (p) => values(p), { directory: output });
    const resumed = await new Scheduler(again, good, { trials: 6, maxParallel: 3 }).run();
    await good.close();
    expect(resumed.reason).toBe('budget');
    const trials = again.trials();
    expect(trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trials.every((t) => t.state === 'completed')).toBe(true);
    expect(again.runnerState(0)).toMatchObject({ attempt: 2, retries: 0 });
    await again.close();
  });

  it('on interrupt with wait, lets running trials finish and asks no more', async () => {
    const opt = await Optimizer.create(config(), { logger: quiet });
    const gate = new Gate();
    const runner = new InProcessRunner(
      async (p) => {
        await gate.pass();
        return values(p);
      },
      { directory: dir() },
    );
    const scheduler = new Scheduler(opt, runner, { trials: 10, maxParallel: 2 });
    const done = scheduler.run();
    await gate.arrived.reached(2);
    scheduler.interrupt();
    gate.open();
    const result = await done;
    await runner.close();
    expect(result.reason).toBe('interrupted');
    expect(opt.trials().map((t) => t.state)).toEqual(['completed', 'completed']);
    await opt.close();
  });
});

describe('Scheduler asking ahead with generation in a worker thread', () => {
  it('keeps candidates ready, journals them as candidates, and starts them as slots free', async () => {
    const output = dir();
    const journal = join(output, 'journal.jsonl');
    const opt = await Optimizer.create(config(journal), { logger: quiet });
    const runner = sleepingRunner(30, output);
    const result = await new Scheduler(opt, runner, {
      trials: 12,
      maxParallel: 3,
      offThreadGeneration: true,
      askAhead: 2,
    }).run();
    await runner.close();
    expect(result.reason).toBe('budget');
    expect(result.stats).toMatchObject({ offThread: true, askAhead: 2 });
    expect(opt.trials().map((t) => t.state)).toEqual(new Array(12).fill('completed'));
    const events = readJournal(journal).events.map((e) => e.event);
    const asks = events.filter((e) => e.type === 'ask');
    expect(asks.every((e) => e.type === 'ask' && e.state === 'candidate')).toBe(true);
    // No ask is larger than maxParallel; each trial is started once, after its ask.
    expect(asks.every((e) => e.type === 'ask' && e.trials.length <= 3)).toBe(true);
    expect(events.filter((e) => e.type === 'running')).toHaveLength(12);
    // Every ask saw the unfinished trials as pending: no point was proposed twice.
    expect(new Set(opt.trials().map((t) => JSON.stringify(t.params))).size).toBe(12);
    await opt.close();
  });

  it('in batch-synchronous mode, mobo generations in a worker thread give the trials of in-thread ones', async () => {
    const run = async (offThreadGeneration: boolean) => {
      const opt = await Optimizer.create(
        {
          ...config(),
          strategy: {
            strategy: 'mobo',
            options: { initialTrials: 4, restarts: 2, rawSamples: 64, mcSamples: 32, maxIterations: 30 },
          },
        },
        { logger: quiet },
      );
      const runner = new InProcessRunner(async (p) => values(p), { directory: dir() });
      const result = await new Scheduler(opt, runner, {
        trials: 10,
        maxParallel: 3,
        batchSynchronous: true,
        offThreadGeneration,
      }).run();
      await runner.close();
      expect(result.stats.offThread).toBe(offThreadGeneration);
      const out = opt.trials().map((t) => [t.id, t.state, t.params, t.values]);
      await opt.close();
      return out;
    };
    const there = await run(true);
    expect(there).toHaveLength(10);
    expect(there).toEqual(await run(false));
  });

  it('leaves asked-ahead candidates in the journal on interrupt; a resume starts them before asking more', async () => {
    const output = dir();
    const journal = join(output, 'journal.jsonl');
    const opt = await Optimizer.create(config(journal), { logger: quiet });
    // The first trials hold their slots until the interrupt, so candidates pile up ahead of them.
    const gate = new Gate();
    const slow = new InProcessRunner(
      async (p) => {
        await gate.pass();
        return values(p);
      },
      { directory: output },
    );
    const scheduler = new Scheduler(opt, slow, {
      trials: 10,
      maxParallel: 2,
      offThreadGeneration: true,
      askAhead: 3,
    });
    const done = scheduler.run();
    await until(() => opt.trials('candidate').length > 0);
    scheduler.interrupt('wait');
    gate.open();
    const first = await done;
    await slow.close();
    expect(first.reason).toBe('interrupted');
    const candidates = opt.trials('candidate').map((t) => t.id);
    expect(candidates.length).toBeGreaterThan(0);
    await opt.close();

    const again = await Optimizer.open(journal, { logger: quiet });
    const fast = new InProcessRunner(async (p) => values(p), { directory: output });
    const started: number[] = [];
    const watching: Runner = {
      kind: fast.kind,
      run: (trials) => {
        started.push(...trials.map((t) => t.id));
        return fast.run(trials);
      },
      poll: (handles) => fast.poll(handles),
      stop: (handles) => fast.stop(handles),
      close: () => fast.close(),
    };
    const resumed = await new Scheduler(again, watching, { trials: 10, maxParallel: 2 }).run();
    await fast.close();
    expect(resumed.reason).toBe('budget');
    expect(started.slice(0, candidates.length)).toEqual(candidates);
    expect(again.trials().map((t) => t.state)).toEqual(new Array(10).fill('completed'));
    expect(again.runnerState(candidates[0]!).attempt).toBe(1);
    await again.close();
  });
});

describe('Scheduler with the pool runner', () => {
  // Each fault has its own trigger, and no timeout races the others: a crash or a throw takes as
  // long as the machine needs, and only a task that hangs unconditionally meets the timeout.
  it('a task that throws, returns NaN or kills its thread fails that trial (a crash after its retries); the run goes on', async () => {
    const output = dir();
    const module = join(root, `bad-task-${counter++}.mjs`);
    writeFileSync(
      module,
      `export async function evaluate(p, context) {
  switch (context.trialId) {
    case 0: throw new Error('bad input deck');
    case 1: return { f1: Number.NaN, f2: 1 };
    case 2: process.exit(3);
    default: return { f1: p.x1, f2: 1 - p.x1 + p.x2 };
  }
}\n`,
    );
    const opt = await Optimizer.create(config(join(output, 'journal.jsonl')), { logger: quiet });
    const runner = new PoolRunner(defineTask(module, 'evaluate'), { maxThreads: 4, directory: output });
    const result = await new Scheduler(opt, runner, {
      trials: 7,
      maxParallel: 4,
      retries: 1,
      retryDelaySeconds: 0.01,
    }).run();
    await runner.close();
    expect(result.reason).toBe('budget');
    expect(opt.trial(0)).toMatchObject({ state: 'failed', reason: 'task threw: bad input deck' });
    expect(opt.trial(1).state).toBe('failed');
    expect(opt.trial(1).reason).toMatch(/f1.*NaN/);
    expect(opt.trial(2).state).toBe('failed');
    expect(opt.trial(2).reason).toMatch(
      /^failed after 2 attempts \(retries exhausted: runner.retries is 1\): attempt 1: worker thread crashed.*; attempt 2: worker thread crashed/,
    );
    for (let id = 3; id < 7; id++) expect(opt.trial(id).state).toBe('completed');
    await opt.close();
  });

  it('a task that hangs is failed at its timeout and its thread stopped; the pool runs the next trials', async () => {
    const output = dir();
    const module = join(root, `hanging-task-${counter++}.mjs`);
    writeFileSync(
      module,
      `export async function evaluate(p, context) {
  // Trial 0 never returns: only the timeout can end it.
  if (context.trialId === 0) await new Promise(() => setInterval(() => {}, 1000));
  return { f1: p.x1, f2: 1 - p.x1 + p.x2 };
}\n`,
    );
    const opt = await Optimizer.create(config(join(output, 'journal.jsonl')), { logger: quiet });
    const runner = new PoolRunner(defineTask(module, 'evaluate'), { maxThreads: 2, directory: output });
    const timedOut = await new Scheduler(opt, runner, { trials: 1, timeoutSeconds: 1 }).run();
    expect(timedOut.reason).toBe('budget');
    expect(opt.trial(0)).toMatchObject({ state: 'failed', reason: 'timeout after 1 s (attempt 1)' });
    // No timeout on the rest: they take as long as the machine needs.
    const rest = await new Scheduler(opt, runner, { trials: 4, maxParallel: 2 }).run();
    await runner.close();
    expect(rest.reason).toBe('budget');
    for (let id = 1; id < 4; id++) expect(opt.trial(id).state).toBe('completed');
    await opt.close();
  });
});

describe('Scheduler with the subprocess runner', () => {
  it('fails a trial whose command exits non-zero, with the code in the reason', async () => {
    const output = dir();
    const opt = await Optimizer.create(config(), { logger: quiet });
    const runner = new SubprocessRunner({
      command: [process.execPath, '-e', 'console.error("the solver diverged"); process.exit(3)'],
      directory: output,
    });
    const result = await new Scheduler(opt, runner, { trials: 2, maxParallel: 2 }).run();
    await runner.close();
    expect(result.reason).toBe('budget');
    for (const t of opt.trials()) {
      expect(t.state).toBe('failed');
      expect(t.reason).toMatch(/exit code 3.*the solver diverged/s);
    }
    await opt.close();
  });

  it('reattaches on resume to processes an earlier scheduler started, without re-running them', async () => {
    const output = dir();
    const journal = join(output, 'journal.jsonl');
    const metadata = await startThenCrash(journal, output, async (first, id, record) => {
      await first.recordRunner(id, record);
    });

    const opt = await Optimizer.open(journal, { logger: quiet });
    expect(opt.runnerState(0)).toMatchObject({ attempt: 1, metadata: metadata[0] });
    await resumeReattaching(opt, output);
    expect(opt.runnerState(0).attempt).toBe(1);
    await opt.close();
  });

  it('reattaches to processes listed in the sidecar runner.jsonl of an older experiment, and never writes it', async () => {
    const output = dir();
    const journal = join(output, 'journal.jsonl');
    const ledgerFile = join(output, 'runner.jsonl');
    // The old sidecar format: one JSON record a line.
    await startThenCrash(journal, output, async (_first, id, record) => {
      const line: LedgerRecord =
        record.phase === 'launch'
          ? { type: 'launch', t: Date.now(), id, attempt: record.attempt }
          : { type: 'launched', t: Date.now(), id, attempt: record.attempt, metadata: record.metadata };
      appendFileSync(ledgerFile, `${JSON.stringify(line)}\n`);
    });

    const opt = await Optimizer.open(journal, { logger: quiet });
    await resumeReattaching(opt, output, { legacyLedger: ledgerFile });
    expect(readFileSync(ledgerFile, 'utf8').trim().split('\n')).toHaveLength(4);
    await opt.close();
  });
});
