import { hv2d } from './hv2d.js';
import { Hv3dWorkspace, hv3d } from './hv3d.js';
import { Hv4dWorkspace, hv4d } from './hv4d.js';
import { Hv5dWorkspace, hv5d } from './hv5d.js';
import { argsortLex } from './index-sort.js';
import { limitSet, limitSet4, limitSet5, MaskBuckets } from './limit-set.js';

/**
 * Up to this many points, inclusion-exclusion over the 2^n - 1 subsets beats a sweep: deep in WFG
 * at m = 8 most calls have 2 to 5 points (5 measured about 13% faster than 4 at m = 6 and 8).
 */
const SMALL_SET = 5;

/** Per-dimension buffers for {@link wfg}; sized for `n` points of `stride` objectives. */
export class WfgWorkspace {
  readonly n: number;
  readonly stride: number;
  /** `limits[d]`: limit sets with d objectives, (n + 1) x stride. */
  readonly limits: Float64Array[] = [];
  readonly orders: Int32Array[] = [];
  readonly keys: Float64Array[] = [];
  /** `masks[d]`: clip masks of the limit set in `limits[d]`. */
  readonly masks: Int32Array[] = [];
  readonly cols: Float64Array[];
  readonly order2: Int32Array;
  readonly buckets: MaskBuckets;
  /** 2^SMALL_SET x stride: the componentwise maximum of each subset, for inclusion-exclusion. */
  readonly subsetMax: Float64Array;
  readonly hv3 = new Hv3dWorkspace();
  readonly hv4 = new Hv4dWorkspace();
  readonly hv5 = new Hv5dWorkspace();

  constructor(n: number, stride: number) {
    this.n = n;
    this.stride = stride;
    for (let d = 0; d <= stride; d++) {
      this.limits.push(new Float64Array((n + 1) * stride));
      this.orders.push(new Int32Array(n));
      this.keys.push(new Float64Array(n));
      this.masks.push(new Int32Array(n + 1));
    }
    this.cols = [0, 1, 2, 3, 4].map(() => new Float64Array(n + 2));
    this.order2 = new Int32Array(n);
    this.buckets = new MaskBuckets();
    this.subsetMax = new Float64Array((1 << SMALL_SET) * stride);
  }
}

/**
 * Hypervolume of `n` rows of `rows` (stride `stride`, first `d` objectives used), translated so the
 * reference is the origin, by WFG (While, Bradstreet, Barone 2012). Sorting by the last objective,
 * worst first, puts every limit set in the hyperplane of p's last objective, so each exclusive
 * volume is p's box minus a (d - 1)-dimensional WFG call on its non-dominated limit set. At
 * `d <= baseDim` (2 to 5) the dedicated sweeps take over.
 */
export function wfg(
  rows: Float64Array,
  n: number,
  stride: number,
  d: number,
  work: WfgWorkspace,
  baseDim = 4,
): number {
  if (n === 0) return 0;
  if (n === 1) {
    let v = 1;
    for (let j = 0; j < d; j++) v *= -rows[j]!;
    return v;
  }
  if (n <= SMALL_SET) return inclusionExclusion(rows, n, stride, d, work.subsetMax);
  if (d <= baseDim) return baseVolume(rows, n, stride, d, work);
  const key = work.keys[d]!;
  const order = work.orders[d]!;
  const limit = work.limits[d - 1]!;
  const masks = work.masks[d - 1]!;
  const last = d - 1;
  for (let i = 0; i < n; i++) key[i] = -rows[i * stride + last]!;
  argsortLex(key, key, n, order);
  let total = 0;
  let comp = 0;
  for (let t = 0; t < n; t++) {
    const p = order[t]! * stride;
    const cnt =
      last === 4
        ? limitSet4(rows, p, order, t + 1, n, -1, stride, limit, masks, work.buckets)
        : last === 5
          ? limitSet5(rows, p, order, t + 1, n, -1, stride, limit, masks)
          : limitSet(rows, p, order, t + 1, n, -1, stride, last, limit, masks);
    if (cnt < 0) continue;
    let box = 1;
    for (let j = 0; j < last; j++) box *= -rows[p + j]!;
    const inner = cnt === 0 ? 0 : wfg(limit, cnt, stride, last, work, baseDim);
    const term = (box - inner) * -rows[p + last]!;
    const s = total + term;
    comp += Math.abs(total) >= Math.abs(term) ? total - s + term : term - s + total;
    total = s;
  }
  return total + comp;
}

/** Hypervolume of rows in d <= 5 objectives by the dedicated sweeps (d = 1: the longest edge). */
export function baseVolume(
  rows: Float64Array,
  n: number,
  stride: number,
  d: number,
  work: WfgWorkspace,
): number {
  if (d === 1) {
    let lo = 0;
    for (let i = 0; i < n; i++) lo = Math.min(lo, rows[i * stride]!);
    return -lo;
  }
  const cols = work.cols;
  for (let j = 0; j < d; j++) {
    const c = cols[j]!;
    for (let i = 0; i < n; i++) c[i] = rows[i * stride + j]!;
  }
  if (d === 2) return hv2d(cols[0]!, cols[1]!, n, work.order2);
  if (d === 3) return hv3d(cols[0]!, cols[1]!, cols[2]!, n, work.hv3);
  if (d === 4) return hv4d(cols[0]!, cols[1]!, cols[2]!, cols[3]!, n, work.hv4);
  return hv5d(cols[0]!, cols[1]!, cols[2]!, cols[3]!, cols[4]!, n, work.hv5);
}

/**
 * Hypervolume of n <= SMALL_SET rows by inclusion-exclusion: subset S adds (-1)^(|S|+1) times the
 * volume of the componentwise maximum of its members, built from S minus its lowest member.
 */
function inclusionExclusion(
  rows: Float64Array,
  n: number,
  stride: number,
  d: number,
  max: Float64Array,
): number {
  let total = 0;
  for (let j = 0; j < d; j++) max[j] = 0;
  for (let set = 1; set < 1 << n; set++) {
    const low = 31 - Math.clz32(set & -set);
    const rest = set & (set - 1);
    const o = set * stride;
    const r = rest * stride;
    const q = low * stride;
    let v = 1;
    let odd = 1;
    for (let j = 0; j < d; j++) {
      const x = rest === 0 ? rows[q + j]! : Math.max(max[r + j]!, rows[q + j]!);
      max[o + j] = x;
      v *= -x;
    }
    for (let b = rest; b !== 0; b &= b - 1) odd ^= 1;
    total += odd === 1 ? v : -v;
  }
  return total;
}
