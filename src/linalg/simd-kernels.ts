/**
 * Float64 kernels in WebAssembly with 128-bit SIMD (two float64 lanes), and the module's memory,
 * where their operands live: gemm's 4 x 4 micro-kernel, y += alpha x, and the squared-distance
 * column update y += a (b - 2 x).
 *
 * Why WebAssembly: V8 compiles JavaScript's float64 arithmetic to scalar instructions only. gemm's
 * micro-kernel in scalar JavaScript (sixteen accumulators) ran at 2.5 to 3.5 GFLOP/s on this
 * project's machines whatever its shape (4 x 4, 2 x 4, 4 x 2, 3 x 4, 4 x 3 measured); with f64x2
 * lanes it runs at about 13 GFLOP/s (a 128 x 52 x 256 product, AMD EPYC, Node 20). WebAssembly SIMD
 * is in every Node since 16.4.
 *
 * Same values, bit for bit, as the scalar loops they replace: each lane does the scalar loop's
 * operations on its entry, a separate multiply and add (WebAssembly's f64x2 set has no fused
 * multiply-add), and gemm's kernel sums over the depth in the same order. So a result does not
 * depend on which kernel computed it, and the tests compare them with scalar loops bit for bit.
 *
 * The module is written here with the project's assembler (wasm/assembler.ts, which names the SIMD
 * instructions too: v128, f64x2). Its functions take byte offsets into the memory:
 *
 *   kernel(kc, a, b, tile)   tile[r * 4 + j] = sum over p < kc of A[a + 4 p + r] * B[b + 4 p + j]
 *                            (r, j < 4; kc >= 1): A and B are packed panels, depth-major with four
 *                            values per depth step, as blas.ts packs them; eight v128 accumulators
 *                            hold the tile's rows as column pairs.
 *   axpy(n, alpha, x, y)     y[i] = y[i] + alpha * x[i], i < n
 *   distance(n, a, b, x, y)  y[i] = y[i] + a * (b - 2 * x[i]), i < n
 *
 * Memory layout: gemm's scratch (its tile and packed panels) first, in a region of fixed size, then
 * the vector kernels' operands, which belong to one caller at a time (PathwiseSampler's
 * evaluateAroundEach, the triangular inverse): a caller takes a view with `vectorMemory`, may call
 * gemm while it holds it, and calls no other user of the region meanwhile. A view must not be kept
 * past a call that may grow the memory (a grown memory has a new buffer): gemm never grows it once
 * a vector region exists, since `vectorMemory` always covers the whole gemm region.
 */

import {
  type Code,
  F64,
  FunctionBuilder,
  f64,
  f64x2,
  get,
  growTo,
  I32,
  i32,
  instantiate,
  moduleBytes,
  seq,
  set,
  tee,
  V128,
  type ValueType,
  v128,
  type WasmMemory,
} from '../wasm/assembler.js';

const advance = (local: number, bytes: number): Code => set(local, i32.add(get(local), i32.const(bytes)));

/** gemm's micro-kernel: parameters kc, a, b, tile; locals 4..11 the accumulators, 12-13 B, 14 A. */
function kernelFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32], []);
  const [KC, A, B, TILE] = [0, 1, 2, 3];
  // Row r, columns 2h and 2h + 1: acc[2r + h].
  const acc = Array.from({ length: 8 }, () => f.local(V128));
  const b01 = f.local(V128);
  const b23 = f.local(V128);
  const av = f.local(V128);
  f.body(
    seq(
      f.loop('depth', () => {
        const step: Code[] = [set(b01, v128.load(get(B), 0)), set(b23, v128.load(get(B), 16))];
        for (let r = 0; r < 4; r++) {
          step.push(set(av, f64x2.splat(f64.load(get(A), 8 * r))));
          for (let h = 0; h < 2; h++) {
            const a = acc[2 * r + h]!;
            step.push(set(a, f64x2.add(get(a), f64x2.mul(get(av), get(h === 0 ? b01 : b23)))));
          }
        }
        step.push(advance(A, 32), advance(B, 32));
        // kc -= 1; again while it is not 0.
        step.push(f.brIf('depth', tee(KC, i32.sub(get(KC), i32.const(1)))));
        return seq(...step);
      }),
      ...acc.map((a, t) => v128.store(get(TILE), get(a), 16 * t)),
    ),
  );
  return f;
}

/**
 * An elementwise update of y from x, pairs by SIMD and an odd last entry by scalar code. Parameters:
 * n, then `scalars` f64 values, then x and y (byte offsets); locals: x's byte offset past the last
 * pair, the scalars splatted (v128), then `scratch`. With x's pair on the stack, `pair` leaves the
 * v128 to add to y's pair; `single` likewise for one f64.
 */
function updateFn(scalars: number, pair: Code, single: Code, scratch: ValueType[]): FunctionBuilder {
  const f = new FunctionBuilder([I32, ...new Array<ValueType>(scalars).fill(F64), I32, I32], []);
  const N = 0;
  const X = 1 + scalars;
  const Y = 2 + scalars;
  const endX = f.local(I32);
  const splats = Array.from({ length: scalars }, () => f.local(V128));
  for (const t of scratch) f.local(t);
  f.body(
    seq(
      ...splats.map((local, s) => set(local, f64x2.splat(get(1 + s)))),
      set(endX, i32.add(get(X), i32.shl(i32.and(get(N), i32.const(-2)), i32.const(3)))),
      f.block('pairs', () =>
        f.loop('pair', () =>
          seq(
            f.brIf('pairs', i32.geU(get(X), get(endX))),
            v128.store(get(Y), f64x2.add(v128.load(get(Y)), [...v128.load(get(X)), ...pair])),
            advance(X, 16),
            advance(Y, 16),
            f.br('pair'),
          ),
        ),
      ),
      f.when(i32.and(get(N), i32.const(1)), () =>
        f64.store(get(Y), f64.add(f64.load(get(Y)), [...f64.load(get(X)), ...single])),
      ),
    ),
  );
  return f;
}

/** The module's bytes: memory 0 and the functions of the file's comment, all exported. */
function kernelModule(): Uint8Array {
  // axpy(n, alpha, x, y); locals 4 (end), 5 (alpha splatted). x on the stack -> x * alpha.
  const axpy = updateFn(1, f64x2.mul([], get(5)), f64.mul([], get(1)), []);
  // distance(n, a, b, x, y); locals 5 (end), 6 and 7 (a, b splatted), 8 (v128) and 9 (f64) scratch.
  // x on the stack -> (b - 2 x) * a, with 2 x as x + x (exact, so the same value).
  const distance = updateFn(
    2,
    [...f64x2.add(tee(8, []), get(8)), ...set(8, []), ...f64x2.mul(f64x2.sub(get(7), get(8)), get(6))],
    [...tee(9, []), ...f64.add([], get(9)), ...set(9, []), ...f64.mul(f64.sub(get(2), get(9)), get(1))],
    [V128, F64],
  );
  return moduleBytes({
    functions: [
      { name: 'kernel', fn: kernelFn() },
      { name: 'axpy', fn: axpy },
      { name: 'distance', fn: distance },
    ],
    memoryPages: 1,
  });
}

/** The instance's exports. */
interface Exports {
  readonly kernel: (kc: number, a: number, b: number, tile: number) => void;
  readonly axpy: (n: number, alpha: number, x: number, y: number) => void;
  readonly distance: (n: number, a: number, b: number, x: number, y: number) => void;
  readonly memory: WasmMemory;
}

const exports = instantiate<Exports>(kernelModule(), 'linear algebra kernels', '128-bit SIMD, Node >= 16.4');

/** gemm's micro-kernel: see the file's comment (byte offsets, kc >= 1). */
export const microKernel = exports.kernel;
/** y += alpha x over n entries at byte offsets x and y of the memory. */
export const simdAxpy = exports.axpy;
/** y += a (b - 2 x) over n entries at byte offsets x and y of the memory. */
export const simdDistanceUpdate = exports.distance;

/** The doubles at the start of the memory that hold the micro-kernel's 4 x 4 tile. */
export const TILE_DOUBLES = 16;

/**
 * Doubles of gemm's region: the tile, an MC x KC block of A and a KC x NC block of B at blas.ts's
 * blocking (96, 256, 2048; blas.ts checks its own constants against this at load).
 */
export const GEMM_REGION_DOUBLES = TILE_DOUBLES + 96 * 256 + 256 * 2048;

/** The current float64 view of the memory. */
let view = new Float64Array(exports.memory.buffer);

function cover(doubles: number): Float64Array {
  const memory = exports.memory;
  const bytes = doubles * 8;
  growTo(memory, bytes);
  if (view.buffer !== memory.buffer) view = new Float64Array(memory.buffer);
  return view;
}

/**
 * A float64 view of the memory whose first `doubles` values (at most `GEMM_REGION_DOUBLES`: the
 * tile, then the packed panels) gemm may use. Scratch only: gemm packs into it and reads the tile
 * back within one call, and nothing in it outlives that call (each worker thread loads its own
 * module).
 */
export function packingMemory(doubles: number): Float64Array {
  return cover(doubles);
}

/**
 * A float64 view of the memory with `doubles` values free from `GEMM_REGION_DOUBLES` on (the
 * vector kernels' operands). It covers gemm's whole region too, so gemm calls made while the view
 * is in use do not grow the memory: the view stays valid until the next `vectorMemory` call.
 */
export function vectorMemory(doubles: number): Float64Array {
  return cover(GEMM_REGION_DOUBLES + doubles);
}
