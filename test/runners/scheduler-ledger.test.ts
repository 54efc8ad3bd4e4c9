/** The old sidecar ledger, read only: folding of its records, a torn last line, a bad line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunnerLedger } from '../../src/runners/scheduler-ledger.js';

const root = mkdtempSync(join(tmpdir(), 'mobo-ledger-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const line = (r: object) => `${JSON.stringify(r)}\n`;

describe('RunnerLedger.read', () => {
  it('folds launch, launched and retry records per trial, and drops a torn last line', () => {
    const file = join(root, 'a.jsonl');
    writeFileSync(
      file,
      line({ type: 'launch', t: 1, id: 0, attempt: 1 }) +
        line({ type: 'launched', t: 2, id: 0, attempt: 1, metadata: { job: '17' } }) +
        line({ type: 'retry', t: 3, id: 0, attempt: 1, reason: 'node lost' }) +
        line({ type: 'launch', t: 4, id: 0, attempt: 2 }) +
        line({ type: 'launch', t: 5, id: 1, attempt: 1 }) +
        '{"type":"launched","t":6,"id":1,"att',
    );
    const ledger = RunnerLedger.read(file);
    // Attempt 2 was launched but never returned: no metadata for it.
    expect(ledger.trial(0)).toEqual({ attempt: 2, retries: 1, failures: ['attempt 1: node lost'] });
    expect(ledger.trial(1)).toEqual({ attempt: 1, retries: 0 });
    expect(ledger.trial(7)).toEqual({ attempt: 0, retries: 0 });
  });

  it('keeps the metadata of the latest attempt', () => {
    const file = join(root, 'b.jsonl');
    writeFileSync(
      file,
      line({ type: 'launch', t: 1, id: 3, attempt: 1 }) +
        line({ type: 'launched', t: 2, id: 3, attempt: 1, metadata: { pid: 42 } }),
    );
    expect(RunnerLedger.read(file).trial(3)).toEqual({
      attempt: 1,
      launchedAt: 2,
      metadata: { pid: 42 },
      retries: 0,
    });
  });

  it('names the file and line of a bad record before the last, and reads a missing file as empty', () => {
    const file = join(root, 'c.jsonl');
    writeFileSync(
      file,
      `${line({ type: 'launch', t: 1, id: 0, attempt: 1 })}not json\n${line({ type: 'retry', t: 2, id: 0, attempt: 1, reason: 'x' })}`,
    );
    expect(() => RunnerLedger.read(file)).toThrow(
      `runner ledger ${file} line 2: not a valid record: not json`,
    );
    expect(RunnerLedger.read(join(root, 'missing.jsonl')).trial(0)).toEqual({ attempt: 0, retries: 0 });
  });
});
