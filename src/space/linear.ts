/**
 * Linear inequalities written as text (`"x1 + 2*x2 <= 3"`, `"acceptance >= 0.8"`) or as plain
 * objects (`{ terms: { x1: 1, x2: 2 }, op: '<=', bound: 3 }`), parsed by a small hand-written
 * tokenizer and recursive-descent parser so that every error names the constraint, the column and
 * what was expected.
 *
 * Grammar (whitespace between tokens is ignored):
 *
 * ```
 * inequality := sum ('<=' | '>=' | '≤' | '≥') sum
 * sum        := ['+' | '-'] product (('+' | '-') product)*
 * product    := factor (('*' | '/') factor)*      at most one name per product; divide by numbers only
 * factor     := number | name
 * number     := digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]   (also '.5')
 * name       := [A-Za-z_] [A-Za-z0-9_.]*
 * ```
 *
 * Both sides may hold names and constants; the result moves every name to the left and every
 * constant to the right.
 */

/** A linear inequality `sum_k terms[k] * value(k)  op  bound`, with names as keys. */
export interface LinearInequality {
  readonly terms: Readonly<Record<string, number>>;
  readonly op: '<=' | '>=';
  readonly bound: number;
}

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly column: number; readonly text: string }
  | { readonly kind: 'name'; readonly value: string; readonly column: number; readonly text: string }
  | {
      readonly kind: 'symbol';
      readonly value: '+' | '-' | '*' | '/' | '<=' | '>=';
      readonly column: number;
      readonly text: string;
    }
  | { readonly kind: 'end'; readonly column: number; readonly text: string };

function fail(what: string, text: string, column: number, message: string): never {
  throw new SyntaxError(`${what} "${text}": at column ${column}: ${message}`);
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the text' : `'${token.text}'`;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNamePart = (c: string): boolean => isNameStart(c) || isDigit(c) || c === '.';

function tokenize(text: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const column = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (isDigit(c) || (c === '.' && i + 1 < text.length && isDigit(text[i + 1]!))) {
      let j = i;
      while (j < text.length && isDigit(text[j]!)) j++;
      if (text[j] === '.') {
        j++;
        while (j < text.length && isDigit(text[j]!)) j++;
      }
      if (text[j] === 'e' || text[j] === 'E') {
        let k = j + 1;
        if (text[k] === '+' || text[k] === '-') k++;
        if (k >= text.length || !isDigit(text[k]!)) {
          fail(what, text, k + 1, `expected the digits of an exponent after '${text.slice(i, k)}'`);
        }
        while (k < text.length && isDigit(text[k]!)) k++;
        j = k;
      }
      if (j < text.length && isNameStart(text[j]!)) {
        fail(
          what,
          text,
          j + 1,
          `expected an operator after the number '${text.slice(i, j)}', got '${text[j]}'`,
        );
      }
      const raw = text.slice(i, j);
      tokens.push({ kind: 'number', value: Number(raw), column, text: raw });
      i = j;
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < text.length && isNamePart(text[j]!)) j++;
      const raw = text.slice(i, j);
      tokens.push({ kind: 'name', value: raw, column, text: raw });
      i = j;
    } else if (c === '+' || c === '-' || c === '*' || c === '/') {
      tokens.push({ kind: 'symbol', value: c, column, text: c });
      i++;
    } else if (c === '<' || c === '>') {
      if (text[i + 1] !== '=') {
        fail(what, text, column, `strict '${c}' is not supported: expected '${c}='`);
      }
      tokens.push({ kind: 'symbol', value: c === '<' ? '<=' : '>=', column, text: `${c}=` });
      i += 2;
    } else if (c === '≤' || c === '≥') {
      tokens.push({ kind: 'symbol', value: c === '≤' ? '<=' : '>=', column, text: c });
      i++;
    } else if (c === '=') {
      fail(what, text, column, "equality constraints are not supported: expected '<=' or '>='");
    } else {
      fail(
        what,
        text,
        column,
        `unexpected character '${c}': expected a number, a name or one of + - * / <= >=`,
      );
    }
  }
  tokens.push({ kind: 'end', column: text.length + 1, text: '' });
  return tokens;
}

/**
 * Parses `text` into a linear inequality. `what` starts every error message
 * (`'parameter constraint'`, `'outcome constraint'`). Throws a `SyntaxError` naming the text, the
 * 1-based column and what was expected.
 */
export function parseLinearInequality(text: string, what = 'constraint'): LinearInequality {
  if (typeof text !== 'string') {
    throw new TypeError(`${what}: expected a string like "x1 + 2*x2 <= 3", got ${String(text)}`);
  }
  const tokens = tokenize(text, what);
  let pos = 0;
  const terms = new Map<string, number>();
  let constant = 0;

  // Parses one side, adding sign * (its terms) into `terms` and `constant`.
  const parseSum = (sign: number): void => {
    let first = true;
    for (;;) {
      let termSign = 1;
      const t = tokens[pos]!;
      if (t.kind === 'symbol' && (t.value === '+' || t.value === '-')) {
        termSign = t.value === '-' ? -1 : 1;
        pos++;
      } else if (!first) {
        return;
      }
      first = false;
      let coefficient = termSign * sign;
      let name: string | undefined;
      let nameColumn = 0;
      let expectFactor = true;
      let divide = false;
      for (;;) {
        const f = tokens[pos]!;
        if (expectFactor) {
          if (f.kind === 'number') {
            coefficient = divide ? coefficient / f.value : coefficient * f.value;
            if (divide && f.value === 0) fail(what, text, f.column, 'division by zero');
          } else if (f.kind === 'name') {
            if (divide) fail(what, text, f.column, `expected a number after '/', got the name '${f.value}'`);
            if (name !== undefined) {
              fail(
                what,
                text,
                f.column,
                `'${name}' * '${f.value}' is not linear: expected at most one name per term`,
              );
            }
            name = f.value;
            nameColumn = f.column;
          } else {
            fail(what, text, f.column, `expected a number or a name, got ${describe(f)}`);
          }
          pos++;
          expectFactor = false;
        } else if (f.kind === 'symbol' && (f.value === '*' || f.value === '/')) {
          divide = f.value === '/';
          pos++;
          expectFactor = true;
        } else if (f.kind === 'number' || f.kind === 'name') {
          fail(what, text, f.column, `expected an operator (+ - * / <= >=) before ${describe(f)}`);
        } else {
          break;
        }
      }
      if (!Number.isFinite(coefficient)) {
        fail(what, text, nameColumn || tokens[pos - 1]!.column, 'a coefficient is not a finite number');
      }
      if (name === undefined) constant += coefficient;
      else terms.set(name, (terms.get(name) ?? 0) + coefficient);
    }
  };

  parseSum(1);
  const opToken = tokens[pos]!;
  if (opToken.kind !== 'symbol' || (opToken.value !== '<=' && opToken.value !== '>=')) {
    fail(what, text, opToken.column, `expected '<=' or '>=', got ${describe(opToken)}`);
  }
  const op = opToken.value;
  pos++;
  parseSum(-1);
  const last = tokens[pos]!;
  if (last.kind !== 'end') {
    fail(what, text, last.column, `expected '+', '-' or the end of the text, got ${describe(last)}`);
  }
  const out: Record<string, number> = {};
  for (const [name, c] of terms) if (c !== 0) out[name] = c;
  if (Object.keys(out).length === 0) {
    throw new SyntaxError(`${what} "${text}": names no quantity with a nonzero coefficient`);
  }
  return { terms: out, op, bound: 0 - constant };
}

/** Renders an inequality back as text, e.g. `x1 + 2*x2 <= 3` (for messages and reports). */
export function formatLinearInequality(c: LinearInequality): string {
  let s = '';
  for (const [name, coefficient] of Object.entries(c.terms)) {
    const magnitude = Math.abs(coefficient);
    const sign = coefficient < 0 ? '-' : '+';
    s += s === '' ? (sign === '-' ? '-' : '') : ` ${sign} `;
    s += magnitude === 1 ? name : `${magnitude}*${name}`;
  }
  return `${s} ${c.op} ${c.bound}`;
}
