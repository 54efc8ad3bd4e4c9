#!/usr/bin/env node
/**
 * The `mobo` command. Each subcommand lives in its own module and returns an exit code; this file
 * only wires them to the process.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type CommandIo, hvCommand } from './hv.js';
import type { RunIo } from './run.js';

const io: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path, 'utf8'),
  readStdin: () => readFileSync(0, 'utf8'),
};

const runIo: RunIo = { ...io, stream: process.stdout };

/**
 * Set once run or resume has finished: the process then exits at once rather than when its event
 * loop drains, which an in-process task that ignored its stop signal would keep alive for hours.
 */
let endNow = false;

/** Builds the program; `exit` receives the exit code of the command that ran. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('mobo')
    .description('Multi-objective Bayesian optimization: hypervolume, optimization runs and reports')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command('hv')
    .description(
      'exact hypervolume of point sets (minimization): whitespace-separated numbers, one point a line, ' +
        '# comments, a blank line between sets; files or standard input',
    )
    .argument('[files...]', 'input files ("-" or none: standard input)')
    .option('-r, --reference <point>', 'reference point, e.g. "1.1 1.1" (default: nadir + 10% of the range)')
    .option('--contributions', "print each point's exclusive contribution instead")
    .action((files: string[], options: { reference?: string; contributions?: boolean }) => {
      exit(hvCommand(files, options, io));
    });
  program
    .command('run')
    .description(
      'run an optimization from a JSON config (built-in problem or task module, strategy, budget, runner); ' +
        'without one: DTLZ2 with 2 objectives and 6 parameters, 40 trials on the worker pool',
    )
    .argument('[config]', 'the config file (JSON; see schema/mobo.schema.json)')
    .option('-o, --output <dir>', 'experiment directory (overrides the config)')
    .action(async (config: string | undefined, options: { output?: string }) => {
      // Loaded on use, so that `mobo hv` starts without the optimizer and runners.
      const { runCommand } = await import('./run.js');
      exit(await runCommand(config, { ...options, signals: true }, runIo));
      endNow = true;
    });
  program
    .command('resume')
    .description('continue an interrupted experiment exactly where it stopped (same journal, same seed)')
    .argument('<dir>', 'the experiment directory')
    .action(async (dir: string) => {
      const { resumeCommand } = await import('./run.js');
      exit(await resumeCommand(dir, { signals: true }, runIo));
      endNow = true;
    });
  program
    .command('worker')
    .description(
      "take trials from a queue runner's queue (BullMQ on Redis) and run them, on any machine; Ctrl-C lets running trials finish, a second Ctrl-C (or SIGTERM) hands them back",
    )
    .requiredOption('-q, --queue <name>', "the queue (the config's runner.queue)")
    .option('--redis <url>', 'redis://host:port/db (default: MOBO_REDIS_URL, else redis://127.0.0.1:6379)')
    .option('-c, --concurrency <n>', 'trials run at once (default 1)')
    .option(
      '--gpus <ids>',
      'GPU ids trials may use, e.g. 0,1 (default: CUDA_VISIBLE_DEVICES, else the NVIDIA GPUs present)',
    )
    .option('--workdir <dir>', "where trials' directories go (default: a folder in the temp directory)")
    .option(
      '--lock-duration <ms>',
      "how long a job's lock lasts unrenewed: a dead worker's trials fail this long after (default 30000)",
    )
    .option('--stalled-interval <ms>', 'ms between checks for trials of dead workers (default 30000)')
    .action(async (options: Record<string, string | undefined>) => {
      const { workerCommand } = await import('./worker.js');
      exit(await workerCommand(options, io));
    });
  program
    .command('status')
    .description('the trials and the Pareto front of an experiment (reads the journal; takes no lock)')
    .argument('<dir>', 'the experiment directory (or its journal.jsonl)')
    .option('--brief', 'only the summary and the front')
    .action(async (dir: string, options: { brief?: boolean }) => {
      const { statusCommand } = await import('./status.js');
      exit(statusCommand(dir, options, io));
    });
  program
    .command('report')
    .description(
      'write a self-contained HTML report of an experiment: Pareto front, hypervolume, ask timings, front table',
    )
    .argument('<dir>', 'the experiment directory (or its journal.jsonl)')
    .option('-o, --out <file>', 'where to write the page (default: report.html beside the journal)')
    .option('--title <text>', 'the page title (default: the directory name)')
    .action(async (dir: string, options: { out?: string; title?: string }) => {
      const { reportCommand } = await import('./report.js');
      exit(reportCommand(dir, options, io));
    });
  return program;
}

async function main(): Promise<void> {
  // `mobo status DIR | head`: a closed pipe ends the output, not the process with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // A terminal that hung up (SIGHUP): run and resume go on to journal their end; writes are lost.
    if (error.code === 'EIO') return;
    throw error;
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EIO' || error.code === 'EPIPE') return;
    throw error;
  });
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors (already printed by commander) exit 2.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    throw error;
  }
  process.exitCode = code;
  // stdout and stderr are synchronous on Linux (files, pipes, terminals): nothing written is lost.
  if (endNow) process.exit(code);
}

await main();
