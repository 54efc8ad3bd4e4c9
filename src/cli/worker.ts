/**
 * `mobo worker --queue NAME [--redis URL] [--concurrency N]`: takes trials from a queue runner's queue
 * and runs them until interrupted. The first Ctrl-C (SIGINT) lets the running trials finish and takes
 * no more; a second Ctrl-C, SIGTERM or SIGHUP stops them and hands each back to the scheduler as a
 * transient failure (it retries them on another worker).
 */
import { QueueWorker, type QueueWorkerOptions } from '../runners/queue-worker.js';
import type { CommandIo } from './hv.js';

export interface WorkerCommandOptions {
  queue?: string;
  redis?: string;
  concurrency?: string;
  workdir?: string;
  gpus?: string;
  lockDuration?: string;
  stalledInterval?: string;
}

function integer(text: string | undefined, name: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${text}"`);
  }
  return value;
}

/** Runs a worker until a signal ends it; returns the exit code (2 for bad options). */
export async function workerCommand(options: WorkerCommandOptions, io: CommandIo): Promise<number> {
  let settings: QueueWorkerOptions;
  try {
    if (options.queue === undefined) throw new Error('--queue NAME is required');
    const concurrency = integer(options.concurrency, '--concurrency', 1);
    const lock = integer(options.lockDuration, '--lock-duration', 100);
    const stalled = integer(options.stalledInterval, '--stalled-interval', 100);
    settings = {
      queue: options.queue,
      ...(options.redis === undefined ? {} : { redis: options.redis }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(options.workdir === undefined ? {} : { workdir: options.workdir }),
      ...(options.gpus === undefined
        ? {}
        : {
            gpus: options.gpus
              .split(',')
              .map((g) => g.trim())
              .filter((g) => g !== ''),
          }),
      ...(lock === undefined ? {} : { lockDurationMs: lock }),
      ...(stalled === undefined ? {} : { stalledIntervalMs: stalled }),
      log: (line) => io.stdout(`${new Date().toISOString()} ${line}\n`),
    };
  } catch (e) {
    io.stderr(`mobo worker: ${(e as Error).message}\n`);
    return 2;
  }
  let worker: QueueWorker;
  try {
    worker = await QueueWorker.start(settings);
  } catch (e) {
    io.stderr(`mobo worker: ${(e as Error).message}\n`);
    return 1;
  }
  let interrupts = 0;
  const done = new Promise<void>((resolve) => {
    const release = (signal: string) => {
      io.stderr(
        `mobo worker: ${signal}: stopping ${worker.running} running trial(s) and handing them back (the scheduler retries them)\n`,
      );
      void worker.close('release').then(resolve);
    };
    process.on('SIGINT', () => {
      interrupts++;
      if (interrupts > 1) {
        release('second Ctrl-C');
        return;
      }
      io.stderr(
        `mobo worker: Ctrl-C: taking no more trials; waiting for ${worker.running} running trial(s) to finish (Ctrl-C again to stop them and hand them back)\n`,
      );
      void worker.close('finish').then(resolve);
    });
    process.on('SIGTERM', () => release('SIGTERM'));
    process.on('SIGHUP', () => release('SIGHUP'));
  });
  await done;
  io.stderr('mobo worker: stopped\n');
  return 0;
}
