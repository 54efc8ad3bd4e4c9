import * as z from 'zod';
import { type Matrix, zeros } from '../linalg/matrix.js';
import type { EncodedColumn, EncodedSpace } from '../strategy/generator.js';
import { formatValue, parseConfig } from './errors.js';
import {
  checkSpace,
  deepFreeze,
  type LinearConstraintInput,
  linearConstraintSchema,
  type ParameterConfig,
  type ParameterValue,
  type Params,
  parameterSchema,
  type ResolvedConstraint,
  reportIssues,
  resolveParameterConstraint,
} from './schema.js';

/** The search-space part of a configuration: parameters and linear constraints over them. */
export const spaceSchema = z
  .strictObject({
    parameters: z.array(parameterSchema).min(1),
    parameterConstraints: z.array(linearConstraintSchema).optional(),
  })
  .superRefine((v, ctx) => reportIssues(ctx, checkSpace(v.parameters, v.parameterConstraints)));

export type SpaceConfig = z.input<typeof spaceSchema>;

/**
 * How one parameter maps to its unit-cube columns. `offset` is its first column.
 * - linear: x = (v - lo) / (hi - lo) (float, and int whose levels are then evenly spaced)
 * - log: x = (ln v - ln lo) / (ln hi - ln lo) (float; int snaps to its integers' log grid)
 * - ordered: choice index k of K as k / (K - 1)
 * - onehot: K columns, exactly one 1
 */
type Codec =
  | { kind: 'linear'; name: string; offset: number; lo: number; hi: number; integer: boolean }
  | { kind: 'log'; name: string; offset: number; lo: number; hi: number; integer: boolean }
  | { kind: 'ordered'; name: string; offset: number; values: readonly ParameterValue[] }
  | { kind: 'onehot'; name: string; offset: number; values: readonly ParameterValue[] }
  | { kind: 'fixed'; name: string; value: ParameterValue };

// Relative slack on parameter constraints when validating user points: rounding in the unit-cube
// transform must not reject a point that satisfies the constraint exactly.
const CONSTRAINT_TOLERANCE = 1e-9;

function choiceIndex(values: readonly ParameterValue[], v: unknown): number {
  for (let k = 0; k < values.length; k++) if (values[k] === v) return k;
  return -1;
}

/**
 * The search space: user parameters on one side, the unit cube [0, 1]^d on the other.
 *
 * Float parameters map linearly (or logarithmically) to one column; int parameters to one column
 * on an evenly spaced grid of their levels (log-scaled ints: a continuous column snapped by `round`
 * to the log positions of their integers); ordered choices to one integer-like column; unordered
 * choices to a one-hot block; fixed parameters to none. Linear parameter constraints become
 * `A x <= b` over the cube exactly, since every constrained parameter is linear in its column.
 */
export class SearchSpace {
  /** The validated parameter declarations, in order. */
  readonly parameters: readonly ParameterConfig[];
  /** The parameter constraints in parameter units, `<=` form. */
  readonly constraints: readonly ResolvedConstraint[];
  /** What generators see: d columns, their kinds, `A x <= b`, `round`. */
  readonly encoded: EncodedSpace;
  /** d: the number of unit-cube columns. */
  readonly dimension: number;
  private readonly codecs: readonly Codec[];
  private readonly byName: ReadonlyMap<string, Codec>;

  private constructor(parameters: readonly ParameterConfig[], constraints: readonly LinearConstraintInput[]) {
    this.parameters = deepFreeze(parameters);
    const codecs: Codec[] = [];
    const columns: EncodedColumn[] = [];
    for (const p of parameters) {
      const offset = columns.length;
      if (p.type === 'float' || p.type === 'int') {
        const [lo, hi] = p.bounds;
        const integer = p.type === 'int';
        codecs.push({ kind: p.log === true ? 'log' : 'linear', name: p.name, offset, lo, hi, integer });
        columns.push(
          integer && p.log !== true
            ? { kind: 'integer', parameter: p.name, levels: hi - lo + 1 }
            : { kind: 'continuous', parameter: p.name },
        );
      } else if (p.type === 'choice') {
        if (p.ordered === true) {
          codecs.push({ kind: 'ordered', name: p.name, offset, values: p.values });
          columns.push({ kind: 'integer', parameter: p.name, levels: p.values.length });
        } else {
          codecs.push({ kind: 'onehot', name: p.name, offset, values: p.values });
          const block = p.values.map((_, k) => offset + k);
          for (let k = 0; k < p.values.length; k++)
            columns.push({ kind: 'onehot', parameter: p.name, block });
        }
      } else {
        codecs.push({ kind: 'fixed', name: p.name, value: p.value });
      }
    }
    this.codecs = codecs;
    this.byName = new Map(codecs.map((c) => [c.name, c]));
    this.dimension = columns.length;
    this.constraints = deepFreeze(constraints.map((c) => resolveParameterConstraint(c, parameters)));
    const d = this.dimension;
    const k = this.constraints.length;
    const A: Matrix = zeros(k, d);
    const b = new Float64Array(k);
    // v = lo + x (hi - lo) for every constrained column, so a.v <= c becomes
    // sum a_i (hi_i - lo_i) x_i <= c - sum a_i lo_i.
    this.constraints.forEach((c, i) => {
      let bound = c.bound;
      for (const [pname, a] of Object.entries(c.terms)) {
        const codec = this.byName.get(pname) as Extract<Codec, { kind: 'linear' }>;
        A.data[i * d + codec.offset] = a * (codec.hi - codec.lo);
        bound -= a * codec.lo;
      }
      b[i] = bound;
    });
    const round = (x: Float64Array): void => this.round(x);
    this.encoded = Object.freeze({
      dimension: d,
      columns: Object.freeze(columns),
      constraintMatrix: A,
      constraintBound: b,
      round,
    });
  }

  /**
   * Builds a space from `{ parameters, parameterConstraints? }`, validating it; throws a
   * `ConfigError` whose lines name each bad path (`parameters[2].bounds[1]`) and value.
   */
  static create(config: SpaceConfig): SearchSpace {
    const valid = parseConfig(spaceSchema, config, 'SearchSpace.create');
    return new SearchSpace(valid.parameters, valid.parameterConstraints ?? []);
  }

  /** Parameter names, in declaration order. */
  get names(): string[] {
    return this.parameters.map((p) => p.name);
  }

  /**
   * Checks user parameter values and returns them complete (fixed parameters filled in) in
   * declaration order. Throws a TypeError or RangeError naming each bad parameter, its value and
   * what was expected; unknown names are errors too.
   */
  validate(params: unknown, what = 'SearchSpace.validate'): Params {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new TypeError(
        `${what}: expected an object of parameter values by name, got ${formatValue(params)}`,
      );
    }
    const input = params as Record<string, unknown>;
    const problems: string[] = [];
    // A wrong type, a missing or an unknown name is a TypeError; a value out of range a RangeError.
    let typeProblem = false;
    for (const key of Object.keys(input)) {
      if (!this.byName.has(key)) {
        typeProblem = true;
        problems.push(`unknown parameter "${key}" (parameters: ${this.names.join(', ')})`);
      }
    }
    const out: Params = {};
    for (const p of this.parameters) {
      const v = input[p.name];
      const has = Object.hasOwn(input, p.name);
      if (p.type === 'fixed') {
        if (has && v !== p.value) {
          problems.push(
            `parameter "${p.name}": expected the fixed value ${formatValue(p.value)}, got ${formatValue(v)}`,
          );
        }
        out[p.name] = p.value;
      } else if (!has || v === undefined) {
        typeProblem = true;
        problems.push(`parameter "${p.name}": missing`);
      } else if (p.type === 'float' || p.type === 'int') {
        const [lo, hi] = p.bounds;
        const kind = p.type === 'int' ? 'an integer' : 'a number';
        if (typeof v !== 'number' || !Number.isFinite(v) || (p.type === 'int' && !Number.isInteger(v))) {
          typeProblem ||= typeof v !== 'number';
          problems.push(`parameter "${p.name}": expected ${kind} in [${lo}, ${hi}], got ${formatValue(v)}`);
        } else if (v < lo || v > hi) {
          problems.push(`parameter "${p.name}": expected ${kind} in [${lo}, ${hi}], got ${formatValue(v)}`);
        } else out[p.name] = v;
      } else if (choiceIndex(p.values, v) < 0) {
        problems.push(
          `parameter "${p.name}": expected one of ${p.values.map(formatValue).join(', ')}, got ${formatValue(v)}`,
        );
      } else out[p.name] = v as ParameterValue;
    }
    if (problems.length === 0) {
      for (const c of this.constraints) {
        let lhs = 0;
        let scale = Math.abs(c.bound);
        for (const [pname, a] of Object.entries(c.terms)) {
          const term = a * (out[pname] as number);
          lhs += term;
          scale += Math.abs(term);
        }
        if (lhs > c.bound + CONSTRAINT_TOLERANCE * (1 + scale)) {
          problems.push(`parameter constraint "${c.text}" does not hold: left side ${lhs} > ${c.bound}`);
        }
      }
    }
    if (problems.length > 0) {
      const message = `${what}: ${problems.join('; ')}`;
      throw typeProblem ? new TypeError(message) : new RangeError(message);
    }
    return out;
  }

  /** The unit-cube point (length d) of valid user parameters; validates first. */
  encode(params: unknown): Float64Array {
    const valid = this.validate(params, 'SearchSpace.encode');
    const x = new Float64Array(this.dimension);
    for (const c of this.codecs) {
      switch (c.kind) {
        case 'linear':
          x[c.offset] = ((valid[c.name] as number) - c.lo) / (c.hi - c.lo);
          break;
        case 'log':
          x[c.offset] = logPosition(c.lo, c.hi, valid[c.name] as number);
          break;
        case 'ordered':
          x[c.offset] = choiceIndex(c.values, valid[c.name]) / (c.values.length - 1);
          break;
        case 'onehot':
          x[c.offset + choiceIndex(c.values, valid[c.name])] = 1;
          break;
        case 'fixed':
          break;
      }
    }
    return x;
  }

  /**
   * The user parameters of a unit-cube point (length d). Values outside [0, 1] are clamped and
   * discrete columns rounded, so any finite point decodes to valid parameters; for points that
   * `round` leaves unchanged this is the inverse of `encode` (ints exact, floats to rounding).
   */
  decode(x: ArrayLike<number>): Params {
    if (x.length !== this.dimension) {
      throw new RangeError(
        `SearchSpace.decode: expected a point of length ${this.dimension}, got ${x.length}`,
      );
    }
    for (let j = 0; j < x.length; j++) {
      if (!Number.isFinite(x[j]!)) {
        throw new RangeError(`SearchSpace.decode: column ${j} is ${x[j]}, expected a number in [0, 1]`);
      }
    }
    const out: Params = {};
    for (const c of this.codecs) {
      switch (c.kind) {
        case 'linear': {
          const t = clamp01(x[c.offset]!);
          if (c.integer) out[c.name] = c.lo + Math.round(t * (c.hi - c.lo));
          else out[c.name] = Math.min(c.hi, Math.max(c.lo, t === 1 ? c.hi : c.lo + t * (c.hi - c.lo)));
          break;
        }
        case 'log': {
          const v = logValue(c.lo, c.hi, clamp01(x[c.offset]!));
          out[c.name] = c.integer ? nearestLogInteger(c.lo, c.hi, x[c.offset]!) : v;
          break;
        }
        case 'ordered':
          out[c.name] = c.values[Math.round(clamp01(x[c.offset]!) * (c.values.length - 1))]!;
          break;
        case 'onehot': {
          let best = 0;
          for (let k = 1; k < c.values.length; k++) if (x[c.offset + k]! > x[c.offset + best]!) best = k;
          out[c.name] = c.values[best]!;
          break;
        }
        case 'fixed':
          out[c.name] = c.value;
          break;
      }
    }
    return out;
  }

  /**
   * Moves `x` (length d) in place to the nearest point that decodes exactly: ints and ordered
   * choices onto their grid, log-scaled ints onto the log positions of their integers, one-hot
   * blocks to a single 1 at their largest entry. Float columns are left alone.
   */
  round(x: Float64Array): void {
    for (const c of this.codecs) {
      switch (c.kind) {
        case 'linear':
          if (c.integer) {
            const steps = c.hi - c.lo;
            // Same expression as encode's (v - lo) / (hi - lo), so rounded points match encodings bit for bit.
            x[c.offset] = Math.round(clamp01(x[c.offset]!) * steps) / steps;
          }
          break;
        case 'log':
          if (c.integer) x[c.offset] = logPosition(c.lo, c.hi, nearestLogInteger(c.lo, c.hi, x[c.offset]!));
          break;
        case 'ordered': {
          const steps = c.values.length - 1;
          x[c.offset] = Math.round(clamp01(x[c.offset]!) * steps) / steps;
          break;
        }
        case 'onehot': {
          let best = 0;
          for (let k = 1; k < c.values.length; k++) if (x[c.offset + k]! > x[c.offset + best]!) best = k;
          for (let k = 0; k < c.values.length; k++) x[c.offset + k] = k === best ? 1 : 0;
          break;
        }
        case 'fixed':
          break;
      }
    }
  }

  /** Whether unit-cube point `x` satisfies `A x <= b` (with a small relative tolerance). */
  isFeasible(x: ArrayLike<number>): boolean {
    const { constraintMatrix: A, constraintBound: b } = this.encoded;
    const d = this.dimension;
    for (let i = 0; i < A.rows; i++) {
      let s = 0;
      let scale = Math.abs(b[i]!);
      for (let j = 0; j < d; j++) {
        const t = A.data[i * d + j]! * x[j]!;
        s += t;
        scale += Math.abs(t);
      }
      if (s > b[i]! + CONSTRAINT_TOLERANCE * (1 + scale)) return false;
    }
    return true;
  }
}

function clamp01(t: number): number {
  return Math.min(1, Math.max(0, t));
}

function logPosition(lo: number, hi: number, v: number): number {
  if (v <= lo) return 0;
  if (v >= hi) return 1;
  const llo = Math.log(lo);
  return (Math.log(v) - llo) / (Math.log(hi) - llo);
}

function logValue(lo: number, hi: number, t: number): number {
  if (t <= 0) return lo;
  if (t >= 1) return hi;
  const llo = Math.log(lo);
  const v = Math.exp(llo + t * (Math.log(hi) - llo));
  return Math.min(hi, Math.max(lo, v));
}

/** The integer in [lo, hi] whose log position is nearest to t. */
function nearestLogInteger(lo: number, hi: number, t: number): number {
  const v = logValue(lo, hi, clamp01(t));
  const below = Math.max(lo, Math.min(hi, Math.floor(v)));
  const above = Math.max(lo, Math.min(hi, Math.ceil(v)));
  if (below === above) return below;
  const tc = clamp01(t);
  return Math.abs(logPosition(lo, hi, below) - tc) <= Math.abs(logPosition(lo, hi, above) - tc)
    ? below
    : above;
}
