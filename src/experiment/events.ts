import * as z from 'zod';
import { runnerEventSchema } from './attempts.js';

/**
 * The journal's records, version 1. The first line is a `header`; each later line one event. Events
 * carry `t`, the wall-clock time in ms (for reports only: nothing replays differently by it).
 * Field names are short on purpose: journals of long runs hold many of them.
 */
export const JOURNAL_FORMAT = 'mobo-journal';
export const JOURNAL_VERSION = 1;

const id = z.number().int().min(0);
const t = z.number();
const values = z.record(z.string(), z.number());
const paramValue = z.union([z.string(), z.number(), z.boolean()]);

export const headerSchema = z.object({
  type: z.literal('header'),
  format: z.literal(JOURNAL_FORMAT),
  version: z.literal(JOURNAL_VERSION),
  t,
  seed: z.number().int().min(0),
  /** The whole validated configuration, with the seed filled in. */
  config: z.record(z.string(), z.unknown()),
});

const askedTrial = z.object({ id, x: z.array(z.number()), params: z.record(z.string(), paramValue) });

export const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ask'),
    t,
    /** The ask counter: 0 for the first generation. Seeds derive from it. */
    ask: z.number().int().min(0),
    generator: z.object({
      name: z.string(),
      metadata: z.unknown().optional(),
      state: z.unknown().optional(),
    }),
    /** A reference point inferred for this generation (minimization form), fixed from now on. */
    reference: z.array(z.number()).optional(),
    /** The state the new trials start in. */
    state: z.enum(['candidate', 'running']),
    trials: z.array(askedTrial),
  }),
  z.object({ type: z.literal('running'), t, id }),
  z.object({ type: z.literal('complete'), t, id, values, sem: values.optional() }),
  z.object({ type: z.literal('fail'), t, id, reason: z.string() }),
  z.object({ type: z.literal('abandon'), t, id, reason: z.string().optional() }),
  z.object({ type: z.literal('stale'), t, id, reason: z.string().optional() }),
  z.object({
    type: z.literal('attach'),
    t,
    id,
    x: z.array(z.number()),
    params: z.record(z.string(), paramValue),
    values: values.optional(),
    sem: values.optional(),
    /** Present when the values were unusable: the attached trial is failed. */
    reason: z.string().optional(),
  }),
  z.object({ type: z.literal('reference'), t, point: z.array(z.number()) }),
  /**
   * A session of the scheduler was interrupted (no state change): by which signal (SIGINT, SIGTERM,
   * SIGHUP), what was done with the trials in flight, and how to continue. `mobo status` shows the
   * last one while trials are left to run.
   */
  z.object({ type: z.literal('interrupt'), t, signal: z.string(), message: z.string() }),
  /** What a runner did with an attempt of a trial (written by the Scheduler; see attempts.ts). */
  runnerEventSchema,
]);

export type JournalHeader = z.infer<typeof headerSchema>;
export type JournalEvent = z.infer<typeof eventSchema>;
export type AskEvent = Extract<JournalEvent, { type: 'ask' }>;
export type InterruptEvent = Extract<JournalEvent, { type: 'interrupt' }>;
