import type { Matrix } from '../linalg/matrix.js';
import type { GeneLayout } from '../moga/genes.js';
import { makeOffspring, type OffspringResult, randomCandidates } from '../moga/mating.js';
import {
  type Nsga2Options,
  type RankedPopulation,
  type ResolvedNsga2Options,
  resolveNsga2Options,
  survive,
} from '../moga/nsga2-algorithm.js';
import { constraintViolation } from '../moga/survival.js';
import { createRng, type Rng } from '../random/rng.js';
import type { EncodedSpace, GenerationInput, GenerationResult, Generator } from './generator.js';

/**
 * The NSGA-II gene layout of an encoded search space: one-hot blocks become categorical genes
 * (here, not in moga/, which knows nothing of search spaces).
 */
export function layoutFromSpace(space: EncodedSpace): GeneLayout {
  const d = space.dimension;
  if (!Number.isInteger(d) || d < 1) {
    throw new RangeError(`layoutFromSpace: space.dimension must be a positive integer, got ${d}`);
  }
  if (space.columns.length !== d) {
    throw new RangeError(
      `layoutFromSpace: space has ${space.columns.length} column descriptions, expected dimension ${d}`,
    );
  }
  const real: number[] = [];
  const blocks: Int32Array[] = [];
  const inBlock = new Uint8Array(d);
  for (let j = 0; j < d; j++) {
    const column = space.columns[j]!;
    if (column.kind !== 'onehot') {
      real.push(j);
      continue;
    }
    if (inBlock[j]) continue;
    const block = Int32Array.from(column.block);
    if (block.length < 1 || !block.includes(j)) {
      throw new RangeError(
        `layoutFromSpace: one-hot column ${j} (${column.parameter}) lists block [${column.block.join(', ')}], expected a block containing ${j}`,
      );
    }
    for (const k of block) {
      if (!Number.isInteger(k) || k < 0 || k >= d || inBlock[k]) {
        throw new RangeError(
          `layoutFromSpace: one-hot block [${column.block.join(', ')}] of ${column.parameter} has column ${k}, expected distinct columns in [0, ${d})`,
        );
      }
      inBlock[k] = 1;
    }
    blocks.push(block);
  }
  const A = space.constraintMatrix;
  const b = space.constraintBound;
  let constraints: GeneLayout['constraints'];
  if (A.rows > 0) {
    if (A.cols !== d || b.length !== A.rows) {
      throw new RangeError(
        `layoutFromSpace: constraint matrix is ${A.rows} x ${A.cols} with ${b.length} bounds, expected ${A.rows} x ${d} with ${A.rows} bounds`,
      );
    }
    constraints = { A, b };
  }
  return {
    dimension: d,
    real: Int32Array.from(real),
    blocks,
    geneCount: real.length + blocks.length,
    round: (x) => space.round(x),
    constraints,
  };
}

/**
 * `'generational'`: each call first applies survival to the previous population plus every newly
 * completed trial, then proposes offspring: asking a population's worth per call is one NSGA-II
 * generation. `'steady-state'`: newly completed trials are merged one at a time by (mu + 1) survival,
 * in trial order, and every call proposes offspring of the current population without waiting for a
 * generation to finish, for asynchronous runners.
 */
export type Nsga2Mode = 'generational' | 'steady-state';

export interface Nsga2GeneratorOptions extends Omit<Nsga2Options, 'offspringSize'> {
  /** Default 'generational'. */
  readonly mode?: Nsga2Mode;
}

/** The JSON state between calls (journaled with every ask). Version 1. */
export interface Nsga2State {
  readonly version: 1;
  readonly mode: Nsga2Mode;
  /** mu, fixed at the first call. */
  readonly populationSize: number;
  /** Survival steps so far: generations (generational) or merged trials (steady-state). */
  readonly generation: number;
  /** Trial ids of the current population, ascending. */
  readonly population: number[];
  /**
   * Trial ids already considered by survival, as sorted disjoint inclusive ranges `[first, last]`;
   * contiguous runs of ids compress to one range, so the state stays small.
   */
  readonly seen: [number, number][];
}

function isIdList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x));
}

/** Validates a state handed back by the experiment; undefined starts afresh. */
export function parseNsga2State(state: unknown): Nsga2State | undefined {
  if (state === undefined || state === null) return undefined;
  const where = 'Nsga2Generator: state';
  if (typeof state !== 'object') throw new TypeError(`${where} must be an object, got ${typeof state}`);
  const s = state as Record<string, unknown>;
  if (s.version !== 1) throw new TypeError(`${where}.version is ${String(s.version)}, expected 1`);
  if (s.mode !== 'generational' && s.mode !== 'steady-state') {
    throw new TypeError(`${where}.mode is ${String(s.mode)}, expected 'generational' or 'steady-state'`);
  }
  if (!Number.isInteger(s.populationSize) || (s.populationSize as number) < 1) {
    throw new TypeError(
      `${where}.populationSize is ${String(s.populationSize)}, expected a positive integer`,
    );
  }
  if (!Number.isInteger(s.generation) || (s.generation as number) < 0) {
    throw new TypeError(`${where}.generation is ${String(s.generation)}, expected a non-negative integer`);
  }
  if (!isIdList(s.population)) throw new TypeError(`${where}.population must be an array of trial ids`);
  const seen = s.seen;
  if (
    !Array.isArray(seen) ||
    !seen.every((r, k) => {
      if (!isIdList(r) || r.length !== 2 || r[0]! > r[1]!) return false;
      const previous = k > 0 ? (seen[k - 1] as number[]) : undefined;
      return previous === undefined || previous[1]! + 1 < r[0]!;
    })
  ) {
    throw new TypeError(`${where}.seen must be sorted disjoint ranges [first, last] of trial ids`);
  }
  return {
    version: 1,
    mode: s.mode,
    populationSize: s.populationSize as number,
    generation: s.generation as number,
    population: [...s.population],
    seen: (seen as [number, number][]).map((r) => [r[0], r[1]]),
  };
}

/** Whether `id` lies in one of the sorted disjoint ranges (binary search). */
function inRanges(ranges: readonly [number, number][], id: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (id < r[0]) hi = mid - 1;
    else if (id > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The union of the ranges and the ids, as sorted disjoint ranges with adjacent ones joined. */
function addToRanges(ranges: readonly [number, number][], ids: readonly number[]): [number, number][] {
  const all: [number, number][] = ranges.map((r) => [r[0], r[1]]);
  for (const id of ids) all.push([id, id]);
  all.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function selectRowsOf(M: Matrix, rows: readonly number[]): Matrix {
  const c = M.cols;
  const data = new Float64Array(rows.length * c);
  for (let k = 0; k < rows.length; k++) data.set(M.data.subarray(rows[k]! * c, (rows[k]! + 1) * c), k * c);
  return { rows: rows.length, cols: c, data };
}

function selectValues(v: Float64Array | undefined, rows: readonly number[]): Float64Array | undefined {
  if (v === undefined) return undefined;
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = v[rows[k]!]!;
  return out;
}

function checkInput(input: GenerationInput): void {
  const d = input.space.dimension;
  const n = input.X.rows;
  const where = 'Nsga2Generator.generate';
  if (input.X.cols !== d && n > 0)
    throw new RangeError(`${where}: X has ${input.X.cols} columns, expected ${d}`);
  if (input.completedIds.length !== n) {
    throw new RangeError(
      `${where}: ${input.completedIds.length} completed ids for ${n} rows of X, expected equal`,
    );
  }
  if (input.Y.rows !== n) throw new RangeError(`${where}: Y has ${input.Y.rows} rows, expected ${n} like X`);
  if (input.C.cols > 0 && input.C.rows !== n) {
    throw new RangeError(`${where}: C has ${input.C.rows} rows, expected ${n} like X`);
  }
  if (!Number.isInteger(input.count) || input.count < 0) {
    throw new RangeError(`${where}: count must be a non-negative integer, got ${input.count}`);
  }
  const seenIds = new Set<number>();
  for (const id of input.completedIds) {
    if (!Number.isInteger(id) || seenIds.has(id)) {
      throw new RangeError(`${where}: completed id ${id} is not an integer or appears twice`);
    }
    seenIds.add(id);
  }
}

/**
 * NSGA-II behind the `Generator` interface, in generational or steady-state mode (see `Nsga2Mode`).
 *
 * The population lives in the returned JSON state as trial ids, so the generator is pure: the same
 * input and state give the same candidates, also after a resume. Objectives come from `Y`, outcome
 * constraints from `C` (violation = sum of positive parts, constrained domination), integers and
 * choices are kept decodable through `space.round`, and candidates never duplicate completed, failed or
 * pending trials. Until mu trials exist (completed, failed or in flight), the shortfall is filled with
 * uniform random points, pymoo's initial population.
 */
export class Nsga2Generator implements Generator {
  readonly name = 'nsga2';
  readonly mode: Nsga2Mode;
  private readonly options: ResolvedNsga2Options;
  private readonly populationSize: number | undefined;

  /** `populationSize` default: the count of the first call (at least 2). */
  constructor(options: Nsga2GeneratorOptions = {}) {
    const mode = options.mode ?? 'generational';
    if (mode !== 'generational' && mode !== 'steady-state') {
      throw new RangeError(
        `Nsga2Generator: mode must be 'generational' or 'steady-state', got ${String(mode)}`,
      );
    }
    this.mode = mode;
    this.options = resolveNsga2Options(options, 'Nsga2Generator');
    this.populationSize = options.populationSize;
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const start = performance.now();
    checkInput(input);
    const layout = layoutFromSpace(input.space);
    const state = parseNsga2State(input.state);
    if (state !== undefined && state.mode !== this.mode) {
      throw new RangeError(
        `Nsga2Generator: state was written in ${state.mode} mode, this generator is ${this.mode}`,
      );
    }
    const mu = state?.populationSize ?? this.populationSize ?? Math.max(2, input.count);
    const rng = createRng(input.seed);
    const ids = input.completedIds;
    const rowOf = new Map<number, number>();
    for (let i = 0; i < ids.length; i++) rowOf.set(ids[i]!, i);

    const seen = state?.seen ?? [];
    let populationRows: number[] = [];
    for (const id of state?.population ?? []) {
      const r = rowOf.get(id);
      if (r !== undefined) populationRows.push(r);
    }
    const newRows: number[] = [];
    for (let i = 0; i < ids.length; i++) if (!inRanges(seen, ids[i]!)) newRows.push(i);
    newRows.sort((a, b) => ids[a]! - ids[b]!);

    const cvAll = constraintViolation(input.C);
    const survivalRng = rng.fork('survival');
    let generation = state?.generation ?? 0;
    let population: RankedPopulation | undefined;
    if (this.mode === 'generational') {
      if (newRows.length > 0 || populationRows.length > 0) {
        const rows = populationRows.concat(newRows);
        const s = this.surviveRows(input, cvAll, rows, mu, survivalRng);
        population = s.population;
        populationRows = s.rows;
        if (newRows.length > 0) generation++;
      }
    } else {
      for (const r of newRows) {
        populationRows.push(r);
        if (populationRows.length > mu) {
          populationRows = this.surviveRows(input, cvAll, populationRows, mu, survivalRng).rows;
        }
        generation++;
      }
      if (populationRows.length > 0) {
        const s = this.surviveRows(input, cvAll, populationRows, populationRows.length, survivalRng);
        population = s.population;
        populationRows = s.rows;
      }
    }
    const survivalMs = performance.now() - start;

    const count = input.count;
    const avoid = [input.X, input.pending, input.failed].filter((M) => M.rows > 0);
    const existing = input.X.rows + input.pending.rows + input.failed.rows;
    const nRandom =
      population === undefined || population.X.rows < 2 ? count : Math.min(count, Math.max(0, mu - existing));
    const random = randomCandidates(
      nRandom,
      layout,
      rng.fork('initial'),
      this.options.mating.duplicateTolerance,
      avoid,
    );
    let offspring: OffspringResult | undefined;
    if (count - nRandom > 0 && population !== undefined) {
      offspring = makeOffspring(
        population,
        count - nRandom,
        layout,
        rng.fork('mating'),
        this.options.mating,
        [...avoid, random.candidates],
      );
    }
    const d = layout.dimension;
    const candidates: Matrix = { rows: count, cols: d, data: new Float64Array(count * d) };
    candidates.data.set(random.candidates.data, 0);
    if (offspring !== undefined)
      candidates.data.set(offspring.candidates.data, random.candidates.data.length);

    const nextState: Nsga2State = {
      version: 1,
      mode: this.mode,
      populationSize: mu,
      generation,
      population: populationRows.map((r) => ids[r]!).sort((a, b) => a - b),
      seen: addToRanges(
        seen,
        newRows.map((r) => ids[r]!),
      ),
    };
    return {
      candidates,
      state: nextState,
      metadata: {
        mode: this.mode,
        populationSize: mu,
        population: populationRows.length,
        newTrials: newRows.length,
        generation,
        random: nRandom,
        offspring: count - nRandom,
        randomFill: offspring?.randomFill ?? 0,
        rejected: random.rejected + (offspring?.rejected ?? 0),
        timingsMs: { survival: survivalMs, mating: performance.now() - start - survivalMs },
      },
    };
  }

  /** Survival over the given rows of the input, returning the ranked survivors and their rows. */
  private surviveRows(
    input: GenerationInput,
    cvAll: Float64Array | undefined,
    rows: readonly number[],
    count: number,
    rng: Rng,
  ): { population: RankedPopulation; rows: number[] } {
    const s = survive(
      selectRowsOf(input.X, rows),
      selectRowsOf(input.Y, rows),
      selectValues(cvAll, rows),
      count,
      rng,
    );
    const kept = Array.from(s.indices, (k) => rows[k]!);
    return { population: s, rows: kept };
  }
}
