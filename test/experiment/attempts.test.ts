/**
 * Trial attempts: the old sidecar ledger, read only (folding of its records, a torn last line, a bad
 * line), and how its states merge with the journal's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeRunnerStates, NO_ATTEMPTS, RunnerLedger } from '../../src/experiment/attempts.js';

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

describe('mergeRunnerStates', () => {
  it('continues the ledger numbering, adds retries (the ledger first) and keeps the latest metadata', () => {
    const ledger = {
      attempt: 2,
      launchedAt: 5,
      metadata: { job: '17' },
      retries: 1,
      failures: ['attempt 1: node lost'],
    };
    const journal = {
      attempt: 3,
      launchedAt: 9,
      metadata: { job: '18' },
      retries: 1,
      failures: ['attempt 3: oom'],
    };
    expect(mergeRunnerStates(journal, ledger)).toEqual({
      attempt: 3,
      launchedAt: 9,
      metadata: { job: '18' },
      retries: 2,
      failures: ['attempt 1: node lost', 'attempt 3: oom'],
    });
    // A ledger ahead of the journal gives the metadata; one side empty leaves the other as it is.
    expect(mergeRunnerStates({ attempt: 1, retries: 0 }, ledger)).toEqual({
      attempt: 2,
      launchedAt: 5,
      metadata: { job: '17' },
      retries: 1,
      failures: ['attempt 1: node lost'],
    });
    expect(mergeRunnerStates(journal, undefined)).toBe(journal);
    expect(mergeRunnerStates(journal, NO_ATTEMPTS)).toBe(journal);
    expect(mergeRunnerStates(NO_ATTEMPTS, ledger)).toBe(ledger);
  });
});
