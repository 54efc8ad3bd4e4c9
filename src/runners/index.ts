/** Runners and tasks: what src/index.ts re-exports from this folder. */
export { InProcessRunner, type InProcessRunnerOptions } from './in-process.js';
export { PoolRunner, type PoolRunnerOptions } from './pool.js';
export { QueueRunner, type QueueRunnerOptions } from './queue.js';
export { type QueueJobData, queueJobId } from './queue-jobs.js';
export { QueueWorker, type QueueWorkerOptions } from './queue-worker.js';
export {
  type DeviceConfig,
  detectGpus,
  type MachineCapacity,
  machineCapacity,
  type ResourceLease,
  ResourceSlots,
  resourceProblems,
  sbatchResourceArgs,
  type TrialResources,
} from './resources.js';
export {
  parseJobCompLog,
  parseSqueue,
  SlurmRunner,
  type SlurmRunnerOptions,
  type SlurmTaskState,
} from './slurm.js';
export { SubprocessRunner, type SubprocessRunnerOptions, taskCommand } from './subprocess.js';
export { checkValues, defineTask, loadTask } from './task.js';
export {
  COMMAND_PLACEHOLDERS,
  type CommandTask,
  checkCommandTask,
  commandTaskProblems,
  isCommandTask,
  type RunTaskSpecOptions,
  runTaskSpec,
  type TaskSpec,
  type TrialProcess,
  trialProcess,
} from './task-spec.js';
export { EXIT_TRANSIENT, TRIAL_FILES, trialDirectory } from './trial-files.js';
export {
  type Runner,
  STOPPED,
  type Task,
  type TaskContext,
  type TaskFunction,
  type TrialHandle,
  type TrialOutcome,
  type TrialParams,
  type TrialRequest,
  type TrialStatus,
} from './types.js';
