import { createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Task, TaskFunction, TrialOutcome } from './types.js';

/**
 * Names a task by module and export: `defineTask(import.meta.url, 'evaluate')`. The result is plain
 * JSON, so the same function can run in this process, a worker thread, a subprocess or a SLURM job on
 * a shared file system.
 *
 * TypeScript modules (.ts, .mts, .cts) load in worker threads and subprocesses through tsx: the runners
 * add `--import <tsx loader>` to their `execArgv` themselves when the module or mobo's own entry
 * scripts are TypeScript (tsx must then be installed where mobo is).
 */
export function defineTask(module: string, exportName: string): Task {
  if (typeof module !== 'string' || module.length === 0) {
    throw new TypeError(`defineTask: module must be an absolute path or a file URL, got ${String(module)}`);
  }
  if (typeof exportName !== 'string' || exportName.length === 0) {
    throw new TypeError(
      `defineTask(${module}): exportName must be a non-empty string, got ${String(exportName)}`,
    );
  }
  return { module: taskModulePath({ module, exportName }), exportName };
}

/** The absolute file path of a task's module; throws for a relative path or a URL that is not file:. */
export function taskModulePath(task: Task): string {
  const { module } = task;
  if (module.startsWith('file:')) return fileURLToPath(module);
  if (/^[a-z][a-z0-9+.-]+:/i.test(module)) {
    throw new TypeError(
      `task module "${module}": only file: URLs and absolute paths can be loaded by other processes`,
    );
  }
  if (!isAbsolute(module)) {
    throw new TypeError(
      `task module "${module}" is relative; give an absolute path or import.meta.url (relative to what a config file says is the caller's job)`,
    );
  }
  return module;
}

/** Whether the task's module is TypeScript (and so needs tsx outside a TypeScript-aware process). */
export function isTypeScriptModule(path: string): boolean {
  return /\.(ts|mts|cts|tsx)$/.test(path);
}

/** Whether mobo itself runs from its TypeScript sources (tests, tsx) rather than from compiled dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The absolute path of one of mobo's entry scripts in this folder ('worker', 'run-task', 'slurm-launcher'). */
export function entryScript(name: 'worker' | 'run-task' | 'slurm-launcher'): string {
  return fileURLToPath(new URL(`./${name}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url));
}

/**
 * Node options a worker thread or child node process needs to load mobo's entry scripts and this task:
 * `['--import', <tsx loader URL>]` when either is TypeScript, else none.
 */
export function nodeExecArgv(task?: Task): string[] {
  const needsTsx = FROM_SOURCE || (task !== undefined && isTypeScriptModule(taskModulePath(task)));
  if (!needsTsx) return [];
  let loader: string;
  try {
    loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    const what =
      task === undefined ? "mobo's own TypeScript sources" : `the TypeScript task module ${task.module}`;
    throw new Error(
      `running ${what} in another thread or process needs tsx, which is not installed: npm i -D tsx`,
    );
  }
  return ['--import', loader];
}

type Namespace = Record<string, unknown>;

/**
 * Imports a module by path. A TypeScript module that node cannot load by itself goes through tsx's
 * tsImport: on Node 20, `--import tsx` in a worker thread's execArgv registers no ESM hooks for the
 * thread (it does in child processes), so worker threads load TypeScript tasks this way.
 */
async function importModule(path: string): Promise<Namespace> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Namespace;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !isTypeScriptModule(path))
      throw e;
    let api: { tsImport: (specifier: string, parent: string) => Promise<Namespace> };
    try {
      api = (await import('tsx/esm/api' as string)) as typeof api;
    } catch {
      throw e;
    }
    return await api.tsImport(url, import.meta.url);
  }
}

/** Loads a task's module and returns its function; errors name the module and the export. */
export async function loadTask(task: Task): Promise<TaskFunction> {
  const path = taskModulePath(task);
  let module: Record<string, unknown>;
  try {
    module = await importModule(path);
  } catch (e) {
    const hint = isTypeScriptModule(path) ? ' (a TypeScript module needs tsx: node --import tsx)' : '';
    throw new Error(`cannot load task module ${path}${hint}: ${(e as Error).message}`);
  }
  const fn = module[task.exportName];
  if (typeof fn !== 'function') {
    const exported = Object.keys(module).join(', ') || 'nothing';
    throw new Error(
      `task module ${path} has no exported function "${task.exportName}" (it exports ${exported}; found ${typeof fn})`,
    );
  }
  return fn as TaskFunction;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Checks what a task returned: an object whose values are finite numbers. Anything else is a failed,
 * non-transient outcome whose reason says what was wrong.
 */
export function checkValues(raw: unknown): TrialOutcome {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const kind = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw;
    return {
      status: 'failed',
      reason: `task returned ${kind} (${preview(raw)}), expected an object of objective values such as {"f1": 0.5}`,
      transient: false,
    };
  }
  const values: Record<string, number> = {};
  const entries = Object.entries(raw);
  if (entries.length === 0) {
    return {
      status: 'failed',
      reason: 'task returned an empty object: no objective values',
      transient: false,
    };
  }
  for (const [name, value] of entries) {
    if (typeof value !== 'number') {
      return {
        status: 'failed',
        reason: `objective "${name}" is ${value === null ? 'null' : typeof value} (${preview(value)}), expected a number`,
        transient: false,
      };
    }
    if (!Number.isFinite(value)) {
      return {
        status: 'failed',
        reason: `objective "${name}" is ${value}, expected a finite number`,
        transient: false,
      };
    }
    values[name] = value;
  }
  return { status: 'completed', values };
}

/** A short text for anything thrown: the message of an Error, else its JSON. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return preview(error);
}
