/**
 * What one trial needs (cores, memory, GPUs, wall time), how SLURM is told, and how runners on one
 * machine (pool, subprocess, a queue worker) share the machine's capacity between trials.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

/** What each trial needs; every field is optional and absent means "not limited by this". */
export interface TrialResources {
  /** CPU cores. */
  cpus?: number;
  /** Memory in MB (2^20 bytes, as SLURM's --mem counts). */
  memoryMb?: number;
  /** GPUs (whole devices). */
  gpus?: number;
  /** Wall-time limit of an attempt, minutes. */
  timeLimitMinutes?: number;
}

/** What one machine offers to trials. */
export interface MachineCapacity {
  cpus: number;
  memoryMb: number;
  /** The GPU device ids, as CUDA_VISIBLE_DEVICES names them ('0', '1', or UUIDs). */
  gpus: readonly string[];
}

/** Devices given by a config: `{ "gpus": ["0", "1"] }`. */
export interface DeviceConfig {
  gpus?: readonly string[];
}

/**
 * The NVIDIA GPUs this process may use: the ids in CUDA_VISIBLE_DEVICES when it is set (an empty
 * value or -1 means none), else one id per device in /proc/driver/nvidia/gpus ('0', '1', ...), else
 * none. Reads no device and starts no process (nvidia-smi is not needed).
 */
export function detectGpus(
  env: NodeJS.ProcessEnv = process.env,
  procDir = '/proc/driver/nvidia/gpus',
): string[] {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) {
    const ids = visible
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const cut = ids.indexOf('-1');
    return cut >= 0 ? ids.slice(0, cut) : ids;
  }
  try {
    return readdirSync(procDir).map((_, i) => String(i));
  } catch {
    return [];
  }
}

/** This machine's capacity: `availableParallelism()` cores, total memory, and the GPUs configured or found. */
export function machineCapacity(devices: DeviceConfig = {}): MachineCapacity {
  return {
    cpus: availableParallelism(),
    memoryMb: Math.floor(totalmem() / 2 ** 20),
    gpus: devices.gpus !== undefined ? [...devices.gpus] : detectGpus(),
  };
}

/**
 * Why a trial with these needs can never run on a machine with this capacity: one message per
 * resource it exceeds, empty when it fits. `where` heads each message (e.g. `runner.resources`).
 */
export function resourceProblems(needs: TrialResources, capacity: MachineCapacity, where: string): string[] {
  const problems: string[] = [];
  if ((needs.cpus ?? 0) > capacity.cpus) {
    problems.push(`${where}.cpus: each trial needs ${needs.cpus} CPUs, this machine has ${capacity.cpus}`);
  }
  if ((needs.memoryMb ?? 0) > capacity.memoryMb) {
    problems.push(
      `${where}.memoryMb: each trial needs ${needs.memoryMb} MB, this machine has ${capacity.memoryMb} MB`,
    );
  }
  if ((needs.gpus ?? 0) > capacity.gpus.length) {
    const found =
      capacity.gpus.length === 0
        ? 'none (give them as runner.devices.gpus, e.g. ["0", "1"], or set CUDA_VISIBLE_DEVICES)'
        : `${capacity.gpus.length} (${capacity.gpus.join(', ')})`;
    problems.push(`${where}.gpus: each trial needs ${needs.gpus} GPUs, this machine has ${found}`);
  }
  return problems;
}

/** Resources granted to one running trial; `release()` gives them back (once; later calls do nothing). */
export interface ResourceLease {
  /** The GPU ids granted, in order. */
  gpus: readonly string[];
  /** Variables for the trial: `CUDA_VISIBLE_DEVICES` when GPUs were asked for (empty otherwise). */
  env: Readonly<Record<string, string>>;
  release(): void;
}

/**
 * The capacity of one machine shared between trials: a trial starts once all it needs is free. GPUs
 * are whole devices, handed out lowest id first and named to the trial in CUDA_VISIBLE_DEVICES;
 * cores and memory are counted, not pinned. Waiters are served in arrival order (a large trial is not
 * starved by small ones behind it).
 */
export class ResourceSlots {
  readonly capacity: MachineCapacity;
  #cpus: number;
  #memory: number;
  readonly #freeGpus: string[];
  readonly #waiting: { needs: TrialResources; grant: (lease: ResourceLease) => void }[] = [];

  /** Throws a RangeError when the capacity is not usable (negative or non-numeric). */
  constructor(capacity: MachineCapacity) {
    if (!(capacity.cpus >= 0) || !(capacity.memoryMb >= 0)) {
      throw new RangeError(`ResourceSlots: bad capacity ${JSON.stringify(capacity)}`);
    }
    this.capacity = { ...capacity, gpus: [...capacity.gpus] };
    this.#cpus = capacity.cpus;
    this.#memory = capacity.memoryMb;
    this.#freeGpus = [...capacity.gpus];
  }

  /** Free resources now. */
  get free(): MachineCapacity {
    return { cpus: this.#cpus, memoryMb: this.#memory, gpus: [...this.#freeGpus] };
  }

  #fits(needs: TrialResources): boolean {
    return (
      (needs.cpus ?? 0) <= this.#cpus &&
      (needs.memoryMb ?? 0) <= this.#memory &&
      (needs.gpus ?? 0) <= this.#freeGpus.length
    );
  }

  #take(needs: TrialResources): ResourceLease {
    const cpus = needs.cpus ?? 0;
    const memory = needs.memoryMb ?? 0;
    this.#cpus -= cpus;
    this.#memory -= memory;
    const gpus = this.#freeGpus.splice(0, needs.gpus ?? 0);
    let released = false;
    return {
      gpus,
      env: (needs.gpus ?? 0) > 0 ? { CUDA_VISIBLE_DEVICES: gpus.join(',') } : {},
      release: () => {
        if (released) return;
        released = true;
        this.#cpus += cpus;
        this.#memory += memory;
        this.#freeGpus.push(...gpus);
        this.#freeGpus.sort((a, b) => this.capacity.gpus.indexOf(a) - this.capacity.gpus.indexOf(b));
        this.#serve();
      },
    };
  }

  #check(needs: TrialResources): void {
    const problems = resourceProblems(needs, this.capacity, 'resources');
    if (problems.length > 0) throw new RangeError(`ResourceSlots: ${problems.join('; ')}`);
  }

  /** A lease at once when everything is free and nobody waits, else undefined. Throws when it can never fit. */
  tryAcquire(needs: TrialResources): ResourceLease | undefined {
    this.#check(needs);
    if (this.#waiting.length > 0 || !this.#fits(needs)) return undefined;
    return this.#take(needs);
  }

  /** Waits until the needs fit, in arrival order. Rejects at once when they can never fit. */
  acquire(needs: TrialResources): Promise<ResourceLease> {
    try {
      const now = this.tryAcquire(needs);
      if (now !== undefined) return Promise.resolve(now);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((grant) => this.#waiting.push({ needs, grant }));
  }

  #serve(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.needs)) {
      const next = this.#waiting.shift()!;
      next.grant(this.#take(next.needs));
    }
  }
}

/**
 * The sbatch options for these needs: `--cpus-per-task`, `--mem` (MB), `--gres=gpu:N` and `--time`
 * (minutes, rounded up).
 */
export function sbatchResourceArgs(needs: TrialResources): string[] {
  const args: string[] = [];
  if (needs.cpus !== undefined) args.push(`--cpus-per-task=${needs.cpus}`);
  if (needs.memoryMb !== undefined) args.push(`--mem=${Math.ceil(needs.memoryMb)}M`);
  if (needs.gpus !== undefined && needs.gpus > 0) args.push(`--gres=gpu:${needs.gpus}`);
  if (needs.timeLimitMinutes !== undefined) args.push(`--time=${Math.ceil(needs.timeLimitMinutes)}`);
  return args;
}

/** Checks the numbers of a resources object; returns one message per bad field. */
export function resourceValueProblems(needs: TrialResources, where: string): string[] {
  const problems: string[] = [];
  const check = (key: keyof TrialResources, integer: boolean, min: number) => {
    const v = needs[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      problems.push(
        `${where}.${key}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`,
      );
    }
  };
  check('cpus', true, 1);
  check('memoryMb', true, 1);
  check('gpus', true, 0);
  check('timeLimitMinutes', false, 0.01);
  return problems;
}
