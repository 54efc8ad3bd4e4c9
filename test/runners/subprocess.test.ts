import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/runners/process.js';
import { SubprocessRunner, taskCommand } from '../../src/runners/subprocess.js';
import { defineTask } from '../../src/runners/task.js';
import type { TrialHandle, TrialOutcome, TrialParams } from '../../src/runners/types.js';
import { conformanceTask, runnerConformance, waitFinished } from './conformance.js';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-subprocess-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

runnerConformance(
  'SubprocessRunner',
  () => new SubprocessRunner({ command: taskCommand(conformanceTask), directory: root, maxConcurrent: 2 }),
  { concurrency: 2, reattach: true, separateProcess: true },
);

const command = [process.execPath, new URL('./fixtures/command.mjs', import.meta.url).pathname];

async function runOne(runner: SubprocessRunner, id: number, params: TrialParams): Promise<TrialOutcome> {
  const metadata = await runner.run([{ id, params, attempt: 1 }]);
  const { statuses } = await waitFinished(runner, [{ id, metadata: metadata[0]! }], 20_000);
  return statuses[0]!.outcome!;
}

describe('SubprocessRunner with a plain command', () => {
  it('reads the last line of stdout, else the result file, and passes MOBO_* variables', async () => {
    const runner = new SubprocessRunner({ command, directory: root, env: { EXTRA_VAR: '17' } });
    expect(await runOne(runner, 101, { mode: 'stdout', x: 4 })).toEqual({
      status: 'completed',
      values: { f: 8 },
    });
    expect(await runOne(runner, 102, { mode: 'file', x: 4 })).toEqual({
      status: 'completed',
      values: { f: 5 },
    });
    const params = { mode: 'env', 'odd name-1': '$(x) "y"', x: 0.1, on: true };
    expect(await runOne(runner, 103, params)).toEqual({
      status: 'completed',
      values: { same: 1, vars: 1, trial: 103, cwdIsWorkdir: 1, extra: 17 },
    });
    await runner.close();
  });

  it('fails on a non-zero exit with the code and the end of stderr; 75 is transient', async () => {
    const runner = new SubprocessRunner({ command, directory: root });
    const failed = await runOne(runner, 111, { mode: 'exit', code: 3 });
    expect(failed).toMatchObject({ status: 'failed', transient: false });
    const reason = failed.status === 'failed' ? failed.reason : '';
    expect(reason).toMatch(/^exit code 3; stderr: /);
    expect(reason).toContain('the real problem');
    expect(reason).not.toContain('noise 0');
    expect(await runOne(runner, 112, { mode: 'exit', code: 75 })).toMatchObject({
      status: 'failed',
      transient: true,
    });
    expect(await runOne(runner, 113, { mode: 'suicide' })).toEqual({
      status: 'failed',
      reason: 'killed by signal SIGKILL; stderr: about to die',
      transient: true,
    });
    await runner.close();
  });

  it('fails clearly when there is no result, garbage output, or no such program', async () => {
    const runner = new SubprocessRunner({ command, directory: root });
    expect(await runOne(runner, 121, { mode: 'silent' })).toEqual({
      status: 'failed',
      reason: `wrote no result file ${join(root, 'trials/121/attempt-1/result.json')} and nothing on standard output`,
      transient: false,
    });
    expect(await runOne(runner, 122, { mode: 'garbage' })).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/last line of output is not JSON: "\{\\"f\\": 1"/),
    });
    const missing = new SubprocessRunner({ command: ['/nonexistent/program', 'x'], directory: root });
    expect(await runOne(missing, 123, {})).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        /could not start \/nonexistent\/program \(trial 123\): spawn \/nonexistent\/program ENOENT/,
      ),
      transient: false,
    });
    await runner.close();
    await missing.close();
  });

  it('stop() ends the whole process group, with SIGKILL for a process that ignores SIGTERM', async () => {
    const runner = new SubprocessRunner({ command, directory: root, killGraceMs: 300 });
    const groupPid = join(root, 'group.pid');
    const stubborn = join(root, 'stubborn.pid');
    const metadata = await runner.run([
      { id: 131, params: { mode: 'group', pidFile: groupPid }, attempt: 1 },
      { id: 132, params: { mode: 'ignore-term', pidFile: stubborn }, attempt: 1 },
    ]);
    const handles: TrialHandle[] = metadata.map((m, i) => ({ id: 131 + i, metadata: m }));
    const deadline = Date.now() + 10_000;
    while (!(existsSync(groupPid) && existsSync(stubborn)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const grandchild = Number(readFileSync(groupPid, 'utf8'));
    const ignorer = Number(readFileSync(stubborn, 'utf8'));
    expect(processAlive(grandchild)).toBe(true);
    await runner.stop(handles);
    expect(processAlive(grandchild)).toBe(false);
    expect(processAlive(ignorer)).toBe(false);
    for (const s of await runner.poll(handles))
      expect(s.outcome).toEqual({ status: 'failed', reason: 'stopped', transient: false });
    await runner.close();
  });

  it('reports a process that died unwatched without a result as failed, transient', async () => {
    const runner = new SubprocessRunner({ command, directory: root });
    const dir = join(root, 'trials/141/attempt-1');
    const gone = {
      id: 141,
      metadata: { directory: dir, pid: 999_999_999, hostname: (await import('node:os')).hostname() },
    };
    expect((await runner.poll([gone]))[0]!.outcome).toMatchObject({ status: 'failed', transient: true });
    expect(await runner.poll([{ id: 142, metadata: {} }])).toEqual([{ id: 142, state: 'unknown' }]);
  });

  it('rejects a command that is not an argv array', () => {
    expect(() => new SubprocessRunner({ command: 'echo hi' as unknown as string[] })).toThrow(
      /command: expected a non-empty array of strings \(argv\), got "echo hi"/,
    );
    expect(() => new SubprocessRunner({ command: [] })).toThrow(/non-empty array/);
  });
});

describe('taskCommand', () => {
  it('builds node, the tsx loader for TypeScript, the run-task script, the module and the export', () => {
    const argv = taskCommand(defineTask('/srv/tasks/evaluate.ts', 'evaluate'));
    expect(argv[0]).toBe(process.execPath);
    expect(argv.slice(1, 3)).toEqual(['--import', expect.stringMatching(/^file:.*tsx.*loader\.mjs$/)]);
    expect(argv[3]).toMatch(/src\/runners\/run-task\.ts$/);
    expect(argv.slice(4)).toEqual(['/srv/tasks/evaluate.ts', 'evaluate']);
    expect(taskCommand(conformanceTask, { node: '/opt/node', execArgv: [] })[0]).toBe('/opt/node');
  });
});
