import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/space/errors.js';
import type { ParameterConfig, Params } from '../../src/space/schema.js';
import { SearchSpace } from '../../src/space/search-space.js';

const drich: ParameterConfig[] = [
  { name: 'thickness', type: 'float', bounds: [0.5, 5] },
  { name: 'radius', type: 'float', bounds: [100, 300], log: true },
  { name: 'layers', type: 'int', bounds: [1, 8] },
  { name: 'radiator', type: 'choice', values: ['aerogel', 'gas'] },
  { name: 'grade', type: 'choice', values: [1, 2, 4], ordered: true },
  { name: 'photons', type: 'int', bounds: [1, 1000], log: true },
  { name: 'mode', type: 'fixed', value: 'sim' },
];

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('SearchSpace encoding', () => {
  const space = SearchSpace.create({ parameters: drich });

  it('lays out columns: float, log float, int grid, one-hot block, ordered choice, log int; fixed none', () => {
    expect(space.dimension).toBe(7);
    expect(space.encoded.columns.map((c) => c.kind)).toEqual([
      'continuous',
      'continuous',
      'integer',
      'onehot',
      'onehot',
      'integer',
      'continuous',
    ]);
    expect(space.encoded.columns[2]).toEqual({ kind: 'integer', parameter: 'layers', levels: 8 });
    expect(space.encoded.columns[3]).toEqual({ kind: 'onehot', parameter: 'radiator', block: [3, 4] });
    expect(space.encoded.columns[5]).toEqual({ kind: 'integer', parameter: 'grade', levels: 3 });
  });

  it('encodes by the closed forms', () => {
    const x = space.encode({
      thickness: 1.4,
      radius: 200,
      layers: 3,
      radiator: 'gas',
      grade: 4,
      photons: 10,
      mode: 'sim',
    });
    expect(x[0]).toBeCloseTo((1.4 - 0.5) / 4.5, 15);
    expect(x[1]).toBeCloseTo(Math.log(2) / Math.log(3), 15);
    expect(x[2]).toBe(2 / 7);
    expect([x[3], x[4]]).toEqual([0, 1]);
    expect(x[5]).toBe(1);
    expect(x[6]).toBeCloseTo(1 / 3, 15);
  });

  const paramsArb = fc.record({
    thickness: fc.double({ min: 0.5, max: 5, noNaN: true }),
    radius: fc.double({ min: 100, max: 300, noNaN: true }),
    layers: fc.integer({ min: 1, max: 8 }),
    radiator: fc.constantFrom('aerogel', 'gas'),
    grade: fc.constantFrom(1, 2, 4),
    photons: fc.integer({ min: 1, max: 1000 }),
  });

  it('property: decode(encode(p)) = p (discrete exactly, floats to 1e-12 relative)', () => {
    fc.assert(
      fc.property(paramsArb, (p) => {
        const x = space.encode(p);
        const copy = Float64Array.from(x);
        space.round(copy);
        expect(Array.from(copy)).toEqual(Array.from(x)); // encodings are already on the grid
        const back = space.decode(x);
        expect(back.layers).toBe(p.layers);
        expect(back.photons).toBe(p.photons);
        expect(back.radiator).toBe(p.radiator);
        expect(back.grade).toBe(p.grade);
        expect(back.mode).toBe('sim');
        expect(Math.abs((back.thickness as number) - p.thickness)).toBeLessThanOrEqual(1e-12 * p.thickness);
        expect(Math.abs((back.radius as number) - p.radius)).toBeLessThanOrEqual(1e-12 * p.radius);
      }),
      { numRuns: 300 },
    );
  });

  it('property: any point of the cube decodes to valid parameters; rounding is idempotent and decode-stable', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 }),
        (raw) => {
          const x = Float64Array.from(raw);
          const p = space.decode(x);
          expect(() => space.validate(p)).not.toThrow();
          space.round(x);
          const once = Float64Array.from(x);
          space.round(x);
          expect(Array.from(x)).toEqual(Array.from(once));
          const q = space.decode(x);
          // Rounding moves a point to the grid point it decodes to: discrete values agree.
          for (const k of ['layers', 'radiator', 'grade', 'photons'] as const) expect(q[k]).toBe(p[k]);
          // And re-encoding a rounded point gives the point back (floats up to rounding).
          const again = space.encode(q);
          for (let j = 0; j < 7; j++) expect(again[j]).toBeCloseTo(x[j]!, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('log-scaled ints snap to the nearest integer in log position (checked by brute force)', () => {
    const pos = (v: number): number => Math.log(v) / Math.log(1000);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (t) => {
        const x = new Float64Array(7);
        x[6] = t;
        space.round(x);
        const got = space.decode(x).photons as number;
        let best = 1;
        for (let v = 1; v <= 1000; v++) if (Math.abs(pos(v) - t) < Math.abs(pos(best) - t) - 1e-15) best = v;
        expect(Math.abs(pos(got) - t)).toBeCloseTo(Math.abs(pos(best) - t), 12);
      }),
      { numRuns: 100 },
    );
  });

  it('decode clamps out-of-cube values and rejects bad lengths and NaN', () => {
    const x = new Float64Array([-0.5, 2, 1.7, 0.2, 0.1, -3, 9]);
    expect(space.decode(x)).toEqual({
      thickness: 0.5,
      radius: 300,
      layers: 8,
      radiator: 'aerogel',
      grade: 1,
      photons: 1000,
      mode: 'sim',
    });
    expect(errorOf(() => space.decode([0, 0])).message).toMatch(/expected a point of length 7, got 2/);
    expect(errorOf(() => space.decode([0, Number.NaN, 0, 0, 0, 0, 0])).message).toMatch(/column 1 is NaN/);
  });
});

describe('SearchSpace.validate', () => {
  const space = SearchSpace.create({ parameters: drich });
  const good: Params = { thickness: 1, radius: 150, layers: 2, radiator: 'gas', grade: 2, photons: 7 };

  it('fills fixed parameters and accepts good input', () => {
    expect(space.validate(good)).toEqual({ ...good, mode: 'sim' });
  });

  it('names the parameter, the bad value and the expected range', () => {
    const cases: [Record<string, unknown>, RegExp, typeof TypeError | typeof RangeError][] = [
      [
        { ...good, thickness: 6 },
        /parameter "thickness": expected a number in \[0\.5, 5\], got 6/,
        RangeError,
      ],
      [{ ...good, layers: 2.5 }, /parameter "layers": expected an integer in \[1, 8\], got 2\.5/, RangeError],
      [{ ...good, layers: '2' }, /parameter "layers": expected an integer in \[1, 8\], got "2"/, TypeError],
      [
        { ...good, radiator: 'foam' },
        /parameter "radiator": expected one of "aerogel", "gas", got "foam"/,
        RangeError,
      ],
      [{ ...good, grade: '2' }, /parameter "grade": expected one of 1, 2, 4, got "2"/, RangeError],
      [{ ...good, thickness: undefined }, /parameter "thickness": missing/, TypeError],
      [{ ...good, colour: 'red' }, /unknown parameter "colour" \(parameters: thickness, radius/, TypeError],
      [{ ...good, mode: 'real' }, /parameter "mode": expected the fixed value "sim", got "real"/, RangeError],
      [
        { ...good, radius: Number.NaN },
        /parameter "radius": expected a number in \[100, 300\], got NaN/,
        RangeError,
      ],
    ];
    for (const [input, pattern, kind] of cases) {
      const e = errorOf(() => space.validate(input));
      expect(e).toBeInstanceOf(kind);
      expect(e.message).toMatch(/^SearchSpace\.validate: /);
      expect(e.message).toMatch(pattern);
    }
    expect(errorOf(() => space.validate(null)).message).toMatch(
      /expected an object of parameter values by name, got null/,
    );
    expect(errorOf(() => space.validate([1, 2])).message).toMatch(/got \[1,2\]/);
  });
});

describe('linear parameter constraints', () => {
  const parameters: ParameterConfig[] = [
    { name: 'thickness', type: 'float', bounds: [0.5, 5] },
    { name: 'radius', type: 'float', bounds: [100, 300] },
    { name: 'layers', type: 'int', bounds: [1, 8] },
    { name: 'gain', type: 'fixed', value: 2 },
    { name: 'radiator', type: 'choice', values: ['aerogel', 'gas'] },
  ];
  const constraints = [
    'thickness + 0.01 * radius <= 6',
    { terms: { layers: 1, thickness: -2 }, op: '>=' as const, bound: -3 },
    '2 * thickness + gain - layers <= 6',
  ];
  const space = SearchSpace.create({ parameters, parameterConstraints: constraints });

  it('become A x <= b over the cube exactly: same verdict as the constraints in user units', () => {
    // Independent check: evaluate the constraints in parameter units, by hand, at random points.
    const inUserUnits = (p: Params): boolean => {
      const t = p.thickness as number;
      const r = p.radius as number;
      const l = p.layers as number;
      return t + 0.01 * r <= 6 + 1e-9 && l - 2 * t >= -3 - 1e-9 && 2 * t + 2 - l <= 6 + 1e-9;
    };
    const { constraintMatrix: A, constraintBound: b } = space.encoded;
    expect(A.rows).toBe(3);
    expect(A.cols).toBe(space.dimension);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
        (raw) => {
          const x = Float64Array.from(raw);
          space.round(x);
          const p = space.decode(x);
          // Within rounding of a boundary the two slacks (1e-9 in user units, 1e-9 in cube units)
          // may disagree: such points say nothing about the encoding and are skipped.
          const t = p.thickness as number;
          const l = p.layers as number;
          const margins = [t + 0.01 * (p.radius as number) - 6, -3 - (l - 2 * t), 2 * t + 2 - l - 6];
          fc.pre(margins.every((m) => Math.abs(m) > 1e-6));
          let lhsOk = true;
          for (let i = 0; i < A.rows; i++) {
            let s = 0;
            for (let j = 0; j < A.cols; j++) s += A.data[i * A.cols + j]! * x[j]!;
            // A x vs b, compared with user-unit slack scaled to the cube.
            if (s > b[i]! + 1e-9) lhsOk = false;
          }
          expect(lhsOk).toBe(inUserUnits(p));
          expect(space.isFeasible(x)).toBe(inUserUnits(p));
        },
      ),
      { numRuns: 300 },
    );
    // Row 0 in closed form: 4.5 x_t + 2 x_r <= 6 - 0.5 - 1.
    expect(Array.from(A.data.subarray(0, 5))).toEqual([4.5, 2, 0, 0, 0]);
    expect(b[0]).toBeCloseTo(4.5, 14);
  });

  it('validate rejects points that break a constraint, naming it', () => {
    const e = errorOf(() =>
      space.validate({ thickness: 5, radius: 300, layers: 8, gain: 2, radiator: 'gas' }),
    );
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(
      /parameter constraint "thickness \+ 0\.01 \* radius <= 6" does not hold: left side 8 > 6/,
    );
  });

  const badConstraints: [unknown, RegExp][] = [
    ['thickness + width <= 3', /unknown parameter "width" \(numeric parameters: thickness, radius, layers\)/],
    ['radiator <= 1', /parameter "radiator" is a choice parameter; linear constraints take float and int/],
    [
      'thickness <= 0.1',
      /can never hold within the parameter bounds \(the smallest value of its left side is 0\.5/,
    ],
    ['thickness +* radius <= 3', /column 12: expected a number or a name, got '\*'/],
    ['gain <= 3', /involves no float or int parameter/],
    [{ terms: { thickness: 0 }, op: '<=', bound: 1 }, /names no quantity with a nonzero coefficient/],
  ];
  for (const [c, pattern] of badConstraints) {
    it(`rejects ${JSON.stringify(c)} with its path and reason`, () => {
      const e = errorOf(() =>
        SearchSpace.create({ parameters, parameterConstraints: ['thickness <= 5', c as string] }),
      );
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toMatch(/parameterConstraints\[1\]: /);
      expect(e.message).toMatch(pattern);
    });
  }

  it('rejects a log-scaled parameter in a linear constraint with a clear reason', () => {
    const e = errorOf(() =>
      SearchSpace.create({
        parameters: [
          { name: 'a', type: 'float', bounds: [1, 10], log: true },
          { name: 'b', type: 'float', bounds: [0, 1] },
        ],
        parameterConstraints: ['a + b <= 5'],
      }),
    );
    expect(e.message).toMatch(
      /parameterConstraints\[0\]: parameter constraint "a \+ b <= 5": parameter "a" is log-scaled/,
    );
  });
});

describe('SearchSpace.create errors name the path and value', () => {
  const cases: [unknown, RegExp][] = [
    [
      { parameters: [{ name: 'a', type: 'float', bounds: [1, 0] }] },
      /parameters\[0\]\.bounds\[1\]: expected an upper bound greater than the lower bound 1, got 0/,
    ],
    [
      { parameters: [{ name: 'a', type: 'float', bounds: [0, 'x'] }] },
      /parameters\[0\]\.bounds\[1\]: expected number, received string, got "x"/,
    ],
    [
      { parameters: [{ name: 'a', type: 'flot', bounds: [0, 1] }] },
      /parameters\[0\]\.type: expected one of "float" \| "int" \| "choice" \| "fixed", got "flot"/,
    ],
    [
      { parameters: [{ name: 'a', type: 'int', bounds: [0, 1.5] }] },
      /parameters\[0\]\.bounds\[1\]: expected int, received number, got 1\.5/,
    ],
    [
      { parameters: [{ name: 'a', type: 'float', bounds: [0, 1], log: true }] },
      /parameters\[0\]\.bounds\[0\]: expected a lower bound > 0 for a log-scaled parameter, got 0/,
    ],
    [
      { parameters: [{ name: 'a', type: 'choice', values: ['x', 'y', 'x'] }] },
      /parameters\[0\]\.values\[2\]: duplicate choice value "x" \(also values\[0\]\)/,
    ],
    [
      {
        parameters: [
          { name: 'a', type: 'fixed', value: 1 },
          { name: 'a', type: 'fixed', value: 2 },
        ],
      },
      /parameters\[1\]\.name: duplicate parameter name "a"/,
    ],
    [
      { parameters: [{ name: 'a', type: 'fixed', value: 1, colour: 'red' }] },
      /parameters\[0\]\.colour: unknown key/,
    ],
    [{ parameters: [] }, /parameters: Too small: expected array to have >=1 items, got \[\]/],
    [
      { parameters: [{ name: 'a', type: 'float', bounds: [0, Infinity] }] },
      /parameters\[0\]\.bounds\[1\]: .*got Infinity/,
    ],
  ];
  for (const [input, pattern] of cases) {
    it(JSON.stringify(input).slice(0, 80), () => {
      const e = errorOf(() => SearchSpace.create(input as never));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toMatch(/^SearchSpace\.create: invalid configuration:/);
      expect(e.message).toMatch(pattern);
    });
  }
});
