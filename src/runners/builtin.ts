/**
 * Built-in test problems as tasks, so that a config `{ "problem": { "name": "dtlz2", ... } }` needs no
 * user code.
 *
 * The runner protocol passes no options to a task, and a task must be loadable by name in any process
 * (a worker thread, a subprocess, a SLURM job). So `writeBuiltinTaskModule` writes a two-line module
 * into the experiment's directory that imports this file by its absolute URL and exports
 * `evaluate = builtinTask(<spec as JSON>)`. The module's extension follows this file's: `.mts` when
 * mobo runs from its sources (tsx loads both; `.mts` is ES module syntax wherever the experiment
 * directory lies, with or without a package.json), `.mjs` when it runs from dist/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getProblem } from '../../problems/index.js';
import type { Problem } from '../../problems/problem.js';
import type { ObjectiveConfig, ParameterConfig } from '../space/schema.js';
import { defineTask } from './task.js';
import type { Task, TaskContext, TaskFunction, TrialParams } from './types.js';

/** A built-in problem as a config names it, plus an optional artificial delay (benchmarks, tests). */
export interface BuiltinProblemSpec {
  /** A `getProblem` name: 'dtlz2', 'zdt1', 'branincurrin', ... */
  name: string;
  /** m, for the problems that take it (DTLZ). */
  objectives?: number;
  /** d. */
  dimensions?: number;
  /** Seconds each evaluation sleeps before answering (default 0); it honours the trial's signal. */
  delaySeconds?: number;
}

/** The problem of a spec; throws getProblem's RangeError for an unknown name or bad sizes. */
export function builtinProblem(spec: BuiltinProblemSpec): Problem {
  return getProblem(spec.name, {
    ...(spec.objectives === undefined ? {} : { objectives: spec.objectives }),
    ...(spec.dimensions === undefined ? {} : { dimensions: spec.dimensions }),
  });
}

/** Parameter names of a built-in problem: x1..xd. */
export function builtinParameterNames(problem: Problem): string[] {
  return Array.from({ length: problem.dimensions }, (_, i) => `x${i + 1}`);
}

/** Objective names of a built-in problem: f1..fm. */
export function builtinObjectiveNames(problem: Problem): string[] {
  return Array.from({ length: problem.objectives }, (_, j) => `f${j + 1}`);
}

/**
 * The search space and objectives of a built-in problem: floats x1..xd within the problem's bounds,
 * objectives f1..fm minimized with the problem's reference point as thresholds.
 */
export function builtinExperiment(problem: Problem): {
  parameters: ParameterConfig[];
  objectives: ObjectiveConfig[];
} {
  const parameters: ParameterConfig[] = builtinParameterNames(problem).map((name, i) => ({
    name,
    type: 'float',
    bounds: [problem.lower[i]!, problem.upper[i]!],
  }));
  const objectives: ObjectiveConfig[] = builtinObjectiveNames(problem).map((name, j) => ({
    name,
    minimize: true,
    threshold: problem.referencePoint[j]!,
  }));
  return { parameters, objectives };
}

/** Objective values by name f1..fm of the problem at params x1..xd (a TypeError for a missing one). */
export function evaluateBuiltin(problem: Problem, params: Readonly<TrialParams>): Record<string, number> {
  const d = problem.dimensions;
  const x = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const v = params[`x${i + 1}`];
    if (typeof v !== 'number') {
      throw new TypeError(`${problem.name}: parameter x${i + 1} is ${JSON.stringify(v)}, expected a number`);
    }
    x[i] = v;
  }
  const y = problem.evaluate({ rows: 1, cols: d, data: x });
  const out: Record<string, number> = {};
  for (let j = 0; j < problem.objectives; j++) out[`f${j + 1}`] = y.data[j]!;
  return out;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('stopped'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('stopped'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The task function of a built-in problem (the problem is built once, here). */
export function builtinTask(spec: BuiltinProblemSpec): TaskFunction {
  const problem = builtinProblem(spec);
  const delay = Math.max(0, spec.delaySeconds ?? 0) * 1000;
  return async (params: TrialParams, context: TaskContext) => {
    if (delay > 0) await sleep(delay, context.signal);
    return evaluateBuiltin(problem, params);
  };
}

/** Whether mobo runs from its TypeScript sources (tests, tsx) rather than from dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * Writes `<directory>/task.mts` (from sources) or `<directory>/task.mjs` (from dist/), a module whose
 * export `evaluate` is `builtinTask(spec)`, and returns it as a Task. The spec is checked first
 * (getProblem's RangeError for a bad one). Overwrites an earlier copy: it is derived data.
 */
export function writeBuiltinTaskModule(directory: string, spec: BuiltinProblemSpec): Task {
  builtinProblem(spec);
  const file = join(directory, FROM_SOURCE ? 'task.mts' : 'task.mjs');
  const self = import.meta.url;
  const text =
    '// Written by mobo: the built-in problem of this experiment as a task. Derived data; safe to delete.\n' +
    `import { builtinTask } from ${JSON.stringify(self)};\n` +
    `export const evaluate = builtinTask(${JSON.stringify(spec)});\n`;
  writeFileSync(file, text);
  return defineTask(file, 'evaluate');
}
