/**
 * `mobo run` on the queue runner: examples/python-command.json (a Python command task with resources)
 * with `runner.kind` "queue", its trials taken by two `mobo worker` processes. Needs a Redis server
 * (MOBO_REDIS_URL, as for test/runners/queue.test.ts); skipped with a note without one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.js';
import { readJournal } from '../../src/experiment/journal.js';
import { redisOptions } from '../../src/runners/queue-jobs.js';
import { nodeExecArgv } from '../../src/runners/task.js';
import { capture } from './helpers.js';

const url = process.env.MOBO_REDIS_URL;
const example = fileURLToPath(new URL('../../examples/python-command.json', import.meta.url));
const mainScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('queue runner configs', () => {
  it('refuses queue options on other runners and devices on the queue runner, naming the key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mobo-cli-queue-config-'));
    try {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ kind: 'pool', queue: 'q' }, /runner\.queue: only for kind "queue"/],
        [{ kind: 'queue', devices: { gpus: ['0'] } }, /runner\.devices: each queue worker hands out/],
        [{ kind: 'queue', redis: 'http://x' }, /runner\.redis: must be a redis:\/\/ or rediss:\/\/ URL/],
      ];
      for (const [k, [runner, message]] of cases.entries()) {
        const file = join(root, `c${k}.json`);
        writeFileSync(file, JSON.stringify({ problem: { name: 'zdt1', dimensions: 3 }, runner }));
        const io = capture();
        expect(await runCommand(file, { output: join(root, `o${k}`) }, io)).toBe(2);
        expect(io.err.join('')).toMatch(message);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

if (url === undefined || url === '') {
  describe('mobo run on the queue runner', () => {
    it.skip('skipped: start Redis with scripts/redis/start.sh and set MOBO_REDIS_URL to the URL it prints', () => {});
  });
} else {
  const queue = `mobo-cli-test-${process.pid}-${Date.now().toString(36)}`;
  let root = '';
  const workers: { child: ChildProcess; output: () => string; exited: Promise<number | null> }[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mobo-cli-queue-test-'));
    for (let k = 0; k < 2; k++) {
      const child = spawn(
        process.execPath,
        [
          ...nodeExecArgv(),
          mainScript,
          'worker',
          '--redis',
          url,
          '--queue',
          queue,
          '--workdir',
          join(root, `w${k}`),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.stderr!.on('data', (d: Buffer) => {
        text += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      workers.push({ child, output: () => text, exited });
    }
    const deadline = Date.now() + 180_000;
    while (!workers.every((w) => w.output().includes(': ready: queue'))) {
      if (Date.now() > deadline) throw new Error('the workers did not get ready in 180 s');
      await sleep(50);
    }
  }, 200_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    const q = new Queue(queue, { connection: redisOptions(url) });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('mobo run on the queue runner', () => {
    it('runs the Python command example through two mobo workers', { timeout: 300_000 }, async () => {
      // biome-ignore lint/suspicious/noExplicitAny: a config edited field by field
      const config = JSON.parse(readFileSync(example, 'utf8')) as Record<string, any>;
      config.task.cwd = dirname(example);
      config.runner = { ...config.runner, kind: 'queue', redis: url, queue, maxParallel: 2 };
      const file = join(root, 'queue.json');
      writeFileSync(file, JSON.stringify(config));
      const output = join(root, 'run');
      const io = capture();
      expect(await runCommand(file, { output }, io)).toBe(0);
      const out = io.out.join('');
      expect(out).toContain('stopped: budget of 6 trials reached');
      expect(out).toContain('trials: 6 completed (6 in all)');
      const jobs: string[] = [];
      for (const { event } of readJournal(join(output, 'journal.jsonl')).events) {
        if (event.type === 'runner' && event.phase === 'launched') {
          expect(event.metadata).toMatchObject({ runner: 'queue', queue });
          jobs.push(String(event.metadata?.jobId));
        }
      }
      expect(jobs).toHaveLength(6);
      // Each job was completed by one of the two workers, once. A worker prints its line after it
      // hands the result to Redis, so the run can end before the last line reaches this process:
      // wait for the lines (up to a generous deadline), then compare.
      const completed = () =>
        workers.flatMap((w) =>
          w
            .output()
            .split('\n')
            .filter((l) => / \(job .*\): completed \{/.test(l))
            .map((l) => /\(job (\S+)\)/.exec(l)![1]!),
        );
      const deadline = Date.now() + 120_000;
      while (completed().length < jobs.length && Date.now() < deadline) await sleep(50);
      expect(completed().sort()).toEqual([...jobs].sort());
    });
  });
}
