import {
  type Code,
  F64,
  type FunctionBuilder,
  f64,
  f64x2,
  get,
  i32,
  i64x2,
  seq,
  set,
  V128,
  v128,
} from '../../wasm/assembler.js';

/**
 * Code for the hypervolume modules that holds a point of m objectives in locals two to an f64x2
 * pair, so that a load, a subtraction or a comparison serves two objectives (gather.ts, limit-set.ts).
 */

const range = (m: number): number[] => Array.from({ length: m }, (_, j) => j);

/**
 * A point of m doubles in locals: floor(m / 2) f64x2 pairs (objectives 2k and 2k + 1), then one f64
 * when m is odd.
 */
export interface Lanes {
  pairs: number[];
  single: number;
}

export function laneLocals(f: FunctionBuilder, m: number): Lanes {
  return { pairs: range(m >> 1).map(() => f.local(V128)), single: m & 1 ? f.local(F64) : -1 };
}

/** Objective j of a point in locals, as an f64. */
export const lane = (x: Lanes, j: number): Code =>
  j >> 1 < x.pairs.length ? f64x2.extractLane(get(x.pairs[j >> 1]!), j & 1) : get(x.single);

/** Sets every objective of `x` from `pair(k)` (a v128) and `single()` (an f64). */
export const setLanes = (x: Lanes, pair: (k: number) => Code, single: () => Code): Code =>
  seq(...x.pairs.map((l, k) => set(l, pair(k))), ...(x.single >= 0 ? [set(x.single, single())] : []));

/** 1 when `test` holds in every lane of the pairs and `single` holds, else 0. */
export function allLanes(x: Lanes, test: (k: number) => Code, single: () => Code): Code {
  const pairs = i64x2.allTrue(x.pairs.map((_, k) => test(k)).reduce((all, t) => v128.and(all, t)));
  return x.single >= 0 ? i32.and(pairs, single()) : pairs;
}

/** Sets `x` from the row of m doubles at byte `address` (any alignment). */
export const loadRow = (x: Lanes, m: number, address: Code): Code =>
  setLanes(
    x,
    (k) => v128.load(address, 16 * k, 3),
    () => f64.load(address, 8 * (m - 1)),
  );

/** Writes `x` as a row of m doubles at byte `address`. */
export const storeRow = (x: Lanes, m: number, address: Code): Code =>
  seq(
    ...x.pairs.map((l, k) => v128.store(address, get(l), 16 * k, 3)),
    ...(x.single >= 0 ? [f64.store(address, get(x.single), 8 * (m - 1))] : []),
  );

/** 1 when `p` weakly dominates `x` (every objective at most x's), else 0. */
export const coversLanes = (p: Lanes, x: Lanes): Code =>
  allLanes(
    x,
    (k) => f64x2.le(get(p.pairs[k]!), get(x.pairs[k]!)),
    () => f64.le(get(p.single), get(x.single)),
  );

/** The sum of a point's objectives, in objective order (as a loop over them would add them). */
export const laneSum = (x: Lanes, m: number): Code =>
  range(m - 1).reduce((s, j) => f64.add(s, lane(x, j + 1)), lane(x, 0));
