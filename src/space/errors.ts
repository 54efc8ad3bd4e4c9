import type * as z from 'zod';

/** One problem found in a configuration: where (`parameters[2].bounds[1]`) and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A configuration that does not validate. `issues` lists every problem found; the message shows
 * them one per line, each with its path and the value received.
 */
export class ConfigError extends TypeError {
  readonly issues: readonly ConfigIssue[];

  constructor(what: string, issues: readonly ConfigIssue[]) {
    const shown = issues.slice(0, 12).map((i) => `  ${i.path === '' ? '(root)' : i.path}: ${i.message}`);
    if (issues.length > 12) shown.push(`  ... and ${issues.length - 12} more`);
    super(`${what}: invalid configuration:\n${shown.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** `['parameters', 2, 'bounds', 1]` as `parameters[2].bounds[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const key of path) {
    if (typeof key === 'number') s += `[${key}]`;
    else {
      const k = String(key);
      s += /^[A-Za-z_$][\w$]*$/.test(k) ? (s === '' ? k : `.${k}`) : `[${JSON.stringify(k)}]`;
    }
  }
  return s;
}

/** A short, safe rendering of any value for an error message. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return String(value);
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = Object.prototype.toString.call(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

type ZodIssue = z.core.$ZodIssue;

function isTypeMismatchAtRoot(issues: readonly ZodIssue[]): boolean {
  return (
    issues.length === 1 &&
    issues[0]!.path.length === 0 &&
    (issues[0]!.code === 'invalid_type' || issues[0]!.code === 'invalid_value')
  );
}

function expectation(issue: ZodIssue): string {
  if (issue.code === 'invalid_value')
    return `one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
  if (issue.code === 'invalid_type')
    return `${/^[aeio]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  return issue.message;
}

function collect(issue: ZodIssue, input: unknown, prefix: readonly PropertyKey[], out: ConfigIssue[]): void {
  const here = [...prefix, ...(issue.path as PropertyKey[])];
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys)
      out.push({ path: formatPath([...here, key]), message: 'unknown key (a typo?)' });
    return;
  }
  if (issue.code === 'custom') {
    // Our own refinements already state the value they saw.
    out.push({ path: formatPath(here), message: issue.message });
    return;
  }
  const received = formatValue(valueAt(input, here));
  if (issue.code === 'invalid_union') {
    const options = (issue as { options?: unknown }).options;
    if (Array.isArray(options)) {
      const list = options.map((o) => JSON.stringify(o)).join(' | ');
      out.push({ path: formatPath(here), message: `expected one of ${list}, got ${received}` });
      return;
    }
    // Report the one branch whose shape matched (its issues are the useful ones); if none matched,
    // say what each branch expected.
    const matched = issue.errors.filter((branch) => !isTypeMismatchAtRoot(branch));
    if (matched.length === 1) {
      for (const sub of matched[0]!) collect(sub, input, here, out);
      return;
    }
    if (matched.length === 0 && issue.errors.length > 0) {
      const expected = issue.errors.map((branch) => expectation(branch[0]!)).join(', or ');
      out.push({ path: formatPath(here), message: `expected ${expected}, got ${received}` });
      return;
    }
  }
  const message =
    issue.code === 'invalid_value'
      ? `expected ${expectation(issue)}`
      : issue.message.replace(/^Invalid input: /, '');
  out.push({ path: formatPath(here), message: `${message}, got ${received}` });
}

/** Turns zod issues into path-plus-message issues that show the received value. */
export function issuesFromZod(error: z.ZodError, input: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) collect(issue as ZodIssue, input, [], out);
  return out;
}

/** Parses `input` with `schema`, throwing a `ConfigError` headed by `what` when it does not fit. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(what, issuesFromZod(result.error, input));
  return result.data;
}
