/**
 * Entry script of one SLURM array task, started by the job script that SlurmRunner submits:
 *
 *   node [--import tsx] slurm-launcher.js <manifest.json>
 *
 * The manifest lists the batch's trials; SLURM_ARRAY_TASK_ID picks one. With a command, the launcher
 * runs it (an argv array, no shell) in the trial's directory with the MOBO_* variables, its output in
 * stdout.txt and stderr.txt there, and passes SIGTERM (scancel, time limit) on to it. With a task, it
 * calls the task in this process (one node start per trial, not two), its output going to the same
 * files. Either way it writes exit.json at the end and exits with the trial's code.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { abortOnSigterm, runTaskWithFiles } from './task-process.js';
import { trialProcess } from './task-spec.js';
import { readParams, TRIAL_FILES, trialEnvironment, writeExit } from './trial-files.js';
import type { Task } from './types.js';

/** What SlurmRunner writes for each batch (one sbatch --array job): a task or a command, and the trials. */
export interface SlurmManifest {
  version: 1;
  task?: Task;
  command?: string[];
  env: Record<string, string>;
  cwd?: string;
  trials: { id: number; attempt: number; directory: string }[];
}

function fail(message: string, code: number): never {
  process.stderr.write(`mobo slurm-launcher: ${message}\n`);
  process.exit(code);
}

const manifestPath = process.argv[2];
if (manifestPath === undefined) fail('usage: slurm-launcher <manifest.json>', 2);
let manifest: SlurmManifest;
try {
  manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SlurmManifest;
} catch (e) {
  fail(`cannot read the batch manifest ${manifestPath}: ${(e as Error).message}`, 2);
}
const index = Number(process.env.SLURM_ARRAY_TASK_ID);
const entry = Number.isInteger(index) ? manifest.trials[index] : undefined;
if (entry === undefined) {
  fail(`SLURM_ARRAY_TASK_ID=${process.env.SLURM_ARRAY_TASK_ID} names no trial in ${manifestPath}`, 2);
}
const dir = entry.directory;
let params: ReturnType<typeof readParams>;
try {
  params = readParams(dir);
} catch (e) {
  writeExit(dir, { code: null, signal: null, error: `trial ${entry.id}: ${(e as Error).message}` });
  fail((e as Error).message, 2);
}

const env = { ...manifest.env, ...trialEnvironment(entry, dir, params) };
const out = openSync(join(dir, TRIAL_FILES.stdout), 'w');
const err = openSync(join(dir, TRIAL_FILES.stderr), 'w');

if (manifest.task !== undefined) {
  const task = manifest.task;
  Object.assign(process.env, env);
  process.chdir(manifest.cwd ?? dir);
  const redirect = (stream: NodeJS.WriteStream, fd: number) => {
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') done();
      return true;
    }) as typeof stream.write;
  };
  redirect(process.stdout, out);
  redirect(process.stderr, err);
  const controller = new AbortController();
  abortOnSigterm(controller, entry.id, () => writeExit(dir, { code: null, signal: 'SIGTERM' }));
  const code = await runTaskWithFiles(
    task,
    {
      trialId: entry.id,
      attempt: entry.attempt,
      paramsFile: env.MOBO_PARAMS_FILE!,
      resultFile: env.MOBO_RESULT_FILE!,
      workdir: dir,
    },
    controller.signal,
  );
  if (controller.signal.aborted) {
    writeExit(dir, { code: null, signal: 'SIGTERM' });
    process.exit(143);
  }
  writeExit(dir, { code, signal: null });
  process.exit(code);
}

if (manifest.command === undefined || manifest.command.length === 0) {
  fail(`the batch manifest ${manifestPath} has neither a task nor a command`, 2);
}
// Placeholders ({trial}, {dir}, ...) are substituted here, per array task; GPUs SLURM allotted are
// already in CUDA_VISIBLE_DEVICES (the job inherits it from slurmstepd).
const started = trialProcess(
  {
    command: manifest.command,
    env: manifest.env,
    ...(manifest.cwd === undefined ? {} : { cwd: manifest.cwd }),
  },
  { id: entry.id, attempt: entry.attempt, params },
  dir,
);
const program = started.program;
const child = spawn(program, started.args, {
  cwd: started.cwd,
  env: { ...process.env, ...started.env },
  shell: false,
  stdio: ['ignore', out, err],
});
closeSync(out);
closeSync(err);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGUSR1', 'SIGUSR2'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.once('error', (e) => {
  writeExit(dir, {
    code: null,
    signal: null,
    error: `could not start ${program} (trial ${entry.id}): ${e.message}`,
  });
  process.exit(127);
});
child.once('exit', (code, signal) => {
  writeExit(dir, { code, signal });
  const number = signal === null ? 0 : (constants.signals[signal] ?? 0);
  process.exit(code ?? 128 + number);
});
