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
    });
  program
    .command('resume')
    .description('continue an interrupted experiment exactly where it stopped (same journal, same seed)')
    .argument('<dir>', 'the experiment directory')
    .action(async (dir: string) => {
      const { resumeCommand } = await import('./run.js');
      exit(await resumeCommand(dir, { signals: true }, runIo));
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
  program
    .command('export')
    .description(
      'every trial of an experiment, one row each: id, state, parameters, objectives, other metrics, ' +
        'asked/started/finished times, failure reason, generator (reads the journal; takes no lock)',
    )
    .argument('<dir>', 'the experiment directory (or its journal.jsonl)')
    .option('-f, --format <format>', 'csv (RFC 4180) or json', 'csv')
    .option('-o, --out <file>', 'write here instead of standard output')
    .action(async (dir: string, options: { format?: string; out?: string }) => {
      const { exportCommand } = await import('./export.js');
      exit(exportCommand(dir, options, io));
    });
  program
    .command('serve')
    .description(
      'serve the experiments in DIR over HTTP/JSON (ask, tell, fail, front, report, events; OpenAPI at /openapi.json)',
    )
    .argument('<dir>', 'the folder of experiments (one subfolder each; created when missing)')
    .option('--host <host>', 'address to bind; any but loopback needs tokens', '127.0.0.1')
    .option('--port <port>', 'port (0: any free one)', '8787')
    .option('--tokens <file>', 'the token file (default DIR/.mobo-tokens.json)')
    .option('--new-token <scope>', "make a 'read' or 'write' token, print it once, and exit")
    .option('--cors <origin...>', 'allow these origins by CORS (default: CORS off)')
    .option('--stop', 'stop the server running for DIR (it records its pid and URL in DIR/.mobo-serve.json)')
    .action(
      async (
        dir: string,
        options: {
          host?: string;
          port?: string;
          tokens?: string;
          newToken?: string;
          cors?: string[];
          stop?: boolean;
        },
      ) => {
        const { serveCommand } = await import('./serve.js');
        exit(await serveCommand(dir, options, io));
      },
    );
  program
    .command('mcp')
    .description(
      'serve the experiments in DIR as Model Context Protocol tools over stdio (list_experiments, ' +
        'create_experiment, ask, tell, fail, status, pareto_front)',
    )
    .argument('<dir>', 'the folder of experiments (one subfolder each; created when missing)')
    .action(async (dir: string) => {
      const { mcpCommand } = await import('./mcp.js');
      exit(await mcpCommand(dir, io));
    });
  return program;
}

async function main(): Promise<void> {
  // `mobo status DIR | head`: a closed pipe ends the output, not the process with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
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
}

await main();
