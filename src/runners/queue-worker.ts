import { existsSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  checkQueueName,
  defaultRedisUrl,
  QUEUE_PREFIX,
  type QueueJobData,
  type QueueJobResult,
  readJobData,
  redactUrl,
  redisOptions,
  stopKey,
} from './queue-jobs.js';
import { machineCapacity, type ResourceLease, ResourceSlots } from './resources.js';
import { errorText } from './task.js';
import { isCommandTask, runTaskSpec, type TaskSpec, taskCommand } from './task-spec.js';
import { STOPPED, type TrialOutcome } from './types.js';

export interface QueueWorkerOptions {
  /** The queue to take trials from. */
  queue: string;
  /** Default `MOBO_REDIS_URL`, else redis://127.0.0.1:6379. */
  redis?: string;
  /** Trials this worker runs at once. Default 1. */
  concurrency?: number;
  /** Where trials' directories go (`<workdir>/<experiment>/trials/<id>/attempt-<n>`). Default a folder in the temp directory. */
  workdir?: string;
  /**
   * Milliseconds a job's lock lasts without renewal (the worker renews it every half of this). A worker
   * that dies loses its jobs this long after its last renewal. Default 30 000.
   */
  lockDurationMs?: number;
  /** Milliseconds between this worker's checks for jobs whose worker died. Default 30 000. */
  stalledIntervalMs?: number;
  /** Milliseconds between SIGTERM and SIGKILL when a trial is stopped. Default 5000. */
  killGraceMs?: number;
  /**
   * The GPU ids trials may use, e.g. ['0', '1'] (a trial asking for GPUs gets them in
   * CUDA_VISIBLE_DEVICES). Default CUDA_VISIBLE_DEVICES or the NVIDIA GPUs present.
   */
  gpus?: readonly string[];
  /** This worker's name on the jobs it takes. Default `<hostname>:<pid>`. */
  name?: string;
  /** One line per event (job taken, finished, stalled; connection trouble). Default: none. */
  log?: (line: string) => void;
}

/** How often a running trial's stop marker is checked, ms. */
const WATCH_MS = 500;

/**
 * `setpriv --pdeathsig KILL --` where available (Linux, util-linux): a trial's process dies with the
 * worker that started it, also when the worker is killed with SIGKILL, so that a trial whose job was
 * given up never finishes unseen. Processes that the trial itself starts are not covered.
 */
function parentDeathPrefix(): string[] {
  if (process.platform !== 'linux') return [];
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'setpriv')))
      return [join(dir, 'setpriv'), '--pdeathsig', 'KILL', '--'];
  }
  return [];
}

/**
 * A queue worker: takes trials from a BullMQ queue (see QueueRunner), runs each in a process of its own
 * (a module task through mobo's run-task script, or the job's command), and returns the outcome as the
 * job's return value. Jobs are held with BullMQ's lock, renewed while the trial runs; the worker runs
 * BullMQ's stalled-job check with `maxStalledCount` 0, so a job whose worker died is failed (the
 * scheduler retries the trial as its next attempt), never re-run under the same attempt.
 *
 * `close('finish')` takes no more jobs and waits for the running trials; `close('release')` stops them
 * and returns each as a transient failure ("released"), so the scheduler retries it elsewhere.
 */
export class QueueWorker {
  readonly name: string;
  readonly #options: QueueWorkerOptions;
  readonly #worker: Worker<QueueJobData, QueueJobResult>;
  readonly #redis: Redis;
  readonly #workdir: string;
  readonly #prefix = parentDeathPrefix();
  readonly #slots: ResourceSlots;
  readonly #log: (line: string) => void;
  #releasing = false;
  #closing: Promise<void> | undefined;
  readonly #running = new Set<string>();

  private constructor(options: QueueWorkerOptions, modules: { Worker: typeof Worker; Redis: typeof Redis }) {
    const queue = checkQueueName(options.queue);
    const url = options.redis ?? defaultRedisUrl();
    const connection = { ...redisOptions(url), maxRetriesPerRequest: null };
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`queue worker: concurrency must be an integer >= 1, got ${String(concurrency)}`);
    }
    this.#options = options;
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.#log = options.log ?? (() => {});
    this.#workdir = resolve(options.workdir ?? join(tmpdir(), `mobo-worker-${queue}`));
    this.#slots = new ResourceSlots(
      machineCapacity(options.gpus === undefined ? {} : { gpus: options.gpus }),
    );
    this.#redis = new modules.Redis(connection);
    this.#redis.on('error', () => {});
    this.#worker = new modules.Worker<QueueJobData, QueueJobResult>(
      queue,
      (job, _token, signal) => this.#process(job, signal),
      {
        connection,
        prefix: QUEUE_PREFIX,
        name: this.name,
        concurrency,
        autorun: false,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: 0,
      },
    );
    let lastError = '';
    this.#worker.on('error', (e) => {
      // Connection errors repeat while Redis is away: say each kind once.
      const text = errorText(e);
      const connection = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection is closed/.test(
        text,
      );
      if (text !== lastError) {
        this.#log(
          `worker ${this.name}: ${connection ? `Redis ${redactUrl(url)}: ${text} (retrying)` : text}`,
        );
      }
      lastError = text;
    });
    this.#worker.on('ready', () => {
      lastError = '';
    });
    this.#worker.on('completed', (job, result) => {
      const what =
        result.status === 'completed'
          ? `completed ${JSON.stringify(result.values)}`
          : `failed${result.transient ? ' (transient)' : ''}: ${result.reason}`;
      this.#log(`trial ${job.data.trial?.id} attempt ${job.data.trial?.attempt} (job ${job.id}): ${what}`);
    });
    this.#worker.on('failed', (job, error) => {
      this.#log(`job ${job?.id ?? '?'} failed: ${errorText(error)}`);
    });
    this.#worker.on('stalled', (jobId) => {
      this.#log(
        `job ${jobId} stalled (its worker died or lost its lock): it fails, and the scheduler retries the trial`,
      );
    });
  }

  /**
   * Starts a worker: connects (waiting for Redis while it cannot reach it, saying so through `log`),
   * then takes jobs until closed.
   */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    // BullMQ and ioredis load here: importing mobo does not pay for them.
    const [{ Worker }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
    const worker = new QueueWorker(options, { Worker, Redis });
    try {
      await worker.#worker.waitUntilReady();
    } catch (e) {
      await worker.#worker.close(true).catch(() => {});
      worker.#redis.disconnect();
      throw new Error(`queue worker: cannot reach Redis: ${errorText(e)}`);
    }
    worker.#log(
      `worker ${worker.name}: ready: queue "${options.queue}" on ${redactUrl(options.redis ?? defaultRedisUrl())}, ${options.concurrency ?? 1} at a time, trials in ${worker.#workdir}`,
    );
    void worker.#worker.run().catch((e: unknown) => worker.#log(`worker ${worker.name}: ${errorText(e)}`));
    return worker;
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running.size;
  }

  async #process(job: Job<QueueJobData, QueueJobResult>, signal?: AbortSignal): Promise<QueueJobResult> {
    const data = readJobData(job.data);
    if (typeof data === 'string')
      return { status: 'failed', reason: `job ${job.id}: ${data}`, transient: false };
    const jobId = job.id ?? '';
    const marker = stopKey(job.queueName, jobId);
    if ((await this.#redis.exists(marker).catch(() => 0)) === 1) return STOPPED;
    const { trial } = data;
    this.#running.add(jobId);
    this.#log(`trial ${trial.id} attempt ${trial.attempt} (job ${jobId}): started`);
    try {
      return await this.#runTrial(data, marker, signal);
    } catch (e) {
      // Trouble here is the worker's (a directory it cannot write), not the task's: worth a retry.
      return {
        status: 'failed',
        reason: `worker ${this.name} could not run it: ${errorText(e)}`,
        transient: true,
      };
    } finally {
      this.#running.delete(jobId);
    }
  }

  async #runTrial(data: QueueJobData, marker: string, signal?: AbortSignal): Promise<TrialOutcome> {
    const { trial } = data;
    // The key comes from the queue: only a plain folder name inside the workdir.
    const root = join(this.#workdir, data.experiment.replace(/[^A-Za-z0-9_-]/g, '_') || 'experiment');
    mkdirSync(root, { recursive: true });
    const needs = data.resources ?? {};
    let lease: ResourceLease;
    try {
      lease = await this.#slots.acquire(needs);
    } catch (e) {
      // Another worker's machine may be large enough.
      return {
        status: 'failed',
        reason: `worker ${this.name} cannot run it: ${errorText(e).replace(/^ResourceSlots: /, '')}`,
        transient: true,
      };
    }
    const controller = new AbortController();
    let why: 'stopped' | 'released' | undefined;
    const watch = setInterval(() => {
      if (why !== undefined) return;
      if (this.#releasing || signal?.aborted === true) {
        why = 'released';
        controller.abort();
        return;
      }
      this.#redis.exists(marker).then(
        (n) => {
          if (n === 1 && why === undefined) {
            why = 'stopped';
            controller.abort();
          }
        },
        () => {},
      );
    }, WATCH_MS);
    try {
      const outcome = await runTaskSpec(this.#withParentDeath(data.task), trial, {
        directory: root,
        signal: controller.signal,
        env: lease.env,
        ...(this.#options.killGraceMs === undefined ? {} : { killGraceMs: this.#options.killGraceMs }),
        ...(needs.timeLimitMinutes === undefined ? {} : { timeLimitMs: needs.timeLimitMinutes * 60_000 }),
      });
      if (why === 'released') {
        return {
          status: 'failed',
          reason: `worker ${this.name} was interrupted and released the trial`,
          transient: true,
        };
      }
      return why === 'stopped' ? STOPPED : outcome;
    } finally {
      clearInterval(watch);
      lease.release();
    }
  }

  /**
   * The spec run under `setpriv --pdeathsig KILL` where available, so the trial's process dies with
   * this worker (also by SIGKILL); a module task becomes the command that runs it.
   */
  #withParentDeath(spec: TaskSpec): TaskSpec {
    if (this.#prefix.length === 0) return spec;
    if (isCommandTask(spec)) return { ...spec, command: [...this.#prefix, ...spec.command] };
    // The module's path and mobo's own are not placeholders: braces in them stay literal.
    const literal = (arg: string) => arg.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '{{$1}}');
    return { command: [...this.#prefix, ...taskCommand(spec).map(literal)] };
  }

  /**
   * 'finish' (default): take no more jobs, wait for the running trials, disconnect. 'release': also
   * stop the running trials now, returning each as a transient failure. A 'release' during a 'finish'
   * stops the trials the finish waits for.
   */
  async close(mode: 'finish' | 'release' = 'finish'): Promise<void> {
    if (mode === 'release') this.#releasing = true;
    this.#closing ??= (async () => {
      await this.#worker.close();
      this.#redis.disconnect();
    })();
    await this.#closing;
  }
}
