import { argsortLex } from './index-sort.js';
import { baseVolume, WfgWorkspace } from './wfg.js';

/** Buffers of {@link dimensionSweep}: per dimension d, the active set (n x stride) and a sort order. */
export class SweepWorkspace {
  readonly base: WfgWorkspace;
  readonly active: Float64Array[] = [];
  readonly orders: Int32Array[] = [];
  readonly keys: Float64Array[] = [];

  constructor(n: number, stride: number) {
    this.base = new WfgWorkspace(n, stride);
    for (let d = 0; d <= stride; d++) {
      this.active.push(new Float64Array(n * stride));
      this.orders.push(new Int32Array(n));
      this.keys.push(new Float64Array(n));
    }
  }
}

/**
 * Hypervolume by the plain recursive dimension sweep (the scheme of Fonseca, Paquete and
 * López-Ibáñez 2006 without their cached partial volumes): sort by the last objective and add the
 * points one by one, keeping the non-dominated projections of those seen so far; each slab adds the
 * (d - 1)-dimensional hypervolume of that set times its height. At d <= 4 the dedicated sweeps take
 * over. Kept to measure against {@link wfg}, which wins for every d >= 5 we benchmarked.
 *
 * @param rows n x stride, row-major, first d objectives used, translated so the reference is 0
 */
export function dimensionSweep(
  rows: Float64Array,
  n: number,
  stride: number,
  d: number,
  work: SweepWorkspace,
): number {
  if (n === 0) return 0;
  if (d <= 4) return baseVolume(rows, n, stride, d, work.base);
  const last = d - 1;
  const key = work.keys[d]!;
  const order = work.orders[d]!;
  const act = work.active[d]!;
  for (let i = 0; i < n; i++) key[i] = rows[i * stride + last]!;
  argsortLex(key, key, n, order);
  let cnt = 0;
  let slice = 0;
  let total = 0;
  for (let t = 0; t < n; t++) {
    const p = order[t]! * stride;
    // Keep the active projections mutually non-dominated; a dominated newcomer changes nothing.
    let dominated = false;
    let w = 0;
    for (let r = 0; r < cnt; r++) {
      const b = r * stride;
      let rLe = true;
      let pLe = true;
      for (let j = 0; j < last; j++) {
        const rv = act[b + j]!;
        const pv = rows[p + j]!;
        if (rv > pv) rLe = false;
        else if (rv < pv) pLe = false;
      }
      if (rLe) {
        dominated = true;
        break;
      }
      if (!pLe) {
        if (w !== r) act.copyWithin(w * stride, b, b + last);
        w++;
      }
    }
    if (!dominated) {
      for (let j = 0; j < last; j++) act[w * stride + j] = rows[p + j]!;
      cnt = w + 1;
      slice = dimensionSweep(act, cnt, stride, last, work);
    }
    const upper = t + 1 < n ? key[order[t + 1]!]! : 0;
    total += slice * (upper - key[order[t]!]!);
  }
  return total;
}
