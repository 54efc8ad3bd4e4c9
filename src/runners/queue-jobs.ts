/**
 * What the queue runner and `mobo worker` share: the job format on the BullMQ queue, job ids, the
 * stop markers, and Redis connection options from a URL.
 */
import type { TrialResources } from './resources.js';
import { commandTaskProblems, isCommandTask, type TaskSpec } from './task-spec.js';
import type { TrialOutcome, TrialParams } from './types.js';

/** The Redis a queue runner or worker uses when none is named: `MOBO_REDIS_URL`, else the local default. */
export function defaultRedisUrl(): string {
  return process.env.MOBO_REDIS_URL || 'redis://127.0.0.1:6379';
}

/** BullMQ's key prefix for mobo's queues (BullMQ's own default). */
export const QUEUE_PREFIX = 'bull';

/** Checks a queue name: BullMQ keys are `bull:<queue>:...`, so no `:`; kept to a safe alphabet. */
export function checkQueueName(queue: unknown): string {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(queue)) {
    throw new TypeError(
      `queue name must be 1-100 letters, digits, '_', '-' or '.', got ${JSON.stringify(queue)}`,
    );
  }
  return queue;
}

/** The data of one job: one attempt of one trial. */
export interface QueueJobData {
  format: 'mobo-trial';
  version: 1;
  /** The experiment's key (also the start of the job id). */
  experiment: string;
  trial: { id: number; attempt: number; params: TrialParams };
  /** A module task (whose module every worker can load at the same path) or a command task. */
  task: TaskSpec;
  /** What the trial needs; a worker runs it once its machine has that free. */
  resources?: TrialResources;
}

/** What a job returns: the attempt's outcome (a failed one too; BullMQ's own 'failed' is for lost jobs). */
export type QueueJobResult = TrialOutcome;

/**
 * The job id of one attempt: `<experiment>.t<id>.a<attempt>`. Deterministic, so that submitting the same
 * attempt again (after a crash inside run(), say) finds the job already there instead of adding another.
 */
export function queueJobId(experiment: string, id: number, attempt: number): string {
  return `${experiment}.t${id}.a${attempt}`;
}

/** A key usable in job ids: letters, digits, `_` and `-` (BullMQ forbids `:` in custom ids). */
export function experimentKey(text: string): string {
  const key = text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  if (key === '') throw new TypeError('queue runner: the experiment key is empty');
  return key;
}

/** The key that says "stop this job" to whichever worker runs it (and to later polls: it was stopped). */
export function stopKey(queue: string, jobId: string): string {
  return `${QUEUE_PREFIX}:${queue}:mobo-stop:${jobId}`;
}

/** How long a stop marker lives, s: longer than any poll of the trial could come. */
export const STOP_MARKER_SECONDS = 30 * 24 * 3600;

/** Where a Redis server is, as ioredis and BullMQ take it. */
export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

/**
 * ioredis options from a `redis://[user:password@]host[:port][/db]` or `rediss://` URL. Errors name the
 * URL (without its password).
 */
export function redisOptions(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Redis URL "${url}" is not a URL (expected redis://host:port/db)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`Redis URL ${redactUrl(url)}: protocol must be redis: or rediss:`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new TypeError(`Redis URL ${redactUrl(url)}: the path must be a database number, got "/${db}"`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host: host || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Reads a job's data; a message saying what is wrong when it is not a mobo trial. */
export function readJobData(data: unknown): QueueJobData | string {
  const d = data as Partial<QueueJobData> | null;
  if (d === null || typeof d !== 'object' || d.format !== 'mobo-trial') {
    return 'the job is not a mobo trial (its data has no format "mobo-trial")';
  }
  if (d.version !== 1) return `the job's format version ${String(d.version)} is not 1 (a newer mobo?)`;
  const t = d.trial;
  if (
    t === undefined ||
    !Number.isInteger(t.id) ||
    !Number.isInteger(t.attempt) ||
    t.params === null ||
    typeof t.params !== 'object'
  ) {
    return 'the job has no valid trial (id, attempt, params)';
  }
  const task = d.task as Record<string, unknown> | undefined;
  if (task === null || typeof task !== 'object') return 'the job has no task';
  if (isCommandTask(task as unknown as TaskSpec)) {
    const problems = commandTaskProblems(task, "the job's task");
    if (problems.length > 0) return problems.join('; ');
  } else if (typeof task.module !== 'string' || typeof task.exportName !== 'string') {
    return 'the job has no valid task (module and exportName, or command)';
  }
  if (typeof d.experiment !== 'string') return 'the job names no experiment';
  return d as QueueJobData;
}
