import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type CommandIo, formatG17, hvCommand, inferReference } from '../../src/cli/hv.js';
import { InputError, parsePointSets, parseReferencePoint, quoteToken } from '../../src/cli/point-sets.js';

function run(
  files: Record<string, string>,
  args: string[],
  options: { reference?: string; contributions?: boolean },
) {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return text;
    },
    readStdin: () => files['-'] ?? '',
  };
  const code = hvCommand(args, options, io);
  return { code, stdout, stderr };
}

/** Hypervolume of integer points by counting unit cells of the grid 0..ref-1 (independent of src/pareto). */
function cellCount(points: number[][], ref: number[]): number {
  const m = ref.length;
  let count = 0;
  const cell = new Array<number>(m).fill(0);
  const total = ref.reduce((a, b) => a * b, 1);
  for (let index = 0; index < total; index++) {
    let rest = index;
    for (let j = 0; j < m; j++) {
      cell[j] = rest % ref[j]!;
      rest = Math.floor(rest / ref[j]!);
    }
    // The unit cell [c, c+1] is dominated when some point p has p <= c in every objective.
    if (points.some((p) => p.every((v, j) => v <= cell[j]!))) count++;
  }
  return count;
}

describe('parsePointSets', () => {
  it('splits sets at blank lines and skips comments', () => {
    const sets = parsePointSets('# header\n1 2\n3 4 # trailing\n\n\n5 6\r\n# only a comment\n7 8\n', 'f.txt');
    expect(sets).toHaveLength(2);
    expect(Array.from(sets[0]!.points.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(sets[1]!.points.data)).toEqual([5, 6, 7, 8]);
    expect(sets[1]!.firstLine).toBe(6);
    expect(Array.from(sets[1]!.lines)).toEqual([6, 8]);
  });

  it('names file and line for ragged rows, non-numbers, NaN and empty input', () => {
    expect(() => parsePointSets('1 2\n3\n', 'a.txt')).toThrow(
      'a.txt:2: expected 2 values like line 1, found 1',
    );
    expect(() => parsePointSets('1 2\n3 x\n', 'a.txt')).toThrow('a.txt:2: "x" is not a number');
    expect(() => parsePointSets('1 2\n3 nan\n', 'a.txt')).toThrow('a.txt:2: NaN is not allowed');
    expect(() => parsePointSets('# nothing\n\n', 'a.txt')).toThrow('a.txt: no points found');
    expect(() => parsePointSets('1 2\n3 1e\n', 'a.txt')).toThrow(InputError);
  });

  it('reads a reference point with spaces or commas', () => {
    expect(Array.from(parseReferencePoint(' 1.1, 2 3e0 '))).toEqual([1.1, 2, 3]);
    expect(() => parseReferencePoint('1 two')).toThrow('value 2: "two" is not a number');
    expect(() => parseReferencePoint('')).toThrow('empty');
  });
});

describe('formatG17', () => {
  it('prints 17 significant digits like C %.17g', () => {
    expect(formatG17(0.1)).toBe('0.10000000000000001');
    expect(formatG17(1 / 3)).toBe('0.33333333333333331');
    expect(formatG17(3)).toBe('3');
    expect(formatG17(0)).toBe('0');
    expect(formatG17(1e-5)).toBe('1.0000000000000001e-05');
    expect(formatG17(123456789012345680)).toBe('1.2345678901234568e+17');
  });

  it('round-trips every double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Number(formatG17(x))).toBe(x === 0 ? 0 : x);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('mobo hv', () => {
  it('prints one hypervolume a set', () => {
    const r = run({ 'f.txt': '1 2\n2 1\n\n0 0\n' }, ['f.txt'], { reference: '3 3' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('3\n9\n');
  });

  it('reads standard input when no file is named', () => {
    const r = run({ '-': '0.5 0.5 0.5\n' }, [], { reference: '1 1 1' });
    expect(r.stdout).toBe('0.125\n');
  });

  it('prints exclusive contributions', () => {
    const r = run({ 'f.txt': '1 2\n2 1\n2 2\n' }, ['f.txt'], { reference: '3 3', contributions: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1\n1\n0\n');
  });

  it('infers nadir + 10% of the range and says so on stderr', () => {
    const r = run({ 'f.txt': '0 10\n10 0\n' }, ['f.txt'], {});
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nadir plus 10% of the range: 11 11');
    expect(Number(r.stdout)).toBe(11 * 11 - 10 * 10);
    expect(Array.from(inferReference(parsePointSets('2 3\n', 'x')))).toEqual([3, 4]);
  });

  it('exits 2 with a one-line message naming file and line', () => {
    const cases: [Record<string, string>, string[], { reference?: string }, string][] = [
      [{ 'a.txt': '1 2\n1 2 3\n' }, ['a.txt'], {}, 'a.txt:2: expected 2 values like line 1, found 3'],
      [{ 'a.txt': '1 2\n\n3 4 5\n' }, ['a.txt'], { reference: '9 9' }, 'a.txt:3: this set has 3 objectives'],
      [{ 'a.txt': '1 2\n' }, ['a.txt'], { reference: '9 9 9' }, 'a.txt:1: this set has 2 objectives'],
      [{ 'a.txt': '1 -inf\n' }, ['a.txt'], { reference: '9 9' }, 'a.txt:1: value 2 is -inf'],
      [{ 'a.txt': '1 NaN\n' }, ['a.txt'], {}, 'a.txt:1: NaN is not allowed'],
      [{ 'a.txt': '\n\n' }, ['a.txt'], {}, 'a.txt: no points found'],
      [{}, ['missing.txt'], {}, 'missing.txt: cannot read: no such file'],
      [{ 'a.txt': '1 2\n' }, ['a.txt'], { reference: '1 x' }, '-r: value 2: "x" is not a number'],
      [
        { 'a.txt': '1 2\n3 1e400\n' },
        ['a.txt'],
        { reference: '9 9' },
        'a.txt:2: "1e400" overflows a float64',
      ],
      [{ 'a.txt': '1 2\n-1e309 1\n' }, ['a.txt'], {}, 'a.txt:2: "-1e309" overflows a float64'],
      [{ 'a.txt': '1 2\n' }, ['a.txt'], { reference: '1e999 9' }, '-r: value 1: "1e999" overflows a float64'],
    ];
    for (const [files, args, options, message] of cases) {
      const r = run(files, args, options);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('notes on stderr a set with no point inside the reference box, and still prints 0 on stdout', () => {
    const r = run({ 'a.txt': '1 2\n2 1\n\n5 5\n9 1\n' }, ['a.txt'], { reference: '4 4' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('8\n0\n');
    expect(r.stderr).toBe(
      'mobo hv: note: a.txt:4: no point of this set is below the reference point in every objective; its hypervolume is 0\n',
    );
    const touching = run({ '-': '4 1\n' }, [], { reference: '4 4', contributions: true });
    expect(touching.stdout).toBe('0\n');
    expect(touching.stderr).toContain('<stdin>:1: no point of this set is below the reference point');
    expect(run({ 'a.txt': '1 2\n' }, ['a.txt'], { reference: '4 4' }).stderr).toBe('');
  });

  it('quotes binary input sanitized and cut short, on one line', () => {
    // Bytes as readFileSync(0, 'utf8') decodes them: controls, NUL, escape sequences, invalid UTF-8.
    const garbage = `\u0000\u0001\u001b[2J\u0007${'\ufffd'.repeat(500)}\u0002ELF`;
    const r = run({ '-': `1 2\n${garbage} 3\n` }, [], { reference: '9 9' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mobo hv: <stdin>:2: "\\x00\\x01\\x1b\[2J\\x07(\\u\{fffd\}){25}"\.\.\. \(\d+ characters\) is not a number \(binary input\?\)\n$/,
    );
    expect(r.stderr.length).toBeLessThan(300);
    // Nothing outside printable ASCII reaches the terminal.
    expect(/^[\x20-\x7e\n]*$/.test(r.stderr)).toBe(true);
    expect(quoteToken('abc')).toBe('"abc"');
    expect(quoteToken('a"b\\c\u00e9')).toBe('"a\\x22b\\x5cc\\xe9"');
  });

  it('is exact on integer fronts it has never seen, m = 2 to 5', () => {
    const point = (m: number) => fc.array(fc.integer({ min: 0, max: 4 }), { minLength: m, maxLength: m });
    for (const m of [2, 3, 4, 5]) {
      fc.assert(
        fc.property(fc.array(point(m), { minLength: 1, maxLength: 8 }), (points) => {
          const ref = new Array<number>(m).fill(5);
          const text = points.map((p) => p.join(' ')).join('\n');
          const r = run({ 'f.txt': text }, ['f.txt'], { reference: ref.join(' ') });
          expect(Number(r.stdout)).toBe(cellCount(points, ref));
        }),
        { numRuns: 40 },
      );
    }
  });
});

describe('the mobo executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mobo-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const main = join(import.meta.dirname, '../../src/cli/main.ts');
  const mobo = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', input });

  it('prints hypervolumes and exits 0, or a one-line error and exits 2', () => {
    const file = join(dir, 'front.txt');
    writeFileSync(file, '1 2\n2 1\n');
    const ok = mobo(['hv', '-r', '3 3', file]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('3\n');
    expect(ok.status).toBe(0);
    const bad = mobo(['hv', '-r', '3 3 3', file]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      `mobo hv: ${file}:1: this set has 2 objectives but the reference point (-r) has 3\n`,
    );
    const stdin = mobo(['hv', '-r', '1 1'], '0.5 0.5\n');
    expect(stdin.stdout).toBe('0.25\n');
    const usage = mobo(['hv', '--no-such-option']);
    expect(usage.status).toBe(2);
  });
});
