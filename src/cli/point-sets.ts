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

/** Parses one number token, or explains why it is not one. Infinity is allowed (an unbounded value). */
export function parseNumberToken(token: string): number | string {
  const lower = token.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return `NaN is not allowed (got "${token}")`;
  if (!NUMBER.test(token)) return `"${token}" is not a number`;
  return Number(token);
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
