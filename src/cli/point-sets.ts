/**
 * Reading point sets in the format of the multi-objective community's hv tools: whitespace-separated
 * numbers, one point a line, `#` starts a comment, and a blank line ends a set.
 */
import type { Matrix } from '../linalg/matrix.js';

/** A problem in an input file, located by file and 1-based line. */
export class InputError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${source}:${line}: ${detail}` : `${source}: ${detail}`);
    this.name = 'InputError';
  }
}

export interface PointSet {
  /** n x m */
  readonly points: Matrix;
  readonly source: string;
  /** 1-based line of the set's first point. */
  readonly firstLine: number;
  /** n: the 1-based line of each point. */
  readonly lines: Int32Array;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Longest excerpt of a bad token that an error message quotes. */
const QUOTE_MAX = 32;

/**
 * A token as an error message may quote it: printable ASCII kept, every other character escaped
 * (`\xNN`, `\u{...}`), cut to {@link QUOTE_MAX} characters, so binary input cannot garble the terminal
 * or flood the message.
 */
export function quoteToken(token: string): string {
  let out = '';
  let count = 0;
  for (const ch of token) {
    if (count === QUOTE_MAX) return `"${out}"... (${token.length} characters)`;
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c < 0x7f && ch !== '"' && ch !== '\\') out += ch;
    else if (c < 0x100) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += `\\u{${c.toString(16)}}`;
    count++;
  }
  return `"${out}"`;
}

/** Whether a token holds control characters or U+FFFD (bytes that were not UTF-8). */
function looksBinary(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}

/**
 * Parses one number token, or explains why it is not one. Infinity is allowed when written as such
 * (an unbounded value); a number too large for a float64 (`1e400`) is an error, not Infinity.
 */
export function parseNumberToken(token: string): number | string {
  const lower = token.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return `NaN is not allowed (got "${token}")`;
  if (!NUMBER.test(token)) {
    return `${quoteToken(token)} is not a number${looksBinary(token) ? ' (binary input?)' : ''}`;
  }
  const v = Number(token);
  if (!Number.isFinite(v)) {
    return `${quoteToken(token)} overflows a float64 (largest magnitude about 1.8e308); write inf for an unbounded value`;
  }
  return v;
}

/**
 * Splits `text` into point sets. Every set must be rectangular (all its points have as many values
 * as its first); an input with no point at all is an error. Throws InputError naming source and line.
 */
export function parsePointSets(text: string, source: string): PointSet[] {
  const sets: PointSet[] = [];
  let values: number[] = [];
  let rowLines: number[] = [];
  let cols = -1;
  let rows = 0;
  let firstLine = 0;
  let firstRowLine = 0;
  const close = (): void => {
    if (rows > 0) {
      sets.push({
        points: { rows, cols, data: Float64Array.from(values) },
        source,
        firstLine,
        lines: Int32Array.from(rowLines),
      });
    }
    values = [];
    rowLines = [];
    cols = -1;
    rows = 0;
  };
  const lines = text.split(/\r?\n/);
  // A final newline does not make an extra (blank) line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content === '') {
      // Only a truly blank line separates sets; a comment-only line is skipped.
      if (hash < 0) close();
      continue;
    }
    const tokens = content.split(/\s+/);
    if (cols < 0) {
      cols = tokens.length;
      firstLine = lineNo;
      firstRowLine = lineNo;
    } else if (tokens.length !== cols) {
      throw new InputError(
        source,
        lineNo,
        `expected ${cols} values like line ${firstRowLine}, found ${tokens.length}`,
      );
    }
    for (const token of tokens) {
      const v = parseNumberToken(token);
      if (typeof v === 'string') throw new InputError(source, lineNo, v);
      values.push(v);
    }
    rowLines.push(lineNo);
    rows++;
  }
  close();
  if (sets.length === 0) throw new InputError(source, 0, 'no points found (an empty set)');
  return sets;
}

/**
 * Parses a reference point given on the command line, e.g. `"1.1 1.1 1.1"` (commas allowed).
 * Throws InputError with source "-r" on a bad value.
 */
export function parseReferencePoint(text: string): Float64Array {
  const tokens = text
    .trim()
    .split(/[\s,]+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new InputError('-r', 0, 'the reference point is empty');
  const out = new Float64Array(tokens.length);
  tokens.forEach((token, j) => {
    const v = parseNumberToken(token);
    if (typeof v === 'string') throw new InputError('-r', 0, `value ${j + 1}: ${v}`);
    if (!Number.isFinite(v)) throw new InputError('-r', 0, `value ${j + 1} must be finite, got ${token}`);
    out[j] = v;
  });
  return out;
}
