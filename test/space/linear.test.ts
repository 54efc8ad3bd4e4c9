import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLinearInequality, parseLinearInequality } from '../../src/space/linear.js';

describe('parseLinearInequality', () => {
  it('parses the documented forms', () => {
    expect(parseLinearInequality('x1 + 2*x2 <= 3')).toEqual({ terms: { x1: 1, x2: 2 }, op: '<=', bound: 3 });
    expect(parseLinearInequality('thickness + 0.01 * radius <= 6')).toEqual({
      terms: { thickness: 1, radius: 0.01 },
      op: '<=',
      bound: 6,
    });
    expect(parseLinearInequality('acceptance >= 0.8')).toEqual({
      terms: { acceptance: 1 },
      op: '>=',
      bound: 0.8,
    });
  });

  it('moves names left and constants right, combining repeats', () => {
    // 2a - 3 + b >= a + 4 - 1.5e1 / 3   <=>   a + b >= 4 - 5 + 3 = 2
    expect(parseLinearInequality('2a - 3 + b >= a + 4 - 1.5e1 / 3'.replace('2a', '2*a'))).toEqual({
      terms: { a: 1, b: 1 },
      op: '>=',
      bound: 2,
    });
    expect(parseLinearInequality('-x <= -.5')).toEqual({ terms: { x: -1 }, op: '<=', bound: -0.5 });
    expect(parseLinearInequality('x*3/2 + 1E-3 ≤ y.z')).toEqual({
      terms: { x: 1.5, 'y.z': -1 },
      op: '<=',
      bound: -1e-3,
    });
    expect(parseLinearInequality('x - x + y >= 0')).toEqual({ terms: { y: 1 }, op: '>=', bound: 0 });
  });

  const bad: [string, RegExp][] = [
    ['x1 + 2*x2 < 3', /column 11: strict '<' is not supported: expected '<='/],
    ['x1 = 3', /column 4: equality constraints are not supported/],
    ['x1 + <= 3', /column 6: expected a number or a name, got '<='/],
    ['x1 * x2 <= 3', /column 6: 'x1' \* 'x2' is not linear/],
    ['x1 + 2 x2 <= 3', /column 8: expected an operator \(\+ - \* \/ <= >=\) before 'x2'/],
    ['x1 + 2*x2', /column 10: expected '<=' or '>=', got the end of the text/],
    ['x1 <= 3 <= 4', /column 9: expected '\+', '-' or the end of the text, got '<='/],
    ['x1 # 2 <= 3', /column 4: unexpected character '#'/],
    ['2x <= 1', /column 2: expected an operator after the number '2', got 'x'/],
    ['x / y <= 1', /column 5: expected a number after '\/', got the name 'y'/],
    ['x / 0 <= 1', /column 5: division by zero/],
    ['1e+ * x <= 1', /column 4: expected the digits of an exponent/],
    ['3 <= 4', /names no quantity with a nonzero coefficient/],
    ['', /column 1: expected a number or a name, got the end of the text/],
  ];
  for (const [text, pattern] of bad) {
    it(`rejects ${JSON.stringify(text)} with a located message`, () => {
      let error: unknown;
      try {
        parseLinearInequality(text, 'parameter constraint');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SyntaxError);
      const message = (error as Error).message;
      expect(message.startsWith(`parameter constraint "${text}"`)).toBe(true);
      expect(message).toMatch(pattern);
    });
  }

  it('property: random linear text parses to the coefficients it was built from', () => {
    const name = fc.constantFrom('a', 'b', 'x1', 'x_2', 'radius');
    const coefficient = fc.integer({ min: -50, max: 50 }).map((k) => k / 4);
    const term = fc.record({ name: fc.option(name, { nil: undefined }), c: coefficient, style: fc.nat(3) });
    fc.assert(
      fc.property(
        fc.array(term, { minLength: 1, maxLength: 6 }),
        fc.array(term, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (lhs, rhs, le) => {
          const render = (terms: typeof lhs): string =>
            terms
              .map((t, i) => {
                const sign = t.c < 0 ? '-' : '+';
                const mag = Math.abs(t.c);
                const body =
                  t.name === undefined
                    ? `${mag}`
                    : t.style === 0
                      ? `${mag}*${t.name}`
                      : t.style === 1
                        ? `${t.name} * ${mag}`
                        : t.style === 2
                          ? `${mag * 2} * ${t.name} / 2`
                          : `${mag}  *${t.name}`;
                return i === 0 ? `${sign === '-' ? '-' : ''}${body}` : ` ${sign} ${body}`;
              })
              .join('');
          // The independent expectation: sum the terms by hand.
          const expected = new Map<string, number>();
          let constant = 0;
          for (const [terms, s] of [
            [lhs, 1],
            [rhs, -1],
          ] as const) {
            for (const t of terms) {
              if (t.name === undefined) constant += s * t.c;
              else expected.set(t.name, (expected.get(t.name) ?? 0) + s * t.c);
            }
          }
          const nonzero = [...expected].filter(([, c]) => c !== 0);
          const text = `${render(lhs)} ${le ? '<=' : '>='} ${render(rhs)}`;
          if (nonzero.length === 0) {
            expect(() => parseLinearInequality(text)).toThrow(/names no quantity/);
            return;
          }
          const parsed = parseLinearInequality(text);
          expect(parsed.op).toBe(le ? '<=' : '>=');
          expect(parsed.bound).toBeCloseTo(-constant, 12);
          expect(Object.keys(parsed.terms).sort()).toEqual(nonzero.map(([k]) => k).sort());
          for (const [k, c] of nonzero) expect(parsed.terms[k]).toBeCloseTo(c, 12);
          // And the formatted form parses back to the same inequality.
          const again = parseLinearInequality(formatLinearInequality(parsed));
          expect(again.op).toBe(parsed.op);
          expect(again.bound).toBeCloseTo(parsed.bound, 12);
          for (const [k, c] of Object.entries(parsed.terms)) expect(again.terms[k]).toBeCloseTo(c, 12);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws anything but a SyntaxError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        try {
          parseLinearInequality(text);
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
          expect((e as Error).message.startsWith(`constraint "${text}": `)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
