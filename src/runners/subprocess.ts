import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killProcessGroup, processAlive, processStat } from './process.js';
import {
  machineCapacity,
  type ResourceLease,
  ResourceSlots,
  resourceProblems,
  resourceValueProblems,
  type TrialResources,
} from './resources.js';
import { commandTaskProblems, trialProcess } from './task-spec.js';
import {
  isStopped,
  markStopped,
  outcomeFromFiles,
  prepareTrialDirectory,
  readExit,
  TRIAL_FILES,
  trialDirectory,
  writeExit,
  writeFileAtomic,
} from './trial-files.js';

export { taskCommand } from './task-spec.js';

import { type Runner, STOPPED, type TrialHandle, type TrialRequest, type TrialStatus } from './types.js';

export interface SubprocessRunnerOptions {
  /** The program and its arguments; never run through a shell. See `taskCommand()` for a task. */
  command: readonly string[];
  /** Working directory of the command. Default: the trial's own directory. */
  cwd?: string;
  /** Variables added to this process's environment (the trial's MOBO_* variables come last). */
  env?: Record<string, string>;
  /** Root of the trials' directories (`<directory>/trials/<id>/attempt-<n>`). Default: a new temporary directory, kept. */
  directory?: string;
  /** Processes running at once; more wait in this runner's queue. Default: no limit. */
  maxConcurrent?: number;
  /** Milliseconds between SIGTERM and SIGKILL when stopping. Default 5000. */
  killGraceMs?: number;
  /**
   * What each trial needs. A trial waits in this runner's queue until its cores, memory and GPUs are
   * free in `slots`; the GPUs granted are its CUDA_VISIBLE_DEVICES. `timeLimitMinutes` is left to the
   * scheduler's timeout. Default: nothing counted.
   */
  resources?: TrialResources;
  /** The capacity trials share. Default: this machine's (`machineCapacity()`), when `resources` is given. */
  slots?: ResourceSlots;
}

interface Live {
  child: ChildProcess;
  exited: boolean;
  lease?: ResourceLease;
}

interface Queued {
  trial: TrialRequest;
  dir: string;
}

/**
 * Runs each trial as a command in its own process group, with its parameters in a JSON file
 * (MOBO_PARAMS_FILE) and in MOBO_PARAM_<NAME> variables, never through a shell. The result is the JSON
 * file the command writes to MOBO_RESULT_FILE, else its last line of standard output. A non-zero exit
 * fails the trial with the code and the end of stderr (transient only for exit code 75, EX_TEMPFAIL);
 * death by a signal that stop() did not send is transient.
 *
 * Everything about a trial lives in its directory (see TRIAL_FILES), so a new instance polls work that
 * an earlier process started: metadata `{ directory, pid, startTime, hostname }`. A process that ended
 * while no runner watched it counts by its result file or stdout; without those it is failed,
 * transient. close() leaves running processes alone.
 */
export class SubprocessRunner implements Runner {
  readonly kind = 'subprocess';
  readonly #options: SubprocessRunnerOptions;
  readonly #limit: number;
  readonly #grace: number;
  readonly #host = hostname();
  #root: string | undefined;
  readonly #queue: Queued[] = [];
  readonly #live = new Map<string, Live>();
  #running = 0;
  #closed = false;
  #slots: ResourceSlots | undefined;

  constructor(options: SubprocessRunnerOptions) {
    const problems = commandTaskProblems(
      { command: options.command, ...(options.env === undefined ? {} : { env: options.env }) },
      'SubprocessRunner',
    );
    if (problems.length > 0) throw new TypeError(problems.join('; '));
    if (options.resources !== undefined) {
      const bad = resourceValueProblems(options.resources, 'SubprocessRunner: resources');
      if (bad.length > 0) throw new RangeError(bad.join('; '));
      this.#slots = options.slots ?? new ResourceSlots(machineCapacity());
      const never = resourceProblems(options.resources, this.#slots.capacity, 'SubprocessRunner: resources');
      if (never.length > 0) throw new RangeError(never.join('; '));
    }
    this.#options = options;
    this.#limit = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
    if (!(this.#limit >= 1))
      throw new RangeError(`SubprocessRunner: maxConcurrent must be at least 1, got ${this.#limit}`);
    this.#grace = options.killGraceMs ?? 5000;
    this.#root = options.directory === undefined ? undefined : resolve(options.directory);
  }

  #rootDirectory(): string {
    this.#root ??= mkdtempSync(join(tmpdir(), 'mobo-subprocess-'));
    return this.#root;
  }

  async run(trials: readonly TrialRequest[]): Promise<Record<string, unknown>[]> {
    if (this.#closed) throw new Error('subprocess runner: run() after close()');
    const root = this.#rootDirectory();
    const entries = trials.map((trial) => {
      const dir = trialDirectory(root, trial.id, trial.attempt);
      if (this.#live.get(dir)?.exited === false || this.#queue.some((q) => q.dir === dir)) {
        throw new Error(
          `subprocess runner: trial ${trial.id} attempt ${trial.attempt} is already in flight (${dir})`,
        );
      }
      return { trial, dir };
    });
    for (const entry of entries) {
      try {
        prepareTrialDirectory(entry.dir, entry.trial.params);
      } catch (e) {
        throw new Error(
          `subprocess runner: trial ${entry.trial.id}: cannot prepare ${entry.dir}: ${(e as Error).message}`,
        );
      }
      this.#queue.push(entry);
    }
    await this.#pump();
    return entries.map(({ dir }) => this.#metadata(dir));
  }

  #metadata(dir: string): Record<string, unknown> {
    const live = this.#live.get(dir);
    const pid = live?.child.pid;
    if (pid === undefined) return { directory: dir, hostname: this.#host };
    const startTime = processStat(pid)?.startTime;
    return { directory: dir, hostname: this.#host, pid, ...(startTime === undefined ? {} : { startTime }) };
  }

  async #pump(): Promise<void> {
    const starts: Promise<void>[] = [];
    while (!this.#closed && this.#running < this.#limit && this.#queue.length > 0) {
      let lease: ResourceLease | undefined;
      if (this.#slots !== undefined) {
        lease = this.#slots.tryAcquire(this.#options.resources ?? {});
        if (lease === undefined) break;
      }
      const entry = this.#queue.shift()!;
      this.#running++;
      starts.push(
        this.#start(entry, lease).catch((e: unknown) => {
          // Opening its output files failed (the directory vanished, a full disk): the trial fails.
          this.#running--;
          lease?.release();
          try {
            writeExit(entry.dir, {
              code: null,
              signal: null,
              error: `trial ${entry.trial.id}: ${(e as Error).message}`,
            });
          } catch {
            // Nowhere to write: a later poll reports the trial directory as gone.
          }
        }),
      );
    }
    await Promise.all(starts);
  }

  async #start({ trial, dir }: Queued, lease: ResourceLease | undefined): Promise<void> {
    const spec = {
      command: this.#options.command,
      ...(this.#options.env === undefined ? {} : { env: this.#options.env }),
      ...(this.#options.cwd === undefined ? {} : { cwd: this.#options.cwd }),
    };
    const command = trialProcess(spec, trial, dir, lease?.env);
    const { program, args } = command;
    const env = { ...process.env, ...command.env };
    let child: ChildProcess;
    const out = openSync(join(dir, TRIAL_FILES.stdout), 'w');
    const err = openSync(join(dir, TRIAL_FILES.stderr), 'w');
    try {
      child = spawn(program, args, {
        cwd: command.cwd,
        env,
        detached: true,
        shell: false,
        stdio: ['ignore', out, err],
      });
    } catch (e) {
      this.#running--;
      lease?.release();
      writeExit(dir, {
        code: null,
        signal: null,
        error: `could not start ${program}: ${(e as Error).message}`,
      });
      return;
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const live: Live = { child, exited: false, ...(lease === undefined ? {} : { lease }) };
    this.#live.set(dir, live);
    // Listen for the end before anything else can run: a quick command may exit at once.
    child.once('exit', (code, signal) => {
      if (live.exited) return;
      live.exited = true;
      try {
        writeExit(dir, { code, signal });
      } catch {
        // The directory was removed under us: a later poll reports the trial as vanished.
      }
      this.#running--;
      live.lease?.release();
      void this.#pump();
    });
    const started = await new Promise<boolean>((resolveStart) => {
      child.once('spawn', () => resolveStart(true));
      child.once('error', (e) => {
        if (!live.exited) {
          live.exited = true;
          writeExit(dir, {
            code: null,
            signal: null,
            error: `could not start ${program} (trial ${trial.id}): ${e.message}`,
          });
          this.#running--;
          live.lease?.release();
          void this.#pump();
        }
        resolveStart(false);
      });
    });
    if (!started) return;
    const pid = child.pid!;
    const startTime = processStat(pid)?.startTime;
    writeFileAtomic(
      join(dir, TRIAL_FILES.pid),
      `${JSON.stringify({ pid, hostname: this.#host, ...(startTime === undefined ? {} : { startTime }) })}\n`,
    );
  }

  async poll(trials: readonly TrialHandle[]): Promise<TrialStatus[]> {
    return trials.map((handle) => this.#status(handle));
  }

  #status(handle: TrialHandle): TrialStatus {
    const { id } = handle;
    const dir = handle.metadata.directory;
    if (typeof dir !== 'string') return { id, state: 'unknown' };
    if (isStopped(dir)) return { id, state: 'finished', outcome: STOPPED };
    if (this.#queue.some((q) => q.dir === dir)) return { id, state: 'queued' };
    const exit = readExit(dir);
    if (exit !== undefined) return { id, state: 'finished', outcome: outcomeFromFiles(dir, exit)! };
    const live = this.#live.get(dir);
    if (live !== undefined && !live.exited) return { id, state: 'running' };
    const info = readPidFile(dir) ?? pidFromMetadata(handle.metadata);
    if (info === undefined) {
      if (!existsSync(dir)) {
        return {
          id,
          state: 'finished',
          outcome: { status: 'failed', reason: `trial directory ${dir} is gone`, transient: true },
        };
      }
      return {
        id,
        state: 'finished',
        outcome: {
          status: 'failed',
          reason: 'never started: it was queued in a runner that is gone',
          transient: true,
        },
      };
    }
    if (info.hostname !== undefined && info.hostname !== this.#host) return { id, state: 'unknown' };
    if (processAlive(info.pid, info.startTime)) return { id, state: 'running' };
    const outcome = outcomeFromFiles(dir, undefined) ?? {
      status: 'failed',
      reason: `process ${info.pid} ended while no runner watched it and left no result (see ${join(dir, TRIAL_FILES.stderr)})`,
      transient: true,
    };
    return { id, state: 'finished', outcome };
  }

  async stop(trials: readonly TrialHandle[]): Promise<void> {
    const kills: Promise<void>[] = [];
    for (const handle of trials) {
      const dir = handle.metadata.directory;
      if (typeof dir !== 'string' || readExit(dir) !== undefined) continue;
      const queued = this.#queue.findIndex((q) => q.dir === dir);
      markStopped(dir);
      if (queued >= 0) {
        this.#queue.splice(queued, 1);
        continue;
      }
      const live = this.#live.get(dir);
      if (live !== undefined) {
        if (!live.exited && live.child.pid !== undefined)
          kills.push(killProcessGroup(live.child.pid, this.#grace));
        continue;
      }
      const info = readPidFile(dir) ?? pidFromMetadata(handle.metadata);
      if (info === undefined || (info.hostname !== undefined && info.hostname !== this.#host)) continue;
      if (processAlive(info.pid, info.startTime)) kills.push(killProcessGroup(info.pid, this.#grace));
    }
    await Promise.all(kills);
  }

  /** Starts nothing more; processes already running go on (a resumed run can reattach to them). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const live of this.#live.values()) live.child.unref();
  }
}

interface PidInfo {
  pid: number;
  startTime?: number;
  hostname?: string;
}

function pidInfo(raw: Record<string, unknown>): PidInfo | undefined {
  if (typeof raw.pid !== 'number' || !Number.isInteger(raw.pid) || raw.pid <= 0) return undefined;
  return {
    pid: raw.pid,
    ...(typeof raw.startTime === 'number' ? { startTime: raw.startTime } : {}),
    ...(typeof raw.hostname === 'string' ? { hostname: raw.hostname } : {}),
  };
}

function readPidFile(dir: string): PidInfo | undefined {
  try {
    return pidInfo(JSON.parse(readFileSync(join(dir, TRIAL_FILES.pid), 'utf8')) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

function pidFromMetadata(metadata: Record<string, unknown>): PidInfo | undefined {
  return pidInfo(metadata);
}
