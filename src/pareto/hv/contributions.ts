import { limitSet, limitSet4, limitSet5 } from './limit-set.js';
import { baseVolume, WfgWorkspace, wfg } from './wfg.js';

/**
 * Exclusive contributions in any number of objectives (used for d >= 4): p's box minus the volume
 * that the others dominate inside it, which is the hypervolume of p's non-dominated limit set
 * (WFG's exclusive hypervolume). Rows are translated so the reference is the origin.
 *
 * @param rows n x d, row-major
 * @param out length >= n; weakly dominated points (including duplicates) get exactly 0
 */
export function limitSetContributions(rows: Float64Array, n: number, d: number, out: Float64Array): void {
  const work = new WfgWorkspace(n, d);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const limit = work.limits[d]!;
  const masks = work.masks[d]!;
  for (let i = 0; i < n; i++) {
    const p = i * d;
    const cnt =
      d === 4
        ? limitSet4(rows, p, order, 0, n, i, d, limit, masks, work.buckets)
        : d === 5
          ? limitSet5(rows, p, order, 0, n, i, d, limit, masks)
          : limitSet(rows, p, order, 0, n, i, d, d, limit, masks);
    if (cnt < 0) {
      out[i] = 0;
      continue;
    }
    let box = 1;
    for (let j = 0; j < d; j++) box *= -rows[p + j]!;
    const inner =
      cnt === 0 ? 0 : d <= 5 ? baseVolume(limit, cnt, d, d, work) : wfg(limit, cnt, d, d, work, 5);
    const c = box - inner;
    out[i] = Math.max(c, 0);
  }
}
