/**
 * A set of integer ranks in `[0, capacity)` with insert, remove, predecessor and successor in
 * O(log_32 capacity): a hierarchy of 32-bit words where each bit of level `l + 1` says whether the
 * corresponding word of level `l` is non-empty. With ranks precomputed by one sort this replaces a
 * balanced search tree in the 3-D dimension sweep, at three word operations per level and no nodes.
 */
export class RankSet {
  private readonly levels: Int32Array[];

  constructor(capacity: number) {
    const levels: Int32Array[] = [];
    let size = Math.max(1, capacity);
    for (;;) {
      const words = (size + 31) >>> 5;
      levels.push(new Int32Array(words));
      if (words === 1) break;
      size = words;
    }
    this.levels = levels;
  }

  insert(rank: number): void {
    const levels = this.levels;
    let r = rank;
    for (let l = 0; l < levels.length; l++) {
      const words = levels[l]!;
      const w = r >>> 5;
      const before = words[w]!;
      words[w] = before | (1 << (r & 31));
      if (before !== 0) return;
      r = w;
    }
  }

  remove(rank: number): void {
    const levels = this.levels;
    let r = rank;
    for (let l = 0; l < levels.length; l++) {
      const words = levels[l]!;
      const w = r >>> 5;
      const after = words[w]! & ~(1 << (r & 31));
      words[w] = after;
      if (after !== 0) return;
      r = w;
    }
  }

  /** The largest member strictly below `rank`, or -1. */
  pred(rank: number): number {
    const levels = this.levels;
    const depth = levels.length;
    let r = rank;
    let l = 0;
    for (; l < depth; l++) {
      const w = r >>> 5;
      const bits = levels[l]![w]! & ((1 << (r & 31)) - 1);
      if (bits !== 0) {
        r = (w << 5) | (31 - Math.clz32(bits));
        break;
      }
      r = w;
    }
    if (l === depth) return -1;
    while (l > 0) {
      l--;
      r = (r << 5) | (31 - Math.clz32(levels[l]![r]!));
    }
    return r;
  }

  /** The smallest member strictly above `rank`, or -1. */
  succ(rank: number): number {
    const levels = this.levels;
    const depth = levels.length;
    let r = rank;
    let l = 0;
    for (; l < depth; l++) {
      const w = r >>> 5;
      const bits = levels[l]![w]! & ~((2 << (r & 31)) - 1);
      if (bits !== 0) {
        r = (w << 5) | (31 - Math.clz32(bits & -bits));
        break;
      }
      r = w;
    }
    if (l === depth) return -1;
    while (l > 0) {
      l--;
      const bits = levels[l]![r]!;
      r = (r << 5) | (31 - Math.clz32(bits & -bits));
    }
    return r;
  }
}
