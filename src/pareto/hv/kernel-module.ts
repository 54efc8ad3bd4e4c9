import {
  type FunctionBuilder,
  instantiate,
  moduleBytes,
  PAGE,
  type ValueType,
  type WasmMemory,
} from '../../wasm/assembler.js';
import {
  COVER_SLICE,
  coverSliceFn,
  EXCLUSIVE_AREA,
  exclusiveAreaFn,
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
  withRegionStride,
} from './staircase.js';

/** The exports every kernel module has: its memory and the staircase functions other code calls (staircase.ts). */
export interface SharedExports {
  readonly memory: WasmMemory;
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
 * integers) per region. The code has the regions' addresses as constants, so it is built for one
 * capacity: a set larger than it rebuilds the module for twice the capacity (or the set's size),
 * with a new memory, and the module is never built smaller (about 10 ms for hv5d's, a handful of
 * times in a process). Calls are synchronous and the module is this thread's, so one memory serves
 * every call.
 */
export class KernelModule<T> {
  exports!: T & SharedExports;
  capacity = -1;
  /** Bytes per region. */
  stride = 0;
  /** The memory as doubles and as 32-bit integers (views renewed when the module is rebuilt). */
  doubles = new Float64Array(0);
  ints = new Int32Array(0);
  private readonly listed: Listed[];

  constructor(
    own: Listed[],
    private readonly globals: readonly ValueType[],
    readonly regions: number,
  ) {
    this.listed = [
      [STAIR_REPLACE, stairReplaceFn],
      [STAIR_INSERT, stairInsertFn, 'stairInsert'],
      [STAIR_INSERT_AT, stairInsertAtFn],
      [STAIR_PRUNE, stairPruneFn],
      [EXCLUSIVE_AREA, exclusiveAreaFn],
      [COVER_SLICE, coverSliceFn],
      [SWEEP_ABOVE, sweepAboveFn, 'sweepAbove'],
      ...own,
    ];
    this.listed.forEach(([index], position) => {
      if (index !== position) {
        throw new Error(`hypervolume kernels: function ${index} listed at position ${position}`);
      }
    });
    // Built now for small sets, so a runtime without WebAssembly fails when the file loads.
    this.cover(60);
  }

  /**
   * Makes room for n points (only this rebuilds the module) and renews the views when it did. The
   * regions then move: their contents are undefined.
   */
  cover(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = Math.max(n, 2 * this.capacity);
    this.stride = (this.capacity + 4) * 8;
    const functions = withRegionStride(this.stride, () =>
      this.listed.map(([, build, name]) => ({ fn: build(), ...(name === undefined ? {} : { name }) })),
    );
    this.exports = instantiate(
      moduleBytes({
        functions,
        globals: [...SHARED_GLOBALS, ...this.globals],
        memoryPages: Math.ceil((this.regions * this.stride) / PAGE),
      }),
      'hypervolume kernels',
      '',
    );
    const buffer = this.exports.memory.buffer;
    this.doubles = new Float64Array(buffer);
    this.ints = new Int32Array(buffer);
  }
}
