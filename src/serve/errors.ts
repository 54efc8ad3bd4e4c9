import type * as z from 'zod';
import { type ConfigIssue, issuesFromZod } from '../space/errors.js';
import type { ErrorResponse } from './schemas.js';

/**
 * An error the service answers with: an HTTP status, a stable code and, for bad input, the JSON
 * paths of the request that are wrong (`values.cost`, `config.parameters[2].bounds[1]`).
 */
export class ServiceError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly ConfigIssue[];

  constructor(status: number, code: string, message: string, issues: readonly ConfigIssue[] = []) {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
    this.code = code;
    this.issues = issues;
  }

  /** The JSON body sent for it. */
  toJSON(): ErrorResponse {
    return {
      error: {
        status: this.status,
        code: this.code,
        message: this.message,
        ...(this.issues.length > 0 ? { issues: this.issues.map((i) => ({ ...i })) } : {}),
      },
    };
  }
}

/** Prefixes each issue's path with `prefix` (`config` + `parameters[0]` = `config.parameters[0]`). */
export function prefixIssues(prefix: string, issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.map((i) => ({
    path: i.path === '' ? prefix : i.path.startsWith('[') ? `${prefix}${i.path}` : `${prefix}.${i.path}`,
    message: i.message,
  }));
}

/** A 400 naming every bad path, e.g. "invalid request: values.cost: expected a number, got "x"". */
export function invalidRequest(issues: readonly ConfigIssue[], code = 'invalid_request'): ServiceError {
  const shown = issues
    .slice(0, 5)
    .map((i) => `${i.path === '' ? '(body)' : i.path}: ${i.message}`)
    .join('; ');
  return new ServiceError(400, code, `invalid request: ${shown}`, issues);
}

/** Parses `input` with `schema`; a ServiceError (400) naming each bad path otherwise. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error, input);
  throw invalidRequest(prefix === '' ? issues : prefixIssues(prefix, issues));
}
