import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OptimizerConfig } from '../../src/experiment/config.js';
import type { Logger } from '../../src/experiment/logger.js';

/** A fresh temporary directory and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-test-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps warnings for inspection. */
export function capture(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (m: string) => messages.push(m) };
}

/** A pid that is certainly not running: a child that has already exited. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

/** Leaves the lock as a crashed process would: present, naming a dead pid on this host. */
export function leaveCrashedLock(journal: string): void {
  fs.writeFileSync(
    `${journal}.lock`,
    JSON.stringify({ pid: deadPid(), hostname: os.hostname(), created: new Date().toISOString() }),
  );
}

/** A small mixed space with two objectives (one maximized), an outcome constraint and thresholds-free. */
export function mixedConfig(overrides: Partial<OptimizerConfig> = {}): OptimizerConfig {
  return {
    parameters: [
      { name: 'x1', type: 'float', bounds: [0, 1] },
      { name: 'x2', type: 'float', bounds: [1, 100], log: true },
      { name: 'n', type: 'int', bounds: [1, 6] },
      { name: 'kind', type: 'choice', values: ['a', 'b', 'c'] },
      { name: 'flag', type: 'fixed', value: true },
    ],
    parameterConstraints: ['x1 + 0.1 * n <= 1.3'],
    objectives: [
      { name: 'f1', minimize: true },
      { name: 'f2', minimize: false },
    ],
    outcomeConstraints: ['g <= 0.9'],
    strategy: [
      { strategy: 'sobol', trials: 6 },
      { strategy: 'nsga2', options: { populationSize: 4 } },
    ],
    seed: 7,
    ...overrides,
  };
}

/** Deterministic metric values for a trial's parameters (what a simulation would return). */
export function evaluate(params: Readonly<Record<string, unknown>>): { f1: number; f2: number; g: number } {
  const x1 = params.x1 as number;
  const x2 = params.x2 as number;
  const n = params.n as number;
  const k = params.kind === 'a' ? 0 : params.kind === 'b' ? 0.5 : 1;
  return { f1: x1 + 0.1 * k, f2: 1 - x1 * x1 + Math.log(x2) / 10 - 0.05 * n, g: (x1 * n) / 6 };
}
