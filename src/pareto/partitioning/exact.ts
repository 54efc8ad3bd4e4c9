import { type Matrix, selectRows } from '../../linalg/matrix.js';
import { paretoFilter } from '../dominance.js';
import { ParetoArchive } from './archive.js';
import type { BoxSet } from './box-set.js';
import { Staircase } from './staircase.js';
import { LocalUpperBounds } from './upper-bounds.js';

/** Batches larger than this are Pareto-filtered before they reach the archive. */
const PREFILTER_ROWS = 32;

/**
 * The exact, incremental description of a front inside its reference box: the sorted staircase
 * for m = 2, the local upper bounds with their defining points for m >= 3. Both regions
 * (dominated and non-dominated) come from it.
 */
export class ExactRegions {
  readonly m: number;
  private readonly staircase: Staircase | null;
  private readonly archive: ParetoArchive | null;
  private readonly upper: LocalUpperBounds | null;

  /** `reference`: length m >= 2, validated by the caller. */
  constructor(reference: Float64Array) {
    this.m = reference.length;
    if (this.m === 2) {
      this.staircase = new Staircase(reference);
      this.archive = null;
      this.upper = null;
    } else {
      this.staircase = null;
      this.archive = new ParetoArchive(this.m);
      this.upper = new LocalUpperBounds(reference);
    }
  }

  /**
   * Offers the rows of `points` (`n x m`, validated, strictly inside the reference box) listed in
   * `order`, best ascending in the first objective (any order is correct; that one is fast).
   * Returns how many joined the front.
   */
  add(points: Matrix, order: ArrayLike<number>): number {
    const m = this.m;
    const data = points.data;
    let added = 0;
    if (this.staircase) {
      for (let t = 0; t < order.length; t++) {
        const offset = order[t]! * m;
        if (this.staircase.offer(data[offset]!, data[offset + 1]!)) added++;
      }
      return added;
    }
    const archive = this.archive!;
    const upper = this.upper!;
    // Filter a large batch first (sort-based, O(n log n) for m = 3): the archive's check is
    // O(front) per point. Survivors keep their order.
    let rows: ArrayLike<number> = order;
    let filtered = false;
    if (order.length > PREFILTER_ROWS) {
      const keep = paretoFilter(selectRows(points, order));
      const kept = new Int32Array(keep.length);
      for (let t = 0; t < keep.length; t++) kept[t] = order[keep[t]!]!;
      rows = kept;
      filtered = true;
    }
    // An empty archive takes a filtered batch as it is: no survivor weakly dominates another.
    const trusted = filtered && archive.size === 0;
    upper.beginBatch();
    for (let t = 0; t < rows.length; t++) {
      const offset = rows[t]! * m;
      const id = trusted ? archive.append(data, offset) : archive.offer(data, offset);
      if (id >= 0) {
        upper.insert(data, offset);
        added++;
      }
    }
    upper.endBatch();
    return added;
  }

  get frontSize(): number {
    return this.staircase ? this.staircase.size : this.archive!.size;
  }

  front(): Matrix {
    return this.staircase ? this.staircase.front() : this.archive!.front();
  }

  localUpperBounds(): Matrix {
    return this.staircase ? this.staircase.bounds() : this.upper!.bounds();
  }

  nondominatedBoxes(): BoxSet {
    return this.staircase ? this.staircase.nondominatedBoxes() : this.upper!.nondominatedBoxes();
  }

  dominatedBoxes(): BoxSet {
    return this.staircase ? this.staircase.dominatedBoxes() : this.upper!.dominatedBoxes();
  }

  hypervolume(): number {
    return this.staircase ? this.staircase.hypervolume() : this.upper!.dominatedVolume();
  }
}
