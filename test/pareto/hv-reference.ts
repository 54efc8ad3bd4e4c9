/** Independent hypervolume references shared by the hypervolume tests. */

/** Volume by slicing along the last objective and recursing (independent of the code under test). */
export function slicing(rows: Float64Array, n: number, m: number): number {
  const pts: number[][] = [];
  for (let i = 0; i < n; i++) pts.push(Array.from(rows.subarray(i * m, i * m + m)));
  const rec = (ps: number[][], d: number): number => {
    if (ps.length === 0) return 0;
    if (d === 1) return -Math.min(...ps.map((p) => p[0]!));
    const s = [...ps].sort((a, b) => a[d - 1]! - b[d - 1]!);
    let v = 0;
    for (let k = 0; k < s.length; k++) {
      const w = (k + 1 < s.length ? s[k + 1]![d - 1]! : 0) - s[k]![d - 1]!;
      if (w > 0) v += w * rec(s.slice(0, k + 1), d - 1);
    }
    return v;
  };
  return rec(pts, m);
}
