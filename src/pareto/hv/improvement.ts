import { limitSet, limitSet4, limitSet5 } from './limit-set.js';
import { baseVolume, WfgWorkspace, wfg } from './wfg.js';

/**
 * Exact hypervolume improvement of single points over a growing set (minimization): HVI(y) = the
 * volume of y's box minus the hypervolume of y's non-dominated limit set (the set clipped to y's
 * box, WFG's exclusive volume; While, Bradstreet, Barone 2012). Thompson-sampling selection calls
 * it for thousands of sampled outcomes against one front, so the front is translated once and the
 * work buffers are kept. O(k · |limit set| · m) for the limit set of a set of k points (mostly
 * much less: a dominating point ends it at once) plus the limit set's hypervolume.
 */
export class HypervolumeImprovement {
  readonly m: number;
  private readonly reference: Float64Array;
  /** (capacity + 1) x m: the set's points minus the reference, then a scratch row for y. */
  private rows: Float64Array;
  private order: Int32Array;
  private work: WfgWorkspace;
  private count = 0;

  /** `reference` (length m); `points` (k x m, row-major) strictly inside its box count, others not. */
  constructor(reference: ArrayLike<number>, points: Float64Array = new Float64Array(0)) {
    const m = reference.length;
    if (!Number.isInteger(m) || m < 1) {
      throw new RangeError(`HypervolumeImprovement: reference must have length >= 1, got ${m}`);
    }
    for (let j = 0; j < m; j++) {
      if (!Number.isFinite(reference[j]!)) {
        throw new RangeError(
          `HypervolumeImprovement: reference[${j}] is ${reference[j]}, expected a finite number`,
        );
      }
    }
    if (points.length % m !== 0) {
      throw new RangeError(
        `HypervolumeImprovement: points have length ${points.length}, not a multiple of m = ${m}`,
      );
    }
    this.m = m;
    this.reference = Float64Array.from(reference);
    const capacity = Math.max(16, points.length / m);
    this.rows = new Float64Array((capacity + 1) * m);
    this.order = new Int32Array(capacity);
    this.work = new WfgWorkspace(capacity + 1, m);
    for (let i = 0; i < points.length / m; i++) this.add(points.subarray(i * m, (i + 1) * m));
  }

  /** Points in the set (those inside the reference box). */
  get size(): number {
    return this.count;
  }

  /** Adds y (length m) to the set; ignored when it is not strictly inside the reference box. */
  add(y: ArrayLike<number>): void {
    const m = this.m;
    for (let j = 0; j < m; j++) if (!(y[j]! < this.reference[j]!)) return;
    const capacity = this.order.length;
    if (this.count === capacity) {
      const bigger = 2 * capacity;
      const rows = new Float64Array((bigger + 1) * m);
      rows.set(this.rows.subarray(0, this.count * m));
      this.rows = rows;
      this.order = new Int32Array(bigger);
      this.work = new WfgWorkspace(bigger + 1, m);
    }
    const o = this.count * m;
    for (let j = 0; j < m; j++) this.rows[o + j] = y[j]! - this.reference[j]!;
    this.order[this.count] = this.count;
    this.count++;
  }

  /** The hypervolume y (length m) would add to the set: 0 outside the box or when weakly dominated. */
  improvement(y: ArrayLike<number>): number {
    const m = this.m;
    const n = this.count;
    const p = n * m;
    let box = 1;
    for (let j = 0; j < m; j++) {
      const t = y[j]! - this.reference[j]!;
      if (!(t < 0)) return 0;
      this.rows[p + j] = t;
      box *= -t;
    }
    if (n === 0) return box;
    const work = this.work;
    const limit = work.limits[m]!;
    const masks = work.masks[m]!;
    const count =
      m === 4
        ? limitSet4(this.rows, p, this.order, 0, n, -1, m, limit, masks, work.buckets)
        : m === 5
          ? limitSet5(this.rows, p, this.order, 0, n, -1, m, limit, masks)
          : limitSet(this.rows, p, this.order, 0, n, -1, m, m, limit, masks);
    if (count < 0) return 0;
    if (count === 0) return box;
    const inner = m <= 5 ? baseVolume(limit, count, m, m, work) : wfg(limit, count, m, m, work, 5);
    return Math.max(box - inner, 0);
  }
}
