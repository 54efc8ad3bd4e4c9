import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ResourceLease,
  type ResourceSlots,
  resourceProblems,
  type TrialResources,
} from './resources.js';
import { trialDirectory } from './trial-files.js';
import {
  STOPPED,
  type TrialHandle,
  type TrialOutcome,
  type TrialRequest,
  type TrialStatus,
} from './types.js';

/**
 * Runs one trial; resolves with its outcome (never rejects: failures are outcomes). `env`: variables
 * for the trial from its resource lease (CUDA_VISIBLE_DEVICES), empty without resources.
 */
export type Execute = (
  trial: TrialRequest,
  workdir: string,
  signal: AbortSignal,
  env: Readonly<Record<string, string>>,
) => Promise<TrialOutcome>;

/** Resources each trial needs and the capacity they share (see ResourceSlots). */
export interface LocalResources {
  needs: TrialResources;
  slots: ResourceSlots;
}

interface Entry {
  trial: TrialRequest;
  state: 'queued' | 'running' | 'finished';
  outcome?: TrialOutcome;
  controller: AbortController;
  done?: Promise<void>;
}

/**
 * The bookkeeping shared by the runners whose trials live inside this process (in-process, pool): a
 * queue in front of at most `limit` running trials, outcomes kept by trial id, stop by abort. Trials
 * cannot outlive the process, so metadata names this instance and another instance reports them
 * `unknown`.
 */
export class LocalTrials {
  readonly #execute: Execute;
  readonly #limit: number;
  readonly #instance = randomUUID();
  readonly #entries = new Map<number, Entry>();
  readonly #queue: Entry[] = [];
  readonly #directory: string | undefined;
  #ownDirectory: string | undefined;
  #running = 0;
  #closed = false;
  /** Executions that were stopped but have not returned (a task that ignores its signal). */
  #lingering = 0;
  readonly #resources: LocalResources | undefined;

  constructor(
    execute: Execute,
    limit: number,
    directory: string | undefined,
    who: string,
    resources?: LocalResources,
  ) {
    if (!(limit >= 1)) throw new RangeError(`${who}: the concurrency limit must be at least 1, got ${limit}`);
    if (resources !== undefined) {
      const never = resourceProblems(resources.needs, resources.slots.capacity, `${who}: resources`);
      if (never.length > 0) throw new RangeError(never.join('; '));
    }
    this.#resources = resources;
    this.#execute = execute;
    this.#limit = limit;
    this.#directory = directory;
  }

  run(trials: readonly TrialRequest[], kind: string): Record<string, unknown>[] {
    if (this.#closed) throw new Error(`${kind} runner: run() after close()`);
    for (const trial of trials) {
      const old = this.#entries.get(trial.id);
      if (old !== undefined && old.state !== 'finished') {
        throw new Error(
          `${kind} runner: trial ${trial.id} is already in flight (attempt ${old.trial.attempt})`,
        );
      }
    }
    return trials.map((trial) => {
      const entry: Entry = { trial, state: 'queued', controller: new AbortController() };
      this.#entries.set(trial.id, entry);
      this.#queue.push(entry);
      return { runner: kind, instance: this.#instance, attempt: trial.attempt };
    });
  }

  /** Starts queued trials while there is room. */
  pump(): void {
    while (this.#running < this.#limit && this.#queue.length > 0) {
      if (this.#queue[0]!.state !== 'queued') {
        this.#queue.shift();
        continue;
      }
      let lease: ResourceLease | undefined;
      if (this.#resources !== undefined) {
        lease = this.#resources.slots.tryAcquire(this.#resources.needs);
        if (lease === undefined) return;
      }
      const entry = this.#queue.shift()!;
      entry.state = 'running';
      this.#running++;
      entry.done = this.#start(entry, lease);
    }
  }

  async #start(entry: Entry, lease: ResourceLease | undefined): Promise<void> {
    let outcome: TrialOutcome;
    try {
      const workdir = this.#workdir(entry.trial);
      outcome = await this.#execute(entry.trial, workdir, entry.controller.signal, lease?.env ?? {});
    } catch (e) {
      outcome = {
        status: 'failed',
        reason: `trial ${entry.trial.id}: ${(e as Error).message ?? String(e)}`,
        transient: false,
      };
    }
    this.#running--;
    lease?.release();
    if (entry.state === 'running') {
      entry.state = 'finished';
      entry.outcome = outcome;
    } else if (entry.outcome === STOPPED) {
      this.#lingering--;
    }
    this.pump();
  }

  #workdir(trial: TrialRequest): string {
    let root = this.#directory;
    if (root === undefined) {
      this.#ownDirectory ??= mkdtempSync(join(tmpdir(), 'mobo-trials-'));
      root = this.#ownDirectory;
    }
    const dir = trialDirectory(root, trial.id, trial.attempt);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  #mine(handle: TrialHandle): Entry | undefined {
    const entry = this.#entries.get(handle.id);
    if (entry === undefined || handle.metadata.instance !== this.#instance) return undefined;
    if (handle.metadata.attempt !== undefined && handle.metadata.attempt !== entry.trial.attempt)
      return undefined;
    return entry;
  }

  poll(trials: readonly TrialHandle[]): TrialStatus[] {
    return trials.map((handle) => {
      const entry = this.#mine(handle);
      if (entry === undefined) return { id: handle.id, state: 'unknown' };
      if (entry.state === 'finished') return { id: handle.id, state: 'finished', outcome: entry.outcome! };
      return { id: handle.id, state: entry.state };
    });
  }

  /** Marks the trials stopped and aborts them; resolves when their executions have returned. */
  async stop(trials: readonly TrialHandle[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const handle of trials) {
      const entry = this.#mine(handle);
      if (entry === undefined || entry.state === 'finished') continue;
      const wasRunning = entry.state === 'running';
      entry.state = 'finished';
      entry.outcome = STOPPED;
      if (wasRunning) this.#lingering++;
      entry.controller.abort(new Error(`trial ${handle.id} stopped`));
      if (wasRunning && entry.done !== undefined) waits.push(entry.done);
    }
    // An in-process task that ignores its signal cannot be killed: wait a little, then let it be.
    if (waits.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2000);
      });
      await Promise.race([Promise.all(waits), patience]);
      clearTimeout(timer);
    }
  }

  /** Trials stopped while running whose task has not returned yet: it ignores its abort signal. */
  get lingering(): number {
    return this.#lingering;
  }

  /** Stops everything still queued or running and removes the temporary directory this created. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const open = [...this.#entries.values()]
      .filter((e) => e.state !== 'finished')
      .map((e) => ({ id: e.trial.id, metadata: { instance: this.#instance } }));
    await this.stop(open);
    if (this.#ownDirectory !== undefined) rmSync(this.#ownDirectory, { recursive: true, force: true });
  }
}
