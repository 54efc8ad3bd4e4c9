import {
  FunctionBuilder,
  get,
  globalSet,
  growTo,
  I32,
  instantiate,
  moduleBytes,
  type ValueType,
  type WasmMemory,
} from '../../wasm/assembler.js';
import {
  COVER_SLICE,
  coverSliceFn,
  EXCLUSIVE_AREA,
  exclusiveAreaFn,
  G_STRIDE,
  SET_STRIDE,
  SHARED_GLOBALS,
  STAIR_INSERT,
  STAIR_INSERT_AT,
  STAIR_PRUNE,
  STAIR_REPLACE,
  SWEEP_ABOVE,
  stairInsertAtFn,
  stairInsertFn,
  stairPruneFn,
  stairReplaceFn,
  sweepAboveFn,
} from './staircase.js';

/** The exports every kernel module has: its memory and the staircase functions other code calls (staircase.ts). */
export interface SharedExports {
  readonly memory: WasmMemory;
  readonly setStride: (bytes: number) => void;
  readonly stairInsert: (sx: number, sy: number, t: number, x: number, y: number) => number;
  readonly sweepAbove: (
    sx: number,
    sy: number,
    t: number,
    px: number,
    py: number,
    pz: number,
    xB: number,
    yL: number,
    ax: number,
    ay: number,
    az: number,
    j: number,
    k: number,
    dead: number,
    mark: number,
  ) => number;
}

/** A function by index (a call names its callee by index), with the name it is exported under, if any. */
export type Listed = [index: number, build: () => FunctionBuilder, name?: string];

/**
 * A hypervolume kernel's WebAssembly module and its memory: the staircase functions and globals
 * (staircase.ts) first, then the kernel's own. The memory holds `regions` arrays of `stride` bytes
 * each, region r at byte r * stride, room for `capacity` + 4 entries of 8 bytes (4 bytes for
 * integers) per region; it grows with the largest set seen and never shrinks. Calls are synchronous
 * and the module is this thread's, so one memory serves every call.
 */
export class KernelModule<T> {
  readonly exports: T & SharedExports;
  capacity = -1;
  /** Bytes per region. */
  stride = 0;
  /** The memory as doubles and as 32-bit integers (views renewed when it grows). */
  doubles = new Float64Array(0);
  ints = new Int32Array(0);

  constructor(
    own: Listed[],
    globals: readonly ValueType[],
    readonly regions: number,
  ) {
    const setStride = new FunctionBuilder([I32], []);
    setStride.body(globalSet(G_STRIDE, get(0)));
    const listed: Listed[] = [
      [STAIR_REPLACE, stairReplaceFn],
      [STAIR_INSERT, stairInsertFn, 'stairInsert'],
      [STAIR_INSERT_AT, stairInsertAtFn],
      [STAIR_PRUNE, stairPruneFn],
      [EXCLUSIVE_AREA, exclusiveAreaFn],
      [COVER_SLICE, coverSliceFn],
      [SWEEP_ABOVE, sweepAboveFn, 'sweepAbove'],
      [SET_STRIDE, () => setStride, 'setStride'],
      ...own,
    ];
    const functions = listed.map(([index, build, name], position) => {
      if (index !== position) {
        throw new Error(`hypervolume kernels: function ${index} listed at position ${position}`);
      }
      return { fn: build(), ...(name === undefined ? {} : { name }) };
    });
    this.exports = instantiate(
      moduleBytes({ functions, globals: [...SHARED_GLOBALS, ...globals], memoryPages: 1 }),
      'hypervolume kernels',
      '',
    );
  }

  /**
   * Makes room for n points (only this grows the memory) and renews the views when it grew. The
   * regions then move: their contents are undefined.
   */
  cover(n: number): void {
    const memory = this.exports.memory;
    if (n <= this.capacity) return;
    this.capacity = Math.max(n, 2 * this.capacity, 64);
    this.stride = (this.capacity + 4) * 8;
    const bytes = this.regions * this.stride;
    growTo(memory, bytes);
    this.exports.setStride(this.stride);
    this.doubles = new Float64Array(memory.buffer);
    this.ints = new Int32Array(memory.buffer);
  }
}
