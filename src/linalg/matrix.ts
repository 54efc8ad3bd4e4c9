/**
 * A dense row-major float64 matrix: element (i, j) lives at `data[i * cols + j]`.
 *
 * Every numeric routine below the `space/` layer speaks this type (or a bare `Float64Array` with
 * its shape stated in the doc comment), so a point set of `n` points with `m` objectives is a
 * `Matrix` with `rows = n`, `cols = m`.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Anything a public function accepts as a matrix: a `Matrix` or an array of equal-length rows. */
export type MatrixLike = Matrix | ReadonlyArray<ArrayLike<number>>;

/** A new zero-filled `rows x cols` matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Wraps `data` (length `rows * cols`, row-major) without copying. */
export function matrix(rows: number, cols: number, data: Float64Array): Matrix {
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix: data has length ${data.length}, expected rows * cols = ${rows * cols}`);
  }
  return { rows, cols, data };
}

export function isMatrix(x: unknown): x is Matrix {
  return (
    typeof x === 'object' &&
    x !== null &&
    'data' in x &&
    (x as Matrix).data instanceof Float64Array &&
    typeof (x as Matrix).rows === 'number' &&
    typeof (x as Matrix).cols === 'number'
  );
}

/**
 * Converts an array of rows to a `Matrix` (copying), or returns a `Matrix` unchanged.
 * `what` names the argument in error messages. An empty array gives a `0 x cols` matrix where
 * `cols` is `emptyCols` (default 0).
 */
export function toMatrix(x: MatrixLike, what = 'points', emptyCols = 0): Matrix {
  if (isMatrix(x)) {
    if (x.data.length !== x.rows * x.cols) {
      throw new RangeError(`${what}: data has length ${x.data.length}, expected ${x.rows} x ${x.cols}`);
    }
    return x;
  }
  const rows = x.length;
  if (rows === 0) return zeros(0, emptyCols);
  const cols = x[0]!.length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = x[i]!;
    if (row.length !== cols) {
      throw new RangeError(`${what}: row ${i} has ${row.length} values, expected ${cols} like row 0`);
    }
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j]!;
  }
  return { rows, cols, data };
}

/** The rows of `a` as plain arrays (for output and tests). */
export function toRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** Row `i` of `a` as a view (no copy). */
export function row(a: Matrix, i: number): Float64Array {
  return a.data.subarray(i * a.cols, (i + 1) * a.cols);
}

/** A new matrix holding the rows of `a` listed in `indices`, in that order. */
export function selectRows(a: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float64Array(indices.length * a.cols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    out.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), k * a.cols);
  }
  return { rows: indices.length, cols: a.cols, data: out };
}
