/**
 * `mobo run` with a command task: examples/python-command.json drives examples/detector_sim.py
 * (Debian's python3, standard library only) on the subprocess runner, and on SLURM with resources
 * checked against what `scontrol show job` reports (with MOBO_SLURM_TESTS=1 and the cluster of
 * scripts/slurm/start.sh, which has two fake GPUs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeCommand, runCommand } from '../../src/cli/run.js';
import { readJournal } from '../../src/experiment/journal.js';
import { capture } from './helpers.js';

const example = fileURLToPath(new URL('../../examples/python-command.json', import.meta.url));
const examples = dirname(example);
const slurmEnabled = process.env.MOBO_SLURM_TESTS === '1';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mobo-cli-command-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The example config with changes, written to the test folder (task.cwd pointed back at examples/). */
// biome-ignore lint/suspicious/noExplicitAny: a config edited field by field in tests
type Config = Record<string, any>;

function variant(name: string, change: (config: Config) => void): string {
  const config = JSON.parse(readFileSync(example, 'utf8')) as Config;
  config.task.cwd = examples;
  change(config);
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The runner metadata journaled for each launched attempt. */
function launched(journal: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const { event } of readJournal(journal).events) {
    if (event.type === 'runner' && event.phase === 'launched') out.push({ ...event.metadata });
  }
  return out;
}

describe('mobo run with a command task', () => {
  it('runs the Python example on the subprocess runner, its parameters in files and variables', async () => {
    const output = join(root, 'subprocess');
    const io = capture();
    expect(await runCommand(example, { output }, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain('stopped: budget of 6 trials reached');
    expect(out).toContain('trials: 6 completed (6 in all)');
    const record = JSON.parse(readFileSync(join(output, 'mobo.json'), 'utf8'));
    expect(record.config.task).toEqual({
      command: ['python3', 'detector_sim.py', '--seed', '{trial}'],
      env: { PYTHONDONTWRITEBYTECODE: '1' },
      cwd: examples,
    });
    // {trial} reached the script as an argument; the trial's own folder holds what it wrote.
    for (let id = 0; id < 6; id++) {
      const log = readFileSync(join(output, `trials/${id}/attempt-1/log.txt`), 'utf8');
      expect(log).toBe(`seed ${id} cpus - gpus -\n`);
    }
    const { trials } = (await import('../../src/cli/status.js')).readExperiment(
      join(output, 'journal.jsonl'),
    );
    expect(trials.every((t) => t.state === 'completed')).toBe(true);
  }, 120_000);

  it('refuses, before anything runs, command tasks on function runners and trials larger than the machine', async () => {
    const pool = variant('pool', (c) => {
      c.runner = { kind: 'pool' };
    });
    let io = capture();
    expect(await runCommand(pool, { output: join(root, 'pool') }, io)).toBe(2);
    expect(io.err.join('')).toContain(
      'runner.kind: the pool runner calls JavaScript functions; a command task needs kind "subprocess", "slurm" or "queue"',
    );
    const huge = variant('huge', (c) => {
      c.runner.resources = { cpus: 100_000, gpus: 2 };
      c.runner.devices = { gpus: ['0'] };
    });
    io = capture();
    expect(await runCommand(huge, { output: join(root, 'huge') }, io)).toBe(2);
    const err = io.err.join('');
    expect(err).toMatch(/runner\.resources\.cpus: each trial needs 100000 CPUs, this machine has \d+/);
    expect(err).toContain('runner.resources.gpus: each trial needs 2 GPUs, this machine has 1 (0)');
    expect(existsSync(join(root, 'huge', 'journal.jsonl'))).toBe(false);
    const typo = variant('typo', (c) => {
      c.task.command = ['python3', 'detector_sim.py', '--seed', '{trail}'];
    });
    io = capture();
    expect(await runCommand(typo, { output: join(root, 'typo') }, io)).toBe(2);
    expect(io.err.join('')).toContain('task.command[3]: unknown placeholder {trail}');
  });

  it('gives a local trial its configured GPUs in CUDA_VISIBLE_DEVICES, one trial per device pair', async () => {
    const output = join(root, 'gpus');
    const file = variant('gpus', (c) => {
      c.budget = { trials: 3 };
      c.runner = {
        kind: 'subprocess',
        maxParallel: 3,
        resources: { gpus: 2 },
        devices: { gpus: ['0', '1'] },
      };
    });
    const io = capture();
    expect(await runCommand(file, { output }, io)).toBe(0);
    for (let id = 0; id < 3; id++) {
      expect(readFileSync(join(output, `trials/${id}/attempt-1/log.txt`), 'utf8')).toBe(
        `seed ${id} cpus - gpus 0,1\n`,
      );
    }
  }, 120_000);
});

if (!slurmEnabled) {
  describe('mobo run with a command task on SLURM', () => {
    it.skip('skipped: start one with scripts/slurm/start.sh and set MOBO_SLURM_TESTS=1', () => {});
  });
} else {
  describe('mobo run with a command task on SLURM', () => {
    it('runs the Python example as SLURM jobs that carry the resources', async () => {
      const output = join(root, 'slurm');
      const file = variant('slurm', (c) => {
        c.budget = { trials: 4 };
        c.runner = {
          kind: 'slurm',
          maxParallel: 2,
          pollInterval: 200,
          resources: { cpus: 1, memoryMb: 200, gpus: 1, timeLimitMinutes: 5 },
        };
      });
      const io = capture();
      expect(await runCommand(file, { output }, io)).toBe(0);
      expect(io.out.join('')).toContain('trials: 4 completed (4 in all)');
      const metadata = launched(join(output, 'journal.jsonl'));
      expect(metadata.length).toBe(4);
      for (let id = 0; id < 4; id++) {
        const log = readFileSync(join(output, `trials/${id}/attempt-1/log.txt`), 'utf8');
        // SLURM itself set the CPUs and picked one of the node's two GPUs.
        expect(log).toMatch(new RegExp(`^seed ${id} cpus 1 gpus [01]\\n$`));
      }
      // What the cluster recorded for each array task (kept for MinJobAge after it ended).
      for (const m of metadata) {
        const shown = execFileSync('scontrol', ['show', 'job', `${m.jobId}_${m.arrayIndex}`], {
          encoding: 'utf8',
        });
        expect(shown).toMatch(/CPUs\/Task=1\b/);
        expect(shown).toMatch(/MinMemoryNode=200M\b/);
        expect(shown).toMatch(/TresPerNode=gres:gpu:1\b/);
        expect(shown).toMatch(/TimeLimit=00:05:00\b/);
      }
      // A resume of the finished experiment has nothing left to run and says so.
      const again = capture();
      expect(await resumeCommand(output, {}, again)).toBe(0);
      expect(again.out.join('')).toContain('trials: 4 completed (4 in all)');
    }, 180_000);
  });
}
