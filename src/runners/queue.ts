import { randomBytes } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  checkQueueName,
  defaultRedisUrl,
  experimentKey,
  QUEUE_PREFIX,
  type QueueJobData,
  type QueueJobResult,
  queueJobId,
  redactUrl,
  redisOptions,
  STOP_MARKER_SECONDS,
  stopKey,
} from './queue-jobs.js';
import { resourceValueProblems, type TrialResources } from './resources.js';
import { checkValues, taskModulePath } from './task.js';
import { checkCommandTask, isCommandTask, type TaskSpec } from './task-spec.js';
import {
  type Runner,
  STOPPED,
  type TrialHandle,
  type TrialOutcome,
  type TrialRequest,
  type TrialStatus,
} from './types.js';

export interface QueueRunnerOptions {
  /** The queue's name; `mobo worker --queue NAME` takes its jobs. Letters, digits, `_`, `-`, `.`. */
  queue: string;
  /** `redis://[user:password@]host[:port][/db]`. Default `MOBO_REDIS_URL`, else redis://127.0.0.1:6379. */
  redis?: string;
  /**
   * What each trial runs: a module task (`defineTask`; every worker must reach the module at the same
   * path) or a command task (`{ command, cwd?, env? }`, with the placeholders of task specs).
   */
  task: TaskSpec;
  /** What each trial needs (cores, memory, GPUs, time limit); a worker runs it once its machine has that free. */
  resources?: TrialResources;
  /**
   * The experiment's key in job ids (`<experiment>.t<id>.a<attempt>`); letters, digits, `_`, `-`.
   * Give a stable one (mobo run derives it from the experiment directory and its creation time) so
   * that submitting an attempt again finds its job. Default: a random key per runner.
   */
  experiment?: string;
  /**
   * Milliseconds a job may stay active without a worker's lock before this runner calls it lost
   * (failed, transient). Workers detect such stalled jobs themselves when any worker is alive; this
   * covers the case where none is. Default 120 000 (the workers' lock lasts 30 s by default).
   */
  lostAfterMs?: number;
  /** Milliseconds stop() waits for workers to end stopped trials. Default 60 000. */
  stopTimeoutMs?: number;
  /** Milliseconds run() keeps trying to add jobs while Redis is unreachable. Default 120 000. */
  submitTimeoutMs?: number;
  /** Seconds finished jobs stay in Redis (a resume after that re-runs their trials). Default 7 days. */
  keepFinishedSeconds?: number;
  /** Suggested ms between the scheduler's polls. Default 250. */
  pollInterval?: number;
}

interface Metadata {
  queue: string;
  jobId: string;
}

function readMetadata(raw: Record<string, unknown>): Metadata | undefined {
  const { queue, jobId } = raw;
  if (typeof queue !== 'string' || typeof jobId !== 'string' || jobId === '') return undefined;
  return { queue, jobId };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const QUEUED_STATES = new Set(['waiting', 'wait', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/** An outcome a worker returned, checked (a job's return value comes from another process). */
function outcomeFromReturn(value: unknown, jobId: string): TrialOutcome {
  const v = value as Partial<QueueJobResult> | null;
  if (v !== null && typeof v === 'object' && v.status === 'completed') {
    return checkValues((v as { values?: unknown }).values);
  }
  if (v !== null && typeof v === 'object' && v.status === 'failed' && typeof v.reason === 'string') {
    return { status: 'failed', reason: v.reason, transient: v.transient === true };
  }
  return {
    status: 'failed',
    reason: `job ${jobId} completed with a value that is not a trial outcome: ${JSON.stringify(value)?.slice(0, 200)}`,
    transient: false,
  };
}

/**
 * Puts trials on a BullMQ queue in Redis; `mobo worker` processes on any machine take them, run the
 * task and return the outcome as the job's return value, which poll() reads. One job per attempt, its
 * id `<experiment>.t<id>.a<attempt>` (adding the same attempt twice finds the first job). Metadata
 * `{ runner: 'queue', queue, jobId }` lets a resumed run reattach to jobs still queued or running.
 *
 * A worker that dies mid-trial stops renewing the job's lock; once the lock expires, another worker's
 * stalled-job check fails the job (workers run with `maxStalledCount` 0, so BullMQ never re-runs it
 * silently) and poll() reports a transient failure, which the scheduler retries as the next attempt,
 * a new job. With no worker left to notice, poll() does the same after `lostAfterMs` without a lock.
 * stop() sets a stop marker that workers watch (they kill the trial) and removes jobs still waiting.
 * close() leaves jobs alone.
 */
export class QueueRunner implements Runner {
  readonly kind = 'queue';
  readonly pollInterval: number;
  readonly #queueName: string;
  readonly #url: string;
  readonly #experiment: string;
  readonly #spec: TaskSpec;
  readonly #resources: TrialResources | undefined;
  readonly #lostAfterMs: number;
  readonly #stopTimeoutMs: number;
  readonly #submitTimeoutMs: number;
  readonly #keepSeconds: number;
  readonly #lockMissingSince = new Map<string, number>();
  #queue: Queue | undefined;
  #redis: Redis | undefined;
  #lastError: Error | undefined;
  #closed = false;

  constructor(options: QueueRunnerOptions) {
    this.#queueName = checkQueueName(options.queue);
    this.#url = options.redis ?? defaultRedisUrl();
    redisOptions(this.#url);
    const task = options.task as TaskSpec | undefined;
    if (task === undefined || task === null || typeof task !== 'object') {
      throw new TypeError('queue runner: task (a module task or a command task) is required');
    }
    if (isCommandTask(task)) checkCommandTask(task);
    else taskModulePath(task);
    this.#spec = JSON.parse(JSON.stringify(task)) as TaskSpec;
    if (options.resources !== undefined) {
      const problems = resourceValueProblems(options.resources, 'resources');
      if (problems.length > 0) throw new TypeError(`queue runner: ${problems.join('; ')}`);
      this.#resources = { ...options.resources };
    }
    this.#experiment = experimentKey(options.experiment ?? `x${randomBytes(6).toString('hex')}`);
    this.#lostAfterMs = options.lostAfterMs ?? 120_000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 60_000;
    this.#submitTimeoutMs = options.submitTimeoutMs ?? 120_000;
    this.#keepSeconds = options.keepFinishedSeconds ?? 7 * 24 * 3600;
    this.pollInterval = options.pollInterval ?? 250;
  }

  /** The experiment key in this runner's job ids. */
  get experiment(): string {
    return this.#experiment;
  }

  /** BullMQ and ioredis load on first use: importing mobo does not pay for them. */
  async #connections(): Promise<{ queue: Queue; redis: Redis }> {
    if (this.#closed) throw new Error('queue runner: used after close()');
    if (this.#queue === undefined || this.#redis === undefined) {
      const [{ Queue }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
      if (this.#queue !== undefined && this.#redis !== undefined)
        return { queue: this.#queue, redis: this.#redis };
      // Commands fail after one reconnection attempt instead of waiting for Redis forever: run()
      // retries on its own, and poll() reports 'unknown' while Redis is away.
      const connection = { ...redisOptions(this.#url), maxRetriesPerRequest: 1 };
      this.#queue = new Queue(this.#queueName, { connection, prefix: QUEUE_PREFIX });
      this.#queue.on('error', (e: Error) => {
        this.#lastError = e;
      });
      this.#redis = new Redis({ ...connection, lazyConnect: false });
      this.#redis.on('error', (e: Error) => {
        this.#lastError = e;
      });
    }
    return { queue: this.#queue, redis: this.#redis };
  }

  #where(): string {
    return `queue "${this.#queueName}" on ${redactUrl(this.#url)}`;
  }

  async run(trials: readonly TrialRequest[]): Promise<Record<string, unknown>[]> {
    if (trials.length === 0) return [];
    const { queue, redis } = await this.#connections();
    const metadata: Record<string, unknown>[] = [];
    for (const t of trials) {
      const jobId = queueJobId(this.#experiment, t.id, t.attempt);
      const data: QueueJobData = {
        format: 'mobo-trial',
        version: 1,
        experiment: this.#experiment,
        trial: { id: t.id, attempt: t.attempt, params: { ...t.params } },
        task: this.#spec,
        ...(this.#resources === undefined ? {} : { resources: this.#resources }),
      };
      await this.#retrying(`adding trial ${t.id} attempt ${t.attempt} (job ${jobId})`, async () => {
        // Earlier attempts of this trial are over for the scheduler: a job of one still waiting (its
        // submission was cut short by a crash) must not run as well.
        for (let a = 1; a < t.attempt; a++)
          await this.#cancel(queue, redis, queueJobId(this.#experiment, t.id, a));
        await queue.add(`trial-${t.id}`, data, {
          jobId,
          attempts: 1,
          removeOnComplete: { age: this.#keepSeconds },
          removeOnFail: { age: this.#keepSeconds },
        });
      });
      metadata.push({ runner: 'queue', queue: this.#queueName, jobId });
    }
    return metadata;
  }

  /** Runs `action` until it succeeds or `submitTimeoutMs` passes (Redis restarting, a network blip). */
  async #retrying(what: string, action: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + this.#submitTimeoutMs;
    for (let pause = 200; ; pause = Math.min(5000, pause * 2)) {
      try {
        await action();
        return;
      } catch (e) {
        if (Date.now() + pause > deadline) {
          throw new Error(`queue runner: ${what} on ${this.#where()} failed: ${(e as Error).message}`);
        }
        await sleep(pause);
      }
    }
  }

  /** Removes a job that waits; asks the worker of an active one to stop it. */
  async #cancel(queue: Queue, redis: Redis, jobId: string): Promise<void> {
    const job = await queue.getJob(jobId);
    if (job === undefined) return;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') return;
    await redis.set(stopKey(this.#queueName, jobId), String(Date.now()), 'EX', STOP_MARKER_SECONDS);
    if (state !== 'active') {
      // A worker may take it between the two calls: then the marker stops it.
      await job.remove().catch(() => {});
    }
  }

  async poll(trials: readonly TrialHandle[]): Promise<TrialStatus[]> {
    let connections: { queue: Queue; redis: Redis };
    try {
      connections = await this.#connections();
    } catch {
      return trials.map((t) => ({ id: t.id, state: 'unknown' }));
    }
    return Promise.all(
      trials.map(async (handle): Promise<TrialStatus> => {
        const m = readMetadata(handle.metadata);
        if (m === undefined || m.queue !== this.#queueName) return { id: handle.id, state: 'unknown' };
        try {
          return { id: handle.id, ...(await this.#status(connections, m)) };
        } catch {
          // Redis unreachable (restarting, say): the scheduler keeps polling.
          return { id: handle.id, state: 'unknown' };
        }
      }),
    );
  }

  async #status(
    { queue, redis }: { queue: Queue; redis: Redis },
    m: Metadata,
  ): Promise<Omit<TrialStatus, 'id'>> {
    // The state first, then the job: a job read before it completed would lack its return value.
    const [state, stopped] = await Promise.all([
      queue.getJobState(m.jobId),
      redis.exists(stopKey(m.queue, m.jobId)),
    ]);
    const job = (await queue.getJob(m.jobId)) as Job | undefined;
    if (stopped === 1) {
      return state === 'active' ? { state: 'running' } : { state: 'finished', outcome: STOPPED };
    }
    if (job === undefined) {
      return {
        state: 'finished',
        outcome: {
          status: 'failed',
          reason: `job ${m.jobId} is no longer in ${this.#where()} (removed, expired, or lost by a Redis restart without persistence: see the README on AOF)`,
          transient: true,
        },
      };
    }
    if (state === 'completed') {
      this.#lockMissingSince.delete(m.jobId);
      return { state: 'finished', outcome: outcomeFromReturn(job.returnvalue, m.jobId) };
    }
    if (state === 'failed' || job.deferredFailure) {
      this.#lockMissingSince.delete(m.jobId);
      const by = job.processedBy ? ` (worker ${job.processedBy})` : '';
      const why = job.failedReason || job.deferredFailure || 'no reason given';
      const stalled = /stalled/.test(why);
      return {
        state: 'finished',
        outcome: {
          status: 'failed',
          reason: stalled
            ? `the worker running job ${m.jobId}${by} died or lost its lock (BullMQ: ${why})`
            : `job ${m.jobId} failed in its worker${by}: ${why}`,
          transient: true,
        },
      };
    }
    if (state === 'active') {
      const locked = await redis.exists(`${QUEUE_PREFIX}:${m.queue}:${m.jobId}:lock`);
      if (locked === 1) {
        this.#lockMissingSince.delete(m.jobId);
        return { state: 'running' };
      }
      const since = this.#lockMissingSince.get(m.jobId) ?? Date.now();
      this.#lockMissingSince.set(m.jobId, since);
      if (Date.now() - since < this.#lostAfterMs) return { state: 'running' };
      this.#lockMissingSince.delete(m.jobId);
      const by = job.processedBy ? ` (worker ${job.processedBy})` : '';
      return {
        state: 'finished',
        outcome: {
          status: 'failed',
          reason: `job ${m.jobId} has been active without its worker's lock for ${Math.round(this.#lostAfterMs / 1000)} s${by}: the worker is gone and no other worker checked for stalled jobs`,
          transient: true,
        },
      };
    }
    if (QUEUED_STATES.has(state)) return { state: 'queued' };
    return { state: 'unknown' };
  }

  async stop(trials: readonly TrialHandle[]): Promise<void> {
    if (trials.length === 0) return;
    const { queue, redis } = await this.#connections();
    const targets: Metadata[] = [];
    for (const handle of trials) {
      const m = readMetadata(handle.metadata);
      if (m === undefined || m.queue !== this.#queueName) continue;
      try {
        const job = await queue.getJob(m.jobId);
        const state = job === undefined ? 'gone' : await job.getState();
        if (state === 'completed' || state === 'failed') continue;
        await redis.set(stopKey(m.queue, m.jobId), String(Date.now()), 'EX', STOP_MARKER_SECONDS);
        if (job !== undefined && state !== 'active') await job.remove().catch(() => {});
        targets.push(m);
      } catch {
        // Redis away: the scheduler's next poll says what became of it.
      }
    }
    const deadline = Date.now() + this.#stopTimeoutMs;
    while (targets.length > 0 && Date.now() < deadline) {
      const still: Metadata[] = [];
      for (const m of targets) {
        try {
          const job = await queue.getJob(m.jobId);
          if (job === undefined || (await job.getState()) !== 'active') continue;
          // Without a lock, nobody runs it any more.
          if ((await redis.exists(`${QUEUE_PREFIX}:${m.queue}:${m.jobId}:lock`)) === 0) continue;
          still.push(m);
        } catch {
          still.push(m);
        }
      }
      targets.splice(0, targets.length, ...still);
      if (targets.length > 0) await sleep(100);
    }
  }

  /** Closes the connections; jobs go on, and a resumed run reattaches to them by their metadata. */
  async close(): Promise<void> {
    this.#closed = true;
    const queue = this.#queue;
    const redis = this.#redis;
    this.#queue = undefined;
    this.#redis = undefined;
    await queue?.close().catch(() => {});
    if (redis !== undefined) redis.disconnect();
  }

  /** The last connection error seen (for messages). */
  get lastError(): Error | undefined {
    return this.#lastError;
  }
}
