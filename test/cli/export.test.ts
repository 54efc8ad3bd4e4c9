/**
 * `mobo export`: CSV read back by an independent RFC 4180 parser and JSON equal the trials the
 * Optimizer holds, with awkward reasons (comma, quote, line break), every state and the timings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, type ExportTable, exportCommand } from '../../src/cli/export.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import type { Trial } from '../../src/experiment/trial.js';
import { capture } from './helpers.js';

/** RFC 4180, written out: fields split on commas outside quotes, "" inside quotes is one quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

const REASON = 'solver diverged, "badly"\nat step 3';

describe('mobo export', () => {
  let root = '';
  let trials: Trial[] = [];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mobo-export-test-'));
    const opt = await Optimizer.create(
      {
        journal: join(root, 'journal.jsonl'),
        parameters: [
          { name: 'width', type: 'float', bounds: [0.5, 2] },
          { name: 'layers', type: 'int', bounds: [1, 9] },
          { name: 'gas', type: 'choice', values: ['argon', 'xenon, heavy'] },
        ],
        objectives: [
          { name: 'resolution', minimize: true },
          { name: 'efficiency', minimize: false },
        ],
        outcomeConstraints: ['cost <= 10'],
        strategy: 'sobol',
        seed: 4,
      },
      { logger: { warn: () => {} } },
    );
    const asked = await opt.ask(4);
    await opt.tell(asked[0]!.id, { resolution: 0.25, efficiency: 0.9, cost: 3 });
    await opt.fail(asked[1]!.id, REASON);
    await opt.abandon(asked[2]!.id, 'out of time');
    // asked[3] stays running; one attached from elsewhere.
    await opt.attach(
      { width: 1, layers: 3, gas: 'xenon, heavy' },
      { resolution: 0.5, efficiency: 0.7, cost: 12 },
    );
    trials = opt.trials();
    await opt.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes one CSV row per trial, quoted so that a standard parser reads every value back', () => {
    const io = capture();
    expect(exportCommand(root, { format: 'csv' }, io)).toBe(0);
    const text = io.out.join('');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      'id',
      'state',
      'width',
      'layers',
      'gas',
      'resolution',
      'efficiency',
      'cost',
      'asked',
      'started',
      'finished',
      'reason',
      'generator',
    ]);
    expect(rows).toHaveLength(1 + trials.length);
    expect(rows.map((r) => r.length)).toEqual(rows.map(() => 13));
    for (const t of trials) {
      const r = rows[1 + t.id]!;
      expect(r[0]).toBe(String(t.id));
      expect(r[1]).toBe(t.state);
      expect(Number(r[2])).toBe(t.params.width);
      expect(Number(r[3])).toBe(t.params.layers);
      expect(r[4]).toBe(t.params.gas);
      for (const [k, name] of [
        [5, 'resolution'],
        [6, 'efficiency'],
        [7, 'cost'],
      ] as const) {
        expect(r[k]).toBe(t.values?.[name] === undefined ? '' : String(t.values[name]));
      }
      expect(Date.parse(r[8]!)).toBe(t.createdAt);
      expect(r[9]).toBe(t.startedAt === undefined ? '' : new Date(t.startedAt).toISOString());
      expect(r[10]).toBe(t.endedAt === undefined ? '' : new Date(t.endedAt).toISOString());
      expect(r[11]).toBe(t.reason ?? '');
      expect(r[12]).toBe(t.source === 'attach' ? 'attached' : 'sobol');
    }
    expect(rows.slice(1).map((r) => r[1])).toEqual([
      'completed',
      'failed',
      'abandoned',
      'running',
      'completed',
    ]);
    expect(rows[2]![11]).toBe(REASON);
    // Parameter values round-trip exactly: full precision, not the report's 6 digits.
    expect(text).toContain(String(trials[0]!.params.width));
  });

  it('writes JSON with the same trials, to a file with --out', () => {
    const io = capture();
    const out = join(root, 'out', 'trials.json');
    expect(exportCommand(join(root, 'journal.jsonl'), { format: 'json', out }, io)).toBe(0);
    expect(io.out).toEqual([]);
    expect(io.err.join('')).toBe(`mobo export: wrote 5 trials to ${out}\n`);
    const table = JSON.parse(readFileSync(out, 'utf8')) as ExportTable;
    expect(table.parameters).toEqual(['width', 'layers', 'gas']);
    expect(table.objectives).toEqual(['resolution', 'efficiency']);
    expect(table.metrics).toEqual(['cost']);
    expect(table.trials[0]).toMatchObject({
      id: 0,
      state: 'completed',
      objectives: { resolution: 0.25, efficiency: 0.9 },
      metrics: { cost: 3 },
      generator: 'sobol',
    });
    expect(table.trials[1]).toMatchObject({ state: 'failed', reason: REASON, objectives: {} });
    expect(table.trials[3]!.finished).toBeUndefined();
    expect(table.trials[4]).toMatchObject({ generator: 'attached', params: { gas: 'xenon, heavy' } });
  });

  it('refuses an unknown format and a folder without a journal, with exit code 2', () => {
    const io = capture();
    expect(exportCommand(root, { format: 'xlsx' }, io)).toBe(2);
    expect(io.err.join('')).toBe('mobo export: --format is "xlsx", expected csv or json\n');
    const empty = mkdtempSync(join(tmpdir(), 'mobo-export-empty-'));
    const io2 = capture();
    expect(exportCommand(empty, {}, io2)).toBe(2);
    expect(io2.err.join('')).toMatch(/no experiment journal in this folder/);
    rmSync(empty, { recursive: true });
  });

  it('quotes exactly the fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(1.5e-9)).toBe('1.5e-9');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(false)).toBe('false');
  });
});
