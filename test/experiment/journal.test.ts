import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/experiment/journal.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { capture, deadPid, evaluate, leaveCrashedLock, mixedConfig, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

async function session(journal: string): Promise<Optimizer> {
  const opt = await Optimizer.create(mixedConfig({ journal }), { logger: capture() });
  const batch = await opt.ask(3);
  await opt.tell(batch[0]!.id, evaluate(batch[0]!.params));
  await opt.fail(batch[1]!.id, 'crashed');
  return opt;
}

describe('journal file', () => {
  it('writes a versioned header with the whole config and seed, then one event a line', async () => {
    const journal = path.join(tmp.dir, 'sub', 'run.jsonl');
    const opt = await session(journal);
    await opt.close();
    const text = fs.readFileSync(journal, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ type: 'header', format: 'mobo-journal', version: 1, seed: 7 });
    expect(records[0].config.parameters).toEqual(mixedConfig().parameters);
    expect(records[0].config.journal).toBeUndefined();
    expect(records.slice(1).map((r) => r.type)).toEqual(['ask', 'complete', 'fail']);
    expect(records[1].trials[0]).toHaveProperty('x');
    expect(records[1].generator.state).toBeDefined();
    expect(fs.existsSync(`${journal}.lock`)).toBe(false);
  });

  it('refuses to create over an existing journal', async () => {
    const journal = path.join(tmp.dir, 'run.jsonl');
    await (await session(journal)).close();
    const e = await rejection(Optimizer.create(mixedConfig({ journal })));
    expect(e.message).toMatch(/journal .*run\.jsonl already exists; continue it with Optimizer\.open/);
    expect(fs.existsSync(`${journal}.lock`)).toBe(false);
  });

  it('keeps a second writer out with a lock naming the holder', async () => {
    const journal = path.join(tmp.dir, 'run.jsonl');
    const opt = await session(journal);
    const lock = JSON.parse(fs.readFileSync(`${journal}.lock`, 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    let e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/is already open in this process \(pid \d+ on host/);
    await opt.close();
    // A live process on this host (our parent) holds it.
    fs.writeFileSync(
      `${journal}.lock`,
      JSON.stringify({ pid: process.ppid, hostname: os.hostname(), created: 'x' }),
    );
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(
      new RegExp(`locked by pid ${process.ppid} on host .* another writer is using it`),
    );
    // Another host: we cannot tell whether it lives.
    fs.writeFileSync(`${journal}.lock`, JSON.stringify({ pid: 1, hostname: 'elsewhere', created: 'x' }));
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/locked by pid 1 on host elsewhere since x; if that process is gone, delete/);
    fs.writeFileSync(`${journal}.lock`, '');
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(
      /cannot be read; if no other process is using the journal, delete the lock file/,
    );
    // A dead process's lock is taken over with a warning.
    leaveCrashedLock(journal);
    const logger = capture();
    const again = await Optimizer.open(journal, { logger });
    expect(logger.messages.join('\n')).toMatch(/taking over the lock of pid \d+ .* no longer running/);
    await again.close();
    expect(fs.existsSync(`${journal}.lock`)).toBe(false);
    expect(deadPid()).toBeGreaterThan(0);
  });

  it('keeps a second process out while the first holds the journal', async () => {
    const journal = path.join(tmp.dir, 'run.jsonl');
    const opt = await session(journal);
    const source = fileURLToPath(new URL('../../src/experiment/optimizer.ts', import.meta.url));
    const script = path.join(tmp.dir, 'second-writer.mts');
    fs.writeFileSync(
      script,
      `import { Optimizer } from ${JSON.stringify(source)};\n` +
        `try { await Optimizer.open(${JSON.stringify(journal)}); console.log('opened'); }\n` +
        'catch (e) { console.log(e.message); }\n',
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.stdout).toMatch(
      new RegExp(`locked by pid ${process.pid} on host .*another writer is using it`),
    );
    await opt.close();
  });

  it('resumes after a real SIGKILL with the same next asks as a run that never stopped', async () => {
    const journal = path.join(tmp.dir, 'killed.jsonl');
    const optimizer = fileURLToPath(new URL('../../src/experiment/optimizer.ts', import.meta.url));
    const helpers = fileURLToPath(new URL('./helpers.ts', import.meta.url));
    const script = path.join(tmp.dir, 'killed.mts');
    fs.writeFileSync(
      script,
      `import { Optimizer } from ${JSON.stringify(optimizer)};\n` +
        `import { evaluate, mixedConfig } from ${JSON.stringify(helpers)};\n` +
        `const opt = await Optimizer.create(mixedConfig({ journal: ${JSON.stringify(journal)} }));\n` +
        'for (let k = 0; k < 4; k++) {\n' +
        '  const batch = await opt.ask(3);\n' +
        '  for (const t of batch.slice(0, 2)) await opt.tell(t.id, evaluate(t.params));\n' +
        '}\n' +
        "process.kill(process.pid, 'SIGKILL');\n",
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    expect(fs.existsSync(`${journal}.lock`)).toBe(true);

    const straight = await Optimizer.create(mixedConfig(), { logger: capture() });
    for (let k = 0; k < 4; k++) {
      const batch = await straight.ask(3);
      for (const t of batch.slice(0, 2)) await straight.tell(t.id, evaluate(t.params));
    }
    const logger = capture();
    const resumed = await Optimizer.open(journal, { logger });
    expect(logger.messages.join('\n')).toMatch(/taking over the lock of pid \d+/);
    expect(resumed.trials().map((t) => t.params)).toEqual(straight.trials().map((t) => t.params));
    expect(await resumed.ask(4)).toEqual(await straight.ask(4));
    await resumed.close();
  });

  it('drops a torn last record with a warning and cuts it off so appends stay valid', async () => {
    const journal = path.join(tmp.dir, 'run.jsonl');
    const opt = await session(journal);
    const full = opt.snapshot();
    await opt.close();
    const text = fs.readFileSync(journal, 'utf8');
    const lines = text.trim().split('\n');
    const withoutLast = `${lines.slice(0, -1).join('\n')}\n`;
    // Torn: the last record without its newline and half its bytes.
    fs.writeFileSync(journal, withoutLast + lines.at(-1)!.slice(0, 20));
    const logger = capture();
    const opt2 = await Optimizer.open(journal, { logger });
    expect(logger.messages[0]).toMatch(/dropped a torn last record \(20 bytes at line 4\)/);
    expect(fs.readFileSync(journal, 'utf8')).toBe(withoutLast);
    expect(opt2.trial(1).state).toBe('running');
    await opt2.fail(1, 'crashed');
    await opt2.close();
    const after = fs.readFileSync(journal, 'utf8');
    expect(after.startsWith(withoutLast)).toBe(true);
    expect(after.endsWith('\n')).toBe(true);
    for (const line of after.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const opt3 = await Optimizer.open(journal, { logger });
    expect(opt3.trials().map((t) => t.state)).toEqual(full.trials.map((t) => t.state));
    await opt3.close();
    // Garbage after the last newline (zeros from a crash) is torn too.
    fs.appendFileSync(journal, Buffer.alloc(30));
    const opt4 = await Optimizer.open(journal, { logger });
    expect(opt4.trials()).toHaveLength(3);
    await opt4.close();
  });

  it('reports a corrupted line in the middle with file and line, and never truncates it', async () => {
    const journal = path.join(tmp.dir, 'run.jsonl');
    await (await session(journal)).close();
    const lines = fs.readFileSync(journal, 'utf8').trim().split('\n');
    lines[2] = lines[2]!.slice(0, 30);
    const corrupted = `${lines.join('\n')}\n`;
    fs.writeFileSync(journal, corrupted);
    let e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/journal .*run\.jsonl line 3: not valid JSON/);
    expect(fs.readFileSync(journal, 'utf8')).toBe(corrupted);
    expect(fs.existsSync(`${journal}.lock`)).toBe(false);
    // Valid JSON but an impossible event: telling a trial that does not exist.
    lines[2] = JSON.stringify({ type: 'complete', t: 0, id: 99, values: { f1: 1 } });
    fs.writeFileSync(journal, `${lines.join('\n')}\n`);
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/journal .*run\.jsonl line 3: no trial 99/);
    lines[2] = JSON.stringify({ type: 'teleport', t: 0 });
    fs.writeFileSync(journal, `${lines.join('\n')}\n`);
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/line 3: not a valid event/);
  });

  it('says clearly when a file is not a journal or has no header', async () => {
    const journal = path.join(tmp.dir, 'x.jsonl');
    fs.writeFileSync(journal, '{"type":"header","format":"mobo-jou');
    let e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/no complete header record/);
    fs.writeFileSync(journal, '{"hello":1}\n');
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/line 1: not a mobo journal header/);
    fs.writeFileSync(journal, '{"type":"header","format":"mobo-journal","version":9}\n');
    e = await rejection(Optimizer.open(journal));
    expect(e.message).toMatch(/line 1: format version 9, this mobo reads version 1/);
    e = await rejection(Optimizer.open(path.join(tmp.dir, 'missing.jsonl')));
    expect(e.message).toMatch(/cannot read it/);
    expect(() => readJournal(journal)).toThrow(/format version 9/);
  });
});
