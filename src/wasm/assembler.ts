/**
 * A small assembler for WebAssembly modules, written as TypeScript calls that return instruction
 * bytes (the binary format of the WebAssembly core specification 2.0), and the loader of the
 * modules it builds. No toolchain: the project's kernels in WebAssembly (linalg/simd-kernels.ts,
 * pareto/hv/hv5d.ts) are written with it and built when their file loads, in well under a
 * millisecond.
 *
 * Code is plain `number[]` (bytes), composed by spreading. Expressions take their operands as code
 * and leave their value on the stack: `f64.add(get(a), f64.mul(get(b), get(c)))`. Control flow goes
 * through a {@link FunctionBuilder}, whose blocks and loops are named: `br('scan')` finds its depth
 * from the enclosing labels while the body is being built, so code never counts nesting by hand.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;
/** A block with no result. */
export const VOID = 0x40;

export type ValueType = typeof I32 | typeof I64 | typeof F64 | typeof V128;
export type Code = number[];

/** Unsigned LEB128. */
export function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit constants). */
export function signed(n: number): number[] {
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

/** Concatenates pieces of code. */
export function seq(...parts: Code[]): Code {
  const out: Code = [];
  for (const p of parts) for (let i = 0; i < p.length; i++) out.push(p[i]!);
  return out;
}

export const get = (local: number): Code => [0x20, ...unsigned(local)];
export const set = (local: number, value: Code): Code => [...value, 0x21, ...unsigned(local)];
export const tee = (local: number, value: Code): Code => [...value, 0x22, ...unsigned(local)];
export const globalGet = (global: number): Code => [0x23, ...unsigned(global)];
export const globalSet = (global: number, value: Code): Code => [...value, 0x24, ...unsigned(global)];
export const call = (fn: number, ...args: Code[]): Code => [...seq(...args), 0x10, ...unsigned(fn)];
export const drop = (value: Code): Code => [...value, 0x1a];
export const ret = (value: Code = []): Code => [...value, 0x0f];
/** `a` when `condition` is non-zero, else `b` (both evaluated; no branch). */
export const select = (a: Code, b: Code, condition: Code): Code => [...a, ...b, ...condition, 0x1b];

const unary =
  (op: number) =>
  (a: Code): Code => [...a, op];
const binary =
  (op: number) =>
  (a: Code, b: Code): Code => [...a, ...b, op];
// memarg: log2 of the alignment, then the offset.
const load =
  (op: number, align: number) =>
  (address: Code, offset = 0): Code => [...address, op, align, ...unsigned(offset)];
const store =
  (op: number, align: number) =>
  (address: Code, value: Code, offset = 0): Code => [...address, ...value, op, align, ...unsigned(offset)];

export const i32 = {
  const: (v: number): Code => [0x41, ...signed(v | 0)],
  load: load(0x28, 2),
  store: store(0x36, 2),
  eqz: unary(0x45),
  eq: binary(0x46),
  ne: binary(0x47),
  ltS: binary(0x48),
  gtS: binary(0x4a),
  leS: binary(0x4c),
  geS: binary(0x4e),
  ltU: binary(0x49),
  gtU: binary(0x4b),
  leU: binary(0x4d),
  geU: binary(0x4f),
  clz: unary(0x67),
  ctz: unary(0x68),
  popcnt: unary(0x69),
  add: binary(0x6a),
  sub: binary(0x6b),
  mul: binary(0x6c),
  and: binary(0x71),
  or: binary(0x72),
  xor: binary(0x73),
  shl: binary(0x74),
  shrS: binary(0x75),
  shrU: binary(0x76),
  /** A double's integer part as an i32, saturating: NaN gives 0, values beyond the range its ends. */
  truncSatF64S: (a: Code): Code => [...a, 0xfc, 0x02],
};

export const i64 = {
  load: load(0x29, 3),
  store: store(0x37, 3),
};

export const f64 = {
  const: (v: number): Code => {
    const bytes = new Uint8Array(new Float64Array([v]).buffer);
    return [0x44, ...bytes];
  },
  load: load(0x2b, 3),
  store: store(0x39, 3),
  eq: binary(0x61),
  ne: binary(0x62),
  lt: binary(0x63),
  gt: binary(0x64),
  le: binary(0x65),
  ge: binary(0x66),
  abs: unary(0x99),
  neg: unary(0x9a),
  floor: unary(0x9c),
  add: binary(0xa0),
  sub: binary(0xa1),
  mul: binary(0xa2),
  div: binary(0xa3),
  min: binary(0xa4),
  max: binary(0xa5),
  /** A signed 32-bit integer as a double (exact). */
  convertI32S: unary(0xb7),
};

// 128-bit SIMD (the 0xfd prefix, then the opcode as an unsigned LEB128; section 5.4.8 of the
// WebAssembly core specification 2.0), on two f64 lanes.
const simd = (op: number): number[] => [0xfd, ...unsigned(op)];
const simdUnary =
  (op: number) =>
  (a: Code): Code => [...a, ...simd(op)];
const simdBinary =
  (op: number) =>
  (a: Code, b: Code): Code => [...a, ...b, ...simd(op)];

export const v128 = {
  /** 16 bytes from `address + offset` (any alignment; `align` is the hint, log2 of the bytes). */
  load: (address: Code, offset = 0, align = 4): Code => [
    ...address,
    ...simd(0x00),
    align,
    ...unsigned(offset),
  ],
  store: (address: Code, value: Code, offset = 0, align = 4): Code => [
    ...address,
    ...value,
    ...simd(0x0b),
    align,
    ...unsigned(offset),
  ],
  /** Stores lane `lane` (0 or 1) of `value`, 8 bytes, at `address + offset`. */
  store64Lane: (address: Code, value: Code, lane: number, offset = 0): Code => [
    ...address,
    ...value,
    ...simd(0x5b),
    3,
    ...unsigned(offset),
    lane,
  ],
  and: simdBinary(0x4e),
  or: simdBinary(0x50),
  /** 1 if any bit is set, else 0 (i32). */
  anyTrue: simdUnary(0x53),
};

export const f64x2 = {
  splat: simdUnary(0x14),
  /** Lane `lane` (0 or 1) as an f64. */
  extractLane: (a: Code, lane: number): Code => [...a, ...simd(0x21), lane],
  /** `a` with lane `lane` replaced by the f64 `value`. */
  replaceLane: (a: Code, value: Code, lane: number): Code => [...a, ...value, ...simd(0x22), lane],
  // Comparisons give all ones or all zeros per lane.
  eq: simdBinary(0x47),
  lt: simdBinary(0x49),
  le: simdBinary(0x4b),
  add: simdBinary(0xf0),
  sub: simdBinary(0xf1),
  mul: simdBinary(0xf2),
  /** Lane by lane as f64.max: the larger, +0 over -0, NaN if either is. */
  max: simdBinary(0xf5),
};

export const i64x2 = {
  /** 1 if both lanes are non-zero, else 0 (i32). */
  allTrue: simdUnary(0xc3),
  /** The lanes' sign bits as an i32, bit k from lane k (so a comparison's outcome in each lane). */
  bitmask: simdUnary(0xc4),
};

/** The memory's size in pages. */
export const memorySize = (): Code => [0x3f, 0];
/** Grows the memory by `pages` pages; leaves the former size in pages, or -1 when it cannot grow. */
export const memoryGrow = (pages: Code): Code => [...pages, 0x40, 0];

/** Copies `bytes` bytes from address `source` to `target` (overlapping ranges as memmove does). */
export const memoryCopy = (target: Code, source: Code, bytes: Code): Code => [
  ...target,
  ...source,
  ...bytes,
  0xfc,
  10,
  0,
  0,
];

/** The byte address of entry `index` of an array of 8-byte values at byte address `base`. */
export const at8 = (base: Code, index: Code): Code => i32.add(base, i32.shl(index, i32.const(3)));
/** The byte address of entry `index` of an array of 4-byte values at byte address `base`. */
export const at4 = (base: Code, index: Code): Code => i32.add(base, i32.shl(index, i32.const(2)));

/** local += 1 / local -= 1 (i32). */
export const increment = (local: number): Code => set(local, i32.add(get(local), i32.const(1)));
export const decrement = (local: number): Code => set(local, i32.sub(get(local), i32.const(1)));
/** Entry `index` of the array of doubles (or of 4-byte integers) whose byte address is in local `base`. */
export const f64At = (base: number, index: Code): Code => f64.load(at8(get(base), index));
export const i32At = (base: number, index: Code): Code => i32.load(at4(get(base), index));
export const storeF64At = (base: number, index: Code, value: Code): Code =>
  f64.store(at8(get(base), index), value);
export const storeI32At = (base: number, index: Code, value: Code): Code =>
  i32.store(at4(get(base), index), value);

/**
 * One function: its parameters are locals 0.. in order, `local` adds more; `block`, `loop` and
 * `when` build structured control with named labels, resolved by `br` and `brIf` while their bodies
 * are built (call them inside the body's callback).
 */
export class FunctionBuilder {
  private readonly locals: ValueType[] = [];
  private readonly labels: (string | null)[] = [];
  private code: Code = [];

  constructor(
    readonly params: readonly ValueType[],
    readonly results: readonly ValueType[],
  ) {}

  /** A new local of `type`; returns its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** A block labelled `label`: `br(label)` leaves it. */
  block(label: string, body: () => Code): Code {
    return this.structured(0x02, label, body);
  }

  /** A loop labelled `label`: `br(label)` starts its next iteration. */
  loop(label: string, body: () => Code): Code {
    return this.structured(0x03, label, body);
  }

  /** `if (condition) { then } else { otherwise }`, no result. */
  when(condition: Code, then: () => Code, otherwise?: () => Code): Code {
    this.labels.push(null);
    const out = [...condition, 0x04, VOID, ...then()];
    if (otherwise !== undefined) out.push(0x05, ...otherwise());
    this.labels.pop();
    out.push(0x0b);
    return out;
  }

  /**
   * `for (local = from; local < end; local++) body`, signed comparison, as a block `${label}-done`
   * around a loop `label`. The body is built before the loop: it cannot branch to these labels.
   */
  forRange(label: string, local: number, from: Code, end: Code, body: Code): Code {
    return seq(
      set(local, from),
      this.block(`${label}-done`, () =>
        this.loop(label, () =>
          seq(this.brIf(`${label}-done`, i32.geS(get(local), end)), body, increment(local), this.br(label)),
        ),
      ),
    );
  }

  br(label: string): Code {
    return [0x0c, ...unsigned(this.depth(label))];
  }

  brIf(label: string, condition: Code): Code {
    return [...condition, 0x0d, ...unsigned(this.depth(label))];
  }

  /** Sets the function's instructions (the final `end` is added). */
  body(code: Code): void {
    this.code = code;
  }

  /** The function's entry in the code section. */
  encode(): number[] {
    const runs: [number, ValueType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const all = [
      ...unsigned(runs.length),
      ...runs.flatMap(([c, t]) => [...unsigned(c), t]),
      ...this.code,
      0x0b,
    ];
    return [...unsigned(all.length), ...all];
  }

  private structured(opcode: number, label: string, body: () => Code): Code {
    this.labels.push(label);
    const inner = body();
    this.labels.pop();
    return [opcode, VOID, ...inner, 0x0b];
  }

  private depth(label: string): number {
    const at = this.labels.lastIndexOf(label);
    if (at < 0) throw new Error(`wasm assembler: no enclosing block or loop named "${label}"`);
    return this.labels.length - 1 - at;
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsigned(body.length), ...body];
}

function name(s: string): number[] {
  return [...unsigned(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

/** A module's parts: its functions (exported under a name when given one), mutable globals, one memory. */
export interface ModuleSpec {
  functions: { name?: string; fn: FunctionBuilder }[];
  /** Mutable globals, initialized to zero. */
  globals?: ValueType[];
  /** The memory's initial size in 64 KiB pages, exported as `memory`. */
  memoryPages: number;
}

/** The module's bytes. */
export function moduleBytes(spec: ModuleSpec): Uint8Array {
  const types: number[][] = [];
  const typeOf: number[] = [];
  for (const { fn } of spec.functions) {
    const t = [0x60, ...vector(fn.params.map((p) => [p])), ...vector(fn.results.map((r) => [r]))];
    let index = types.findIndex((u) => u.length === t.length && u.every((b, i) => b === t[i]));
    if (index < 0) {
      index = types.length;
      types.push(t);
    }
    typeOf.push(index);
  }
  const zero = (t: ValueType): number[] =>
    t === I32
      ? [0x41, 0]
      : t === I64
        ? [0x42, 0]
        : t === F64
          ? f64.const(0)
          : [0xfd, 0x0c, ...new Array(16).fill(0)];
  const globals = (spec.globals ?? []).map((t) => [t, 1, ...zero(t), 0x0b]);
  const exports: number[][] = [];
  spec.functions.forEach(({ name: label }, i) => {
    if (label !== undefined) exports.push([...name(label), 0x00, ...unsigned(i)]);
  });
  exports.push([...name('memory'), 0x02, 0]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(typeOf.map((t) => unsigned(t)))),
    ...section(5, [1, 0x00, ...unsigned(spec.memoryPages)]),
    ...(globals.length > 0 ? section(6, vector(globals)) : []),
    ...section(7, vector(exports)),
    ...section(10, vector(spec.functions.map(({ fn }) => fn.encode()))),
  ]);
}

/** The parts of the WebAssembly JavaScript API used here (the project's TypeScript lib omits it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** An instance's memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * Compiles and instantiates a module built here, or says plainly why it cannot: no WebAssembly (as
 * under `node --jitless`), or a runtime without a feature the module uses. `what` names the kernels
 * in the message, `needs` what they need beyond WebAssembly.
 */
export function instantiate<T>(bytes: Uint8Array, what: string, needs: string): T {
  const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) {
    throw new Error(
      'mobo: WebAssembly is not available in this JavaScript runtime (is Node running with --jitless?); ' +
        `the ${what} need it${needs === '' ? '' : `, with ${needs}`}`,
    );
  }
  try {
    return new wasm.Instance(new wasm.Module(bytes), {}).exports as T;
  } catch (error) {
    throw new Error(
      `mobo: the ${what}' WebAssembly module did not load${needs === '' ? '' : ` (it needs ${needs})`}: ${String(error)}`,
    );
  }
}

/** Bytes per WebAssembly memory page. */
export const PAGE = 65536;

/**
 * Grows `memory` to hold at least `bytes` bytes (it never shrinks). The memory's former buffer is
 * then detached: views of it must be made again.
 */
export function growTo(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
}
