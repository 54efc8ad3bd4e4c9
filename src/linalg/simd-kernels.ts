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
 * The module is written here as bytes from a few named instructions (the binary format of the
 * WebAssembly core specification 2.0, SIMD opcodes from its section 5.4.8). Its functions take
 * byte offsets into the memory:
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

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const VOID = 0x40;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const F64_LOAD = 0x2b;
const F64_STORE = 0x39;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const F64_ADD = 0xa0;
const F64_SUB = 0xa1;
const F64_MUL = 0xa2;
const V128_LOAD = [0xfd, 0x00];
const V128_STORE = [0xfd, 0x0b];
const F64X2_SPLAT = [0xfd, 0x14];
const F64X2_ADD = [0xfd, 0xf0, 0x01];
const F64X2_SUB = [0xfd, 0xf1, 0x01];
const F64X2_MUL = [0xfd, 0xf2, 0x01];

/** Unsigned LEB128. */
function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small constants). */
function signed(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsigned(body.length), ...body];
}

function name(s: string): number[] {
  return [...unsigned(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

const get = (i: number) => [LOCAL_GET, ...unsigned(i)];
const set = (i: number) => [LOCAL_SET, ...unsigned(i)];
const tee = (i: number) => [LOCAL_TEE, ...unsigned(i)];
const i32 = (v: number) => [I32_CONST, ...signed(v)];
// memarg: log2 of the alignment, then the offset.
const loadF64 = (offset: number) => [F64_LOAD, 3, ...unsigned(offset)];
const storeF64 = (offset: number) => [F64_STORE, 3, ...unsigned(offset)];
const loadV128 = (offset: number) => [...V128_LOAD, 4, ...unsigned(offset)];
const storeV128 = (offset: number) => [...V128_STORE, 4, ...unsigned(offset)];
const advance = (local: number, bytes: number) => [...get(local), ...i32(bytes), I32_ADD, ...set(local)];

/** A function body: its locals as (count, type) runs, then its instructions. */
function body(locals: Array<[number, number]>, code: number[]): number[] {
  const declared = [
    ...unsigned(locals.length),
    ...locals.flatMap(([count, type]) => [...unsigned(count), type]),
  ];
  const all = [...declared, ...code, END];
  return [...unsigned(all.length), ...all];
}

/** gemm's micro-kernel: parameters kc, a, b, tile; locals 4..11 the accumulators, 12-13 B, 14 A. */
function kernelBody(): number[] {
  const KC = 0;
  const A = 1;
  const B = 2;
  const TILE = 3;
  const ACC = 4; // row r, columns 2h and 2h + 1: local ACC + 2r + h
  const B01 = 12;
  const B23 = 13;
  const AV = 14;
  const code: number[] = [LOOP, VOID];
  code.push(...get(B), ...loadV128(0), ...set(B01));
  code.push(...get(B), ...loadV128(16), ...set(B23));
  for (let r = 0; r < 4; r++) {
    code.push(...get(A), ...loadF64(8 * r), ...F64X2_SPLAT, ...set(AV));
    for (let h = 0; h < 2; h++) {
      const acc = ACC + 2 * r + h;
      code.push(
        ...get(acc),
        ...get(AV),
        ...get(h === 0 ? B01 : B23),
        ...F64X2_MUL,
        ...F64X2_ADD,
        ...set(acc),
      );
    }
  }
  code.push(...advance(A, 32), ...advance(B, 32));
  // kc -= 1; again while it is not 0.
  code.push(...get(KC), ...i32(1), I32_SUB, ...tee(KC), BR_IF, 0, END);
  for (let t = 0; t < 8; t++) code.push(...get(TILE), ...get(ACC + t), ...storeV128(16 * t));
  return body([[11, V128]], code);
}

/**
 * An elementwise update of y from x, pairs by SIMD and an odd last entry by scalar code. Parameters:
 * n, then `scalars` f64 values, then x and y (byte offsets); locals: x's byte offset past the last
 * pair, the scalars splatted (v128), then `scratch`. With x's pair on the stack, `pair` leaves the
 * v128 to add to y's pair; `single` likewise for one f64.
 */
function updateBody(
  scalars: number,
  pair: number[],
  single: number[],
  scratch: Array<[number, number]>,
): number[] {
  const N = 0;
  const X = 1 + scalars;
  const Y = 2 + scalars;
  const END_X = 3 + scalars;
  const code: number[] = [];
  for (let s = 0; s < scalars; s++) code.push(...get(1 + s), ...F64X2_SPLAT, ...set(END_X + 1 + s));
  code.push(...get(X), ...get(N), ...i32(-2), I32_AND, ...i32(3), I32_SHL, I32_ADD, ...set(END_X));
  code.push(BLOCK, VOID, LOOP, VOID);
  code.push(...get(X), ...get(END_X), I32_GE_U, BR_IF, 1);
  code.push(
    ...get(Y),
    ...get(Y),
    ...loadV128(0),
    ...get(X),
    ...loadV128(0),
    ...pair,
    ...F64X2_ADD,
    ...storeV128(0),
  );
  code.push(...advance(X, 16), ...advance(Y, 16), BR, 0, END, END);
  code.push(...get(N), ...i32(1), I32_AND, IF, VOID);
  code.push(
    ...get(Y),
    ...get(Y),
    ...loadF64(0),
    ...get(X),
    ...loadF64(0),
    ...single,
    F64_ADD,
    ...storeF64(0),
  );
  code.push(END);
  return body([[1, I32], [scalars, V128], ...scratch], code);
}

/** The module's bytes: memory 0 and the functions of the file's comment, all exported. */
function moduleBytes(): Uint8Array {
  // axpy(n, alpha, x, y); locals 4 (end), 5 (alpha splatted). x on the stack -> x * alpha.
  const axpy = updateBody(1, [...get(5), ...F64X2_MUL], [...get(1), F64_MUL], []);
  // distance(n, a, b, x, y); locals 5 (end), 6 and 7 (a, b splatted), 8 (v128) and 9 (f64) scratch.
  // x on the stack -> (b - 2 x) * a, with 2 x as x + x (exact, so the same value).
  const distance = updateBody(
    2,
    [
      ...tee(8),
      ...get(8),
      ...F64X2_ADD,
      ...set(8),
      ...get(7),
      ...get(8),
      ...F64X2_SUB,
      ...get(6),
      ...F64X2_MUL,
    ],
    [...tee(9), ...get(9), F64_ADD, ...set(9), ...get(2), ...get(9), F64_SUB, ...get(1), F64_MUL],
    [
      [1, V128],
      [1, F64],
    ],
  );
  const types = [
    [0x60, 4, I32, I32, I32, I32, 0],
    [0x60, 4, I32, F64, I32, I32, 0],
    [0x60, 5, I32, F64, F64, I32, I32, 0],
  ];
  const exported = (label: string, kind: number, index: number) => [...name(label), kind, index];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [types.length, ...types.flat()]),
    ...section(3, [3, 0, 1, 2]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [
      4,
      ...exported('kernel', 0x00, 0),
      ...exported('axpy', 0x00, 1),
      ...exported('distance', 0x00, 2),
      ...exported('memory', 0x02, 0),
    ]),
    ...section(10, [3, ...kernelBody(), ...axpy, ...distance]),
  ]);
}

/** The instance's exports. */
interface Exports {
  readonly kernel: (kc: number, a: number, b: number, tile: number) => void;
  readonly axpy: (n: number, alpha: number, x: number, y: number) => void;
  readonly distance: (n: number, a: number, b: number, x: number, y: number) => void;
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
}

/** The parts of the WebAssembly JavaScript API used here (the project's TypeScript lib omits it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** Instantiates the module, or says plainly why it cannot (no WebAssembly, as under `node --jitless`). */
function instantiate(): Exports {
  const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) {
    throw new Error(
      'mobo: WebAssembly is not available in this JavaScript runtime (is Node running with --jitless?); ' +
        'the linear algebra kernels need it, with SIMD (Node >= 16.4)',
    );
  }
  try {
    return new wasm.Instance(new wasm.Module(moduleBytes()), {}).exports as Exports;
  } catch (error) {
    throw new Error(
      `mobo: the linear algebra kernels' WebAssembly module did not load (it needs 128-bit SIMD, Node >= 16.4): ${String(error)}`,
    );
  }
}

const exports = instantiate();

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

/** Bytes per WebAssembly memory page. */
const PAGE = 65536;

/** The current float64 view of the memory. */
let view = new Float64Array(exports.memory.buffer);

function cover(doubles: number): Float64Array {
  const memory = exports.memory;
  const bytes = doubles * 8;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
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
