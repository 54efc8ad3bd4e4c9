/**
 * `mobo run` as a child process under signals: Ctrl-C says what it waits for and what a second Ctrl-C
 * does, and a second one stops the trials; a dropped terminal (SIGHUP) leaves the trials of a
 * subprocess runner running for `mobo resume` to reattach to, and the journal and `mobo status` say
 * so; an in-process task that ignores its stop signal after a timeout does not keep mobo alive.
 * Every step waits for a file or a line of output, never for a length of time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeCommand } from '../../src/cli/run.js';
import { statusCommand } from '../../src/cli/status.js';
import { readJournal } from '../../src/experiment/journal.js';
import { capture } from './helpers.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const mainScript = join(repo, 'src', 'cli', 'main.ts');
const gate = fileURLToPath(new URL('../runners/fixtures/gate.mjs', import.meta.url));

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-signals-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function mobo(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, stdout: () => out, stderr: () => err, exit };
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A config whose command trials block until `<gates>/release` exists; 2 in flight, 4 trials. */
function gatedConfig(name: string): { file: string; output: string; gates: string } {
  const gates = join(root, `${name}-gates`);
  mkdirSync(gates, { recursive: true });
  const output = join(root, name);
  const file = join(root, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      parameters: [
        { name: 'x', type: 'float', bounds: [0, 1] },
        { name: 'wait', type: 'fixed', value: true },
      ],
      objectives: [{ name: 'f', minimize: true }],
      task: { command: [process.execPath, gate, gates] },
      strategy: 'sobol',
      budget: { trials: 4 },
      runner: { kind: 'subprocess', maxParallel: 2 },
      seed: 1,
      output,
    }),
  );
  return { file, output, gates };
}

function interrupts(output: string) {
  return readJournal(join(output, 'journal.jsonl'))
    .events.map((e) => e.event)
    .filter((e) => e.type === 'interrupt');
}

describe('signals during mobo run', () => {
  it('Ctrl-C says it waits and what a second Ctrl-C does; the second stops the trials for a resume', async () => {
    const { file, output, gates } = gatedConfig('sigint');
    const run = mobo(['run', file]);
    await until(
      'two trials to start',
      () => existsSync(join(gates, 'started-0.json')) && existsSync(join(gates, 'started-1.json')),
    );
    run.process.kill('SIGINT');
    await until('the first Ctrl-C message', () => run.stderr().includes('Press Ctrl-C again'));
    expect(run.stderr()).toContain(
      'Ctrl-C (SIGINT): starting no new trials; waiting for the 2 running trial(s) to finish, however long they take',
    );
    run.process.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain(
      'Ctrl-C (SIGINT) again: stopping 2 running trial(s) now; they are marked stale, and `mobo resume` re-runs them',
    );
    expect(run.stdout()).toContain(`continue with: mobo resume ${output}`);
    expect(interrupts(output)).toEqual([
      expect.objectContaining({
        signal: 'SIGINT',
        message: 'Ctrl-C (SIGINT): 2 running trial(s) stopped and marked stale; `mobo resume` re-runs them',
      }),
    ]);
    const status = capture();
    expect(statusCommand(output, {}, status)).toBe(0);
    expect(status.out.join('')).toMatch(/interrupted \S+: Ctrl-C \(SIGINT\): 2 running trial\(s\) stopped/);
    writeFileSync(join(gates, 'release'), '');
    const resumed = capture();
    expect(await resumeCommand(output, {}, resumed)).toBe(0);
    expect(resumed.out.join('')).toContain('trials: 4 completed (4 in all)');
  }, 120_000);

  it('SIGHUP leaves subprocess trials running, says so in the journal and status; resume reattaches', async () => {
    const { file, output, gates } = gatedConfig('sighup');
    const run = mobo(['run', file]);
    await until(
      'two trials to start',
      () => existsSync(join(gates, 'started-0.json')) && existsSync(join(gates, 'started-1.json')),
    );
    run.process.kill('SIGHUP');
    expect(await run.exit).toBe(130);
    expect(interrupts(output)).toEqual([
      expect.objectContaining({
        signal: 'SIGHUP',
        message:
          'the terminal closed (SIGHUP): 2 trial(s) left running in their subprocess processes; `mobo resume` reattaches to them',
      }),
    ]);
    const status = capture();
    expect(statusCommand(output, {}, status)).toBe(0);
    const text = status.out.join('');
    expect(text).toContain('trials: 2 running (2 in all)');
    expect(text).toMatch(/interrupted \S+: the terminal closed \(SIGHUP\): 2 trial\(s\) left running/);
    expect(text).toContain(`continue with: mobo resume ${output}`);
    writeFileSync(join(gates, 'release'), '');
    const resumed = capture();
    expect(await resumeCommand(output, {}, resumed)).toBe(0);
    expect(resumed.err.join('')).toContain('trial 0: reattached to attempt 1 (subprocess runner)');
    expect(resumed.out.join('')).toContain('trials: 4 completed (4 in all)');
    // The reattached trials ran once: attempt 1 is the only one.
    expect(existsSync(join(output, 'trials/0/attempt-2'))).toBe(false);
  }, 120_000);
});

describe('in-process tasks that misbehave', () => {
  it('a timed-out task that ignores its stop signal does not keep mobo alive, and mobo says so', async () => {
    const task = join(root, 'stubborn.mjs');
    writeFileSync(
      task,
      [
        'export default async function () {',
        '  // Ignores context.signal and keeps a timer alive for an hour.',
        '  await new Promise((resolve) => setTimeout(resolve, 3_600_000));',
        '  return { f: 1 };',
        '}',
      ].join('\n'),
    );
    const file = join(root, 'stubborn.json');
    writeFileSync(
      file,
      JSON.stringify({
        parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
        objectives: [{ name: 'f', minimize: true }],
        task: { module: './stubborn.mjs' },
        strategy: 'sobol',
        budget: { trials: 1 },
        runner: { kind: 'inprocess', timeoutSeconds: 1 },
        output: join(root, 'stubborn'),
      }),
    );
    const run = mobo(['run', file]);
    const code = await run.exit;
    expect(run.stderr()).toContain(
      'note: 1 in-process task(s) timed out or were cancelled but ignore their stop signal (context.signal) and still run; mobo exits without waiting for them',
    );
    expect(code).toBe(0);
    expect(run.stdout()).toContain('trials: 1 failed (1 in all)');
  }, 120_000);
});
