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
      // Each kill comes 0 to 300 ms after the journal first grows in its cycle: it lands in a running
      // experiment however long the child takes to start. 30 trials of 100 to 300 ms, 3 at a time,
      // take over a second, so the first cycle at least always kills mid-run.
      minMs: 0,
      maxMs: 300,
      afterJournalGrows: true,
      delayMs: 100,
      compareWithUninterrupted: true,
      seed: Number(process.env.MOBO_KILL_SEED ?? Date.now() % 100_000),
    });
    expect(result.problems).toEqual([]);
    expect(result.completed).toBe(30);
    expect(result.killedMidRun).toBeGreaterThan(0);
    expect(result.identical).toBe(true);
  });
});
