/**
 * The runner conformance suite: every runner, built in or not, should pass it. Each test file calls
 * `runnerConformance(name, makeRunner, options)` with a factory for runners bound to the task
 * `conformanceTask` of fixtures/conformance-task.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/runners/process.js';
import { defineTask } from '../../src/runners/task.js';
import type { Runner, TrialHandle, TrialRequest, TrialStatus } from '../../src/runners/types.js';
import { sleep } from './fixtures.js';

/** The task every conformance runner is made with. */
export const conformanceTask = defineTask(
  new URL('./fixtures/conformance-task.ts', import.meta.url).href,
  'conformanceTask',
);

export interface ConformanceOptions {
  /** The most trials the runner runs at once (the limit it is made with, or the cluster's CPUs). */
  concurrency: number;
  /** Whether a new instance can poll and stop trials an earlier instance started. */
  reattach: boolean;
  /** Whether trials run in processes of their own (so their pids can be checked after stop). */
  separateProcess: boolean;
  /**
   * Longest wait for a batch of trials, ms: a limit for a broken runner only, never a measure of
   * speed (a worker or a process can take seconds to start on a loaded machine). Default 120 000.
   */
  timeoutMs?: number;
}

/**
 * The longest a test waits for trials to finish: a limit that only a broken runner reaches, never a
 * measure of speed (on a loaded machine a thread or a process takes seconds to start).
 */
export const WAIT_MS = 120_000;

/** Polls until every trial is finished; returns the final statuses and the most seen running at once. */
export async function waitFinished(
  runner: Runner,
  handles: readonly TrialHandle[],
  timeoutMs: number,
): Promise<{ statuses: TrialStatus[]; maxRunning: number }> {
  const deadline = Date.now() + timeoutMs;
  let maxRunning = 0;
  for (;;) {
    const statuses = await runner.poll(handles);
    expect(statuses.map((s) => s.id)).toEqual(handles.map((h) => h.id));
    maxRunning = Math.max(maxRunning, statuses.filter((s) => s.state === 'running').length);
    if (statuses.every((s) => s.state === 'finished')) return { statuses, maxRunning };
    if (Date.now() > deadline) {
      throw new Error(`trials not finished after ${timeoutMs} ms: ${JSON.stringify(statuses)}`);
    }
    await sleep(100);
  }
}

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function runnerConformance(
  name: string,
  makeRunner: () => Runner | Promise<Runner>,
  options: ConformanceOptions,
): void {
  const timeout = options.timeoutMs ?? WAIT_MS;
  let dir = '';
  let nextId = 1;
  const handlesOf = (trials: readonly TrialRequest[], metadata: Record<string, unknown>[]): TrialHandle[] =>
    trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! }));
  const start = async (runner: Runner, params: TrialRequest['params'][], attempt = 1) => {
    const trials = params.map((p) => ({ id: nextId++, params: p, attempt }));
    const metadata = await runner.run(trials);
    expect(metadata).toHaveLength(trials.length);
    for (const m of metadata) expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    return handlesOf(trials, metadata);
  };
  const withRunner = async (body: (runner: Runner) => Promise<void>) => {
    const runner = await makeRunner();
    try {
      await body(runner);
    } finally {
      await runner.close();
    }
  };

  describe(`runner conformance: ${name}`, () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'mobo-conformance-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('returns the values of a task, with the trial id, attempt and a working directory', async () => {
      await withRunner(async (runner) => {
        expect(typeof runner.kind).toBe('string');
        const handles = await start(runner, [{ mode: 'values', x: 2, y: 3 }], 2);
        const { statuses } = await waitFinished(runner, handles, timeout);
        expect(statuses[0]!.outcome).toEqual({
          status: 'completed',
          values: { sum: 5, product: 6, trialId: handles[0]!.id, attempt: 2, workdirOk: 1 },
        });
      });
    });

    it('fails a trial whose task throws, with the message in the reason', async () => {
      await withRunner(async (runner) => {
        const handles = await start(runner, [{ mode: 'throw', tag: 'xyz' }]);
        const { statuses } = await waitFinished(runner, handles, timeout);
        const outcome = statuses[0]!.outcome!;
        expect(outcome.status).toBe('failed');
        if (outcome.status === 'failed') {
          expect(outcome.reason).toContain('boom-xyz');
          expect(outcome.transient).toBe(false);
          expect(outcome.reason).not.toMatch(/\n\s+at /);
        }
      });
    });

    it('fails trials that return NaN, a non-object or a non-number, with a clear reason', async () => {
      await withRunner(async (runner) => {
        const handles = await start(runner, [
          { mode: 'nan' },
          { mode: 'not-object' },
          { mode: 'non-number' },
        ]);
        const { statuses } = await waitFinished(runner, handles, timeout);
        const reasons = statuses.map((s) => {
          expect(s.outcome?.status).toBe('failed');
          return s.outcome?.status === 'failed' ? s.outcome.reason : '';
        });
        expect(reasons[0]).toMatch(/"f1" is NaN/);
        expect(reasons[1]).toMatch(/returned string .*expected an object/);
        expect(reasons[2]).toMatch(/"f1" is string .*expected a number/);
      });
    });

    it('stops a hanging trial: failed "stopped", and its thread or process is gone', async () => {
      await withRunner(async (runner) => {
        const heartbeat = join(dir, `heartbeat-${nextId}`);
        const handles = await start(runner, [{ mode: 'hang', heartbeat }]);
        await waitFor('the first heartbeat', () => existsSync(heartbeat), timeout);
        await runner.stop(handles);
        const statuses = await runner.poll(handles);
        expect(statuses[0]).toEqual({
          id: handles[0]!.id,
          state: 'finished',
          outcome: { status: 'failed', reason: 'stopped', transient: false },
        });
        const size = statSync(heartbeat).size;
        await sleep(400);
        expect(statSync(heartbeat).size).toBe(size);
        if (options.separateProcess) {
          const pid = Number(readFileSync(heartbeat, 'utf8').split(' ')[0]);
          expect(pid).not.toBe(process.pid);
          expect(processAlive(pid)).toBe(false);
        }
        // Stopping again, or polling again, changes nothing.
        await runner.stop(handles);
        expect((await runner.poll(handles))[0]!.outcome).toEqual({
          status: 'failed',
          reason: 'stopped',
          transient: false,
        });
      });
    });

    it('passes parameters full of shell metacharacters unchanged and executes none of them', async () => {
      await withRunner(async (runner) => {
        const marker = join(tmpdir(), `mobo-pwned-${process.pid}-${Date.now()}`);
        const out = join(dir, `echo-${nextId}.json`);
        const params = {
          mode: 'echo',
          out,
          semicolon: '"; rm -rf / #',
          subshell: `$(touch ${marker})`,
          backticks: `\`touch ${marker}\``,
          quotes: `it's "quoted" \\ and \\" escaped'`,
          newlines: 'line one\nline two\r\n; touch x',
          unicode: 'ünïcødé ✓ 🎯 日本語',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion that must stay literal
          dollars: '${HOME} $PATH %s %% %A %a %j',
          glob: '* ? [a-z] ~ ../..',
          redirect: `> ${marker} < /etc/passwd | cat &`,
          empty: '',
          tiny: 1.5e-300,
          negative: -0.125,
          flag: true,
          off: false,
        };
        const handles = await start(runner, [params]);
        const { statuses } = await waitFinished(runner, handles, timeout);
        expect(statuses[0]!.outcome).toEqual({ status: 'completed', values: { ok: 1 } });
        expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(params);
        expect(existsSync(marker)).toBe(false);
      });
    });

    it(`runs many trials at once, at most ${options.concurrency} at a time`, async () => {
      await withRunner(async (runner) => {
        const log = join(dir, `together-${nextId}`);
        mkdirSync(log);
        const count = Math.min(options.concurrency, 4) + 1;
        // The trials wait for each other (a rendezvous of 2), so they overlap however slowly they start.
        const need = Math.min(options.concurrency, 2);
        const handles = await start(
          runner,
          Array.from({ length: count }, () => ({ mode: 'together', need, log })),
        );
        const { statuses, maxRunning } = await waitFinished(runner, handles, timeout * 2);
        for (const s of statuses) expect(s.outcome).toEqual({ status: 'completed', values: { met: need } });
        expect(maxRunning).toBeLessThanOrEqual(options.concurrency);
        const spans = readdirSync(log)
          .filter((f) => f.endsWith('.json'))
          .map((f) => JSON.parse(readFileSync(join(log, f), 'utf8')) as { start: number; end: number });
        expect(spans).toHaveLength(count);
        let overlap = 0;
        for (const s of spans) {
          overlap = Math.max(overlap, spans.filter((o) => o.start <= s.start && s.start < o.end).length);
        }
        expect(overlap).toBeLessThanOrEqual(options.concurrency);
        if (options.concurrency > 1) expect(overlap).toBeGreaterThan(1);
      });
    });

    if (options.reattach) {
      it('lets a new instance poll and stop the trials an earlier instance started', async () => {
        const heartbeat = join(dir, `heartbeat-${nextId}`);
        const first = await makeRunner();
        const handles = await start(first, [
          { mode: 'values', x: 1, y: 4 },
          { mode: 'hang', heartbeat },
        ]);
        await first.close();
        const handed = JSON.parse(JSON.stringify(handles)) as TrialHandle[];
        await withRunner(async (second) => {
          await waitFor('the first heartbeat', () => existsSync(heartbeat), timeout);
          const { statuses } = await waitFinished(second, handed.slice(0, 1), timeout);
          expect(statuses[0]!.outcome).toMatchObject({ status: 'completed', values: { sum: 5, product: 4 } });
          expect((await second.poll(handed.slice(1)))[0]!.state).toBe('running');
          await second.stop(handed.slice(1));
          expect((await second.poll(handed.slice(1)))[0]!.outcome).toEqual({
            status: 'failed',
            reason: 'stopped',
            transient: false,
          });
          const size = statSync(heartbeat).size;
          await sleep(400);
          expect(statSync(heartbeat).size).toBe(size);
          const pid = Number(readFileSync(heartbeat, 'utf8').split(' ')[0]);
          expect(processAlive(pid)).toBe(false);
        });
      });
    } else {
      it('reports trials of another instance as unknown', async () => {
        await withRunner(async (first) => {
          const handles = await start(first, [{ mode: 'values', x: 1, y: 1 }]);
          await waitFinished(first, handles, timeout);
          await withRunner(async (second) => {
            expect(await second.poll(handles)).toEqual([{ id: handles[0]!.id, state: 'unknown' }]);
            await second.stop(handles);
          });
        });
      });
    }
  });
}
