import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sobolConfig } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = path.join(root, 'src', 'cli', 'main.ts');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-serve-cli-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mobo serve (the command)', () => {
  it('prints its URL, serves, and on SIGTERM stops with 0, releasing the locks', {
    timeout: 120_000,
  }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0', dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (chunk) => {
        text += String(chunk);
        const m = /^mobo serve: (http:\/\/127\.0\.0\.1:\d+) \(experiments in .*; no tokens/m.exec(text);
        if (m !== null) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    const created = await fetch(`${url}/api/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'exp', config: sobolConfig }),
    });
    expect(created.status).toBe(201);
    expect(fs.existsSync(path.join(dir, 'exp', 'journal.jsonl.lock'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopped/);
    expect(fs.existsSync(path.join(dir, 'exp', 'journal.jsonl.lock'))).toBe(false);
  });

  it('records its pid and URL in DIR/.mobo-serve.json, and mobo serve --stop DIR stops it', {
    timeout: 120_000,
  }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0', dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (chunk) => {
        text += String(chunk);
        const m = /mobo serve: (http:\/\/\S+)/.exec(text);
        if (m !== null) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`exited with ${code}`)));
    });
    const record = JSON.parse(fs.readFileSync(path.join(dir, '.mobo-serve.json'), 'utf8'));
    expect(record).toMatchObject({ pid: child.pid, url });
    // A second server for the same folder is refused (on another port).
    const second = spawnSync(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0', dir], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`already served by pid ${child.pid}`));
    const stop = spawnSync(process.execPath, ['--import', 'tsx', main, 'serve', '--stop', dir], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(new RegExp(`stopped pid ${child.pid}`));
    expect(await exited).toBe(0);
    expect(fs.existsSync(path.join(dir, '.mobo-serve.json'))).toBe(false);
    const again = spawnSync(process.execPath, ['--import', 'tsx', main, 'serve', '--stop', dir], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/no server is running/);
  });

  it('makes tokens with --new-token and refuses a bad scope or port with exit code 2', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', main, 'serve', ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const made = run('--new-token', 'read', dir);
    expect(made.status).toBe(0);
    expect(made.stdout.trim()).toMatch(/^mobo_[\w-]{43}$/);
    expect(made.stderr).toMatch(/made a read token \(shown once/);
    expect(fs.statSync(path.join(dir, '.mobo-tokens.json')).mode & 0o777).toBe(0o600);
    const scope = run('--new-token', 'admin', dir);
    expect(scope.status).toBe(2);
    expect(scope.stderr).toMatch(/'read' or 'write', got admin/);
    const port = run('--port', '99999', dir);
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/--port takes an integer from 0 to 65535, got 99999/);
  });
});
