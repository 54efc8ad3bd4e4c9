import { formatValue } from '../space/errors.js';
import type { Params } from '../space/schema.js';

/**
 * The life of a trial:
 *
 * - `candidate`: proposed, not yet started (only with `ask(n, { markRunning: false })`)
 * - `running`: being evaluated (what `ask` returns by default)
 * - `stale`: its runner lost track of it (the Scheduler's `staleAfterSeconds`), it waits for a retry,
 *   or an interrupt stopped it; a late result is still accepted
 * - `completed`: observed values, used by every generator
 * - `failed`: no usable values (with a reason); generators avoid the point as-is
 * - `abandoned`: given up by the user; never suggested again
 */
export type TrialState = 'candidate' | 'running' | 'completed' | 'failed' | 'abandoned' | 'stale';

export const TRIAL_STATES: readonly TrialState[] = Object.freeze([
  'candidate',
  'running',
  'completed',
  'failed',
  'abandoned',
  'stale',
]);

/** The allowed transitions: `TRANSITIONS[from]` lists the states a trial in `from` may move to. */
export const TRANSITIONS: Readonly<Record<TrialState, readonly TrialState[]>> = Object.freeze({
  candidate: Object.freeze(['running', 'completed', 'failed', 'abandoned', 'stale'] as TrialState[]),
  running: Object.freeze(['completed', 'failed', 'abandoned', 'stale'] as TrialState[]),
  stale: Object.freeze(['running', 'completed', 'failed', 'abandoned'] as TrialState[]),
  completed: Object.freeze([] as TrialState[]),
  failed: Object.freeze([] as TrialState[]),
  abandoned: Object.freeze([] as TrialState[]),
});

export function canTransition(from: TrialState, to: TrialState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States whose trials are in flight or given up: their points are never proposed again. */
export function isPending(state: TrialState): boolean {
  return state === 'candidate' || state === 'running' || state === 'stale' || state === 'abandoned';
}

/** A trial as the user sees it: a frozen plain object (times are ms since the epoch). */
export interface Trial {
  readonly id: number;
  readonly state: TrialState;
  /** Parameter values by name, in the user's units. */
  readonly params: Readonly<Params>;
  /** The unit-cube point (length d). */
  readonly x: readonly number[];
  /** 'ask' for proposed trials, 'attach' for data from elsewhere. */
  readonly source: 'ask' | 'attach';
  /** The ask counter of the generation that proposed it (source 'ask'). */
  readonly ask?: number;
  /** The name of the generator that proposed it (source 'ask'). */
  readonly generator?: string;
  /** Observed metric values by name, in the user's sense (completed trials). */
  readonly values?: Readonly<Record<string, number>>;
  /** Standard errors by metric name, when given. */
  readonly sem?: Readonly<Record<string, number>>;
  /** Why it failed, was abandoned or went stale. */
  readonly reason?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/** Raised when a call names a trial that does not exist or is in the wrong state for it. */
export class TrialStateError extends Error {
  readonly trialId: number;
  readonly state: TrialState | undefined;

  constructor(message: string, trialId: number, state: TrialState | undefined) {
    super(message);
    this.name = 'TrialStateError';
    this.trialId = trialId;
    this.state = state;
  }
}

// Longest failure reason kept in the journal; longer ones (whole stack traces, logs) are cut.
const MAX_REASON = 10_000;

/** A failure reason as journaled: a string (a TypeError headed by `what` otherwise), cut to 10,000 characters. */
export function reasonText(reason: unknown, what: string): string {
  if (typeof reason !== 'string')
    throw new TypeError(`${what}: reason must be a string, got ${formatValue(reason)}`);
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}...` : reason;
}
