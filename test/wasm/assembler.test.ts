import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  at8,
  type Code,
  call,
  F64,
  FunctionBuilder,
  f64,
  f64x2,
  get,
  I32,
  i32,
  i64x2,
  instantiate,
  memoryCopy,
  memoryGrow,
  memorySize,
  moduleBytes,
  seq,
  set,
  signed,
  unsigned,
  v128,
  type WasmMemory,
} from '../../src/wasm/assembler.js';

/** LEB128 decoded by the specification's definition, independently of the encoder. */
function decode(bytes: number[], isSigned: boolean): number {
  let result = 0n;
  let shift = 0n;
  let byte = 0;
  for (const b of bytes) {
    byte = b;
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  expect(byte & 0x80).toBe(0);
  if (isSigned && (byte & 0x40) !== 0) result -= 1n << shift;
  return Number(result);
}

describe('wasm assembler', () => {
  it('encodes LEB128 as the specification defines it, in the fewest bytes', () => {
    expect(unsigned(0)).toEqual([0]);
    expect(unsigned(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(signed(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signed(63)).toEqual([0x3f]);
    expect(signed(64)).toEqual([0xc0, 0x00]);
    expect(signed(-64)).toEqual([0x40]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        const b = unsigned(n);
        expect(decode(b, false)).toBe(n);
        expect(b.length).toBe(Math.max(1, Math.ceil(Math.log2(n + 1) / 7)));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        expect(decode(signed(n), true)).toBe(n);
      }),
    );
  });

  it('resolves named labels to their depth: a module with loops, branches and calls computes what JavaScript does', () => {
    // sumAbove(base, n, v): the sum of the doubles at base[0..n) that exceed v, by a helper call.
    const keep = new FunctionBuilder([F64, F64], [F64]);
    keep.body(seq(f64.gt(get(0), get(1)), [0x04, F64], get(0), [0x05], f64.const(0), [0x0b]));
    const f = new FunctionBuilder([I32, I32, F64], [F64]);
    const i = f.local(I32);
    const sum = f.local(F64);
    const value = f.local(F64);
    f.body(
      seq(
        f.block('done', () =>
          f.loop('next', () =>
            seq(
              f.brIf('done', i32.geS(get(i), get(1))),
              set(value, f64.load(at8(get(0), get(i)))),
              set(i, i32.add(get(i), i32.const(1))),
              // A NaN is skipped by a branch out of a nested if to the loop.
              f.when(f64.ne(get(value), get(value)), () => f.br('next')),
              set(sum, f64.add(get(sum), call(0, get(value), get(2)))),
              f.br('next'),
            ),
          ),
        ),
        get(sum),
      ),
    );
    const exports = instantiate<{
      sumAbove: (base: number, n: number, v: number) => number;
      memory: WasmMemory;
    }>(
      moduleBytes({ functions: [{ fn: keep }, { name: 'sumAbove', fn: f }], memoryPages: 1 }),
      'test kernels',
      '',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN)), {
          maxLength: 64,
        }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (values, v) => {
          new Float64Array(exports.memory.buffer).set(values, 2);
          let expected = 0;
          for (const x of values) if (x > v) expected += x;
          expect(exports.sumAbove(16, values.length, v)).toBe(expected);
        },
      ),
    );
  });

  it('copies overlapping ranges as copyWithin does, grows the memory, converts integers to doubles exactly and counts bits', () => {
    const copy = new FunctionBuilder([I32, I32, I32], []);
    copy.body(memoryCopy(get(0), get(1), get(2)));
    const convert = new FunctionBuilder([I32], [F64]);
    convert.body(f64.convertI32S(get(0)));
    const popcnt = new FunctionBuilder([I32], [I32]);
    popcnt.body(i32.popcnt(get(0)));
    // grow(pages): the size in pages before, then after growing.
    const grow = new FunctionBuilder([I32], [I32]);
    grow.body(i32.add(i32.mul(memoryGrow(get(0)), i32.const(1000)), memorySize()));
    const exports = instantiate<{
      copy: (target: number, source: number, bytes: number) => void;
      convert: (v: number) => number;
      popcnt: (v: number) => number;
      grow: (pages: number) => number;
      memory: WasmMemory;
    }>(
      moduleBytes({
        functions: [
          { name: 'copy', fn: copy },
          { name: 'convert', fn: convert },
          { name: 'popcnt', fn: popcnt },
          { name: 'grow', fn: grow },
        ],
        memoryPages: 1,
      }),
      'test kernels',
      '',
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (values, a, b, c) => {
          const ints = new Int32Array(exports.memory.buffer, 0, values.length);
          ints.set(values);
          const want = Int32Array.from(values);
          const n = values.length;
          const [target, source] = [a % n, b % n];
          const count = c % (n - Math.max(target, source) + 1);
          want.copyWithin(target, source, source + count);
          exports.copy(4 * target, 4 * source, 4 * count);
          expect(Array.from(ints)).toEqual(Array.from(want));
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer(), (v) => {
        expect(exports.convert(v)).toBe(v);
        expect(exports.popcnt(v)).toBe([...(v >>> 0).toString(2)].filter((b) => b === '1').length);
      }),
    );
    expect(exports.grow(2)).toBe(1003);
    expect(exports.memory.buffer.byteLength).toBe(3 * 65536);
  });

  it('computes on two f64 lanes as JavaScript does on each: unaligned loads, lane stores, arithmetic, comparisons', () => {
    // The pairs u = (d[1], d[2]) and w = (d[3], d[4]) are 8 bytes off 16-byte alignment.
    const U = v128.load(i32.const(8), 0, 3);
    const W = v128.load(i32.const(16), 8, 3);
    const out = (k: number, v: Code) =>
      seq(v128.store64Lane(i32.const(64 + 16 * k), v, 0), v128.store64Lane(i32.const(64), v, 1, 16 * k + 8));
    // arith(): d[8..] = u + w, u - w, u * w, (splat(d[1]) with lane 1 = d[4]), max(u, w), then u and
    // w stored whole.
    const arith = new FunctionBuilder([], []);
    arith.body(
      seq(
        out(0, f64x2.add(U, W)),
        out(1, f64x2.sub(U, W)),
        out(2, f64x2.mul(U, W)),
        out(3, f64x2.replaceLane(f64x2.splat(f64.load(i32.const(8))), f64.load(i32.const(32)), 1)),
        out(4, f64x2.max(U, W)),
        v128.store(i32.const(144), U, 0, 3),
        v128.store(i32.const(152), W, 8, 3),
      ),
    );
    // compare(): one bit per test.
    const tests = [
      i64x2.allTrue(f64x2.lt(U, W)),
      i64x2.allTrue(f64x2.le(U, W)),
      i64x2.allTrue(f64x2.eq(U, W)),
      v128.anyTrue(f64x2.lt(U, W)),
      v128.anyTrue(v128.and(f64x2.le(U, W), f64x2.le(W, U))),
      v128.anyTrue(v128.or(f64x2.lt(W, U), f64x2.eq(U, W))),
      f64.eq(f64x2.extractLane(U, 1), f64.load(i32.const(16))),
      i32.eq(i64x2.bitmask(f64x2.lt(U, W)), i32.const(1)),
      i32.eq(i64x2.bitmask(f64x2.lt(U, W)), i32.const(2)),
      i32.eq(i64x2.bitmask(f64x2.lt(U, W)), i32.const(3)),
    ];
    const compare = new FunctionBuilder([], [I32]);
    compare.body(tests.reduce((all: Code, t, k) => i32.or(all, i32.shl(t, i32.const(k))), i32.const(0)));
    const exports = instantiate<{ arith: () => void; compare: () => number; memory: WasmMemory }>(
      moduleBytes({
        functions: [
          { name: 'arith', fn: arith },
          { name: 'compare', fn: compare },
        ],
        memoryPages: 1,
      }),
      'test kernels',
      '',
    );
    const d = new Float64Array(exports.memory.buffer, 0, 24);
    const value = fc.oneof(
      fc.double(),
      fc.constantFrom(0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NaN, Number.MIN_VALUE),
    );
    fc.assert(
      fc.property(fc.tuple(value, value, value, value), ([u0, u1, w0, w1]) => {
        d.fill(0);
        d.set([u0, u1, w0, w1], 1);
        exports.arith();
        // f64x2.max as Math.max: NaN if either is, +0 over -0.
        const max = [Math.max(u0, w0), Math.max(u1, w1)];
        const want = [u0 + w0, u1 + w1, u0 - w0, u1 - w1, u0 * w0, u1 * w1, u0, w1, ...max, u0, u1, w0, w1];
        expect(Array.from(d.subarray(8, 22))).toEqual(want);
        const u = [u0, u1];
        const w = [w0, w1];
        const lanes = (t: (a: number, b: number) => boolean, a = u, b = w) => [
          t(a[0]!, b[0]!),
          t(a[1]!, b[1]!),
        ];
        const lt = lanes((a, b) => a < b);
        const le = lanes((a, b) => a <= b);
        const eq = lanes((a, b) => a === b);
        const gt = lanes((a, b) => a > b);
        const bits = [
          lt[0] && lt[1],
          le[0] && le[1],
          eq[0] && eq[1],
          lt[0] || lt[1],
          eq[0] || eq[1],
          gt[0] || gt[1] || eq[0] || eq[1],
          !Number.isNaN(u1),
          lt[0] && !lt[1],
          !lt[0] && lt[1],
          lt[0] && lt[1],
        ];
        expect(exports.compare()).toBe(bits.reduce((all, b, k) => all | (Number(b) << k), 0));
      }),
    );
  });

  it('counts a range with forRange as a for loop does, empty ranges included', () => {
    // sumRange(a, b): the sum of i * i for i in [a, b).
    const f = new FunctionBuilder([I32, I32], [I32]);
    const i = f.local(I32);
    const sum = f.local(I32);
    f.body(
      seq(
        f.forRange('range', i, get(0), get(1), set(sum, i32.add(get(sum), i32.mul(get(i), get(i))))),
        get(sum),
      ),
    );
    const exports = instantiate<{ sumRange: (a: number, b: number) => number }>(
      moduleBytes({ functions: [{ name: 'sumRange', fn: f }], memoryPages: 1 }),
      'test kernels',
      '',
    );
    fc.assert(
      fc.property(fc.integer({ min: -300, max: 300 }), fc.integer({ min: -300, max: 300 }), (a, b) => {
        let want = 0;
        for (let k = a; k < b; k++) want += k * k;
        expect(exports.sumRange(a, b)).toBe(want);
      }),
    );
  });

  it('says plainly when the runtime has no WebAssembly or the module does not load', () => {
    const bytes = moduleBytes({ functions: [], memoryPages: 1 });
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly')!;
    try {
      Object.defineProperty(globalThis, 'WebAssembly', { value: undefined, configurable: true });
      expect(() => instantiate(bytes, 'test kernels', '')).toThrow(
        /^mobo: WebAssembly is not available in this JavaScript runtime \(is Node running with --jitless\?\); the test kernels need it$/,
      );
    } finally {
      Object.defineProperty(globalThis, 'WebAssembly', saved);
    }
    const broken = Uint8Array.from([...bytes.slice(0, 8), 0x01, 0x05, 0x01, 0x60, 0x00]);
    expect(() => instantiate(broken, 'test kernels', 'nothing special')).toThrow(
      /^mobo: the test kernels' WebAssembly module did not load \(it needs nothing special\): CompileError/,
    );
  });

  it('refuses a branch to a label no block or loop encloses', () => {
    const f = new FunctionBuilder([], []);
    expect(() => f.block('a', () => f.br('b'))).toThrow(/no enclosing block or loop named "b"/);
  });
});
