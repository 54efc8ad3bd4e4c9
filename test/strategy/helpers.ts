/** Shared fixtures of the generator tests: hand-built encoded spaces and generation inputs. */
import type { Matrix } from '../../src/linalg/matrix.js';
import type { EncodedColumn, EncodedSpace, GenerationInput } from '../../src/strategy/generator.js';

export const empty = (d: number): Matrix => ({ rows: 0, cols: d, data: new Float64Array(0) });
export const rowsOf = (m: Matrix): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
export const fromRows = (rows: number[][], d: number): Matrix => ({
  rows: rows.length,
  cols: d,
  data: Float64Array.from(rows.flat()),
});

/** A hand-built space: columns as given, rounding integers to their grid and one-hot blocks to argmax. */
export function space(
  columns: EncodedColumn[],
  constraints: { a: number[][]; b: number[] } = { a: [], b: [] },
): EncodedSpace {
  const d = columns.length;
  return {
    dimension: d,
    columns,
    constraintMatrix: fromRows(constraints.a, d),
    constraintBound: Float64Array.from(constraints.b),
    round(x: Float64Array): void {
      const done = new Set<number>();
      columns.forEach((c, j) => {
        if (c.kind === 'integer') x[j] = Math.round(x[j]! * (c.levels - 1)) / (c.levels - 1);
        if (c.kind === 'onehot' && !done.has(c.block[0]!)) {
          let best = c.block[0]!;
          for (const k of c.block) if (x[k]! > x[best]!) best = k;
          for (const k of c.block) x[k] = k === best ? 1 : 0;
          done.add(c.block[0]!);
        }
      });
    },
  };
}

export const continuous = (n: number): EncodedColumn[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'continuous', parameter: `x${i}` }) as const);

/** x0 continuous, x1 integer with 5 levels, a one-hot block over columns 2..4. */
export const mixedColumns: EncodedColumn[] = [
  { kind: 'continuous', parameter: 'x' },
  { kind: 'integer', parameter: 'k', levels: 5 },
  { kind: 'onehot', parameter: 'c', block: [2, 3, 4] },
  { kind: 'onehot', parameter: 'c', block: [2, 3, 4] },
  { kind: 'onehot', parameter: 'c', block: [2, 3, 4] },
];

export function input(s: EncodedSpace, count: number, extra: Partial<GenerationInput> = {}): GenerationInput {
  const d = s.dimension;
  return {
    space: s,
    X: empty(d),
    completedIds: [],
    Y: empty(2),
    C: empty(0),
    failed: empty(d),
    pending: empty(d),
    referencePoint: undefined,
    count,
    seed: 12345,
    state: undefined,
    ...extra,
  };
}
