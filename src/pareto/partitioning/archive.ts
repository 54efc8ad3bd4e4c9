import type { Matrix } from '../../linalg/matrix.js';

/**
 * The Pareto front of the points seen so far (minimization), strictly inside the reference box.
 *
 * A new point is rejected when some kept point weakly dominates it (duplicates included); when
 * accepted, the kept points it weakly dominates leave. Each kept point has a stable integer id
 * (its row in an append-only store) so that partitionings can refer to it.
 */
export class ParetoArchive {
  readonly m: number;
  /** `capacity x m`: every point ever accepted, by id. */
  private store: Float64Array;
  private stored = 0;
  /** Ids of the points currently on the front, in acceptance order. */
  private live: Int32Array;
  private liveCount = 0;

  constructor(m: number) {
    this.m = m;
    this.store = new Float64Array(16 * m);
    this.live = new Int32Array(16);
  }

  get size(): number {
    return this.liveCount;
  }

  /**
   * Offers `p[offset .. offset + m)`. Returns its new id, or -1 when a kept point weakly
   * dominates it. O(n m) for a front of n points.
   */
  offer(p: ArrayLike<number>, offset: number): number {
    const m = this.m;
    if ((this.stored + 1) * m > this.store.length) {
      const grown = new Float64Array(this.store.length * 2);
      grown.set(this.store);
      this.store = grown;
    }
    // Stage p in the next free row so that the scans below compare within one Float64Array.
    const store = this.store;
    const id = this.stored;
    const at = id * m;
    for (let j = 0; j < m; j++) store[at + j] = p[offset + j]!;
    // One pass: reject p if a kept q weakly dominates it, else drop the q that p weakly dominates.
    // Compacting in the same pass is safe: if q <= p, no earlier q' had p <= q' (else q <= q').
    const live = this.live;
    let kept = 0;
    for (let t = 0; t < this.liveCount; t++) {
      const other = live[t]!;
      const base = other * m;
      let below = true; // q <= p
      let above = true; // p <= q
      for (let j = 0; j < m && (below || above); j++) {
        const q = store[base + j]!;
        const v = store[at + j]!;
        if (q > v) below = false;
        else if (q < v) above = false;
      }
      if (below) return -1;
      if (!above) live[kept++] = other;
    }
    this.liveCount = kept;
    this.stored++;
    if (this.liveCount === this.live.length) {
      const grown = new Int32Array(this.live.length * 2);
      grown.set(this.live);
      this.live = grown;
    }
    this.live[this.liveCount++] = id;
    return id;
  }

  /**
   * Adds `p[offset .. offset + m)` without the dominance check: the caller guarantees that no kept
   * point weakly dominates it and that it weakly dominates none. Returns its id.
   */
  append(p: ArrayLike<number>, offset: number): number {
    const m = this.m;
    if ((this.stored + 1) * m > this.store.length) {
      const grown = new Float64Array(this.store.length * 2);
      grown.set(this.store);
      this.store = grown;
    }
    const id = this.stored++;
    for (let j = 0; j < m; j++) this.store[id * m + j] = p[offset + j]!;
    if (this.liveCount === this.live.length) {
      const grown = new Int32Array(this.live.length * 2);
      grown.set(this.live);
      this.live = grown;
    }
    this.live[this.liveCount++] = id;
    return id;
  }

  /** The current front, `n x m`, in acceptance order (a copy). */
  front(): Matrix {
    const m = this.m;
    const data = new Float64Array(this.liveCount * m);
    for (let t = 0; t < this.liveCount; t++) {
      const id = this.live[t]!;
      data.set(this.store.subarray(id * m, id * m + m), t * m);
    }
    return { rows: this.liveCount, cols: m, data };
  }
}
