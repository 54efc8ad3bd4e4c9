/**
 * SlurmRunner against a real SLURM cluster: run `scripts/slurm/start.sh` (as root), then
 * `MOBO_SLURM_TESTS=1 npx vitest run test/runners`. Without MOBO_SLURM_TESTS=1 only the parsers and
 * option checks run; the cluster tests are skipped with a note.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobCompLog, parseSqueue, SlurmRunner } from '../../src/runners/slurm.js';
import type { TrialHandle, TrialOutcome, TrialParams } from '../../src/runners/types.js';
import { conformanceTask, runnerConformance, waitFinished } from './conformance.js';

const enabled = process.env.MOBO_SLURM_TESTS === '1';

describe('SLURM output parsers', () => {
  it('reads squeue lines by array job and task, keeping a name with |', () => {
    const states = parseSqueue('12|0|COMPLETED|mobo-x\n12|1|RUNNING|mobo|odd\n\n13|2|PENDING|n\n');
    expect(states.get('12_0')).toEqual({ state: 'COMPLETED', name: 'mobo-x' });
    expect(states.get('12_1')).toEqual({ state: 'RUNNING', name: 'mobo|odd' });
    expect(states.get('13_2')?.state).toBe('PENDING');
    expect(states.size).toBe(3);
  });

  it('reads the job-completion log by ArrayJobId and ArrayTaskId, not by JobId', () => {
    const log = [
      'JobId=2 UserId=root(0) GroupId=root(0) Name=mobo-a JobState=COMPLETED Partition=debug SubmitTime=2026-11-22T12:59:20 ArrayJobId=1 ArrayTaskId=0 DerivedExitCode=0:0 ExitCode=0:0 ',
      'JobId=1 UserId=root(0) GroupId=root(0) Name=mobo-a JobState=FAILED Partition=debug SubmitTime=2026-11-22T12:59:20 ArrayJobId=1 ArrayTaskId=3 DerivedExitCode=0:0 ExitCode=3:0 ',
      'JobId=7 UserId=root(0) Name=plain JobState=COMPLETED ArrayJobId=0 ArrayTaskId=4294967294 ExitCode=0:0',
      'garbage',
    ].join('\n');
    const states = parseJobCompLog(log);
    expect(states.get('1_0')).toMatchObject({ state: 'COMPLETED', exitCode: '0:0', name: 'mobo-a' });
    expect(states.get('1_3')).toMatchObject({ state: 'FAILED', exitCode: '3:0' });
    expect(states.get('1_3')?.submitTime).toBe(new Date('2026-11-22T12:59:20').getTime());
    expect(states.size).toBe(2);
  });
});

describe('SlurmRunner options', () => {
  it('refuses sbatch arguments it sets itself, and wants exactly one of task and command', () => {
    const base = { directory: '/tmp/x', task: conformanceTask };
    expect(() => new SlurmRunner({ ...base, sbatch: ['--array=0-3'] })).toThrow(
      /"--array=0-3" is set by the runner itself/,
    );
    expect(() => new SlurmRunner({ ...base, sbatch: ['-o', 'x'] })).toThrow(
      /set by the runner itself \(-o\)/,
    );
    expect(() => new SlurmRunner({ directory: '/tmp/x' })).toThrow(/exactly one of task and command/);
    expect(() => new SlurmRunner({ directory: '', task: conformanceTask })).toThrow(/directory/);
    expect(new SlurmRunner({ ...base, sbatch: ['--time=00:10:00'] }).kind).toBe('slurm');
    expect(() => new SlurmRunner({ ...base, resources: { memoryMb: 100 }, sbatch: ['--mem=4G'] })).toThrow(
      /sbatch argument "--mem=4G" repeats what resources set \(--mem\); give it in one place/,
    );
    expect(() => new SlurmRunner({ ...base, resources: { cpus: 0 } })).toThrow(
      /resources\.cpus: expected an integer >= 1, got 0/,
    );
    expect(() => new SlurmRunner({ directory: '/tmp/x', command: ['sim', '{trail}'] })).toThrow(
      /SlurmRunner\.command\[1\]: unknown placeholder \{trail\}/,
    );
  });
});

if (!enabled) {
  describe('SlurmRunner on a real cluster', () => {
    it.skip('skipped: start one with scripts/slurm/start.sh and set MOBO_SLURM_TESTS=1', () => {});
  });
} else {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mobo-slurm-test-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const options = () => ({ pollInterval: 200, resultGraceMs: 5000, stopTimeoutMs: 30_000 });
  const cpus = Number(execFileSync('sinfo', ['-h', '-o', '%c']).toString().trim().split('\n')[0]);

  runnerConformance(
    'SlurmRunner',
    () => new SlurmRunner({ directory: root, task: conformanceTask, ...options() }),
    {
      concurrency: cpus,
      reattach: true,
      separateProcess: true,
      timeoutMs: 60_000,
    },
  );

  const command = [process.execPath, new URL('./fixtures/command.mjs', import.meta.url).pathname];
  const runAll = async (runner: SlurmRunner, params: TrialParams[], firstId: number) => {
    const trials = params.map((p, i) => ({ id: firstId + i, params: p, attempt: 1 }));
    const metadata = await runner.run(trials);
    const handles: TrialHandle[] = trials.map((t, i) => ({ id: t.id, metadata: metadata[i]! }));
    const { statuses } = await waitFinished(runner, handles, 60_000);
    return { handles, outcomes: statuses.map((s) => s.outcome as TrialOutcome) };
  };

  describe('SlurmRunner on a real cluster', () => {
    it('runs a plain command as an array job: results, exit codes, stderr, metadata', async () => {
      const directory = join(root, 'command experiment %a');
      const runner = new SlurmRunner({ directory, command, env: { EXTRA_VAR: '5' }, ...options() });
      const { handles, outcomes } = await runAll(
        runner,
        [
          { mode: 'stdout', x: 21 },
          { mode: 'exit', code: 3 },
          { mode: 'env', x: 1 },
        ],
        201,
      );
      expect(outcomes[0]).toEqual({ status: 'completed', values: { f: 42 } });
      expect(outcomes[1]).toMatchObject({ status: 'failed', transient: false });
      expect(outcomes[1]?.status === 'failed' && outcomes[1].reason).toMatch(
        /^exit code 3; stderr: .*the real problem/s,
      );
      expect(outcomes[2]).toEqual({
        status: 'completed',
        values: { same: 1, vars: 1, trial: 203, cwdIsWorkdir: 1, extra: 5 },
      });
      const m = handles[0]!.metadata;
      expect(m).toMatchObject({
        jobId: expect.stringMatching(/^\d+$/),
        arrayIndex: 0,
        jobName: 'mobo-command_experiment__a',
      });
      expect(handles.map((h) => h.metadata.jobId)).toEqual([m.jobId, m.jobId, m.jobId]);
      expect(m.directory).toBe(join(directory, 'trials/201/attempt-1'));
      // SLURM's own log is named by batch and index, in the experiment directory (whose % stays literal).
      expect(String(m.log).startsWith(join(directory, 'slurm/batch-'))).toBe(true);
      readFileSync(String(m.log));

      // The job-completion log keeps the tasks after slurmctld forgets them.
      const config = execFileSync('scontrol', ['show', 'config']).toString();
      const jobComp = /^JobCompLoc\s*=\s*(\S+)/m.exec(config)?.[1];
      if (jobComp !== undefined && /jobcomp\/filetxt/.test(config)) {
        const deadline = Date.now() + 10_000;
        let states = parseJobCompLog(readFileSync(jobComp, 'utf8'));
        while (states.get(`${m.jobId}_2`) === undefined && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          states = parseJobCompLog(readFileSync(jobComp, 'utf8'));
        }
        expect(states.get(`${m.jobId}_0`)).toMatchObject({
          state: 'COMPLETED',
          name: 'mobo-command_experiment__a',
        });
        expect(states.get(`${m.jobId}_1`)).toMatchObject({ state: 'FAILED', exitCode: '3:0' });
      }
    });

    it('falls back to the job-completion log for purged jobs, and calls unknown jobs vanished', async () => {
      const log = join(root, 'jobcomp-fixture.log');
      const dir = join(root, 'purged');
      mkdirSync(join(dir, 'a'), { recursive: true });
      mkdirSync(join(dir, 'b'), { recursive: true });
      const submitted = new Date(Date.now() - 5000);
      const local = (d: Date) =>
        `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${d.toTimeString().slice(0, 8)}`;
      writeFileSync(
        log,
        `JobId=999999991 UserId=root(0) Name=mobo-purged JobState=TIMEOUT SubmitTime=${local(submitted)} ArrayJobId=999999990 ArrayTaskId=0 ExitCode=0:15\n`,
      );
      const runner = new SlurmRunner({
        directory: dir,
        command,
        jobCompLog: log,
        ...options(),
        resultGraceMs: 0,
      });
      const meta = (jobId: string, sub: string) => ({
        jobId,
        arrayIndex: 0,
        directory: join(dir, sub),
        jobName: 'mobo-purged',
        submittedAt: submitted.getTime(),
      });
      const statuses = await runner.poll([
        { id: 1, metadata: meta('999999990', 'a') },
        { id: 2, metadata: meta('999999980', 'b') },
        { id: 3, metadata: { nonsense: true } },
      ]);
      expect(statuses[0]).toMatchObject({
        state: 'finished',
        outcome: { status: 'failed', transient: false },
      });
      expect(statuses[0]?.outcome?.status === 'failed' && statuses[0].outcome.reason).toMatch(
        /SLURM job 999999990_0 ended TIMEOUT \(exit code 0:15\) without the launcher's exit record/,
      );
      expect(statuses[1]).toMatchObject({
        state: 'finished',
        outcome: { status: 'failed', transient: true },
      });
      expect(statuses[1]?.outcome?.status === 'failed' && statuses[1].outcome.reason).toMatch(
        /SLURM job 999999980_0 is no longer known to SLURM/,
      );
      expect(statuses[2]).toEqual({ id: 3, state: 'unknown' });
    });

    it('reports sbatch errors with the trial ids and the message', async () => {
      const runner = new SlurmRunner({
        directory: join(root, 'bad'),
        command,
        sbatch: ['--partition=nosuchpartition'],
      });
      await expect(runner.run([{ id: 9, params: {}, attempt: 1 }])).rejects.toThrow(
        /sbatch failed for trials 9 \(exit 1\): .*(invalid partition|nosuchpartition)/i,
      );
    });
  });
}
