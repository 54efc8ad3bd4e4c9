/**
 * Hypervolume timing: `npx tsx bench/hv.ts [--quick] [--m 3] [--only grid|issue] [--rounds 3] [--c name=path ...]`.
 *
 * Point sets (fixed seeds): fronts on the positive orthant of the unit sphere and on the unit
 * simplex, and two tie-heavy grid sets: `grid` (the simplex front snapped to a grid of 1/16, so
 * coordinates tie often and points repeat) and `cube` (uniform on {0, 1/16, ..., 15/16}^m, mostly
 * dominated, many duplicates). Reference 1.1 in every objective. CPU time per call is the median
 * over batches, each batch repeating the call for at least 20 ms (8 ms with --quick), after a warm-up
 * of 300 calls (at most 25 batch lengths of CPU time).
 * Writes bench/results/hv.json (hv-quick.json with --quick, hv-m<M>.json / hv-<only>.json when
 * filtered). `--set 4:grid:800` (repeatable) keeps only the hypervolume sets named, from any list, to
 * iterate on a few; it writes hv-sets.json.
 *
 * Comparing with C codes: `--c name=path` (repeatable) or `HV_C_BIN="name=path,name=path"` names
 * external binaries, built by the user and not part of this repository (`bash bench/hv-c/build.sh`
 * builds moocore and WFG with drivers for this protocol and prints the HV_C_BIN value). Each is called as
 * `path FILE MIN_MS BATCHES`, where FILE holds `count`, then per set a line `n m`, a line with the
 * reference point and n lines of m values (minimization); it must time its own hypervolume function
 * in-process (CPU time, batches of at least MIN_MS, median of BATCHES) and print one line
 * `<ms per call> <value>` per set. For every hypervolume case the rounds are interleaved, ours then
 * each binary, three times (--rounds N: N times; once with --quick), and the median of the rounds is
 * reported with the ratio ours / fastest C code (more rounds steady the medians on a loaded machine),
 * and the ratio of minima: our fastest round over the fastest round of any C code (`ratioOfMinima`;
 * the machines this project runs on have spells of seconds in which everything runs about 30%
 * slower, and five rounds' medians then move by that much from run to run, on either side). Every
 * round's time is kept in the JSON (`roundsMs`).
 * A binary whose value differs from ours beyond rounding (relative 1e-9) is wrong on that set: its
 * time is marked * (`wrong: true` in the JSON), the line says VALUES DIFFER, and it does not count
 * in the ratio.
 *
 * `--baseline DIR` also times, interleaved with ours, the hypervolume of another checkout of this
 * repository (DIR/src/pareto/hypervolume.ts, e.g. a `git worktree` of an older commit, or
 * `git archive COMMIT src tsconfig.json package.json` unpacked in DIR: without DIR's tsconfig.json
 * and package.json tsx compiles the same code otherwise, 10 to 25% slower): before/after
 * figures from one run. The baseline runs in a child process of its own per round, like the C codes
 * (`--time-baseline DIR FILE MIN_MS BATCHES`, the C codes' protocol): a second copy of the kernels
 * loaded into this process slowed ours by 10 to 25% at m = 4 and 5 (V8 optimizes the hot kernels
 * differently once another copy of hv4d.ts exists, even one never called).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { type Matrix, matrix } from '../src/linalg/matrix.js';
import { dimensionSweep, SweepWorkspace } from '../src/pareto/hv/dimension-sweep.js';
import { WfgWorkspace, wfg } from '../src/pareto/hv/wfg.js';
import { hypervolume, hypervolumeContributions } from '../src/pareto/hypervolume.js';
import { median } from '../src/report/statistics.js';

type Front = 'sphere' | 'simplex' | 'grid' | 'cube';

interface Case {
  m: number;
  front: Front;
  n: number;
  kind: 'hypervolume' | 'contributions' | 'sweep' | 'wfg4';
}

interface External {
  name: string;
  path: string;
}

interface CResult {
  cpuMs: number;
  value: number;
  /** Set when the value differs from ours beyond rounding: not counted in the ratio. */
  wrong?: true;
  /** CPU ms per call in each round (runs of the external binaries). */
  roundsMs?: number[];
}

type Hypervolume = (points: Matrix, reference: number[]) => number;

interface Row extends Case {
  algorithm: string;
  cpuMs: number;
  value: number;
  /** The baseline checkout's CPU ms per call (--baseline). */
  baselineMs?: number;
  /** Per external binary: its median CPU ms per call and its value. */
  c?: Record<string, CResult>;
  /** cpuMs over the fastest external binary's. */
  ratio?: number;
  /** Our CPU ms per call in each round (with external binaries). */
  roundsMs?: number[];
  /**
   * Our fastest round over the fastest round of any external binary: the machine's slow spells
   * (this project's VMs run whole seconds 30% slower at times) then weigh on neither side.
   */
  ratioOfMinima?: number;
}

/** Grid of the tie-heavy sets: coordinates are multiples of 1/GRID. */
const GRID = 16;

function pointSet(kind: Front, n: number, m: number, seed: string): Matrix {
  const rng = seedrandom(seed);
  const data = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    if (kind === 'cube') {
      for (let j = 0; j < m; j++) data[i * m + j] = Math.floor(rng() * GRID) / GRID;
      continue;
    }
    let norm = 0;
    for (let j = 0; j < m; j++) {
      let v: number;
      if (kind === 'sphere') {
        // |N(0, 1)| by Box-Muller; the direction is uniform on the positive orthant of the sphere.
        const u1 = 1 - rng();
        const u2 = rng();
        v = Math.abs(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        norm += v * v;
      } else {
        v = -Math.log(1 - rng());
        norm += v;
      }
      data[i * m + j] = v;
    }
    const scale = kind === 'sphere' ? 1 / Math.sqrt(norm) : 1 / norm;
    for (let j = 0; j < m; j++) {
      const v = data[i * m + j]! * scale;
      data[i * m + j] = kind === 'grid' ? Math.round(v * GRID) / GRID : v;
    }
  }
  return matrix(n, m, data);
}

function algorithmFor(m: number, kind: Case['kind'], front: Front): string {
  if (kind === 'sweep') return 'dimension sweep, 4-D base';
  if (kind === 'wfg4') return 'WFG, 4-D base';
  if (kind === 'contributions') {
    return m === 2 ? 'staircase' : m === 3 ? 'z sweep + slices above' : 'limit set per point';
  }
  return m === 2
    ? 'sort+sweep'
    : m === 3
      ? 'z sweep, rank set'
      : m === 4
        ? 'w sweep of 3-D contrib.'
        : m === 5
          ? 'v sweep of 4-D contrib.'
          : // m = 6: QHV-II when many values repeat (the grid sets: see manyTies in hypervolume.ts).
            m === 6 && front !== 'grid' && front !== 'cube'
            ? 'WFG, 5-D base'
            : 'QHV-II';
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median CPU ms per call over `batches` batches of at least `minMs` each; returns it and the value. */
function time(f: () => number, minMs: number, batches: number, warm = true): CResult {
  // Warm-up: enough calls for the JIT to optimize the kernels (a few calls of a fast function
  // would otherwise be timed in the interpreter).
  let value = f();
  const w0 = cpuNow();
  for (let k = 0; warm && k < 300 && cpuNow() - w0 < 25 * minMs; k++) value = f();
  let reps = 1;
  for (;;) {
    const t0 = cpuNow();
    for (let k = 0; k < reps; k++) value = f();
    const dt = cpuNow() - t0;
    if (dt >= minMs / 4 || reps >= 1 << 24) {
      reps = dt > 0 ? Math.ceil((reps * minMs) / dt) : reps * 4;
      break;
    }
    reps *= 4;
  }
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = cpuNow();
    for (let k = 0; k < reps; k++) value = f();
    per.push((cpuNow() - t0) / reps);
  }
  return { cpuMs: median(per), value };
}

function runExternal(ext: External, file: string, minMs: number, batches: number): CResult {
  const r = spawnSync(ext.path, [file, String(minMs), String(batches)], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`bench/hv: ${ext.name} (${ext.path}) failed: ${r.error?.message ?? r.stderr}`);
  }
  const [ms, value] = r.stdout.trim().split(/\s+/).map(Number) as [number, number];
  return { cpuMs: ms, value };
}

/** Times the baseline checkout's hypervolume on the sets in `file`, in a child process of its own. */
function runBaseline(dir: string, file: string, minMs: number, batches: number): CResult {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, script, '--time-baseline', dir, file, String(minMs), String(batches)],
    { encoding: 'utf8' },
  );
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`bench/hv: the baseline (${dir}) failed: ${r.error?.message ?? r.stderr}`);
  }
  const [ms, value] = r.stdout.trim().split(/\s+/).map(Number) as [number, number];
  return { cpuMs: ms, value };
}

/** `--time-baseline DIR FILE MIN_MS BATCHES`: the C codes' protocol, for DIR's hypervolume. */
async function timeBaseline(args: string[]): Promise<void> {
  const [dir, file, minMs, batches] = args;
  const url = pathToFileURL(resolve(dir ?? '', 'src/pareto/hypervolume.ts')).href;
  const hv = ((await import(url)) as { hypervolume: Hypervolume }).hypervolume;
  const words = readFileSync(file ?? '', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  let at = 0;
  const count = words[at++]!;
  for (let s = 0; s < count; s++) {
    const n = words[at++]!;
    const m = words[at++]!;
    const ref = words.slice(at, at + m);
    at += m;
    const pts = matrix(n, m, Float64Array.from(words.slice(at, at + n * m)));
    at += n * m;
    const t = time(() => hv(pts, ref), Number(minMs), Number(batches));
    console.log(`${t.cpuMs} ${t.value}`);
  }
}

function writeSet(file: string, pts: Matrix, ref: number[]): void {
  const lines = ['1', `${pts.rows} ${pts.cols}`, ref.join(' ')];
  for (let i = 0; i < pts.rows; i++) {
    lines.push(
      Array.from(pts.data.subarray(i * pts.cols, (i + 1) * pts.cols), (v) => v.toPrecision(17)).join(' '),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function run(
  c: Case,
  quick: boolean,
  externals: External[],
  dir: string,
  baseline: string | null,
  interleaved: number,
): Row {
  const pts = pointSet(c.front, c.n, c.m, `hv-${c.front}-${c.m}-${c.n}`);
  const ref = new Array<number>(c.m).fill(1.1);
  const f =
    c.kind === 'hypervolume'
      ? () => hypervolume(pts, ref)
      : c.kind === 'contributions'
        ? () => sum(hypervolumeContributions(pts, ref))
        : c.kind === 'wfg4'
          ? () => wfg4(pts)
          : () => sweep(pts);
  const minMs = quick ? 8 : 20;
  const batches = quick ? 5 : 7;
  const row: Row = { ...c, algorithm: algorithmFor(c.m, c.kind, c.front), cpuMs: 0, value: 0 };
  const useC = c.kind === 'hypervolume' && externals.length > 0;
  const useBase = c.kind === 'hypervolume' && baseline !== null;
  const file = join(dir, 'set.txt');
  if (useC || useBase) writeSet(file, pts, ref);
  const rounds = (useC || useBase) && !quick ? interleaved : 1;
  const ours: number[] = [];
  const base: number[] = [];
  const theirs = new Map<string, CResult[]>();
  for (let r = 0; r < rounds; r++) {
    const t = time(f, minMs, batches, r === 0);
    ours.push(t.cpuMs);
    row.value = t.value;
    if (useBase) base.push(runBaseline(baseline!, file, minMs, batches).cpuMs);
    if (!useC) continue;
    for (const ext of externals) {
      const list = theirs.get(ext.name) ?? [];
      list.push(runExternal(ext, file, minMs, batches));
      theirs.set(ext.name, list);
    }
  }
  row.cpuMs = median(ours);
  if (useBase) row.baselineMs = median(base);
  if (useC) {
    row.c = {};
    row.roundsMs = ours;
    let best = Infinity;
    let bestMin = Infinity;
    for (const [name, list] of theirs) {
      const rounds = list.map((x) => x.cpuMs);
      const ms = median(rounds);
      const value = list[0]!.value;
      // A code whose value differs from ours beyond rounding is wrong on this set (ours is checked
      // against independent computations): it is shown, flagged, and not counted in the ratio.
      if (Math.abs(value - row.value) > 1e-9 * Math.max(1, Math.abs(row.value))) {
        row.c[name] = { cpuMs: ms, value, wrong: true, roundsMs: rounds };
        continue;
      }
      row.c[name] = { cpuMs: ms, value, roundsMs: rounds };
      best = Math.min(best, ms);
      bestMin = Math.min(bestMin, ...rounds);
    }
    if (best < Infinity) {
      row.ratio = row.cpuMs / best;
      row.ratioOfMinima = Math.min(...ours) / bestMin;
    }
  }
  return row;
}

/** The plain recursive dimension sweep, measured against WFG (the default) for m >= 5. */
function sweep(pts: Matrix): number {
  const rows = new Float64Array(pts.data.length);
  for (let i = 0; i < rows.length; i++) rows[i] = pts.data[i]! - 1.1;
  return dimensionSweep(rows, pts.rows, pts.cols, pts.cols, new SweepWorkspace(pts.rows, pts.cols));
}

/** WFG with the m = 4 sweep as base case (the default for m >= 5 before the 5-D sweep existed). */
function wfg4(pts: Matrix): number {
  const rows = new Float64Array(pts.data.length);
  for (let i = 0; i < rows.length; i++) rows[i] = pts.data[i]! - 1.1;
  return wfg(rows, pts.rows, pts.cols, pts.cols, new WfgWorkspace(pts.rows, pts.cols), 4);
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** The tie-heavy grid sets, and the sizes the issue measured against the C codes. */
function gridCases(): Case[] {
  const out: Case[] = [];
  const sizes: [number, number[]][] = [
    [2, [1500, 10000]],
    [3, [1500, 10000]],
    [4, [800, 4000]],
    [5, [300, 1000]],
    [6, [100]],
  ];
  for (const [m, ns] of sizes) {
    for (const front of ['grid', 'cube'] as const) {
      for (const n of ns) out.push({ m, front, n, kind: 'hypervolume' });
    }
  }
  return out;
}

/** The sets of the comparison with the C codes: fronts for m = 2..8 at the sizes measured, and the grid sets. */
function issueCases(): Case[] {
  const sizes: Record<number, number[]> = {
    2: [1000, 10000],
    3: [1000, 10000],
    4: [1000, 4000],
    5: [300, 1000],
    6: [100, 300],
    7: [100, 200],
    8: [50, 100],
  };
  const out: Case[] = [];
  for (let m = 2; m <= 8; m++) {
    for (const front of ['sphere', 'simplex'] as const) {
      for (const n of sizes[m]!) out.push({ m, front, n, kind: 'hypervolume' });
    }
  }
  return [...out, ...gridCases()];
}

function cases(quick: boolean): Case[] {
  const sizes: Record<number, number[]> = quick
    ? {
        2: [1000, 100000],
        3: [1000, 10000],
        4: [1000, 4000],
        5: [300, 1000],
        6: [100, 300],
        7: [100, 200],
        8: [50, 100],
      }
    : {
        2: [1000, 10000, 100000],
        3: [100, 1000, 10000],
        4: [100, 1000, 4000],
        5: [100, 300, 1000, 3000],
        6: [50, 100, 300],
        7: [50, 100, 200],
        8: [25, 50, 100],
      };
  const out: Case[] = [];
  for (let m = 2; m <= 8; m++) {
    for (const f of ['sphere', 'simplex'] as const) {
      for (const n of sizes[m]!) {
        out.push({ m, front: f, n, kind: 'hypervolume' });
        // WFG down to the 4-D sweep, timed right after the default so both see the same load.
        if (m >= 5 && !quick) out.push({ m, front: f, n, kind: 'wfg4' });
      }
      // The dimension sweep is far slower; time it at one small size per m.
      const sweepN: Record<number, number> = { 5: 300, 6: 100, 7: 50, 8: 25 };
      if (m >= 5 && !quick) out.push({ m, front: f, n: sweepN[m]!, kind: 'sweep' });
    }
  }
  out.push(...gridCases());
  const contrib: [number, number][] = quick
    ? [
        [2, 10000],
        [3, 1000],
        [4, 300],
        [5, 100],
      ]
    : [
        [2, 10000],
        [3, 1000],
        [3, 10000],
        [4, 1000],
        [5, 300],
        [6, 100],
      ];
  for (const [m, n] of contrib) out.push({ m, front: 'sphere', n, kind: 'contributions' });
  return out;
}

function parseExternals(args: string[]): External[] {
  const specs: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '--c') specs.push(args[++i] ?? '');
  const env = process.env.HV_C_BIN;
  if (env !== undefined && env !== '') specs.push(...env.split(','));
  return specs.map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) {
      throw new RangeError(`bench/hv: an external binary is given as name=path, got "${s}"`);
    }
    return { name: s.slice(0, eq), path: s.slice(eq + 1) };
  });
}

/** The `--set M:FRONT:N` arguments. */
function parseSets(args: string[]): Omit<Case, 'kind'>[] {
  const out: Omit<Case, 'kind'>[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--set') continue;
    const spec = args[++i] ?? '';
    const [m, front, n] = spec.split(':');
    const fronts = ['sphere', 'simplex', 'grid', 'cube'];
    if (!(Number(m) >= 2 && Number.isInteger(Number(m)) && fronts.includes(front ?? '') && Number(n) >= 1)) {
      throw new RangeError(
        `bench/hv: --set is M:FRONT:N with FRONT one of ${fronts.join(', ')}, got "${spec}"`,
      );
    }
    out.push({ m: Number(m), front: front as Front, n: Number(n) });
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--time-baseline') {
    await timeBaseline(args.slice(1));
    return;
  }
  const quick = args.includes('--quick');
  const mi = args.indexOf('--m');
  const onlyM = mi >= 0 ? Number(args[mi + 1]) : undefined;
  if (onlyM !== undefined && !(Number.isInteger(onlyM) && onlyM >= 2)) {
    throw new RangeError(`bench/hv: --m must be an integer >= 2, got ${args[mi + 1]}`);
  }
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args[oi + 1] : undefined;
  if (only !== undefined && only !== 'grid' && only !== 'issue') {
    throw new RangeError(
      `bench/hv: --only must be grid or issue (the sets compared with C codes), got ${only}`,
    );
  }
  const externals = parseExternals(args);
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  if (!(Number.isInteger(rounds) && rounds >= 1)) {
    throw new RangeError(`bench/hv: --rounds must be an integer >= 1, got ${args[ri + 1]}`);
  }
  const bi = args.indexOf('--baseline');
  let baseline: string | null = null;
  if (bi >= 0) {
    baseline = resolve(args[bi + 1] ?? '');
    if (!existsSync(join(baseline, 'src/pareto/hypervolume.ts'))) {
      throw new RangeError(`bench/hv: --baseline ${args[bi + 1]} has no src/pareto/hypervolume.ts`);
    }
    // Without them tsx compiles the same sources otherwise, and they run 10 to 25% slower (m = 4
    // grid 800: 0.087 against 0.071 ms for identical src/ trees).
    for (const f of ['tsconfig.json', 'package.json']) {
      if (!existsSync(join(baseline, f))) {
        throw new RangeError(
          `bench/hv: --baseline ${args[bi + 1]} has no ${f}; copy the checkout's (tsx compiles the baseline with its settings, and without them the same code runs 10 to 25% slower)`,
        );
      }
    }
  }
  const sets = parseSets(args);
  let list = cases(quick);
  if (only === 'grid') list = gridCases();
  if (only === 'issue') list = issueCases();
  if (onlyM !== undefined) list = list.filter((c) => c.m === onlyM);
  if (sets.length > 0) {
    list = sets.map((s) => ({ ...s, kind: 'hypervolume' }));
  }
  const tmp = mkdtempSync(join(tmpdir(), 'bench-hv-'));
  const rows: Row[] = [];
  const names = externals.map((e) => e.name);
  const baseCol = baseline !== null ? ` ${'baseline ms'.padStart(12)}` : '';
  const header = `${'m'.padStart(2)} ${'set'.padEnd(8)} ${'n'.padStart(7)} ${'what'.padEnd(14)} ${'algorithm'.padEnd(26)} ${'cpu ms'.padStart(10)}${baseCol}${names.map((n) => ` ${`${n} ms`.padStart(12)}`).join('')}${names.length > 0 ? `  ${'ratio'.padStart(6)} ${'minima'.padStart(6)}` : ''}  value`;
  console.log(header);
  try {
    for (const c of list) {
      const r = run(c, quick, externals, tmp, baseline, rounds);
      rows.push(r);
      const baseMs =
        baseline !== null
          ? ` ${(r.baselineMs !== undefined ? r.baselineMs.toFixed(4) : '').padStart(12)}`
          : '';
      // A C time marked * is of a wrong value (not counted in the ratio).
      const theirs = names
        .map((n) => {
          const x = r.c?.[n];
          return ` ${(x === undefined ? '' : `${x.cpuMs.toFixed(4)}${x.wrong ? '*' : ''}`).padStart(12)}`;
        })
        .join('');
      const ratio =
        names.length > 0
          ? `  ${(r.ratio?.toFixed(2) ?? '').padStart(6)} ${(r.ratioOfMinima?.toFixed(2) ?? '').padStart(6)}`
          : '';
      const disagree = r.c !== undefined && Object.values(r.c).some((x) => x.wrong === true);
      console.log(
        `${String(r.m).padStart(2)} ${r.front.padEnd(8)} ${String(r.n).padStart(7)} ${r.kind.padEnd(14)} ${r.algorithm.padEnd(26)} ${r.cpuMs.toFixed(4).padStart(10)}${baseMs}${theirs}${ratio}  ${r.value.toPrecision(12)}${disagree ? '  VALUES DIFFER' : ''}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const suffix =
    sets.length > 0
      ? '-sets'
      : only !== undefined
        ? `-${only}`
        : onlyM !== undefined
          ? `-m${onlyM}`
          : quick
            ? '-quick'
            : '';
  const file = join(dir, `hv${suffix}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, rounds, externals, baseline: bi >= 0 ? args[bi + 1] : null, rows }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}

await main();
