import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkValues, defineTask, loadTask, taskModulePath } from '../../src/runners/task.js';
import {
  outcomeFromFiles,
  parameterVariable,
  prepareTrialDirectory,
  writeExit,
} from '../../src/runners/trial-files.js';

describe('defineTask', () => {
  it('takes import.meta.url or an absolute path and gives plain JSON with the path', () => {
    const task = defineTask(pathToFileURL('/srv/a b/task.js').href, 'evaluate');
    expect(task).toEqual({ module: '/srv/a b/task.js', exportName: 'evaluate' });
    expect(JSON.parse(JSON.stringify(task))).toEqual(task);
    expect(defineTask('/srv/task.ts', 'f').module).toBe('/srv/task.ts');
  });

  it('refuses relative paths, other URL schemes and empty names, saying which', () => {
    expect(() => defineTask('./task.js', 'f')).toThrow(/task module "\.\/task\.js" is relative/);
    expect(() => defineTask('https://example.com/t.js', 'f')).toThrow(/only file: URLs and absolute paths/);
    expect(() => defineTask('/srv/t.js', '')).toThrow(
      /defineTask\(\/srv\/t\.js\): exportName must be a non-empty string/,
    );
    expect(() => taskModulePath({ module: 'rel.js', exportName: 'f' })).toThrow(/relative/);
  });

  it('loads a JavaScript module and names a missing export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mobo-task-'));
    try {
      const file = join(dir, 'task.mjs');
      writeFileSync(
        file,
        'export const evaluate = (p) => ({ y: p.x + 1 });\nexport const notAFunction = 3;\n',
      );
      const fn = await loadTask(defineTask(file, 'evaluate'));
      expect(await fn({ x: 1 }, { trialId: 1, attempt: 1, workdir: dir })).toEqual({ y: 2 });
      await expect(loadTask(defineTask(file, 'notAFunction'))).rejects.toThrow(
        /has no exported function "notAFunction" \(it exports evaluate, notAFunction; found number\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkValues', () => {
  it('accepts finite numbers and explains everything else', () => {
    expect(checkValues({ a: 1, b: -0.5 })).toEqual({ status: 'completed', values: { a: 1, b: -0.5 } });
    const reason = (raw: unknown) => {
      const o = checkValues(raw);
      expect(o).toMatchObject({ status: 'failed', transient: false });
      return o.status === 'failed' ? o.reason : '';
    };
    expect(reason(null)).toMatch(/returned null/);
    expect(reason([1, 2])).toMatch(/returned an array \(\[1,2\]\)/);
    expect(reason(42)).toMatch(/returned number \(42\), expected an object/);
    expect(reason({})).toMatch(/empty object/);
    expect(reason({ a: Number.POSITIVE_INFINITY })).toMatch(/"a" is Infinity, expected a finite number/);
    expect(reason({ a: null })).toMatch(/"a" is null/);
    expect(reason({ a: 1, b: '2' })).toMatch(/"b" is string \("2"\), expected a number/);
  });
});

describe('trial files', () => {
  it('turns parameter names into variable names', () => {
    expect(parameterVariable('thickness')).toBe('MOBO_PARAM_THICKNESS');
    expect(parameterVariable('odd name-1.x')).toBe('MOBO_PARAM_ODD_NAME_1_X');
  });

  it('prefers the result file, then the last JSON line of stdout, and clears old files on prepare', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mobo-files-')), 'trial');
    try {
      prepareTrialDirectory(dir, { x: 1 });
      expect(JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8'))).toEqual({ x: 1 });
      expect(outcomeFromFiles(dir, undefined)).toBeUndefined();
      writeFileSync(join(dir, 'stdout.txt'), 'hello\n{"f": 2}\n\n');
      expect(outcomeFromFiles(dir, undefined)).toEqual({ status: 'completed', values: { f: 2 } });
      writeFileSync(join(dir, 'result.json'), '{"f": 3}');
      expect(outcomeFromFiles(dir, { code: 0, signal: null })).toEqual({
        status: 'completed',
        values: { f: 3 },
      });
      writeFileSync(join(dir, 'result.json'), '{"f": ');
      expect(outcomeFromFiles(dir, { code: 0, signal: null })).toMatchObject({
        status: 'failed',
        reason: expect.stringMatching(/result file .*result\.json is not valid JSON/),
      });
      writeExit(dir, { code: 0, signal: null });
      prepareTrialDirectory(dir, { x: 2 });
      expect(outcomeFromFiles(dir, undefined)).toEqual({ status: 'completed', values: { f: 2 } });
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
