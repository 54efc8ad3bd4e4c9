/**
 * QueueRunner and `mobo worker` against a real Redis: start one with `scripts/redis/start.sh` and set
 * MOBO_REDIS_URL to the URL it prints (CI does). Without it only the parts that need no Redis run; the
 * rest is skipped with a note. The Redis-restart test starts a redis-server of its own (the binary
 * must be on PATH), since it kills it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { processAlive } from '../../src/runners/process.js';
import { QueueRunner } from '../../src/runners/queue.js';
import {
  experimentKey,
  queueJobId,
  readJobData,
  redactUrl,
  redisOptions,
} from '../../src/runners/queue-jobs.js';
import { QueueWorker } from '../../src/runners/queue-worker.js';
import { Scheduler } from '../../src/runners/scheduler.js';
import { defineTask, nodeExecArgv } from '../../src/runners/task.js';
import { conformanceTask, runnerConformance, waitFinished } from './conformance.js';
import { twoObjectiveConfig, values } from './fixtures.js';

const url = process.env.MOBO_REDIS_URL;
const queueTask = defineTask(new URL('./fixtures/queue-task.ts', import.meta.url).href, 'evaluate');
const mainScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const quiet = { warn: () => {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('queue jobs', () => {
  it('reads Redis URLs, and names the bad part of a bad one without its password', () => {
    expect(redisOptions('redis://127.0.0.1:6391')).toEqual({ host: '127.0.0.1', port: 6391 });
    expect(redisOptions('rediss://u:p%40ss@example.org/3')).toEqual({
      host: 'example.org',
      port: 6379,
      username: 'u',
      password: 'p@ss',
      db: 3,
      tls: {},
    });
    expect(() => redisOptions('http://x')).toThrow(/protocol must be redis: or rediss:/);
    expect(() => redisOptions('redis://:secret@h/x')).toThrow(/database number, got "\/x"/);
    expect(() => redisOptions('redis://:secret@h/x')).not.toThrow(/secret/);
    expect(redactUrl('redis://:secret@h:1/0')).toBe('redis://:***@h:1/0');
  });

  it('derives job ids from the experiment, the trial and the attempt', () => {
    expect(queueJobId('exp-1', 12, 3)).toBe('exp-1.t12.a3');
    expect(experimentKey('runs/my exp:1')).toBe('runs_my_exp_1');
  });

  it('refuses job data that is not a trial, saying what is missing', () => {
    expect(readJobData({ hello: 1 })).toMatch(/not a mobo trial/);
    expect(readJobData({ format: 'mobo-trial', version: 2 })).toMatch(/version 2/);
    expect(
      readJobData({
        format: 'mobo-trial',
        version: 1,
        experiment: 'e',
        trial: { id: 1, attempt: 1, params: {} },
        task: { command: [] },
      }),
    ).toMatch(/task.command: expected a non-empty array/);
  });

  it('checks its options when made', () => {
    expect(() => new QueueRunner({ queue: 'a:b', task: conformanceTask })).toThrow(/queue name must be/);
    // @ts-expect-error: no task
    expect(() => new QueueRunner({ queue: 'q' })).toThrow(/task .* is required/);
    expect(() => new QueueRunner({ queue: 'q', task: { command: ['x', '{oops}'] } })).toThrow(
      /unknown placeholder \{oops\}/,
    );
    expect(() => new QueueRunner({ queue: 'q', task: conformanceTask, resources: { gpus: -1 } })).toThrow(
      /resources/,
    );
    expect(() => new QueueRunner({ queue: 'q', redis: 'http://h', task: conformanceTask })).toThrow(
      /protocol must be/,
    );
  });
});

/** A `mobo worker` in a process of its own, with its output collected. */
interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function spawnWorker(
  queue: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [...nodeExecArgv(), mainScript, 'worker', '--redis', url!, '--queue', queue, ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor('the worker to be ready', () => text.includes(': ready: queue'));
  return { child, output: () => text, exited };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

if (url === undefined || url === '') {
  describe('QueueRunner on a real Redis', () => {
    it.skip('skipped: start one with scripts/redis/start.sh and set MOBO_REDIS_URL to the URL it prints', () => {});
  });
} else {
  const base = `mobo-test-${process.pid}-${Date.now().toString(36)}`;
  let root = '';
  let worker: QueueWorker | undefined;
  const queues: string[] = [];
  const queueName = (suffix: string) => {
    const name = `${base}-${suffix}`;
    queues.push(name);
    return name;
  };
  const conformanceQueue = queueName('conformance');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mobo-queue-test-'));
    worker = await QueueWorker.start({
      queue: conformanceQueue,
      redis: url,
      concurrency: 2,
      workdir: join(root, 'worker'),
      killGraceMs: 2000,
    });
  });
  afterAll(async () => {
    await worker?.close('release');
    for (const name of queues) {
      const q = new Queue(name, { connection: redisOptions(url) });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    rmSync(root, { recursive: true, force: true });
  });

  runnerConformance(
    'QueueRunner',
    () =>
      new QueueRunner({ queue: conformanceQueue, redis: url, task: conformanceTask, stopTimeoutMs: 30_000 }),
    { concurrency: 2, reattach: true, separateProcess: true, timeoutMs: 120_000 },
  );

  describe('QueueRunner with mobo worker', () => {
    it('adds one job per attempt: submitting the same attempt again finds the first job', async () => {
      const queue = queueName('idempotent');
      const runner = new QueueRunner({ queue, redis: url, task: queueTask, experiment: 'same' });
      try {
        const trial = { id: 7, attempt: 1, params: { x1: 0.5, x2: 0.5 } };
        const [first] = await runner.run([trial]);
        const [again] = await runner.run([trial]);
        expect(again).toEqual(first);
        expect(first).toEqual({ runner: 'queue', queue, jobId: 'same.t7.a1' });
        // The next attempt replaces a first one that never ran.
        await runner.run([{ ...trial, attempt: 2 }]);
        const q = new Queue(queue, { connection: redisOptions(url) });
        const counts = await q.getJobCounts('waiting', 'active');
        await q.close();
        expect(counts).toEqual({ waiting: 1, active: 0 });
        expect(await runner.poll([{ id: 7, metadata: first! }])).toEqual([
          { id: 7, state: 'finished', outcome: { status: 'failed', reason: 'stopped', transient: false } },
        ]);
      } finally {
        await runner.close();
      }
    });

    it('turns a worker killed mid-trial into a transient failure that the scheduler retries', {
      timeout: 300_000,
    }, async () => {
      const queue = queueName('death');
      const dir = join(root, 'death');
      mkdirSync(dir);
      const killed = await spawnWorker(
        queue,
        ['-c', '2', '--lock-duration', '1000', '--stalled-interval', '500'],
        {
          MOBO_QUEUE_TEST_DIR: dir,
          MOBO_QUEUE_TEST_HANG: '1',
        },
      );
      const opt = await Optimizer.create(twoObjectiveConfig(join(dir, 'journal.jsonl')), { logger: quiet });
      const runner = new QueueRunner({ queue, redis: url, task: queueTask });
      const logs: string[] = [];
      const run = new Scheduler(opt, runner, {
        trials: 2,
        maxParallel: 2,
        retryDelaySeconds: 0,
        log: (m) => logs.push(m),
      }).run();
      let rescuer: QueueWorker | undefined;
      try {
        const beats = [0, 1].map((id) => join(dir, `heartbeat-${id}`));
        await waitFor('both first attempts to run', () => beats.every((b) => existsSync(b)));
        const pids = beats.map((b) => Number(readFileSync(b, 'utf8').split('\n')[0]));
        killed.child.kill('SIGKILL');
        await killed.exited;
        // The trials' processes die with their worker (setpriv --pdeathsig), never finishing unseen.
        if (existsSync('/usr/bin/setpriv')) {
          await waitFor('the trial processes to end', () => pids.every((p) => !processAlive(p)), 60_000);
        }
        process.env.MOBO_QUEUE_TEST_DIR = dir;
        rescuer = await QueueWorker.start({
          queue,
          redis: url,
          concurrency: 2,
          workdir: join(dir, 'rescuer'),
          lockDurationMs: 1000,
          stalledIntervalMs: 500,
        });
        const result = await run;
        expect(result.reason).toBe('budget');
        for (const t of opt.trials()) {
          expect(t.state).toBe('completed');
          expect(t.values).toEqual(values(t.params));
          expect(opt.runnerState(t.id)).toMatchObject({ attempt: 2, retries: 1 });
        }
        const retried = logs.filter((l) =>
          /attempt 1 failed \(transient\): the worker running job .* died or lost its lock/.test(l),
        );
        expect(retried).toHaveLength(2);
        // Each trial ran to the end once: on the rescuer, as attempt 2.
        const runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n').sort();
        expect(runs.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['0 2', '1 2']);
      } finally {
        delete process.env.MOBO_QUEUE_TEST_DIR;
        killed.child.kill('SIGKILL');
        await rescuer?.close('release');
        await runner.close();
        await opt.close();
      }
    });

    it('reattaches on resume to jobs still queued, running none of them twice', {
      timeout: 300_000,
    }, async () => {
      const queue = queueName('resume');
      const dir = join(root, 'resume');
      mkdirSync(dir);
      process.env.MOBO_QUEUE_TEST_DIR = dir;
      const journal = join(dir, 'journal.jsonl');
      // The first session hands two trials over and "crashes" before any worker takes them.
      const first = await Optimizer.create(twoObjectiveConfig(journal), { logger: quiet });
      const asked = await first.ask(2, { markRunning: true });
      const crashed = new QueueRunner({ queue, redis: url, task: queueTask, experiment: 'resume' });
      const requests = asked.map((t) => ({ id: t.id, params: { ...t.params }, attempt: 1 }));
      for (const r of requests) await first.recordRunner(r.id, { phase: 'launch', attempt: 1 });
      const metadata = await crashed.run(requests);
      for (const [k, r] of requests.entries()) {
        await first.recordRunner(r.id, { phase: 'launched', attempt: 1, metadata: metadata[k]! });
      }
      await crashed.close();
      await first.close();

      const opt = await Optimizer.open(journal, { logger: quiet });
      const runner = new QueueRunner({ queue, redis: url, task: queueTask, experiment: 'resume' });
      const taker = await QueueWorker.start({
        queue,
        redis: url,
        concurrency: 2,
        workdir: join(dir, 'worker'),
      });
      const logs: string[] = [];
      try {
        const result = await new Scheduler(opt, runner, {
          trials: 2,
          maxParallel: 2,
          log: (m) => logs.push(m),
        }).run();
        expect(result.reason).toBe('budget');
        expect(logs.filter((l) => l.includes('reattached to attempt 1 (queue runner)'))).toHaveLength(2);
        for (const t of opt.trials()) {
          expect(t.state).toBe('completed');
          expect(t.values).toEqual(values(t.params));
          expect(opt.runnerState(t.id).attempt).toBe(1);
        }
        const runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n');
        expect(runs.map((l) => l.split(' ').slice(0, 2).join(' ')).sort()).toEqual(['0 1', '1 1']);
      } finally {
        delete process.env.MOBO_QUEUE_TEST_DIR;
        await taker.close('release');
        await runner.close();
        await opt.close();
      }
    });

    it('on Ctrl-C a worker finishes its trial; on a second Ctrl-C it hands the trial back as transient', {
      timeout: 300_000,
    }, async () => {
      const queue = queueName('interrupt');
      const dir = join(root, 'interrupt');
      mkdirSync(dir);
      const runner = new QueueRunner({ queue, redis: url, task: conformanceTask });
      try {
        // One Ctrl-C: the running trial completes, then the worker exits 0.
        const finishing = await spawnWorker(queue, []);
        const log = join(dir, 'gate');
        mkdirSync(log);
        const [gated] = await runner.run([{ id: 1, attempt: 1, params: { mode: 'gate', log } }]);
        const gatedHandle = [{ id: 1, metadata: gated! }];
        await waitFor(
          'the trial to start',
          async () => (await runner.poll(gatedHandle))[0]!.state === 'running',
        );
        finishing.child.kill('SIGINT');
        await waitFor('the message', () => finishing.output().includes('waiting for 1 running trial(s)'));
        // The trial ends only now, after the Ctrl-C: the worker must let it finish.
        writeFileSync(join(log, 'release'), '');
        expect(await finishing.exited).toBe(0);
        expect((await runner.poll(gatedHandle))[0]!.outcome).toEqual({
          status: 'completed',
          values: { released: 1 },
        });

        // Two: the trial is stopped and handed back, and the worker exits 0.
        const releasing = await spawnWorker(queue, []);
        const heartbeat = join(dir, 'heartbeat');
        const [hang] = await runner.run([{ id: 2, attempt: 1, params: { mode: 'hang', heartbeat } }]);
        await waitFor('the first heartbeat', () => existsSync(heartbeat));
        releasing.child.kill('SIGINT');
        await waitFor('the first message', () => releasing.output().includes('Ctrl-C again'));
        releasing.child.kill('SIGINT');
        expect(await releasing.exited).toBe(0);
        const { statuses } = await waitFinished(runner, [{ id: 2, metadata: hang! }], 120_000);
        expect(statuses[0]!.outcome).toMatchObject({
          status: 'failed',
          transient: true,
          reason: expect.stringMatching(/was interrupted and released the trial/),
        });
        const pid = Number(readFileSync(heartbeat, 'utf8').split(' ')[0]);
        expect(processAlive(pid)).toBe(false);
      } finally {
        await runner.close();
      }
    });
  });

  describe('QueueRunner across a Redis restart (AOF, appendfsync always)', () => {
    it('loses no trial and runs none twice when Redis is killed and restarted mid-run', {
      timeout: 300_000,
    }, async () => {
      const dir = join(root, 'restart');
      mkdirSync(join(dir, 'redis'), { recursive: true });
      const port = await freePort();
      const redisArgs = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        join(dir, 'redis'),
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--daemonize',
        'yes',
        '--pidfile',
        join(dir, 'redis', 'redis.pid'),
        '--logfile',
        join(dir, 'redis', 'redis.log'),
      ];
      const pidFile = join(dir, 'redis', 'redis.pid');
      const startRedis = async () => {
        execFileSync('redis-server', redisArgs);
        await waitFor('redis to answer', () => {
          try {
            return (
              execFileSync('redis-cli', ['-p', String(port), 'ping'])
                .toString()
                .trim() === 'PONG'
            );
          } catch {
            return false;
          }
        });
      };
      const killRedis = async () => {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        process.kill(pid, 'SIGKILL');
        await waitFor('redis to die', () => !processAlive(pid));
        rmSync(pidFile, { force: true });
      };
      await startRedis();
      const local = `redis://127.0.0.1:${port}`;
      process.env.MOBO_QUEUE_TEST_DIR = dir;
      process.env.MOBO_QUEUE_TEST_SLEEP_MS = '300';
      const opt = await Optimizer.create(twoObjectiveConfig(join(dir, 'journal.jsonl')), { logger: quiet });
      const runner = new QueueRunner({ queue: 'restart', redis: local, task: queueTask });
      // A short lock: a job whose hand-over to the worker was cut by the kill (Redis applied it and
      // died before replying) stalls, fails and is retried within seconds.
      const taker = await QueueWorker.start({
        queue: 'restart',
        redis: local,
        concurrency: 2,
        workdir: join(dir, 'w'),
        lockDurationMs: 3000,
        stalledIntervalMs: 1000,
      });
      const restarts: number[] = [];
      let restarting: Promise<void> | undefined;
      try {
        const result = await new Scheduler(opt, runner, {
          trials: 10,
          maxParallel: 2,
          onProgress: (p) => {
            // Kill and restart Redis once 2 trials completed, and again once 5 did (at most 2 complete
            // per poll round, so the second comes before the 10th).
            const due = [2, 5][restarts.length];
            if (restarting === undefined && due !== undefined && p.completed >= due && p.completed < 10) {
              restarts.push(p.completed);
              restarting = (async () => {
                await killRedis();
                await sleep(300);
                await startRedis();
              })().finally(() => {
                restarting = undefined;
              });
            }
          },
        }).run();
        await restarting;
        expect(restarts).toHaveLength(2);
        expect(result.reason).toBe('budget');
        for (const t of opt.trials()) {
          expect(t.state).toBe('completed');
          expect(t.values).toEqual(values(t.params));
        }
        // Every trial ran to the end exactly once, as the attempt the journal completed it with: a
        // retry (a job handed over as Redis died) only ever follows an attempt that never finished.
        const runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n');
        const ran = runs.map((l) => l.split(' ').slice(0, 2).map(Number)).sort((a, b) => a[0]! - b[0]!);
        expect(ran.map(([id]) => id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for (const [id, attempt] of ran) expect(opt.runnerState(id!).attempt).toBe(attempt);
      } finally {
        delete process.env.MOBO_QUEUE_TEST_DIR;
        delete process.env.MOBO_QUEUE_TEST_SLEEP_MS;
        await taker.close('release');
        await runner.close();
        await opt.close();
        const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
        if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGTERM');
      }
    });
  });
}
