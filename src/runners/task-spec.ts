/**
 * Task specs: what every runner that starts a process per trial runs (SubprocessRunner, the SLURM
 * launcher, a queue worker), and the one function that runs a trial of one on this machine.
 *
 * A task spec is plain JSON, so it travels in configs, SLURM manifests and queue jobs:
 *
 * - a module task, `{ module, exportName }` (a `Task` from `defineTask`), run in a fresh node process
 *   through mobo's run-task entry script (`taskCommand`);
 * - a command task, `{ command: [...argv], cwd?, env? }`: any program (Python, C++, a container), run
 *   with an argv array, never through a shell.
 *
 * A command's arguments (and the values of its `env`) may hold these substitutions, anywhere inside
 * an argument, replaced per trial before the process starts:
 *
 * | placeholder      | becomes                                                  |
 * |------------------|----------------------------------------------------------|
 * | `{trial}`        | the trial id (0, 1, ...)                                 |
 * | `{attempt}`      | the attempt number (1 for the first run, 2 for a retry)  |
 * | `{dir}`          | the attempt's own directory (absolute)                   |
 * | `{params_file}`  | the parameters JSON file in it (MOBO_PARAMS_FILE)        |
 * | `{result_file}`  | where the command may write its result (MOBO_RESULT_FILE) |
 *
 * Any other `{name}` (letters, digits, `_`) is refused when the spec is checked, so that a typo never
 * reaches a trial; `{{name}}` stands for a literal `{name}`. Other braces (JSON in an argument) are
 * left alone. A substituted value is one argument or a part of one, never split and never seen by a
 * shell.
 *
 * The command sees the trial's variables (see `trialEnvironment`): MOBO_TRIAL_ID, MOBO_ATTEMPT,
 * MOBO_PARAMS_FILE, MOBO_RESULT_FILE, MOBO_WORKDIR and one MOBO_PARAM_<NAME> per parameter, with the
 * spec's `env` and the runner's own variables (CUDA_VISIBLE_DEVICES from `ResourceSlots`) added.
 * Its result is the JSON object it writes to MOBO_RESULT_FILE, else the last line of its standard
 * output (see `outcomeFromFiles`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { killProcessGroup } from './process.js';
import { entryScript, nodeExecArgv, taskModulePath } from './task.js';
import {
  outcomeFromFiles,
  prepareTrialDirectory,
  TRIAL_FILES,
  trialDirectory,
  trialEnvironment,
  writeExit,
} from './trial-files.js';
import { STOPPED, type Task, type TrialOutcome, type TrialRequest } from './types.js';

/**
 * The argv that runs a `defineTask` function in a fresh node process (through mobo's run-task entry
 * script), for SubprocessRunner and SlurmRunner: `[node, ...execArgv, run-task, module, export]`.
 * `node` defaults to this process's node binary; `execArgv` to `--import <tsx>` when needed.
 */
export function taskCommand(task: Task, options: { node?: string; execArgv?: string[] } = {}): string[] {
  return [
    options.node ?? process.execPath,
    ...(options.execArgv ?? nodeExecArgv(task)),
    entryScript('run-task'),
    taskModulePath(task),
    task.exportName,
  ];
}

/** A program to run for each trial: argv (never a shell), working directory, added variables. */
export interface CommandTask {
  /** The program and its arguments, with the placeholders above. */
  command: readonly string[];
  /** Absolute working directory, or one starting with `{dir}`. Default: the attempt's own directory. */
  cwd?: string;
  /** Variables added to the environment (placeholders allowed in values). */
  env?: Readonly<Record<string, string>>;
}

/** A module task (`defineTask`) or a command task. */
export type TaskSpec = Task | CommandTask;

/** Whether a spec is a command task. */
export function isCommandTask(spec: TaskSpec): spec is CommandTask {
  return (spec as Partial<CommandTask>).command !== undefined;
}

/** The placeholders a command may hold, without braces. */
export const COMMAND_PLACEHOLDERS = Object.freeze([
  'trial',
  'attempt',
  'dir',
  'params_file',
  'result_file',
] as const);

type Placeholder = (typeof COMMAND_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function unknownPlaceholders(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[2];
    if (name !== undefined && !(COMMAND_PLACEHOLDERS as readonly string[]).includes(name)) out.push(name);
  }
  return out;
}

/**
 * Checks a command task; returns one message per problem, each headed by its path below `where`
 * (e.g. `task.command[2]`), empty when it is fine: a non-empty argv of strings, no unknown
 * placeholder, an absolute `cwd`, string variables with names that can be environment variables.
 */
export function commandTaskProblems(spec: unknown, where = 'task'): string[] {
  const problems: string[] = [];
  if (spec === null || typeof spec !== 'object') return [`${where}: expected an object, got ${String(spec)}`];
  const { command, cwd, env } = spec as Record<string, unknown>;
  if (!Array.isArray(command) || command.length === 0) {
    problems.push(
      `${where}.command: expected a non-empty array of strings (argv), got ${JSON.stringify(command)}`,
    );
  } else {
    command.forEach((arg, i) => {
      if (typeof arg !== 'string') {
        problems.push(`${where}.command[${i}]: expected a string, got ${JSON.stringify(arg)}`);
        return;
      }
      if (arg.includes('\0')) problems.push(`${where}.command[${i}]: holds a NUL character`);
      for (const name of unknownPlaceholders(arg)) {
        problems.push(
          `${where}.command[${i}]: unknown placeholder {${name}} (known: ${COMMAND_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}; write {{${name}}} for a literal {${name}})`,
        );
      }
    });
    if (command[0] === '') problems.push(`${where}.command[0]: the program name is empty`);
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || !(isAbsolute(cwd) || cwd.startsWith('{dir}')))) {
    problems.push(
      `${where}.cwd: expected an absolute path (or one starting with {dir}), got ${JSON.stringify(cwd)}`,
    );
  } else if (typeof cwd === 'string') {
    for (const name of unknownPlaceholders(cwd)) problems.push(`${where}.cwd: unknown placeholder {${name}}`);
  }
  if (env !== undefined) {
    if (env === null || typeof env !== 'object' || Array.isArray(env)) {
      problems.push(`${where}.env: expected an object of strings, got ${JSON.stringify(env)}`);
    } else {
      for (const [name, value] of Object.entries(env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          problems.push(`${where}.env: "${name}" is not a valid variable name (letters, digits, _)`);
        } else if (name.startsWith('MOBO_')) {
          problems.push(`${where}.env.${name}: MOBO_* variables are set by mobo for each trial`);
        }
        if (typeof value !== 'string') {
          problems.push(`${where}.env.${name}: expected a string, got ${JSON.stringify(value)}`);
        } else {
          for (const p of unknownPlaceholders(value)) {
            problems.push(`${where}.env.${name}: unknown placeholder {${p}} (write {{${p}}} for a literal)`);
          }
        }
      }
    }
  }
  return problems;
}

/** Throws a TypeError listing every problem of a command task (see `commandTaskProblems`). */
export function checkCommandTask(spec: unknown, where = 'task'): asserts spec is CommandTask {
  const problems = commandTaskProblems(spec, where);
  if (problems.length > 0) throw new TypeError(problems.join('; '));
}

/** Replaces the placeholders in one argument (see the table above); `{{name}}` gives `{name}`. */
export function substitute(text: string, values: Readonly<Record<Placeholder, string>>): string {
  return text.replace(PLACEHOLDER, (whole, literal: string | undefined, name: string | undefined) => {
    if (literal !== undefined) return `{${literal}}`;
    const value = values[name as Placeholder];
    return value === undefined ? whole : value;
  });
}

/** What to start for one attempt: program, arguments, working directory and the variables to add. */
export interface TrialProcess {
  program: string;
  args: string[];
  cwd: string;
  /** Variables to add to the runner's own environment (the spec's, the trial's, then `extraEnv`). */
  env: Record<string, string>;
}

/**
 * The process that runs attempt `trial.attempt` of a task spec in directory `dir` (the attempt's own,
 * `trialDirectory(root, id, attempt)`): placeholders substituted, the trial's MOBO_* variables set.
 * A module task runs through `taskCommand` with this process's node. `extraEnv` (devices granted by
 * `ResourceSlots`, say) comes last.
 */
export function trialProcess(
  spec: TaskSpec,
  trial: Pick<TrialRequest, 'id' | 'attempt' | 'params'>,
  dir: string,
  extraEnv: Readonly<Record<string, string>> = {},
): TrialProcess {
  const trialEnv = trialEnvironment(trial, dir, trial.params);
  if (!isCommandTask(spec)) {
    const [program, ...args] = taskCommand(spec) as [string, ...string[]];
    return { program, args, cwd: dir, env: { ...trialEnv, ...extraEnv } };
  }
  checkCommandTask(spec);
  const values: Record<Placeholder, string> = {
    trial: String(trial.id),
    attempt: String(trial.attempt),
    dir,
    params_file: trialEnv.MOBO_PARAMS_FILE!,
    result_file: trialEnv.MOBO_RESULT_FILE!,
  };
  const [program, ...args] = spec.command.map((a) => substitute(a, values)) as [string, ...string[]];
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env ?? {})) own[name] = substitute(value, values);
  const cwd = spec.cwd === undefined ? dir : substitute(spec.cwd, values);
  return { program, args, cwd, env: { ...own, ...trialEnv, ...extraEnv } };
}

/** Options of `runTaskSpec`. */
export interface RunTaskSpecOptions {
  /** Root of the trials' directories on this machine; the attempt runs in `<directory>/trials/<id>/attempt-<n>`. */
  directory: string;
  /** Aborting it ends the process group (SIGTERM, then SIGKILL after `killGraceMs`): outcome 'stopped'. */
  signal?: AbortSignal;
  /** Variables added last, e.g. `CUDA_VISIBLE_DEVICES` from `ResourceSlots.acquire`. */
  env?: Readonly<Record<string, string>>;
  /** Milliseconds between SIGTERM and SIGKILL. Default 5000. */
  killGraceMs?: number;
  /** Milliseconds after which the attempt is ended and fails as 'time limit ...' (not transient). Default none. */
  timeLimitMs?: number;
  /** Called once the process has started, with its pid (its process group) and its directory. */
  onSpawn?: (pid: number, directory: string) => void;
}

/**
 * Runs one attempt of a task spec on this machine, in a process group of its own, and resolves with
 * its outcome once the process has ended (never rejects: a process that cannot start is a failed
 * outcome). This is the runner-independent core for runners that execute trials themselves, such as a
 * queue worker: take a job `{ spec, trial: { id, attempt, params } }`, optionally wait for
 * `ResourceSlots.acquire(resources)` and pass its `env`, call `runTaskSpec`, report the outcome, then
 * release the slots. The attempt's files (params.json, result.json, stdout.txt, stderr.txt, exit.json)
 * stay in its directory, as with SubprocessRunner and SlurmRunner, and the outcome follows the same
 * rules (`outcomeFromFiles`): a non-zero exit fails with the code and the end of stderr (transient
 * only for exit code 75), death by an outside signal (SIGKILL, SIGTERM) is transient, a crash of the
 * program itself (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) is not.
 */
export async function runTaskSpec(
  spec: TaskSpec,
  trial: TrialRequest,
  options: RunTaskSpecOptions,
): Promise<TrialOutcome> {
  const dir = trialDirectory(options.directory, trial.id, trial.attempt);
  let started: TrialProcess;
  try {
    prepareTrialDirectory(dir, trial.params);
    started = trialProcess(spec, trial, dir, options.env);
  } catch (e) {
    return { status: 'failed', reason: `trial ${trial.id}: ${(e as Error).message}`, transient: false };
  }
  if (options.signal?.aborted) return STOPPED;
  const { program, args, cwd, env } = started;
  let child: ChildProcess;
  let out: number | undefined;
  let err: number | undefined;
  try {
    out = openSync(`${dir}/${TRIAL_FILES.stdout}`, 'w');
    err = openSync(`${dir}/${TRIAL_FILES.stderr}`, 'w');
    child = spawn(program, args, {
      cwd,
      env: { ...process.env, ...env },
      detached: true,
      shell: false,
      stdio: ['ignore', out, err],
    });
  } catch (e) {
    return {
      status: 'failed',
      reason: `trial ${trial.id}: could not start ${program}: ${(e as Error).message}`,
      transient: false,
    };
  } finally {
    if (out !== undefined) closeSync(out);
    if (err !== undefined) closeSync(err);
  }
  let stopped = false;
  let timedOut = false;
  let kill: Promise<void> | undefined;
  const end = (why: 'stop' | 'time') => {
    if (kill !== undefined || child.pid === undefined) return;
    if (why === 'stop') stopped = true;
    else timedOut = true;
    kill = killProcessGroup(child.pid, options.killGraceMs ?? 5000);
  };
  const onAbort = () => end('stop');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    options.timeLimitMs === undefined ? undefined : setTimeout(() => end('time'), options.timeLimitMs);
  const exit = await new Promise<{ code: number | null; signal: string | null; error?: string }>(
    (resolve) => {
      child.once('spawn', () => {
        if (child.pid !== undefined) options.onSpawn?.(child.pid, dir);
      });
      child.once('error', (e) =>
        resolve({
          code: null,
          signal: null,
          error: `could not start ${program} (trial ${trial.id}): ${e.message}`,
        }),
      );
      child.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // The group may hold children of the command that outlive it.
  if (child.pid !== undefined && (stopped || timedOut)) await kill;
  try {
    writeExit(dir, exit);
  } catch {
    // The directory was removed under us; the outcome below says so.
  }
  if (stopped) return STOPPED;
  if (timedOut) {
    return {
      status: 'failed',
      reason: `time limit of ${Math.round(options.timeLimitMs! / 1000)} s reached (trial ${trial.id}, attempt ${trial.attempt})`,
      transient: false,
    };
  }
  return (
    outcomeFromFiles(dir, exit) ?? {
      status: 'failed',
      reason: `trial ${trial.id}: no outcome in ${dir}`,
      transient: false,
    }
  );
}
