import type { Matrix } from '../../linalg/matrix.js';
import type { BoxSet } from './box-set.js';
import { BoxSetBuilder } from './box-set.js';

/** The result of the approximate decomposition. */
export interface ApproximatePartition {
  /** Disjoint boxes inside the non-dominated region (lower may be `-Infinity`). */
  readonly boxes: BoxSet;
  /** Number of cells left out because their volume fell below `alpha * scale`. */
  readonly discardedCells: number;
  /**
   * Total volume of the cells left out: an upper bound on the non-dominated volume that the
   * boxes miss. Every missed point lies in [ideal, r].
   */
  readonly discardedVolume: number;
  /** prod_j (r_j - ideal_j): the volume that `alpha` is a fraction of. */
  readonly scale: number;
}

/**
 * Binary partitioning of the non-dominated region on the grid of the front's coordinates
 * (Couckuyt, Deschrijver, Dhaene 2014, "Fast calculation of multiobjective probability of
 * improvement and expected improvement criteria for Pareto optimization"; the form BoTorch's
 * `NondominatedPartitioning(alpha)` uses).
 *
 * Coordinate j has the grid -inf < sorted front values < r_j (indices 0..n+1). A cell is a box of
 * grid indices. A cell no front point reaches into is non-dominated and kept; a cell whose lower
 * corner is dominated is dropped; a cell that straddles the front is halved along its longest
 * index range, or discarded when its volume is at most `alpha * scale`. Unlike BoTorch, a
 * straddling cell that reaches down to -inf in some coordinate is first cut at the ideal value
 * there (the slab below the ideal point is wholly non-dominated), so a discarded cell is always
 * finite and lies in [ideal, r].
 *
 * Guarantee: the boxes are disjoint, lie in the non-dominated region, and cover all of it except
 * a part of the discarded cells; each discarded cell has volume <= alpha * scale and their total,
 * `discardedVolume`, bounds the missed volume. With alpha = 0 the partition is exact.
 *
 * Cost: each cell filters the front points that reach into it from its parent's list, so a cell
 * costs O(k m) for the k points reaching into it.
 *
 * `front`: `n x m`, mutually non-dominated, strictly inside the reference box.
 */
export function approximatePartition(
  front: Matrix,
  reference: ArrayLike<number>,
  alpha: number,
): ApproximatePartition {
  const n = front.rows;
  const m = front.cols;
  const P = front.data;
  const out = new BoxSetBuilder(m, 4 * n + 4);
  if (n === 0) {
    const lo = new Float64Array(m).fill(-Infinity);
    out.push(lo, 0, reference, 0);
    return { boxes: out.finish(), discardedCells: 0, discardedVolume: 0, scale: 0 };
  }
  // grid: `m x (n + 2)`, column j sorted ascending with -inf first and r_j last.
  const stride = n + 2;
  const grid = new Float64Array(m * stride);
  const ideal = new Float64Array(m);
  const column = new Float64Array(n);
  let scale = 1;
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) column[i] = P[i * m + j]!;
    column.sort();
    grid[j * stride] = -Infinity;
    grid.set(column, j * stride + 1);
    grid[j * stride + n + 1] = reference[j]!;
    ideal[j] = column[0]!;
    scale *= reference[j]! - ideal[j]!;
  }
  const threshold = alpha * scale;

  // Depth-first; level d owns lo/hi and the list of points reaching into its cell.
  const levels: { lo: Int32Array; hi: Int32Array; pts: Int32Array; count: number }[] = [];
  const level = (d: number) => {
    while (levels.length <= d) {
      levels.push({ lo: new Int32Array(m), hi: new Int32Array(m), pts: new Int32Array(n), count: 0 });
    }
    return levels[d]!;
  };
  const boxLo = new Float64Array(m);
  const boxHi = new Float64Array(m);
  let discardedCells = 0;
  let discardedVolume = 0;
  let discardedCarry = 0;

  const root = level(0);
  for (let j = 0; j < m; j++) {
    root.lo[j] = 0;
    root.hi[j] = n + 1;
  }
  for (let i = 0; i < n; i++) root.pts[i] = i;
  root.count = n;

  // Processes the cell at level d, whose candidate points are those of level d - 1 (or all at 0).
  const visit = (d: number): void => {
    const cell = levels[d]!;
    const { lo, hi } = cell;
    for (let j = 0; j < m; j++) {
      boxLo[j] = grid[j * stride + lo[j]!]!;
      boxHi[j] = grid[j * stride + hi[j]!]!;
    }
    if (d > 0) {
      const parent = levels[d - 1]!;
      let count = 0;
      for (let t = 0; t < parent.count; t++) {
        const i = parent.pts[t]!;
        let j = 0;
        while (j < m && P[i * m + j]! < boxHi[j]!) j++;
        if (j === m) cell.pts[count++] = i;
      }
      cell.count = count;
    }
    if (cell.count === 0) {
      out.push(boxLo, 0, boxHi, 0);
      return;
    }
    for (let t = 0; t < cell.count; t++) {
      const i = cell.pts[t]!;
      let j = 0;
      while (j < m && P[i * m + j]! <= boxLo[j]!) j++;
      if (j === m) return; // wholly dominated
    }
    let split = -1;
    let at = 0;
    for (let j = 0; j < m && split < 0; j++) {
      if (lo[j] === 0) {
        split = j;
        at = 1;
      }
    }
    if (split < 0) {
      let volume = 1;
      let longest = 0;
      for (let j = 0; j < m; j++) {
        volume *= boxHi[j]! - boxLo[j]!;
        const len = hi[j]! - lo[j]!;
        if (len > longest) {
          longest = len;
          split = j;
        }
      }
      if (volume <= threshold || longest <= 1) {
        discardedCells++;
        const t = discardedVolume + volume;
        discardedCarry += discardedVolume - t + volume;
        discardedVolume = t;
        return;
      }
      at = hi[split]! - Math.round(longest / 2);
    }
    const child = level(d + 1);
    child.lo.set(lo);
    child.hi.set(hi);
    child.hi[split] = at;
    visit(d + 1);
    child.lo.set(lo);
    child.hi.set(hi);
    child.lo[split] = at;
    visit(d + 1);
  };
  visit(0);
  return { boxes: out.finish(), discardedCells, discardedVolume: discardedVolume + discardedCarry, scale };
}
