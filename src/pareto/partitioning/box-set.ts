/**
 * Flat box sets: the output format of every partitioning. EHVI evaluates millions of
 * (candidate, sample, box) triples, so boxes live in two row-major `count x m` arrays.
 */

/** A set of axis-aligned boxes `[lower_i, upper_i]`, `i < count`. */
export interface BoxSet {
  /** Number of boxes. */
  readonly count: number;
  /** Number of objectives. */
  readonly m: number;
  /** `count x m`, row-major. May hold `-Infinity` (boxes of the non-dominated region). */
  readonly lower: Float64Array;
  /** `count x m`, row-major. */
  readonly upper: Float64Array;
}

/**
 * A growable builder of boxes. `push` copies one box; `finish` trims to the exact size.
 * Boxes with `upper_j <= lower_j` in some coordinate (zero volume) are dropped on push, so every
 * box that comes out has a non-empty interior.
 */
export class BoxSetBuilder {
  readonly m: number;
  private lower: Float64Array;
  private upper: Float64Array;
  private count = 0;

  constructor(m: number, capacity = 16) {
    this.m = m;
    const cap = Math.max(1, capacity);
    this.lower = new Float64Array(cap * m);
    this.upper = new Float64Array(cap * m);
  }

  /** Appends box `[lo[loOffset..], hi[hiOffset..]]` (m values each) unless it is empty. */
  push(lo: ArrayLike<number>, loOffset: number, hi: ArrayLike<number>, hiOffset: number): void {
    const m = this.m;
    for (let j = 0; j < m; j++) if (!(hi[hiOffset + j]! > lo[loOffset + j]!)) return;
    if ((this.count + 1) * m > this.lower.length) this.grow();
    const base = this.count * m;
    for (let j = 0; j < m; j++) {
      this.lower[base + j] = lo[loOffset + j]!;
      this.upper[base + j] = hi[hiOffset + j]!;
    }
    this.count++;
  }

  private grow(): void {
    const lower = new Float64Array(this.lower.length * 2);
    const upper = new Float64Array(this.upper.length * 2);
    lower.set(this.lower);
    upper.set(this.upper);
    this.lower = lower;
    this.upper = upper;
  }

  finish(): BoxSet {
    const size = this.count * this.m;
    return {
      count: this.count,
      m: this.m,
      lower: this.lower.length === size ? this.lower : this.lower.slice(0, size),
      upper: this.upper.length === size ? this.upper : this.upper.slice(0, size),
    };
  }
}

/** An empty box set with `m` objectives. */
export function emptyBoxSet(m: number): BoxSet {
  return { count: 0, m, lower: new Float64Array(0), upper: new Float64Array(0) };
}

/**
 * The boxes of `boxes` intersected with `[corner, +inf)`; boxes left empty are dropped.
 * `corner` has length m.
 */
export function clipBoxesBelow(boxes: BoxSet, corner: ArrayLike<number>): BoxSet {
  const m = boxes.m;
  const lower = new Float64Array(boxes.count * m);
  const upper = new Float64Array(boxes.count * m);
  let count = 0;
  for (let b = 0; b < boxes.count; b++) {
    const src = b * m;
    const dst = count * m;
    let empty = false;
    for (let j = 0; j < m; j++) {
      const lo = Math.max(boxes.lower[src + j]!, corner[j]!);
      const hi = boxes.upper[src + j]!;
      if (!(hi > lo)) {
        empty = true;
        break;
      }
      lower[dst + j] = lo;
      upper[dst + j] = hi;
    }
    if (!empty) count++;
  }
  return { count, m, lower: lower.slice(0, count * m), upper: upper.slice(0, count * m) };
}

/**
 * Sum of the box volumes with Neumaier's compensated summation, so that many small boxes next to
 * a few large ones lose no digits. Infinite boxes give `Infinity`.
 */
export function totalVolume(boxes: BoxSet): number {
  const m = boxes.m;
  let sum = 0;
  let carry = 0;
  for (let b = 0; b < boxes.count; b++) {
    let v = 1;
    const base = b * m;
    for (let j = 0; j < m; j++) v *= boxes.upper[base + j]! - boxes.lower[base + j]!;
    const t = sum + v;
    carry += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + carry;
}
