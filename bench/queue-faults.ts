/**
 * Faults on the queue runner: a run of `--trials` trials (default 100) through two `mobo worker`
 * processes (one trial at a time each), during which a worker is SIGKILLed `--kills` times (default
 * 20) at random moments (and started again), and the Redis server is SIGKILLed and restarted
 * `--redis-restarts` times (default 3). Redis runs with AOF and `appendfsync always`, on a port of its
 * own. Then it checks, from the workers' logs, the task's own log and the journal:
 *
 * - acknowledged completions: jobs whose completion Redis acknowledged to a worker (the worker logs
 *   `completed` only after BullMQ's move to the completed set returned);
 * - lost: acknowledged completions that the experiment did not take (the trial was re-run after it,
 *   or holds other values);
 * - duplicated: trials with more than one acknowledged completion, or completed twice in the journal;
 * - executions that finished while their worker was being killed (never acknowledged; re-run as the
 *   next attempt, as designed).
 *
 * The task is a command (a small node script, no tsx) sleeping 1-3 s. Workers hold a job's lock
 * for 2 s (`--lock-duration 2000 --stalled-interval 1000`), so a killed worker's trial fails as
 * transient within seconds and the scheduler retries it (retries: 10).
 *
 * `nice -n 10 npx tsx bench/queue-faults.ts [--trials N] [--kills K] [--redis-restarts R] [--seed S]`;
 * prints a summary and writes bench/results/queue-faults.json. test/runners/queue.test.ts runs small
 * deterministic versions of both faults.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJournal } from '../src/experiment/journal.js';
import { Optimizer } from '../src/experiment/optimizer.js';
import { createRng } from '../src/random/rng.js';
import { processAlive } from '../src/runners/process.js';
import { QueueRunner } from '../src/runners/queue.js';
import { Scheduler } from '../src/runners/scheduler.js';
import { nodeExecArgv } from '../src/runners/task.js';

const here = dirname(fileURLToPath(import.meta.url));
const mainScript = join(here, '..', 'src', 'cli', 'main.ts');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const trials = flag('trials', 100);
const kills = flag('kills', 20);
const redisRestarts = flag('redis-restarts', 3);
const seed = flag('seed', 1);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
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

const TASK = `// Written by bench/queue-faults.ts: sleeps, logs that it finished, prints its values.
import { appendFileSync, readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.env.MOBO_PARAMS_FILE, 'utf8'));
const ms = 1000 + Math.floor(2000 * Number(p.x2));
await new Promise((r) => setTimeout(r, ms));
const values = { f1: Number(p.x1), f2: 1 - Number(p.x1) + Number(p.x2) };
appendFileSync(process.argv[2], process.env.MOBO_TRIAL_ID + ' ' + process.env.MOBO_ATTEMPT + ' ' + process.pid + '\\n');
console.log(JSON.stringify(values));
`;

interface WorkerProcess {
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'mobo-bench-queue-faults-'));
  const redisDir = join(root, 'redis');
  mkdirSync(redisDir);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const pidFile = join(redisDir, 'redis.pid');
  const redisArgs = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    redisDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--daemonize',
    'yes',
    '--pidfile',
    pidFile,
    '--logfile',
    join(redisDir, 'redis.log'),
  ];
  const ping = () => {
    try {
      return (
        execFileSync('redis-cli', ['-p', String(port), 'ping'])
          .toString()
          .trim() === 'PONG'
      );
    } catch {
      return false;
    }
  };
  const startRedis = async () => {
    execFileSync('redis-server', redisArgs);
    await waitFor('redis to answer', ping);
  };
  await startRedis();

  const taskFile = join(root, 'task.mjs');
  writeFileSync(taskFile, TASK);
  const runsLog = join(root, 'runs.log');
  writeFileSync(runsLog, '');

  // Workers: one trial at a time each, short locks. Each incarnation logs to a file of its own.
  let incarnations = 0;
  const logs: string[] = [];
  const spawnWorker = async (): Promise<WorkerProcess> => {
    const log = join(root, `worker-${incarnations++}.log`);
    logs.push(log);
    writeFileSync(log, '');
    const child = spawn(
      process.execPath,
      [
        ...nodeExecArgv(),
        mainScript,
        'worker',
        '--redis',
        url,
        '--queue',
        'faults',
        '--workdir',
        join(root, 'workers'),
        '--lock-duration',
        '2000',
        '--stalled-interval',
        '1000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    const add = (d: Buffer) => {
      text += d.toString();
      appendFileSync(log, d);
    };
    child.stdout!.on('data', add);
    child.stderr!.on('data', add);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitFor('a worker to be ready', () => text.includes(': ready: queue'));
    return { child, log, exited };
  };
  // Two worker slots; a killed worker's replacement starts in the background.
  const workers: { proc: WorkerProcess | undefined; starting: Promise<void> | undefined }[] = [];
  for (let k = 0; k < 2; k++) workers.push({ proc: await spawnWorker(), starting: undefined });
  const replace = (slot: (typeof workers)[number]) => {
    slot.proc = undefined;
    slot.starting = spawnWorker().then((p) => {
      slot.proc = p;
      slot.starting = undefined;
    });
  };

  const opt = await Optimizer.create(
    {
      journal: join(root, 'journal.jsonl'),
      parameters: [
        { name: 'x1', type: 'float', bounds: [0, 1] },
        { name: 'x2', type: 'float', bounds: [0, 1] },
      ],
      objectives: [
        { name: 'f1', minimize: true, threshold: 2 },
        { name: 'f2', minimize: true, threshold: 2 },
      ],
      strategy: 'sobol',
      seed,
    },
    { logger: { warn: () => {} } },
  );
  const runner = new QueueRunner({
    queue: 'faults',
    redis: url,
    task: { command: [process.execPath, taskFile, runsLog] },
  });

  // The faults, in a random order, each at a random moment after a share of the trials completed.
  const rng = createRng(seed).fork('queue-faults');
  const faults: ('kill' | 'redis')[] = [
    ...Array.from({ length: kills }, () => 'kill' as const),
    ...Array.from({ length: redisRestarts }, () => 'redis' as const),
  ];
  for (let i = faults.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [faults[i], faults[j]] = [faults[j]!, faults[i]!];
  }
  let completed = 0;
  let done = false;
  const happened: { fault: string; afterCompleted: number; at: number; worker?: number }[] = [];
  const t0 = Date.now();
  const driver = (async () => {
    for (let k = 0; k < faults.length && !done; k++) {
      const threshold = Math.floor(((k + 1) * trials * 0.85) / (faults.length + 1));
      while (completed < threshold && !done) await sleep(20);
      await sleep(rng.uniform() * 1500);
      if (done) break;
      if (faults[k] === 'kill') {
        // A random worker among those up (waiting for one when both are restarting).
        while (!done && workers.every((s) => s.proc === undefined)) await sleep(20);
        if (done) break;
        const up = workers.filter((s) => s.proc !== undefined);
        const slot = up[rng.int(up.length)]!;
        const w = workers.indexOf(slot);
        happened.push({ fault: 'worker SIGKILL', afterCompleted: completed, at: Date.now() - t0, worker: w });
        const proc = slot.proc!;
        proc.child.kill('SIGKILL');
        await proc.exited;
        replace(slot);
      } else {
        happened.push({ fault: 'redis SIGKILL + restart', afterCompleted: completed, at: Date.now() - t0 });
        const pid = Number(readFileSync(pidFile, 'utf8'));
        process.kill(pid, 'SIGKILL');
        await waitFor('redis to die', () => !processAlive(pid));
        rmSync(pidFile, { force: true });
        await sleep(300);
        await startRedis();
      }
    }
  })();

  const retries: string[] = [];
  const result = await new Scheduler(opt, runner, {
    trials,
    maxParallel: 2,
    retries: 10,
    retryDelaySeconds: 0.2,
    maxRetryDelaySeconds: 2,
    maxConsecutiveFailures: 1000,
    maxFailureRate: 1,
    log: (m) => {
      if (m.includes('failed (transient)')) retries.push(m);
    },
    onProgress: (p) => {
      completed = p.completed;
    },
  }).run();
  done = true;
  await driver;
  const wallMs = Date.now() - t0;
  await runner.close();
  const trialsView = opt.trials();
  await opt.close();
  await Promise.all(workers.map((s) => s.starting));

  // What Redis holds as completed at the end (its AOF kept them across the restarts).
  const { Queue } = await import('bullmq');
  const queue = new Queue('faults', { connection: { host: '127.0.0.1', port } });
  const inRedis = await queue.getJobs(['completed']);
  await queue.close();
  for (const s of workers) s.proc?.child.kill('SIGTERM');
  await Promise.all(workers.map((s) => s.proc?.exited));

  // What Redis acknowledged to the workers: "(job <id>): completed {values}" lines.
  const acked = new Map<string, { trial: number; attempt: number; values: string }[]>();
  for (const log of logs) {
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const m = /trial (\d+) attempt (\d+) \(job (\S+)\): completed (\{.*\})$/.exec(line);
      if (m === null) continue;
      const list = acked.get(m[1]!) ?? [];
      list.push({ trial: Number(m[1]), attempt: Number(m[2]), values: m[4]! });
      acked.set(m[1]!, list);
    }
  }
  // A completion Redis kept whose worker died before logging it counts as acknowledged too.
  for (const job of inRedis) {
    const r = job.returnvalue as { status?: string; values?: unknown } | null;
    const t = (job.data as { trial?: { id: number; attempt: number } }).trial;
    if (r?.status !== 'completed' || t === undefined) continue;
    const list = acked.get(String(t.id)) ?? [];
    if (!list.some((a) => a.attempt === t.attempt)) {
      list.push({ trial: t.id, attempt: t.attempt, values: JSON.stringify(r.values) });
      acked.set(String(t.id), list);
    }
  }
  const journal = readJournal(join(root, 'journal.jsonl')).events.map((e) => e.event);
  const completeEvents = new Map<number, number>();
  const lastLaunch = new Map<number, number>();
  for (const e of journal) {
    if (e.type === 'complete') completeEvents.set(e.id, (completeEvents.get(e.id) ?? 0) + 1);
    if (e.type === 'runner' && e.phase === 'launched') lastLaunch.set(e.id, e.attempt);
  }
  let lost = 0;
  let duplicated = 0;
  const lostDetails: string[] = [];
  for (const [id, list] of acked) {
    if (list.length > 1) duplicated++;
    const t = trialsView.find((x) => x.id === Number(id));
    for (const a of list) {
      const taken =
        t?.state === 'completed' &&
        lastLaunch.get(a.trial) === a.attempt &&
        JSON.stringify(t.values) === JSON.stringify(JSON.parse(a.values));
      if (!taken) {
        lost++;
        lostDetails.push(`trial ${a.trial} attempt ${a.attempt}`);
      }
    }
  }
  for (const n of completeEvents.values()) if (n > 1) duplicated++;
  const executions = readFileSync(runsLog, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').slice(0, 2).join(' '));
  const ackedKeys = new Set([...acked.values()].flat().map((a) => `${a.trial} ${a.attempt}`));
  const finishedUnacked = executions.filter((e) => !ackedKeys.has(e)).length;
  const stallRetries = retries.filter((r) =>
    /died or lost its lock|without its worker's lock/.test(r),
  ).length;

  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    machine: `${cpus().length} CPUs, shared with other work`,
    command: `npx tsx bench/queue-faults.ts --trials ${trials} --kills ${kills} --redis-restarts ${redisRestarts} --seed ${seed}`,
    setup:
      'QueueRunner, maxParallel 2; 2 mobo worker processes (concurrency 1, --lock-duration 2000, --stalled-interval 1000); redis-server 7 with AOF, appendfsync always; command task sleeping 1-3 s; retries 10',
    trials,
    stopReason: result.reason,
    completed: trialsView.filter((t) => t.state === 'completed').length,
    failed: trialsView.filter((t) => t.state === 'failed').length,
    workerKills: happened.filter((h) => h.fault === 'worker SIGKILL').length,
    redisRestarts: happened.filter((h) => h.fault !== 'worker SIGKILL').length,
    faultsNotReached: faults.length - happened.length,
    completedJobsInRedis: inRedis.length,
    acknowledgedCompletions: [...acked.values()].reduce((a, l) => a + l.length, 0),
    lostAcknowledged: lost,
    lostDetails,
    duplicated,
    transientRetries: retries.length,
    retriesAfterWorkerDeath: stallRetries,
    executionsFinishedButNotAcknowledged: finishedUnacked,
    totalExecutionsFinished: executions.length,
    wallSeconds: wallMs / 1000,
    faults: happened,
    retryReasons: retries,
  };
  console.log(
    `queue runner under faults: ${summary.completed} of ${trials} trials completed, ${summary.failed} failed; ` +
      `${summary.workerKills} worker SIGKILLs, ${summary.redisRestarts} Redis SIGKILL+restarts\n` +
      `acknowledged completions ${summary.acknowledgedCompletions}, lost ${lost}, duplicated ${duplicated}; ` +
      `${retries.length} transient retries (${stallRetries} after a worker died); ` +
      `${finishedUnacked} executions finished unacknowledged (their worker was killed first) and were re-run; ` +
      `wall ${summary.wallSeconds.toFixed(0)} s`,
  );
  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'queue-faults.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGTERM');
  await sleep(200);
  rmSync(root, { recursive: true, force: true });
}

await main();
