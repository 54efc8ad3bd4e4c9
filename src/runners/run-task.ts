/**
 * Entry script that runs one task function in a fresh node process:
 *
 *   node [--import tsx] run-task.js <module path or file URL> <export name>
 *
 * with the trial's variables (MOBO_TRIAL_ID, MOBO_ATTEMPT, MOBO_PARAMS_FILE, MOBO_RESULT_FILE,
 * MOBO_WORKDIR). Writes the objective values to MOBO_RESULT_FILE and exits 0; on a throw or bad values
 * prints one line saying why to stderr (the stack too with MOBO_TRACE=1) and exits 1. On SIGTERM it
 * aborts the task's signal and exits 143 half a second later. `taskCommand(task)` builds this argv.
 */
import { abortOnSigterm, runTaskWithFiles } from './task-process.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`run-task: ${name} is not set (this script runs under a mobo runner)\n`);
    process.exit(2);
  }
  return value;
}

const [module, exportName] = process.argv.slice(2);
if (module === undefined || exportName === undefined) {
  process.stderr.write('usage: run-task <module> <export>\n');
  process.exit(2);
}
const trialId = Number(required('MOBO_TRIAL_ID'));
const controller = new AbortController();
abortOnSigterm(controller, trialId);
const code = await runTaskWithFiles(
  { module, exportName },
  {
    trialId,
    attempt: Number(process.env.MOBO_ATTEMPT ?? '1'),
    paramsFile: required('MOBO_PARAMS_FILE'),
    resultFile: required('MOBO_RESULT_FILE'),
    workdir: process.env.MOBO_WORKDIR ?? process.cwd(),
  },
  controller.signal,
);
process.exit(controller.signal.aborted ? 143 : code);
