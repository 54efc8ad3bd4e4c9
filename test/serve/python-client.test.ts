/**
 * The Python client's own tests and the Python example workflow, against a real `mobo serve`
 * started here as a subprocess (Debian's python3; CI installs it). Skipped, with a message, where
 * there is no python3.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalRecords } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = path.join(root, 'src', 'cli', 'main.ts');
const python = process.env.MOBO_PYTHON ?? 'python3';
const hasPython = spawnSync(python, ['--version']).status === 0;
if (!hasPython && process.env.MOBO_PYTHON_TESTS === '1') {
  throw new Error(`MOBO_PYTHON_TESTS=1 but ${python} does not run`);
}
if (!hasPython) console.warn(`skipping the Python client's tests: no ${python} (set MOBO_PYTHON)`);

/** Output of a child, with a way to wait until a line matches. */
class Lines {
  text = '';
  private waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.text += chunk;
      this.waiters = this.waiters.filter((w) => {
        const m = this.text.match(w.pattern);
        if (m !== null) w.resolve(m);
        return m === null;
      });
    });
  }
  wait(pattern: RegExp): Promise<RegExpMatchArray> {
    const m = this.text.match(pattern);
    if (m !== null) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }
}

interface Serve {
  child: ChildProcess;
  url: string;
  port: number;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts `mobo serve DIR` as a subprocess and waits for the URL it prints. */
async function serve(dir: string, port = 0): Promise<Serve> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', String(port), dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = new Lines(child.stdout!);
  const err = new Lines(child.stderr!);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = await Promise.race([
    out.wait(/mobo serve: (http:\/\/127\.0\.0\.1:(\d+))/),
    exited.then((code) => {
      throw new Error(`mobo serve exited with ${code}: ${err.text}`);
    }),
  ]);
  return {
    child,
    url: started[1]!,
    port: Number(started[2]),
    exited,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function newToken(dir: string, scope: 'read' | 'write'): string {
  const made = spawnSync(process.execPath, ['--import', 'tsx', main, 'serve', '--new-token', scope, dir], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  return made.stdout.trim();
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-python-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPython)('the Python client against mobo serve', () => {
  it('passes its unittest suite (clients/python/test_mobo_client.py)', { timeout: 300_000 }, async () => {
    const write = newToken(dir, 'write');
    const read = newToken(dir, 'read');
    const server = await serve(dir);
    try {
      const run = spawn(python, ['-m', 'unittest', '-v', 'test_mobo_client'], {
        cwd: path.join(root, 'clients', 'python'),
        env: { ...process.env, MOBO_URL: server.url, MOBO_TOKEN: write, MOBO_READ_TOKEN: read },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = new Lines(run.stderr!);
      const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
      expect(code, output.text).toBe(0);
      expect(output.text).toMatch(/Ran \d+ tests/);
      expect(output.text).toMatch(/\nOK/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('runs the example workflow through a restart of the server, losing and repeating no trial', {
    timeout: 300_000,
  }, async () => {
    const trials = 24;
    let server = await serve(dir);
    const run = spawn(
      python,
      [
        path.join(root, 'examples', 'python-workflow.py'),
        '--url',
        server.url,
        '--strategy',
        'sobol',
        '--trials',
        String(trials),
        '--parallel',
        '4',
        '--delay',
        '0.05',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out = new Lines(run.stdout!);
    const err = new Lines(run.stderr!);
    const finished = new Promise<number | null>((resolve) => run.on('exit', resolve));
    try {
      // Stop the server mid-run (clean shutdown: answers in progress still go out, locks released),
      // wait until the workflow has noticed, and start it again on the same port.
      await out.wait(/(told trial \d+[\s\S]*){5}/);
      expect(await server.stop()).toBe(0);
      expect(fs.existsSync(path.join(dir, 'python-workflow', 'journal.jsonl.lock'))).toBe(false);
      await out.wait(/server unreachable/);
      server = await serve(dir, server.port);
      expect(await finished, `${out.text}\n${err.text}`).toBe(0);
    } finally {
      run.kill();
      await server.stop();
    }
    expect(out.text).toMatch(new RegExp(`done: ${trials} told, 0 failed`));
    const toldIds = [...out.text.matchAll(/told trial (\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(toldIds).size).toBe(trials);

    // The journal (after both servers) holds exactly the trials asked: each completed once.
    const records = journalRecords(dir, 'python-workflow');
    const asked = records
      .filter((r) => r.type === 'ask')
      .flatMap((r) => (r.trials as { id: number }[]).map((t) => t.id));
    const completed = records.filter((r) => r.type === 'complete').map((r) => r.id as number);
    expect(asked.sort((a, b) => a - b)).toEqual(Array.from({ length: trials }, (_, i) => i));
    expect(completed.sort((a, b) => a - b)).toEqual(Array.from({ length: trials }, (_, i) => i));
    expect(toldIds.sort((a, b) => a - b)).toEqual(completed);
  });
});
