/**
 * Kill-and-resume: `mobo run` as a child process, SIGKILLed at random moments a few times, then
 * `mobo resume` until done; the experiment must have no lost, duplicated or half-written trial.
 * bench/kill-resume.ts runs 50 cycles of the same.
 */
import { describe, expect, it } from 'vitest';
import { killResume } from '../../bench/kill-resume.js';

describe('mobo run / mobo resume under SIGKILL', () => {
  it('loses, duplicates and corrupts nothing, and ends as an uninterrupted run would (in-process runner)', async () => {
    const result = await killResume({
      cycles: 5,
      trials: 30,
      runner: 'inline',
      maxParallel: 3,
      minMs: 700,
      maxMs: 2200,
      // Long enough that the whole run outlasts the latest kill (with 40 ms an unloaded machine can
      // finish the 30 trials before a kill at 1.8 s, and then no cycle kills anything).
      delayMs: 100,
      compareWithUninterrupted: true,
      seed: Number(process.env.MOBO_KILL_SEED ?? Date.now() % 100_000),
    });
    expect(result.problems).toEqual([]);
    expect(result.completed).toBe(30);
    expect(result.killed).toBeGreaterThan(0);
    expect(result.identical).toBe(true);
  });
});
