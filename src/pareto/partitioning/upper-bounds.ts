import type { Matrix } from '../../linalg/matrix.js';
import type { BoxSet } from './box-set.js';
import { BoxSetBuilder } from './box-set.js';

/**
 * The local upper bounds U(P) of a front P inside the reference box r (minimization), kept
 * incrementally with one defining point per coordinate (Klamroth, Lacour, Vanderpooten 2015,
 * "On the representation of the search region in multi-objective optimization", Algorithm 3
 * with the defining-point criterion of their Theorem 5.2).
 *
 * A local upper bound u is a maximal point whose open lower orthant {z < u} holds no point
 * dominated by P; the non-dominated region is the union of those orthants. Its defining point for
 * coordinate k, z^k(u), has z^k_k = u_k and z^k_i < u_i for i != k; the dummy points
 * d^k = (-inf, .., r_k, .., -inf) define the coordinates that sit on the reference point.
 *
 * Ties. The theory assumes that no two points share a coordinate value. We break ties
 * symbolically: among equal values, the point inserted later counts as smaller. Every comparison
 * the update makes is between the new point and older points, so the rule reduces to plain
 * comparisons (`<=` for "u lies above the new point", `<` in the defining-point criterion),
 * and each bound keeps exactly one defining point per coordinate. The bounds and boxes are those
 * of the perturbed front; as the perturbation vanishes they converge to boxes with the same
 * volumes and disjoint interiors whose union is the true region, which is all EHVI needs. Boxes
 * that become flat are dropped on output.
 *
 * Callers insert only points strictly inside the reference box that no earlier point weakly
 * dominates (see `ParetoArchive`).
 */
export class LocalUpperBounds {
  readonly m: number;
  private readonly reference: Float64Array;
  /** `(m + inserted) x m`: rows 0..m-1 are the dummy points, then every inserted point by id. */
  private points: Float64Array;
  private pointCount: number;
  /** `capacity x m`: the bound values u. */
  private values: Float64Array;
  /** `capacity x m`: the id (row of `points`) of the defining point of each coordinate. */
  private defs: Int32Array;
  private count = 1;
  /** Scratch: indices of the bounds strictly above the new point. */
  private above: Int32Array = new Int32Array(64);
  /** Batch state: slots that may be above the next point, and free slots (see `beginBatch`). */
  private active: Int32Array = new Int32Array(64);
  private activeCount = 0;
  private holes: Int32Array = new Int32Array(64);
  private holeCount = 0;
  private inBatch = false;
  private lastFirst = -Infinity;
  /** Scratch: the bounds created by one insertion, `capacity x m`. */
  private freshValues: Float64Array;
  private freshDefs: Int32Array;

  /** `reference`: length m, finite. */
  constructor(reference: ArrayLike<number>) {
    const m = reference.length;
    this.m = m;
    this.reference = Float64Array.from(reference);
    this.points = new Float64Array(Math.max(16, 2 * m) * m);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < m; j++) this.points[k * m + j] = j === k ? reference[k]! : -Infinity;
    }
    this.pointCount = m;
    this.values = new Float64Array(64 * m);
    this.defs = new Int32Array(64 * m);
    for (let k = 0; k < m; k++) {
      this.values[k] = reference[k]!;
      this.defs[k] = k;
    }
    this.freshValues = new Float64Array(64 * m);
    this.freshDefs = new Int32Array(64 * m);
  }

  /** Number of local upper bounds. */
  get size(): number {
    return this.count - this.holeCount;
  }

  /**
   * Starts a batch of insertions. Within a batch, removed bounds leave holes (reused by later
   * bounds) so that slot indices stay stable, and the scan for the bounds above a new point runs
   * over an active list only: when the points come in ascending order of the first objective, a
   * bound with u_0 below the current point can never be above a later one and leaves the list.
   * Points out of that order are still handled (the list is rebuilt).
   */
  beginBatch(): void {
    this.inBatch = true;
    this.resetActive();
    this.lastFirst = -Infinity;
  }

  /** Ends a batch: fills the holes with the last bounds, O(holes m). */
  endBatch(): void {
    this.inBatch = false;
    const m = this.m;
    const holes = this.holes.subarray(0, this.holeCount).sort();
    for (let t = holes.length - 1; t >= 0; t--) {
      const h = holes[t]!;
      const last = this.count - 1;
      if (h !== last) {
        this.values.copyWithin(h * m, last * m, last * m + m);
        this.defs.copyWithin(h * m, last * m, last * m + m);
      }
      this.count--;
    }
    this.holeCount = 0;
  }

  /**
   * Inserts `p[offset .. offset + m)` (outside a batch: a batch of one). Cost: one pass over the
   * active bounds to find those above p, plus O(m^2) for each of them; other bounds are untouched.
   */
  insert(p: ArrayLike<number>, offset = 0): void {
    if (!this.inBatch) {
      this.beginBatch();
      this.insert(p, offset);
      this.endBatch();
      return;
    }
    const m = this.m;
    const id = this.addPoint(p, offset);
    const points = this.points;
    const values = this.values;
    const defs = this.defs;
    const p0 = points[id * m]!;
    if (p0 < this.lastFirst) this.resetActive();
    this.lastFirst = p0;

    // A = {u in U : p <= u}; with the tie rule, p counts as strictly below u. Bounds with
    // u_0 < p_0 leave the active list for the rest of the batch.
    let nAbove = 0;
    let kept = 0;
    const active = this.active;
    for (let t = 0; t < this.activeCount; t++) {
      const u = active[t]!;
      const base = u * m;
      if (values[base]! < p0) continue;
      let j = 1;
      while (j < m && points[id * m + j]! <= values[base + j]!) j++;
      if (j === m) {
        if (nAbove === this.above.length) this.above = growInt(this.above, nAbove * 2);
        this.above[nAbove++] = u;
      } else {
        active[kept++] = u;
      }
    }
    this.activeCount = kept;
    if (nAbove === 0) return;

    // u^j = (p_j, u_-j) is a local upper bound iff every other coordinate k keeps a defining point
    // below p in coordinate j: z^k_j(u) < p_j (older points lose ties, hence strict).
    let fresh = 0;
    for (let t = 0; t < nAbove; t++) {
      const base = this.above[t]! * m;
      for (let j = 0; j < m; j++) {
        const pj = points[id * m + j]!;
        let ok = true;
        for (let k = 0; k < m; k++) {
          if (k !== j && !(points[defs[base + k]! * m + j]! < pj)) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        if ((fresh + 1) * m > this.freshValues.length) this.growFresh();
        const dst = fresh * m;
        for (let k = 0; k < m; k++) {
          this.freshValues[dst + k] = values[base + k]!;
          this.freshDefs[dst + k] = defs[base + k]!;
        }
        this.freshValues[dst + j] = pj;
        this.freshDefs[dst + j] = id;
        fresh++;
      }
    }
    this.place(nAbove, fresh);
  }

  /**
   * Puts the `fresh` new bounds into the slots of the `nAbove` removed ones, then into holes,
   * then at the end; leftover removed slots become holes. New bounds join the active list.
   */
  private place(nAbove: number, fresh: number): void {
    const m = this.m;
    if (this.activeCount + fresh > this.active.length) {
      this.active = growInt(this.active, 2 * (this.activeCount + fresh));
    }
    for (let t = 0; t < fresh; t++) {
      let slot: number;
      if (t < nAbove) slot = this.above[t]!;
      else if (this.holeCount > 0) slot = this.holes[--this.holeCount]!;
      else {
        if ((this.count + 1) * m > this.values.length) this.growBounds();
        slot = this.count++;
      }
      this.values.set(this.freshValues.subarray(t * m, t * m + m), slot * m);
      this.defs.set(this.freshDefs.subarray(t * m, t * m + m), slot * m);
      this.active[this.activeCount++] = slot;
    }
    for (let t = fresh; t < nAbove; t++) {
      if (this.holeCount === this.holes.length) this.holes = growInt(this.holes, 2 * this.holeCount);
      this.holes[this.holeCount++] = this.above[t]!;
      // a hole must never look like a bound above a point: u_0 = -inf drops it from any scan
      this.values[this.above[t]! * m] = -Infinity;
    }
  }

  /** Active list := every live slot (holes have u_0 = -inf and drop out on the first scan). */
  private resetActive(): void {
    if (this.active.length < this.count) this.active = growInt(this.active, this.count);
    for (let u = 0; u < this.count; u++) this.active[u] = u;
    this.activeCount = this.count;
  }

  private growBounds(): void {
    const cap = this.values.length * 2;
    const values = new Float64Array(cap);
    values.set(this.values);
    const defs = new Int32Array(cap);
    defs.set(this.defs);
    this.values = values;
    this.defs = defs;
  }

  private addPoint(p: ArrayLike<number>, offset: number): number {
    const m = this.m;
    if ((this.pointCount + 1) * m > this.points.length) {
      const grown = new Float64Array(this.points.length * 2);
      grown.set(this.points);
      this.points = grown;
    }
    const id = this.pointCount++;
    for (let j = 0; j < m; j++) this.points[id * m + j] = p[offset + j]!;
    return id;
  }

  private growFresh(): void {
    const values = new Float64Array(this.freshValues.length * 2);
    values.set(this.freshValues);
    const defs = new Int32Array(this.freshDefs.length * 2);
    defs.set(this.freshDefs);
    this.freshValues = values;
    this.freshDefs = defs;
  }

  /** The local upper bounds, `|U| x m` (a copy). Under ties a few may be redundant (flat). */
  bounds(): Matrix {
    return { rows: this.count, cols: this.m, data: this.values.slice(0, this.count * this.m) };
  }

  /**
   * Disjoint boxes whose union is the non-dominated region {z <= r : no p <= z}, one per local upper
   * bound: box(u)_j = [max_{k > j} z^k_j(u), u_j], the last coordinate reaching down to -inf. This
   * is the mirror image of the slicing of Lacour, Klamroth, Fonseca 2017 (below); O(|U| m^2).
   */
  nondominatedBoxes(): BoxSet {
    const m = this.m;
    const out = new BoxSetBuilder(m, this.count);
    const lo = new Float64Array(m);
    const points = this.points;
    for (let u = 0; u < this.count; u++) {
      const base = u * m;
      for (let j = 0; j < m; j++) {
        let l = -Infinity;
        for (let k = j + 1; k < m; k++) {
          const v = points[this.defs[base + k]! * m + j]!;
          if (v > l) l = v;
        }
        lo[j] = l;
      }
      out.push(lo, 0, this.values, base);
    }
    return out.finish();
  }

  /**
   * The hypervolume: the summed volume of the boxes of `dominatedBoxes`, with Neumaier's
   * compensated summation, without building them; O(|U| m^2).
   */
  dominatedVolume(): number {
    const m = this.m;
    const points = this.points;
    let sum = 0;
    let carry = 0;
    for (let u = 0; u < this.count; u++) {
      const base = u * m;
      let v = this.reference[0]! - this.values[base]!;
      for (let j = 1; j < m && v > 0; j++) {
        let l = -Infinity;
        for (let k = 0; k < j; k++) {
          const w = points[this.defs[base + k]! * m + j]!;
          if (w > l) l = w;
        }
        v *= this.values[base + j]! - l;
      }
      if (!(v > 0)) continue;
      const t = sum + v;
      carry += Math.abs(sum) >= v ? sum - t + v : v - t + sum;
      sum = t;
    }
    return sum + carry;
  }

  /**
   * Disjoint boxes whose union is the dominated region {z <= r : some p <= z}: Lacour, Klamroth,
   * Fonseca 2017, "A box decomposition algorithm to compute the hypervolume indicator", one box per
   * local upper bound: [u_0, r_0] x prod_{j >= 1} [max_{k < j} z^k_j(u), u_j]; O(|U| m^2).
   */
  dominatedBoxes(): BoxSet {
    const m = this.m;
    const out = new BoxSetBuilder(m, this.count);
    const lo = new Float64Array(m);
    const hi = new Float64Array(m);
    const points = this.points;
    for (let u = 0; u < this.count; u++) {
      const base = u * m;
      lo[0] = this.values[base]!;
      hi[0] = this.reference[0]!;
      for (let j = 1; j < m; j++) {
        let l = -Infinity;
        for (let k = 0; k < j; k++) {
          const v = points[this.defs[base + k]! * m + j]!;
          if (v > l) l = v;
        }
        lo[j] = l;
        hi[j] = this.values[base + j]!;
      }
      out.push(lo, 0, hi, 0);
    }
    return out.finish();
  }
}

function growInt(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(Math.max(size, 16));
  b.set(a);
  return b;
}
