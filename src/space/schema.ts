import * as z from 'zod';
import { formatValue } from './errors.js';
import { type LinearInequality, parseLinearInequality } from './linear.js';

const finite = z.number().describe('a finite number');
const name = z.string().min(1).describe('a non-empty name');
const choiceValue = z.union([z.string(), finite, z.boolean()]);

export const floatParameterSchema = z
  .strictObject({
    name,
    type: z.literal('float'),
    bounds: z.tuple([finite, finite]).describe('[lower, upper], lower < upper'),
    log: z.boolean().optional().describe('search on a log scale (needs lower > 0); default false'),
  })
  .describe('A real parameter in [lower, upper].');

export const intParameterSchema = z
  .strictObject({
    name,
    type: z.literal('int'),
    bounds: z.tuple([z.number().int(), z.number().int()]).describe('[lower, upper], integers, lower < upper'),
    log: z.boolean().optional().describe('search on a log scale (needs lower > 0); default false'),
  })
  .describe('An integer parameter in [lower, upper].');

export const choiceParameterSchema = z
  .strictObject({
    name,
    type: z.literal('choice'),
    values: z.array(choiceValue).min(2).describe('at least two distinct values'),
    ordered: z
      .boolean()
      .optional()
      .describe('true: the values have an order (one integer-like column); default false (one-hot)'),
  })
  .describe('One of a list of values.');

export const fixedParameterSchema = z
  .strictObject({ name, type: z.literal('fixed'), value: choiceValue })
  .describe('A parameter that always takes one value.');

export const parameterSchema = z.discriminatedUnion('type', [
  floatParameterSchema,
  intParameterSchema,
  choiceParameterSchema,
  fixedParameterSchema,
]);

export const linearConstraintSchema = z.union([
  z.string().describe('a linear inequality such as "x1 + 2*x2 <= 3"'),
  z.strictObject({
    terms: z.record(z.string(), finite).describe('coefficient of each name'),
    op: z.enum(['<=', '>=']),
    bound: finite,
  }),
]);

export const objectiveSchema = z.strictObject({
  name,
  minimize: z.boolean().describe('true to minimize, false to maximize'),
  threshold: finite
    .optional()
    .describe('the worst value still of interest; with every objective given one, the reference point'),
});

export type FloatParameter = z.infer<typeof floatParameterSchema>;
export type IntParameter = z.infer<typeof intParameterSchema>;
export type ChoiceParameter = z.infer<typeof choiceParameterSchema>;
export type FixedParameter = z.infer<typeof fixedParameterSchema>;
export type ParameterConfig = z.infer<typeof parameterSchema>;
/** A linear inequality as text (`"x1 + 2*x2 <= 3"`) or as an object. */
export type LinearConstraintInput = z.infer<typeof linearConstraintSchema>;
export type ObjectiveConfig = z.infer<typeof objectiveSchema>;
/** A parameter's value: a number for float and int, any choice value for choice and fixed. */
export type ParameterValue = string | number | boolean;
/** Parameter values by name, as the user speaks them. */
export type Params = Record<string, ParameterValue>;

/** A problem found by a semantic check, with a path relative to the configuration root. */
export interface SemanticIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * A parameter constraint resolved against the parameters: only float and int names, fixed
 * numeric parameters folded into the bound, always in `<=` form. `text` is the user's form.
 */
export interface ResolvedConstraint {
  readonly text: string;
  readonly terms: Readonly<Record<string, number>>;
  readonly bound: number;
}

/** Freezes `value` and everything reachable from it (plain objects and arrays); returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Parses text or checks the object form; throws with a message naming the constraint. */
export function toInequality(input: LinearConstraintInput, what: string): LinearInequality {
  if (typeof input === 'string') return parseLinearInequality(input, what);
  const terms: Record<string, number> = {};
  for (const [k, v] of Object.entries(input.terms)) if (v !== 0) terms[k] = v;
  if (Object.keys(terms).length === 0) {
    throw new RangeError(`${what} ${formatValue(input)}: names no quantity with a nonzero coefficient`);
  }
  return { terms, op: input.op, bound: input.bound };
}

/**
 * Names that every plain JavaScript object already has (`__proto__`, `constructor`, `toString`, ...):
 * as a key of a parameters or values object such a name is lost or shadowed, so no parameter or
 * metric may be called so.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Why a parameter or metric name is refused (see RESERVED_NAMES), or undefined when it is fine. */
export function reservedNameProblem(name: string, what: 'parameter' | 'metric'): string | undefined {
  if (!RESERVED_NAMES.has(name)) return undefined;
  return `${what} name "${name}" is a property every JavaScript object has (reserved: ${[...RESERVED_NAMES].join(', ')}); choose another name`;
}

/**
 * The environment variable that carries a parameter to a command task: `MOBO_PARAM_` and the name in
 * upper case, every character other than A-Z, 0-9 and _ written as _ (`beam-energy` and
 * `beam_energy` both give MOBO_PARAM_BEAM_ENERGY, so a search space may not hold both).
 */
export function parameterVariable(name: string): string {
  return `MOBO_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** The parameter issues that a schema cannot express: bound order, log domain, unique values. */
export function checkParameters(parameters: readonly ParameterConfig[]): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const seen = new Map<string, number>();
  const variables = new Map<string, number>();
  parameters.forEach((p, i) => {
    const first = seen.get(p.name);
    if (first !== undefined) {
      issues.push({
        path: ['parameters', i, 'name'],
        message: `duplicate parameter name "${p.name}" (also parameters[${first}])`,
      });
    } else {
      seen.set(p.name, i);
      const reserved = reservedNameProblem(p.name, 'parameter');
      if (reserved !== undefined) issues.push({ path: ['parameters', i, 'name'], message: reserved });
      const variable = parameterVariable(p.name);
      const clash = variables.get(variable);
      if (clash !== undefined) {
        issues.push({
          path: ['parameters', i, 'name'],
          message: `parameters "${parameters[clash]!.name}" (parameters[${clash}]) and "${p.name}" would share the environment variable ${variable} that command tasks read; rename one`,
        });
      } else variables.set(variable, i);
    }
    if (p.type === 'float' || p.type === 'int') {
      const [lo, hi] = p.bounds;
      if (!(hi > lo)) {
        issues.push({
          path: ['parameters', i, 'bounds', 1],
          message: `expected an upper bound greater than the lower bound ${lo}, got ${hi} (use type 'fixed' for a constant)`,
        });
      }
      if (p.log === true && !(lo > 0)) {
        issues.push({
          path: ['parameters', i, 'bounds', 0],
          message: `expected a lower bound > 0 for a log-scaled parameter, got ${lo}`,
        });
      }
    } else if (p.type === 'choice') {
      const keys = new Map<string, number>();
      p.values.forEach((v, j) => {
        const key = `${typeof v}:${String(v)}`;
        const at = keys.get(key);
        if (at !== undefined) {
          issues.push({
            path: ['parameters', i, 'values', j],
            message: `duplicate choice value ${formatValue(v)} (also values[${at}])`,
          });
        } else keys.set(key, j);
      });
    }
  });
  return issues;
}

/**
 * Resolves parameter constraint `index` against `parameters` (assumed valid). Throws an Error whose
 * message says what is wrong (unknown or non-numeric or log-scaled parameter, impossible bound).
 */
export function resolveParameterConstraint(
  input: LinearConstraintInput,
  parameters: readonly ParameterConfig[],
): ResolvedConstraint {
  const text = typeof input === 'string' ? input : formatValue(input);
  const inequality = toInequality(input, 'parameter constraint');
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const sign = inequality.op === '<=' ? 1 : -1;
  let bound = sign * inequality.bound;
  const terms: Record<string, number> = {};
  const numeric = parameters
    .filter((p) => p.type === 'float' || p.type === 'int')
    .map((p) => p.name)
    .join(', ');
  for (const [pname, coefficient] of Object.entries(inequality.terms)) {
    const p = byName.get(pname);
    const a = sign * coefficient;
    if (p === undefined) {
      throw new RangeError(
        `parameter constraint "${text}": unknown parameter "${pname}" (numeric parameters: ${numeric || 'none'})`,
      );
    }
    if (p.type === 'fixed' && typeof p.value === 'number') {
      bound -= a * p.value;
    } else if (p.type === 'float' || p.type === 'int') {
      if (p.log === true) {
        throw new RangeError(
          `parameter constraint "${text}": parameter "${pname}" is log-scaled, and a linear constraint on it ` +
            'is not linear in the search space: drop log: true or the constraint',
        );
      }
      terms[pname] = a;
    } else {
      throw new RangeError(
        `parameter constraint "${text}": parameter "${pname}" is a ${p.type} parameter; linear constraints ` +
          `take float and int parameters only (numeric parameters: ${numeric || 'none'})`,
      );
    }
  }
  if (Object.keys(terms).length === 0) {
    throw new RangeError(`parameter constraint "${text}": involves no float or int parameter`);
  }
  // The least value the left side can take over the box: if even that exceeds the bound, no point fits.
  let least = 0;
  let scale = Math.abs(bound);
  for (const [pname, a] of Object.entries(terms)) {
    const p = byName.get(pname) as FloatParameter | IntParameter;
    const v = a > 0 ? p.bounds[0] : p.bounds[1];
    least += a * v;
    scale += Math.abs(a * v);
  }
  if (least > bound + 1e-12 * (1 + scale)) {
    throw new RangeError(
      `parameter constraint "${text}": can never hold within the parameter bounds ` +
        `(the smallest value of its left side is ${least}, above the bound ${bound})`,
    );
  }
  return { text, terms, bound };
}

/** Semantic issues of parameters and their constraints, with paths relative to the config root. */
export function checkSpace(
  parameters: readonly ParameterConfig[],
  constraints: readonly LinearConstraintInput[] | undefined,
): SemanticIssue[] {
  const issues = checkParameters(parameters);
  if (issues.length > 0 || constraints === undefined) return issues;
  constraints.forEach((c, i) => {
    try {
      resolveParameterConstraint(c, parameters);
    } catch (e) {
      issues.push({ path: ['parameterConstraints', i], message: (e as Error).message });
    }
  });
  return issues;
}

/** Semantic issues of objectives and outcome constraints (unique names, parsable constraints). */
export function checkOutcomes(
  objectives: readonly ObjectiveConfig[],
  outcomeConstraints: readonly LinearConstraintInput[] | undefined,
): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const seen = new Map<string, number>();
  objectives.forEach((o, i) => {
    const first = seen.get(o.name);
    if (first !== undefined) {
      issues.push({
        path: ['objectives', i, 'name'],
        message: `duplicate objective name "${o.name}" (also objectives[${first}])`,
      });
    } else seen.set(o.name, i);
    const reserved = reservedNameProblem(o.name, 'metric');
    if (reserved !== undefined) issues.push({ path: ['objectives', i, 'name'], message: reserved });
  });
  outcomeConstraints?.forEach((c, i) => {
    try {
      const inequality = toInequality(c, 'outcome constraint');
      for (const metric of Object.keys(inequality.terms)) {
        const reserved = reservedNameProblem(metric, 'metric');
        if (reserved !== undefined) issues.push({ path: ['outcomeConstraints', i], message: reserved });
      }
    } catch (e) {
      issues.push({ path: ['outcomeConstraints', i], message: (e as Error).message });
    }
  });
  return issues;
}

/** Adds semantic issues to a zod refinement context. */
export function reportIssues(ctx: z.RefinementCtx, issues: readonly SemanticIssue[]): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}
