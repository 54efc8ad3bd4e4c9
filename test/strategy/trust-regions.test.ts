import { describe, expect, it } from 'vitest';
import {
  chooseCentres,
  freshRegion,
  recordOutcome,
  type TrustRegionEvent,
  type TrustRegionSettings,
  type TrustRegionState,
} from '../../src/strategy/trust-regions.js';

const settings: TrustRegionSettings = {
  lengthInit: 0.8,
  lengthMin: 0.1,
  lengthMax: 1.6,
  successTolerance: 2,
  failureTolerance: 6,
};

/** Plays a script of (improved, count) outcomes and returns each event and the final region. */
function play(script: [boolean, number][], start: TrustRegionState = freshRegion(settings)) {
  let region = start;
  const events: TrustRegionEvent[] = [];
  const lengths: number[] = [];
  for (const [improved, count] of script) {
    const next = recordOutcome(region, improved, count, settings);
    region = next.region;
    events.push(next.event);
    lengths.push(region.length);
  }
  return { region, events, lengths };
}

describe('trust-region state machine', () => {
  it('expands after successTolerance successes in a row, up to lengthMax', () => {
    const { events, lengths } = play([
      [true, 3],
      [true, 3],
      [true, 3],
      [true, 3],
      [true, 3],
      [true, 3],
    ]);
    expect(events).toEqual(['none', 'expand', 'none', 'expand', 'none', 'expand']);
    expect(lengths).toEqual([0.8, 1.6, 1.6, 1.6, 1.6, 1.6]);
  });

  it('a failure breaks a success streak, a success resets the failures', () => {
    const { events, region } = play([
      [true, 1],
      [false, 5],
      [true, 1],
      [false, 5],
      [true, 1],
    ]);
    expect(events).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(region).toMatchObject({ length: 0.8, successes: 1, failures: 0 });
  });

  it('counts failures per evaluation and shrinks after failureTolerance of them', () => {
    const { events, lengths, region } = play([
      [false, 4],
      [false, 2],
      [false, 3],
      [false, 3],
    ]);
    expect(events).toEqual(['none', 'shrink', 'none', 'shrink']);
    expect(lengths).toEqual([0.8, 0.4, 0.4, 0.2]);
    expect(region).toMatchObject({ successes: 0, failures: 0 });
  });

  it('restarts fresh (no centre, initial length, one more restart) below lengthMin', () => {
    const start: TrustRegionState = { centre: 17, length: 0.15, successes: 0, failures: 5, restarts: 2 };
    const { events, region } = play([[false, 1]], start);
    expect(events).toEqual(['restart']);
    expect(region).toEqual({ centre: null, length: 0.8, successes: 0, failures: 0, restarts: 3 });
    // Above the minimum it only shrinks.
    expect(recordOutcome({ ...start, length: 0.3 }, false, 1, settings).event).toBe('shrink');
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => recordOutcome(freshRegion(settings), true, 0, settings)).toThrow(/count is 0/);
  });
});

describe('centre choice', () => {
  // Five front points on a line in [0, 1]^2 with their hypervolume contributions.
  const X = {
    rows: 5,
    cols: 2,
    data: Float64Array.from([0.1, 0.1, 0.3, 0.3, 0.5, 0.5, 0.7, 0.7, 0.9, 0.9]),
  };
  const candidates = { ids: [10, 11, 12, 13, 14], X, scores: [0.1, 0.5, 0.2, 0.05, 0.3] };
  const region = (length: number, centre: number | null = null): TrustRegionState => ({
    centre,
    length,
    successes: 0,
    failures: 0,
    restarts: 0,
  });

  it('new regions take the largest contributions, one point each', () => {
    const picks = chooseCentres(
      [region(0.8), region(0.8), region(0.8)],
      [null, null, null],
      candidates,
      new Set(),
    );
    expect(picks).toEqual([1, 4, 2]);
  });

  it('a region keeps to its box when a free point lies inside it', () => {
    // Centre at (0.85, 0.85) with length 0.2: only (0.9, 0.9) lies within 0.1; it wins over the
    // larger contribution of (0.3, 0.3).
    const picks = chooseCentres([region(0.2, 14)], [Float64Array.from([0.85, 0.85])], candidates, new Set());
    expect(picks).toEqual([4]);
    // With a box that holds nothing, the best anywhere.
    const away = chooseCentres([region(0.01, 14)], [Float64Array.from([0.6, 0.2])], candidates, new Set());
    expect(away).toEqual([1]);
  });

  it('skips tabu points while others are free, and shares points only when it must', () => {
    expect(chooseCentres([region(0.8)], [null], candidates, new Set([11]))).toEqual([4]);
    const many = chooseCentres(
      Array.from({ length: 7 }, () => region(0.8)),
      Array.from({ length: 7 }, () => null),
      candidates,
      new Set([11]),
    );
    // Free and not tabu first (4, 2, 0, 3), then the tabu one (1), then the best again.
    expect(many).toEqual([4, 2, 0, 3, 1, 1, 1]);
  });

  it('a region with scores of its own ranks by them, after the earlier regions took theirs', () => {
    // Region 1 prefers point 1 (taken by region 0, the largest contribution), then point 0.
    const own = Float64Array.from([5, 9, 1, 0, 2]);
    const picks = chooseCentres(
      [region(0.8), region(0.8), region(0.8)],
      [null, null, null],
      { ...candidates, regionScores: [null, own, null] },
      new Set(),
    );
    expect(picks).toEqual([1, 0, 4]);
  });

  it('throws without candidates', () => {
    expect(() =>
      chooseCentres(
        [region(0.8)],
        [null],
        { ids: [], X: { rows: 0, cols: 2, data: new Float64Array(0) }, scores: [] },
        new Set(),
      ),
    ).toThrow(/no candidate centres/);
  });
});
