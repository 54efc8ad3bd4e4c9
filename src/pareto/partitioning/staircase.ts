import type { Matrix } from '../../linalg/matrix.js';
import type { BoxSet } from './box-set.js';

/**
 * The two-objective front as a sorted staircase: x ascending, y strictly descending. Insertion
 * is a binary search plus one block move, O(log n + n) worst case; the boxes come straight from
 * the sorted order (the direct method: n + 1 non-dominated boxes, n dominated ones).
 */
export class Staircase {
  private readonly rx: number;
  private readonly ry: number;
  private xs: Float64Array = new Float64Array(16);
  private ys: Float64Array = new Float64Array(16);
  private n = 0;

  /** `reference`: length 2. */
  constructor(reference: ArrayLike<number>) {
    this.rx = reference[0]!;
    this.ry = reference[1]!;
  }

  get size(): number {
    return this.n;
  }

  /**
   * Offers (x, y), strictly inside the reference box. Returns false when a front point weakly
   * dominates it; otherwise inserts it and drops the points it weakly dominates.
   */
  offer(x: number, y: number): boolean {
    const xs = this.xs;
    const ys = this.ys;
    // first index with xs >= x, and first index with xs > x
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    const start = lo;
    let past = start;
    while (past < this.n && xs[past]! === x) past++;
    // the point with the largest xs <= x has the smallest y among those with xs <= x
    if (past > 0 && ys[past - 1]! <= y) return false;
    let end = past;
    while (end < this.n && ys[end]! >= y) end++;
    const removed = end - start;
    if (removed === 0) {
      if (this.n === xs.length) this.grow();
      this.xs.copyWithin(start + 1, start, this.n);
      this.ys.copyWithin(start + 1, start, this.n);
      this.n++;
    } else if (removed > 1) {
      this.xs.copyWithin(start + 1, end, this.n);
      this.ys.copyWithin(start + 1, end, this.n);
      this.n -= removed - 1;
    }
    this.xs[start] = x;
    this.ys[start] = y;
    return true;
  }

  private grow(): void {
    const xs = new Float64Array(this.xs.length * 2);
    xs.set(this.xs);
    const ys = new Float64Array(this.ys.length * 2);
    ys.set(this.ys);
    this.xs = xs;
    this.ys = ys;
  }

  /** The front sorted by the first objective, `n x 2`. */
  front(): Matrix {
    const data = new Float64Array(this.n * 2);
    for (let i = 0; i < this.n; i++) {
      data[2 * i] = this.xs[i]!;
      data[2 * i + 1] = this.ys[i]!;
    }
    return { rows: this.n, cols: 2, data };
  }

  /** The n + 1 local upper bounds (x_{i+1}, y_i), with x_{n+1} = r_x and y_0 = r_y. */
  bounds(): Matrix {
    const n = this.n;
    const data = new Float64Array((n + 1) * 2);
    for (let i = 0; i <= n; i++) {
      data[2 * i] = i < n ? this.xs[i]! : this.rx;
      data[2 * i + 1] = i > 0 ? this.ys[i - 1]! : this.ry;
    }
    return { rows: n + 1, cols: 2, data };
  }

  /** n + 1 boxes [x_i, x_{i+1}] x [-inf, y_i] with x_0 = -inf, x_{n+1} = r_x, y_0 = r_y. */
  nondominatedBoxes(): BoxSet {
    const n = this.n;
    const lower = new Float64Array((n + 1) * 2);
    const upper = new Float64Array((n + 1) * 2);
    for (let i = 0; i <= n; i++) {
      lower[2 * i] = i > 0 ? this.xs[i - 1]! : -Infinity;
      lower[2 * i + 1] = -Infinity;
      upper[2 * i] = i < n ? this.xs[i]! : this.rx;
      upper[2 * i + 1] = i > 0 ? this.ys[i - 1]! : this.ry;
    }
    return { count: n + 1, m: 2, lower, upper };
  }

  /** n boxes [x_i, x_{i+1}] x [y_i, r_y] with x_{n+1} = r_x. */
  dominatedBoxes(): BoxSet {
    const n = this.n;
    const lower = new Float64Array(n * 2);
    const upper = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      lower[2 * i] = this.xs[i]!;
      lower[2 * i + 1] = this.ys[i]!;
      upper[2 * i] = i + 1 < n ? this.xs[i + 1]! : this.rx;
      upper[2 * i + 1] = this.ry;
    }
    return { count: n, m: 2, lower, upper };
  }

  /** Area dominated by the front within the reference box, by the sweep, O(n). */
  hypervolume(): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) {
      const next = i + 1 < this.n ? this.xs[i + 1]! : this.rx;
      sum += (next - this.xs[i]!) * (this.ry - this.ys[i]!);
    }
    return sum;
  }
}
