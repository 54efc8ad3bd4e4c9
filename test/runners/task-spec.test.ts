import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectGpus,
  ResourceSlots,
  resourceProblems,
  sbatchResourceArgs,
} from '../../src/runners/resources.js';
import { SubprocessRunner } from '../../src/runners/subprocess.js';
import {
  checkCommandTask,
  commandTaskProblems,
  runTaskSpec,
  substitute,
  trialProcess,
} from '../../src/runners/task-spec.js';
import type { TrialHandle } from '../../src/runners/types.js';
import { conformanceTask, waitFinished } from './conformance.js';

const gate = new URL('./fixtures/gate.mjs', import.meta.url).pathname;

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-task-spec-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh folder for one test's gate files. */
function gateDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function waitForFile(path: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('command task specs', () => {
  it('substitutes the documented placeholders inside arguments; {{name}} is a literal', () => {
    const values = {
      trial: '7',
      attempt: '2',
      dir: '/d',
      params_file: '/d/p.json',
      result_file: '/d/r.json',
    };
    expect(substitute('--seed={trial}-{attempt}', values)).toBe('--seed=7-2');
    expect(substitute('{params_file}', values)).toBe('/d/p.json');
    expect(substitute('{{trial}} {"a": {"b": 1}}', values)).toBe('{trial} {"a": {"b": 1}}');
    const p = trialProcess(
      { command: ['python3', 'sim.py', '--out', '{dir}/out', '{result_file}'], env: { RUN: 'r{trial}' } },
      { id: 7, attempt: 2, params: { x: 1 } },
      '/d',
    );
    expect(p).toMatchObject({
      program: 'python3',
      args: ['sim.py', '--out', '/d/out', '/d/result.json'],
      cwd: '/d',
    });
    expect(p.env).toMatchObject({ RUN: 'r7', MOBO_TRIAL_ID: '7', MOBO_ATTEMPT: '2', MOBO_PARAM_X: '1' });
  });

  it('refuses unknown placeholders, relative cwd, MOBO_ variables and non-argv commands, naming the path', () => {
    expect(commandTaskProblems({ command: ['sim', '{trail}'] })).toEqual([
      'task.command[1]: unknown placeholder {trail} (known: {trial}, {attempt}, {dir}, {params_file}, {result_file}; write {{trail}} for a literal {trail})',
    ]);
    expect(commandTaskProblems({ command: 'python3 sim.py' })[0]).toMatch(
      /^task.command: expected a non-empty array of strings \(argv\), got "python3 sim.py"/,
    );
    expect(commandTaskProblems({ command: ['x'], cwd: 'rel' })).toEqual([
      'task.cwd: expected an absolute path (or one starting with {dir}), got "rel"',
    ]);
    expect(commandTaskProblems({ command: ['x'], env: { MOBO_TRIAL_ID: '1', 'a-b': 'x' } })).toEqual([
      'task.env.MOBO_TRIAL_ID: MOBO_* variables are set by mobo for each trial',
      'task.env: "a-b" is not a valid variable name (letters, digits, _)',
    ]);
    expect(() => checkCommandTask({ command: [] }, 'runner')).toThrow(
      /^runner.command: expected a non-empty/,
    );
  });
});

describe('runTaskSpec', () => {
  it('runs a command with placeholders, cwd and env and reads its last line of stdout', async () => {
    const dir = gateDir('plain');
    const outcome = await runTaskSpec(
      {
        command: [process.execPath, gate, dir, '{trial}', '{attempt}'],
        cwd: dir,
        env: { LABEL: 'l-{trial}' },
      },
      { id: 4, attempt: 3, params: { x: 2.5 } },
      { directory: root, env: { CUDA_VISIBLE_DEVICES: '1' } },
    );
    expect(outcome).toEqual({ status: 'completed', values: { f: 5 } });
    const seen = JSON.parse(readFileSync(join(dir, 'started-4.json'), 'utf8'));
    expect(seen).toEqual({ args: ['4', '3'], cwd: dir, devices: '1', label: 'l-4', params: { x: 2.5 } });
    expect(existsSync(join(root, 'trials/4/attempt-3/exit.json'))).toBe(true);
  });

  it('runs a module task in a process of its own', async () => {
    const outcome = await runTaskSpec(
      conformanceTask,
      { id: 5, attempt: 2, params: { mode: 'values', x: 3, y: 4 } },
      { directory: root },
    );
    expect(outcome).toEqual({
      status: 'completed',
      values: { sum: 7, product: 12, trialId: 5, attempt: 2, workdirOk: 1 },
    });
  });

  it('fails a segmentation fault without calling it transient', async () => {
    const dir = gateDir('segv');
    const outcome = await runTaskSpec(
      { command: [process.execPath, gate, dir] },
      { id: 6, attempt: 1, params: { crash: 'segv' } },
      { directory: root },
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      transient: false,
      reason: expect.stringMatching(
        /^crashed with signal SIGSEGV \(a fault of the program itself: not retried\)/,
      ),
    });
  });

  it('stops on abort and ends a run past its time limit, both without a result', async () => {
    const dir = gateDir('abort');
    const controller = new AbortController();
    const running = runTaskSpec(
      { command: [process.execPath, gate, dir] },
      { id: 8, attempt: 1, params: { wait: true } },
      { directory: root, signal: controller.signal, killGraceMs: 200 },
    );
    await waitForFile(join(dir, 'started-8.json'));
    controller.abort();
    expect(await running).toEqual({ status: 'failed', reason: 'stopped', transient: false });

    const limited = await runTaskSpec(
      { command: [process.execPath, gate, dir] },
      { id: 9, attempt: 1, params: { wait: true } },
      { directory: root, timeLimitMs: 300, killGraceMs: 200 },
    );
    expect(limited).toMatchObject({
      status: 'failed',
      transient: false,
      reason: expect.stringMatching(/^time limit of 0 s reached \(trial 9, attempt 1\)/),
    });
  });

  it('says why a program cannot start', async () => {
    const outcome = await runTaskSpec(
      { command: ['/nonexistent/sim'] },
      { id: 10, attempt: 1, params: {} },
      { directory: root },
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      transient: false,
      reason: expect.stringMatching(/could not start \/nonexistent\/sim \(trial 10\)/),
    });
  });
});

describe('resources', () => {
  it('finds GPUs from CUDA_VISIBLE_DEVICES, else from the driver folder, else none', () => {
    expect(detectGpus({ CUDA_VISIBLE_DEVICES: '2, 3' })).toEqual(['2', '3']);
    expect(detectGpus({ CUDA_VISIBLE_DEVICES: '' })).toEqual([]);
    expect(detectGpus({ CUDA_VISIBLE_DEVICES: '0,-1,1' })).toEqual(['0']);
    const fake = gateDir('nvidia-gpus');
    mkdirSync(join(fake, '0000:01:00.0'));
    mkdirSync(join(fake, '0000:02:00.0'));
    expect(detectGpus({}, fake)).toEqual(['0', '1']);
    expect(detectGpus({}, join(root, 'absent'))).toEqual([]);
  });

  it('hands out whole GPUs lowest first, in arrival order, and refuses needs that never fit', async () => {
    const slots = new ResourceSlots({ cpus: 4, memoryMb: 1000, gpus: ['0', '1', '2'] });
    const a = slots.tryAcquire({ gpus: 2, cpus: 1 })!;
    expect(a.env).toEqual({ CUDA_VISIBLE_DEVICES: '0,1' });
    expect(slots.tryAcquire({ gpus: 2 })).toBeUndefined();
    const order: string[] = [];
    const b = slots.acquire({ gpus: 2 }).then((l) => {
      order.push(`b:${l.gpus.join(',')}`);
      return l;
    });
    // Arrival order: c would fit now but waits behind b; both start once a's devices are back.
    const c = slots.acquire({ gpus: 1 }).then((l) => {
      order.push(`c:${l.gpus.join(',')}`);
      return l;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    a.release();
    a.release();
    (await b).release();
    (await c).release();
    expect(order).toEqual(['b:0,1', 'c:2']);
    expect(slots.free).toEqual({ cpus: 4, memoryMb: 1000, gpus: ['0', '1', '2'] });
    expect(() => slots.tryAcquire({ gpus: 4 })).toThrow(
      /each trial needs 4 GPUs, this machine has 3 \(0, 1, 2\)/,
    );
    expect(
      resourceProblems(
        { cpus: 64, memoryMb: 10 ** 9 },
        { cpus: 2, memoryMb: 100, gpus: [] },
        'runner.resources',
      ),
    ).toEqual([
      'runner.resources.cpus: each trial needs 64 CPUs, this machine has 2',
      'runner.resources.memoryMb: each trial needs 1000000000 MB, this machine has 100 MB',
    ]);
  });

  it('gives SLURM --cpus-per-task, --mem, --gres and --time', () => {
    expect(sbatchResourceArgs({ cpus: 4, memoryMb: 8000, gpus: 1, timeLimitMinutes: 120 })).toEqual([
      '--cpus-per-task=4',
      '--mem=8000M',
      '--gres=gpu:1',
      '--time=120',
    ]);
    expect(sbatchResourceArgs({ gpus: 0, timeLimitMinutes: 0.5 })).toEqual(['--time=1']);
  });

  it('SubprocessRunner: a trial needing 2 GPUs waits for 2 free devices and sees them in CUDA_VISIBLE_DEVICES', async () => {
    const dir = gateDir('gpus');
    const runner = new SubprocessRunner({
      command: [process.execPath, gate, dir],
      directory: join(root, 'gpu-runner'),
      resources: { gpus: 2 },
      slots: new ResourceSlots({ cpus: 8, memoryMb: 1000, gpus: ['0', '1', '2'] }),
    });
    const metadata = await runner.run([
      { id: 1, attempt: 1, params: { wait: true, x: 1 } },
      { id: 2, attempt: 1, params: { wait: true, x: 2 } },
    ]);
    const handles: TrialHandle[] = metadata.map((m, i) => ({ id: i + 1, metadata: m }));
    await waitForFile(join(dir, 'started-1.json'));
    expect((await runner.poll(handles)).map((s) => s.state)).toEqual(['running', 'queued']);
    writeFileSync(join(dir, 'release'), '');
    const { statuses } = await waitFinished(runner, handles, 30_000);
    expect(statuses.map((s) => s.outcome)).toEqual([
      { status: 'completed', values: { f: 2 } },
      { status: 'completed', values: { f: 4 } },
    ]);
    const devices = [1, 2].map(
      (id) => JSON.parse(readFileSync(join(dir, `started-${id}.json`), 'utf8')).devices,
    );
    expect(devices).toEqual(['0,1', '0,1']);
    await runner.close();
  });

  it('SubprocessRunner: refuses a trial that needs more than the machine has', () => {
    expect(
      () =>
        new SubprocessRunner({
          command: ['x'],
          resources: { gpus: 2 },
          slots: new ResourceSlots({ cpus: 8, memoryMb: 1000, gpus: ['0'] }),
        }),
    ).toThrow(/SubprocessRunner: resources.gpus: each trial needs 2 GPUs, this machine has 1 \(0\)/);
  });
});
