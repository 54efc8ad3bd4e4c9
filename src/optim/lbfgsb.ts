/**
 * L-BFGS-B: limited-memory BFGS for bound-constrained minimization (Byrd, Lu, Nocedal, Zhu 1995,
 * "A limited memory algorithm for bound constrained optimization"; the subspace step follows the
 * projection/backtrack revision of Morales & Nocedal 2011).
 *
 * Each iteration: the generalized Cauchy point along the projected steepest-descent path using the
 * compact representation `B = theta I - W M W^T`; a quasi-Newton step over the variables still free
 * at that point (direct primal method via Sherman-Morrison-Woodbury); a Moré–Thuente line search for
 * the strong Wolfe conditions along the result. The core is the reverse-communication
 * `LbfgsbSolver`, so `lbfgsb` and the batched `lbfgsbBatch` share one implementation.
 */
import type { Matrix } from '../linalg/matrix.js';
import { MoreThuenteSearch } from './line-search.js';

/** Writes the gradient at x into `gradient` and returns f(x). Must not modify x. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsbIteration {
  readonly iteration: number;
  /** The new iterate (a view; copy it to keep it). */
  readonly x: Float64Array;
  readonly f: number;
  readonly gradient: Float64Array;
  readonly evaluations: number;
}

export interface LbfgsbOptions {
  /** Lower bounds (length d); -Infinity or omitted for none. */
  lower?: ArrayLike<number>;
  /** Upper bounds (length d); +Infinity or omitted for none. */
  upper?: ArrayLike<number>;
  /** Number of correction pairs kept; default 10. */
  memory?: number;
  /** Default 200. */
  maxIterations?: number;
  /** Default 500. */
  maxEvaluations?: number;
  /** Stop when the projected gradient's infinity norm is at most this; default 1e-5. */
  pgtol?: number;
  /** Stop when (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol; default 2.2e-9 (scipy's factr = 1e7). */
  ftol?: number;
  /** Called after every accepted step. */
  onIteration?: (state: LbfgsbIteration) => void;
}

export type StopReason =
  | 'gradient'
  | 'function'
  | 'iterations'
  | 'evaluations'
  | 'line-search'
  | 'non-finite';

export interface LbfgsbResult {
  /** The best point found, always inside the bounds (length d). */
  x: Float64Array;
  f: number;
  /** The gradient at x. */
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  reason: StopReason;
  message: string;
}

const EPSILON = 2.220446049250313e-16;
/** Evaluations one line search may spend before it counts as failed (as in L-BFGS-B 3.0). */
const MAX_SEARCH_EVALUATIONS = 20;
const BIG_STEP = 1e10;

/** Where a variable stands relative to its bounds during an iteration (iwhere in the Fortran code). */
const FREE = 0;
const UNBOUNDED = -1;
const ZERO_GRADIENT = -3;
const AT_LOWER = 1;
const AT_UPPER = 2;
const FIXED = 3;

interface Settings {
  memory: number;
  maxIterations: number;
  maxEvaluations: number;
  pgtol: number;
  ftol: number;
}

function validateSettings(fn: string, options: LbfgsbOptions): Settings {
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 200;
  const maxEvaluations = options.maxEvaluations ?? 500;
  const pgtol = options.pgtol ?? 1e-5;
  const ftol = options.ftol ?? 2.2e-9;
  if (!Number.isInteger(memory) || memory < 1) {
    throw new RangeError(`${fn}: memory must be a positive integer, got ${memory}`);
  }
  if (!Number.isInteger(maxIterations) || maxIterations < 0) {
    throw new RangeError(`${fn}: maxIterations must be a non-negative integer, got ${maxIterations}`);
  }
  if (!Number.isInteger(maxEvaluations) || maxEvaluations < 1) {
    throw new RangeError(`${fn}: maxEvaluations must be a positive integer, got ${maxEvaluations}`);
  }
  if (!(pgtol >= 0)) throw new RangeError(`${fn}: pgtol must be >= 0, got ${pgtol}`);
  if (!(ftol >= 0)) throw new RangeError(`${fn}: ftol must be >= 0, got ${ftol}`);
  return { memory, maxIterations, maxEvaluations, pgtol, ftol };
}

function readBounds(
  fn: string,
  d: number,
  options: LbfgsbOptions,
): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
  const upper = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
  for (const [name, given, target] of [
    ['lower', options.lower, lower],
    ['upper', options.upper, upper],
  ] as const) {
    if (given === undefined) continue;
    if (given.length !== d) {
      throw new RangeError(`${fn}: ${name} has length ${given.length}, expected the dimension ${d}`);
    }
    for (let i = 0; i < d; i++) {
      const v = given[i]!;
      if (typeof v !== 'number' || Number.isNaN(v)) {
        throw new RangeError(`${fn}: ${name}[${i}] is ${v}, expected a number (use ±Infinity for none)`);
      }
      target[i] = v;
    }
  }
  for (let i = 0; i < d; i++) {
    if (
      lower[i]! > upper[i]! ||
      lower[i] === Number.POSITIVE_INFINITY ||
      upper[i] === Number.NEGATIVE_INFINITY
    ) {
      throw new RangeError(
        `${fn}: bounds of variable ${i} are [${lower[i]}, ${upper[i]}], expected lower <= upper`,
      );
    }
  }
  return { lower, upper };
}

/**
 * Reverse-communication L-BFGS-B for one problem of dimension d: while `done` is false, evaluate
 * f and its gradient at `x` (d; read it, do not modify it) and pass them to `tell`.
 */
export class LbfgsbSolver {
  /** The point to evaluate next (d). */
  readonly x: Float64Array;
  done = false;

  private readonly d: number;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly hasLower: Uint8Array;
  private readonly hasUpper: Uint8Array;
  private readonly settings: Settings;
  private readonly onIteration: ((state: LbfgsbIteration) => void) | undefined;
  private readonly constrained: boolean;
  private readonly boxed: boolean;

  // current iterate
  private readonly xk: Float64Array;
  private fk = Number.NaN;
  private readonly gk: Float64Array;
  // last trial
  private readonly gTrial: Float64Array;
  // best rejected trial (f below fk) for early stops
  private readonly xBest: Float64Array;
  private readonly gBest: Float64Array;
  private fBest = Number.POSITIVE_INFINITY;

  // limited memory: rows in logical order, oldest first
  private readonly m: number;
  private col = 0;
  private theta = 1;
  /** m x d: the steps s_i. */
  private readonly S: Float64Array;
  /** m x d: the gradient changes y_i. */
  private readonly Y: Float64Array;
  /** m x m: SY[i, j] = s_i^T y_j. */
  private readonly SY: Float64Array;
  /** m x m: SS[i, j] = s_i^T s_j. */
  private readonly SS: Float64Array;
  /** m x m: YY[i, j] = y_i^T y_j. */
  private readonly YY: Float64Array;
  /** 2m x 2m (stride 2m): the middle matrix M of the compact representation. */
  private readonly M: Float64Array;
  /** 2m x 2m (stride 2m): M^{-1} = [[-D, L^T], [L, theta S^T S]]. */
  private readonly middle: Float64Array;

  // per-iteration work
  private readonly where: Int8Array;
  private readonly breakT: Float64Array;
  private readonly order: Int32Array;
  private readonly dir: Float64Array;
  private readonly xcp: Float64Array;
  private readonly xbar: Float64Array;
  private readonly residual: Float64Array;
  private readonly c: Float64Array;
  private readonly p: Float64Array;
  private readonly wb: Float64Array;
  private readonly v: Float64Array;
  private readonly u: Float64Array;
  private readonly K: Float64Array;
  private readonly N: Float64Array;
  private readonly pivots: Int32Array;

  private readonly search = new MoreThuenteSearch(1e-3, 0.9, 0.1);
  private phase: 'start' | 'search' = 'start';
  private searchEvaluations = 0;
  private searchSlope = 0;

  iterations = 0;
  evaluations = 0;
  reason: StopReason = 'iterations';
  message = '';

  constructor(x0: ArrayLike<number>, options: LbfgsbOptions = {}, fn = 'lbfgsb') {
    if (x0 === null || typeof x0 !== 'object' || typeof x0.length !== 'number') {
      throw new TypeError(`${fn}: x0 must be an array of numbers, got ${x0}`);
    }
    const d = x0.length;
    this.d = d;
    this.settings = validateSettings(fn, options);
    this.onIteration = options.onIteration;
    const { lower, upper } = readBounds(fn, d, options);
    this.lower = lower;
    this.upper = upper;
    this.hasLower = new Uint8Array(d);
    this.hasUpper = new Uint8Array(d);
    let constrained = false;
    let boxed = true;
    for (let i = 0; i < d; i++) {
      this.hasLower[i] = lower[i]! > Number.NEGATIVE_INFINITY ? 1 : 0;
      this.hasUpper[i] = upper[i]! < Number.POSITIVE_INFINITY ? 1 : 0;
      if (this.hasLower[i] || this.hasUpper[i]) constrained = true;
      if (!(this.hasLower[i] && this.hasUpper[i])) boxed = false;
    }
    this.constrained = constrained;
    this.boxed = boxed;

    this.x = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      const v = x0[i]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`${fn}: x0[${i}] is ${v}, expected a finite number`);
      }
      // A start outside the box is projected onto it, as scipy does.
      this.x[i] = Math.min(Math.max(v, lower[i]!), upper[i]!);
    }
    this.xk = new Float64Array(d);
    this.gk = new Float64Array(d);
    this.gTrial = new Float64Array(d);
    this.xBest = new Float64Array(d);
    this.gBest = new Float64Array(d);

    const m = this.settings.memory;
    this.m = m;
    this.S = new Float64Array(m * d);
    this.Y = new Float64Array(m * d);
    this.SY = new Float64Array(m * m);
    this.SS = new Float64Array(m * m);
    this.YY = new Float64Array(m * m);
    this.M = new Float64Array(4 * m * m);
    this.middle = new Float64Array(4 * m * m);

    this.where = new Int8Array(d);
    this.breakT = new Float64Array(d);
    this.order = new Int32Array(d);
    this.dir = new Float64Array(d);
    this.xcp = new Float64Array(d);
    this.xbar = new Float64Array(d);
    this.residual = new Float64Array(d);
    this.c = new Float64Array(2 * m);
    this.p = new Float64Array(2 * m);
    this.wb = new Float64Array(2 * m);
    this.v = new Float64Array(2 * m);
    this.u = new Float64Array(2 * m);
    this.K = new Float64Array(4 * m * m);
    this.N = new Float64Array(4 * m * m);
    this.pivots = new Int32Array(2 * m);
  }

  /**
   * Hands over f and the gradient (d values from `gradient[offset]`) at `x`. Returns true while
   * more evaluations are wanted (then evaluate at `x` again).
   */
  tell(f: number, gradient: ArrayLike<number>, offset = 0): boolean {
    if (this.done) throw new Error('LbfgsbSolver.tell: the solver has already stopped');
    this.evaluations++;
    const d = this.d;
    let finite = Number.isFinite(f);
    for (let i = 0; i < d; i++) {
      const gi = gradient[offset + i]!;
      this.gTrial[i] = gi;
      if (!Number.isFinite(gi)) finite = false;
    }
    if (this.phase === 'start') {
      this.xk.set(this.x);
      this.gk.set(this.gTrial);
      this.fk = f;
      if (!finite) {
        return this.stop(
          'non-finite',
          `the objective returned f = ${f} with ${countNonFinite(this.gTrial)} non-finite gradient entries at the start point`,
        );
      }
      const pg = this.projectedGradientNorm(this.xk, this.gk);
      if (pg <= this.settings.pgtol) {
        return this.stop(
          'gradient',
          `projected gradient norm ${pg} <= pgtol ${this.settings.pgtol} at the start`,
        );
      }
      if (this.settings.maxIterations === 0) return this.stop('iterations', 'maxIterations is 0');
      return this.beginIteration();
    }
    return this.continueSearch(f, finite);
  }

  /** The best point found so far, with the reason the solver stopped (once `done`). */
  result(): LbfgsbResult {
    const useBest = this.fBest < this.fk;
    return {
      x: (useBest ? this.xBest : this.xk).slice(),
      f: useBest ? this.fBest : this.fk,
      gradient: (useBest ? this.gBest : this.gk).slice(),
      iterations: this.iterations,
      evaluations: this.evaluations,
      reason: this.reason,
      message: this.message,
    };
  }

  private stop(reason: StopReason, message: string): false {
    this.done = true;
    this.reason = reason;
    this.message = message;
    return false;
  }

  private projectedGradientNorm(x: Float64Array, g: Float64Array): number {
    let norm = 0;
    for (let i = 0; i < this.d; i++) {
      let gi = g[i]!;
      if (gi < 0) {
        if (this.hasUpper[i]) gi = Math.max(x[i]! - this.upper[i]!, gi);
      } else if (this.hasLower[i]) {
        gi = Math.min(x[i]! - this.lower[i]!, gi);
      }
      norm = Math.max(norm, Math.abs(gi));
    }
    return norm;
  }

  /** Computes a search direction from xk and starts its line search; false when stopped. */
  private beginIteration(): boolean {
    for (;;) {
      if (this.evaluations >= this.settings.maxEvaluations) {
        return this.stop('evaluations', `reached maxEvaluations = ${this.settings.maxEvaluations}`);
      }
      this.cauchyPoint();
      this.subspaceMinimization();
      const d = this.d;
      let slope = 0;
      let norm2 = 0;
      for (let i = 0; i < d; i++) {
        const di = this.xbar[i]! - this.xk[i]!;
        this.dir[i] = di;
        slope += this.gk[i]! * di;
        norm2 += di * di;
      }
      if (slope < 0 && Number.isFinite(slope)) {
        this.startSearch(slope, Math.sqrt(norm2));
        return true;
      }
      // Not a descent direction: the memory is misleading; forget it, or give up if already empty.
      if (this.col === 0) {
        return this.stop(
          'line-search',
          `the search direction is not a descent direction (g^T d = ${slope}) even with an empty memory`,
        );
      }
      this.resetMemory();
    }
  }

  private resetMemory(): void {
    this.col = 0;
    this.theta = 1;
  }

  private startSearch(slope: number, dirNorm: number): void {
    const d = this.d;
    let stpmax = BIG_STEP;
    if (this.constrained) {
      if (this.iterations === 0) {
        stpmax = 1;
      } else {
        // The largest step that keeps xk + stp * dir inside the box (at least 1: xbar is inside).
        for (let i = 0; i < d; i++) {
          const di = this.dir[i]!;
          if (di < 0 && this.hasLower[i]) {
            const room = this.lower[i]! - this.xk[i]!;
            if (di * stpmax < room) stpmax = room / di;
          } else if (di > 0 && this.hasUpper[i]) {
            const room = this.upper[i]! - this.xk[i]!;
            if (di * stpmax > room) stpmax = room / di;
          }
        }
        stpmax = Math.max(stpmax, 1);
      }
    }
    const stp = this.iterations === 0 && !this.boxed ? Math.min(1 / dirNorm, stpmax) : 1;
    this.search.start(stp, this.fk, slope, 0, stpmax);
    this.searchSlope = slope;
    this.searchEvaluations = 0;
    this.fBest = Number.POSITIVE_INFINITY;
    this.phase = 'search';
    this.setTrial(stp);
  }

  /** x = xk + stp * dir, clamped to the box (stp = 1 gives xbar exactly). */
  private setTrial(stp: number): void {
    const d = this.d;
    if (stp === 1) {
      this.x.set(this.xbar);
      return;
    }
    for (let i = 0; i < d; i++) {
      const v = this.xk[i]! + stp * this.dir[i]!;
      this.x[i] = Math.min(Math.max(v, this.lower[i]!), this.upper[i]!);
    }
  }

  private continueSearch(f: number, finite: boolean): boolean {
    this.searchEvaluations++;
    const d = this.d;
    if (finite && f < this.fBest) {
      this.fBest = f;
      this.xBest.set(this.x);
      this.gBest.set(this.gTrial);
    }
    let status: 'evaluate' | 'converged' | 'warning';
    if (!finite) {
      // Step back toward the best step so far; never extrapolate past the failure again.
      this.search.shrinkAfterFailure();
      status = 'evaluate';
    } else {
      let slope = 0;
      for (let i = 0; i < d; i++) slope += this.gTrial[i]! * this.dir[i]!;
      status = this.search.next(f, slope);
    }
    if (status === 'converged' || (status === 'warning' && f <= this.fk)) {
      return this.acceptStep(f);
    }
    if (status === 'evaluate' && this.searchEvaluations < MAX_SEARCH_EVALUATIONS) {
      if (this.evaluations >= this.settings.maxEvaluations) {
        return this.stop('evaluations', `reached maxEvaluations = ${this.settings.maxEvaluations}`);
      }
      this.setTrial(this.search.stp);
      return true;
    }
    // The line search failed: retry along steepest descent with an empty memory, or give up.
    const why =
      status === 'warning'
        ? `the line search stopped (${this.search.warning}) without decrease`
        : `the line search found no acceptable step in ${MAX_SEARCH_EVALUATIONS} evaluations`;
    this.phase = 'start';
    if (this.col === 0) {
      return this.stop('line-search', `${why} (initial slope ${this.searchSlope}, memory already empty)`);
    }
    this.resetMemory();
    this.fBest = Number.POSITIVE_INFINITY;
    return this.beginIteration();
  }

  private acceptStep(f: number): boolean {
    const d = this.d;
    const fOld = this.fk;
    // s = x_{k+1} - x_k and y = g_{k+1} - g_k, staged in xbar and residual.
    const s = this.xbar;
    const y = this.residual;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < d; i++) {
      const si = this.x[i]! - this.xk[i]!;
      const yi = this.gTrial[i]! - this.gk[i]!;
      s[i] = si;
      y[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    this.xk.set(this.x);
    this.gk.set(this.gTrial);
    this.fk = f;
    this.fBest = Number.POSITIVE_INFINITY;
    this.iterations++;
    this.phase = 'start';
    if (this.onIteration) {
      this.onIteration({
        iteration: this.iterations,
        x: this.xk,
        f,
        gradient: this.gk,
        evaluations: this.evaluations,
      });
    }
    const pg = this.projectedGradientNorm(this.xk, this.gk);
    if (pg <= this.settings.pgtol) {
      return this.stop('gradient', `projected gradient norm ${pg} <= pgtol ${this.settings.pgtol}`);
    }
    const reduction = (fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1);
    if (reduction <= this.settings.ftol) {
      return this.stop('function', `relative reduction of f ${reduction} <= ftol ${this.settings.ftol}`);
    }
    if (this.iterations >= this.settings.maxIterations) {
      return this.stop('iterations', `reached maxIterations = ${this.settings.maxIterations}`);
    }
    // Skip pairs without enough curvature: they would break the positive definiteness of B.
    if (sy > EPSILON * yy) this.addCorrection(s, y, sy, yy);
    return this.beginIteration();
  }

  /** Appends (s, y) to the memory (dropping the oldest when full) and refreshes S^T Y, S^T S, M. */
  private addCorrection(s: Float64Array, y: Float64Array, sy: number, yy: number): void {
    const d = this.d;
    const m = this.m;
    const { S, Y, SY, SS, YY } = this;
    if (this.col === m) {
      S.copyWithin(0, d, m * d);
      Y.copyWithin(0, d, m * d);
      for (let i = 0; i < m - 1; i++) {
        for (let j = 0; j < m - 1; j++) {
          SY[i * m + j] = SY[(i + 1) * m + j + 1]!;
          SS[i * m + j] = SS[(i + 1) * m + j + 1]!;
          YY[i * m + j] = YY[(i + 1) * m + j + 1]!;
        }
      }
      this.col--;
    }
    const k = this.col;
    S.set(s, k * d);
    Y.set(y, k * d);
    this.col++;
    for (let j = 0; j <= k; j++) {
      let sNewY = 0;
      let sYNew = 0;
      let sNewS = 0;
      let yNewY = 0;
      const o = j * d;
      for (let i = 0; i < d; i++) {
        sNewY += s[i]! * Y[o + i]!;
        sYNew += S[o + i]! * y[i]!;
        sNewS += s[i]! * S[o + i]!;
        yNewY += y[i]! * Y[o + i]!;
      }
      SY[k * m + j] = sNewY;
      SY[j * m + k] = sYNew;
      SS[k * m + j] = sNewS;
      SS[j * m + k] = sNewS;
      YY[k * m + j] = yNewY;
      YY[j * m + k] = yNewY;
    }
    SY[k * m + k] = sy;
    YY[k * m + k] = yy;
    this.theta = yy / sy;
    this.formMiddleMatrix();
  }

  /**
   * M = [[-D, L^T], [L, theta S^T S]]^{-1} (2col x 2col, stored with stride 2m), where
   * D = diag(s_i^T y_i) and L is the strict lower triangle of S^T Y.
   */
  private formMiddleMatrix(): void {
    const col = this.col;
    const m = this.m;
    const n2 = 2 * col;
    const ld = 2 * m;
    const middle = this.middle;
    for (let i = 0; i < col; i++) {
      for (let j = 0; j < col; j++) {
        middle[i * ld + j] = i === j ? -this.SY[i * m + i]! : 0;
        // top-right block L^T: (L^T)[i, j] = L[j, i] = s_j^T y_i for j > i
        middle[i * ld + col + j] = j > i ? this.SY[j * m + i]! : 0;
        middle[(col + i) * ld + j] = i > j ? this.SY[i * m + j]! : 0;
        middle[(col + i) * ld + col + j] = this.theta * this.SS[i * m + j]!;
      }
    }
    this.K.set(middle.subarray(0, n2 * ld));
    if (!invertSmall(this.K, n2, ld, this.M)) {
      // Numerically singular middle matrix: restart from the scaled identity.
      this.resetMemory();
    }
  }

  /** Row b of W = [Y, theta S] into wb (2col). */
  private loadW(b: number): void {
    const { col, d } = this;
    for (let k = 0; k < col; k++) {
      this.wb[k] = this.Y[k * d + b]!;
      this.wb[col + k] = this.theta * this.S[k * d + b]!;
    }
  }

  /** v^T M w over the active 2col block. */
  private mProduct(v: Float64Array, w: Float64Array): number {
    const n2 = 2 * this.col;
    const ld = 2 * this.m;
    let s = 0;
    for (let i = 0; i < n2; i++) {
      let row = 0;
      for (let j = 0; j < n2; j++) row += this.M[i * ld + j]! * w[j]!;
      s += v[i]! * row;
    }
    return s;
  }

  /** out = M v over the active 2col block. */
  private mTimes(v: Float64Array, out: Float64Array): void {
    const n2 = 2 * this.col;
    const ld = 2 * this.m;
    for (let i = 0; i < n2; i++) {
      let row = 0;
      for (let j = 0; j < n2; j++) row += this.M[i * ld + j]! * v[j]!;
      out[i] = row;
    }
  }

  /**
   * The generalized Cauchy point xcp: the first local minimizer of the quadratic model along the
   * projected steepest-descent path x(t) = P(xk - t gk), found by walking its breakpoints in order
   * (Byrd et al. 1995, Algorithm CP); O(d log d + breakpoints * m^2). Also sets c = W^T (xcp - xk)
   * and `where` (which variables are held at a bound).
   */
  private cauchyPoint(): void {
    const { d, col, xk, gk, lower, upper, where, breakT, order, dir, xcp, c, p, wb } = this;
    const theta = this.theta;
    const n2 = 2 * col;
    p.fill(0, 0, n2);
    c.fill(0, 0, n2);
    let f1 = 0;
    let nbreak = 0;
    let moving = 0;
    for (let i = 0; i < d; i++) {
      const gi = gk[i]!;
      const neg = -gi;
      const hl = this.hasLower[i]!;
      const hu = this.hasUpper[i]!;
      if (hl && hu && lower[i] === upper[i]) where[i] = FIXED;
      else if (hl && xk[i]! <= lower[i]! && neg <= 0) where[i] = AT_LOWER;
      else if (hu && xk[i]! >= upper[i]! && neg >= 0) where[i] = AT_UPPER;
      else if (neg === 0) where[i] = ZERO_GRADIENT;
      else where[i] = hl || hu ? FREE : UNBOUNDED;
      if (where[i] !== FREE && where[i] !== UNBOUNDED) {
        dir[i] = 0;
        continue;
      }
      dir[i] = neg;
      f1 -= neg * neg;
      moving++;
      let t = Number.POSITIVE_INFINITY;
      if (neg < 0 && hl) t = (xk[i]! - lower[i]!) / gi;
      else if (neg > 0 && hu) t = (upper[i]! - xk[i]!) / neg;
      breakT[i] = t;
      if (t < Number.POSITIVE_INFINITY) order[nbreak++] = i;
    }
    // p = W^T dir (dir is zero on the held variables)
    for (let k = 0; k < col; k++) {
      p[k] = dotRows(this.Y, k * d, dir, 0, d);
      p[col + k] = theta * dotRows(this.S, k * d, dir, 0, d);
    }
    xcp.set(xk);
    if (moving === 0 || f1 === 0) return;

    let f2 = -theta * f1 - this.mProduct(p, p);
    const f2Original = f2;
    let dtMin = -f1 / f2;
    let tSum = 0;
    const sorted = order.subarray(0, nbreak);
    sorted.sort((a, b) => breakT[a]! - breakT[b]!);
    const v = this.v;
    let index = 0;
    for (; index < nbreak; index++) {
      const b = sorted[index]!;
      const tj = breakT[b]!;
      const dt = tj - tSum;
      if (dtMin < dt) break;
      // The path reaches variable b's bound before the model's minimizer: fix b there.
      tSum = tj;
      const db = dir[b]!;
      const bound = db > 0 ? upper[b]! : lower[b]!;
      xcp[b] = bound;
      where[b] = db > 0 ? AT_UPPER : AT_LOWER;
      const zb = bound - xk[b]!;
      for (let k = 0; k < n2; k++) c[k] = c[k]! + dt * p[k]!;
      const gb = gk[b]!;
      // One product v = M w_b serves all three quadratic forms (M is symmetric).
      this.loadW(b);
      this.mTimes(wb, v);
      let wMc = 0;
      let wMp = 0;
      let wMw = 0;
      for (let k = 0; k < n2; k++) {
        const vk = v[k]!;
        wMc += c[k]! * vk;
        wMp += p[k]! * vk;
        wMw += wb[k]! * vk;
      }
      f1 += dt * f2 + gb * gb + theta * gb * zb - gb * wMc;
      f2 -= theta * gb * gb + 2 * gb * wMp + gb * gb * wMw;
      for (let k = 0; k < n2; k++) p[k] = p[k]! + gb * wb[k]!;
      dir[b] = 0;
      moving--;
      f2 = Math.max(EPSILON * f2Original, f2);
      dtMin = moving > 0 ? -f1 / f2 : 0;
    }
    dtMin = Math.max(dtMin, 0);
    tSum += dtMin;
    for (let k = 0; k < n2; k++) c[k] = c[k]! + dtMin * p[k]!;
    for (let i = 0; i < d; i++) {
      const di = dir[i]!;
      if (di !== 0) xcp[i] = Math.min(Math.max(xk[i]! + tSum * di, lower[i]!), upper[i]!);
    }
  }

  /**
   * K = W_F^T W_F (2col x 2col, stride 2m) over the free variables. With few variables held at
   * bounds it is the full Gram matrix (kept up to date from S^T S, S^T Y, Y^T Y) minus their rows'
   * outer products, O(m^2 (1 + fixed)); otherwise it is summed over the free rows, O(m^2 free).
   */
  private freeGram(nFree: number): void {
    const { d, col, m, K, wb, where } = this;
    const theta = this.theta;
    const n2 = 2 * col;
    const ld = 2 * m;
    const fromFull = d - nFree <= nFree;
    if (fromFull) {
      for (let a = 0; a < col; a++) {
        for (let b = 0; b < col; b++) {
          K[a * ld + b] = this.YY[a * m + b]!;
          K[a * ld + col + b] = theta * this.SY[b * m + a]!;
          K[(col + a) * ld + b] = theta * this.SY[a * m + b]!;
          K[(col + a) * ld + col + b] = theta * theta * this.SS[a * m + b]!;
        }
      }
    } else {
      for (let a = 0; a < n2; a++) K.fill(0, a * ld, a * ld + n2);
    }
    const sign = fromFull ? -1 : 1;
    for (let i = 0; i < d; i++) {
      if (fromFull === where[i]! <= 0) continue; // visit the fixed rows, or the free ones
      this.loadW(i);
      for (let a = 0; a < n2; a++) {
        const wa = sign * wb[a]!;
        for (let b = 0; b <= a; b++) K[a * ld + b] = K[a * ld + b]! + wa * wb[b]!;
      }
    }
    for (let a = 0; a < n2; a++) for (let b = 0; b < a; b++) K[b * ld + a] = K[a * ld + b]!;
  }

  /**
   * Minimizes the quadratic model over the variables free at xcp (direct primal method, Byrd et al.
   * 1995 section 5.1): `dhat = -Bhat^{-1} r` by Sherman-Morrison-Woodbury with the 2col x 2col
   * system `(I - M W_F^T W_F / theta) u = M W_F^T r`; then projects xcp + dhat onto the box, or
   * backtracks to it when the projection is not a descent direction (Morales & Nocedal 2011).
   * Writes xbar.
   */
  private subspaceMinimization(): void {
    const { d, col, xk, gk, xcp, xbar, where, residual: r, lower, upper } = this;
    const theta = this.theta;
    const n2 = 2 * col;
    const ld = 2 * this.m;
    xbar.set(xcp);
    let nFree = 0;
    for (let i = 0; i < d; i++) if (where[i]! <= 0) nFree++;
    if (nFree === 0) return;

    const { S, Y } = this;
    // r = Z^T (g + theta (xcp - xk) - W M c), kept at full length with zeros on fixed variables so
    // that every product with S and Y below walks contiguous rows; O(m d).
    const Mc = this.u;
    this.mTimes(this.c, Mc);
    for (let i = 0; i < d; i++) r[i] = gk[i]! + theta * (xcp[i]! - xk[i]!);
    for (let k = 0; k < col; k++) {
      const ay = Mc[k]!;
      const as = theta * Mc[col + k]!;
      const o = k * d;
      for (let i = 0; i < d; i++) r[i] = r[i]! - ay * Y[o + i]! - as * S[o + i]!;
    }
    for (let i = 0; i < d; i++) if (where[i]! > 0) r[i] = 0;
    const dhat = this.dir; // reused: the final direction is recomputed from xbar
    let solved = col === 0;
    const u = this.u;
    if (col > 0) {
      // v = W_F^T r
      const v = this.v;
      for (let k = 0; k < col; k++) {
        v[k] = dotRows(Y, k * d, r, 0, d);
        v[col + k] = theta * dotRows(S, k * d, r, 0, d);
      }
      this.freeGram(nFree);
      // (I - M K / theta) u = M v, multiplied through by M^{-1}: (M^{-1} - K / theta) u = v.
      const K = this.K;
      const N = this.N;
      const middle = this.middle;
      for (let a = 0; a < n2; a++) {
        const o = a * ld;
        for (let b = 0; b < n2; b++) N[o + b] = middle[o + b]! - K[o + b]! / theta;
        u[a] = v[a]!;
      }
      solved = luSolveInPlace(N, n2, ld, u, this.pivots);
    }
    if (!solved) return; // keep xbar = xcp
    // dhat = -r / theta - W_F u / theta^2
    const invTheta = 1 / theta;
    for (let i = 0; i < d; i++) dhat[i] = -r[i]! * invTheta;
    for (let k = 0; k < col; k++) {
      const ay = u[k]! * invTheta * invTheta;
      const as = u[col + k]! * invTheta;
      const o = k * d;
      for (let i = 0; i < d; i++) dhat[i] = dhat[i]! - ay * Y[o + i]! - as * S[o + i]!;
    }
    for (let i = 0; i < d; i++) if (where[i]! > 0) dhat[i] = 0;
    // Projected step, kept if it is a descent direction from xk.
    let descent = 0;
    for (let i = 0; i < d; i++) {
      const target = where[i]! > 0 ? xcp[i]! : Math.min(Math.max(xcp[i]! + dhat[i]!, lower[i]!), upper[i]!);
      xbar[i] = target;
      descent += (target - xk[i]!) * gk[i]!;
    }
    if (descent <= 0) return;
    // Otherwise truncate the unprojected step at the first bound it meets.
    let alpha = 1;
    let limiting = -1;
    for (let i = 0; i < d; i++) {
      if (where[i]! > 0) continue;
      const di = dhat[i]!;
      if (di < 0 && this.hasLower[i]) {
        const room = lower[i]! - xcp[i]!;
        if (room >= 0) {
          alpha = 0;
          limiting = i;
        } else if (di * alpha < room) {
          alpha = room / di;
          limiting = i;
        }
      } else if (di > 0 && this.hasUpper[i]) {
        const room = upper[i]! - xcp[i]!;
        if (room <= 0) {
          alpha = 0;
          limiting = i;
        } else if (di * alpha > room) {
          alpha = room / di;
          limiting = i;
        }
      }
    }
    for (let i = 0; i < d; i++) {
      xbar[i] =
        where[i]! > 0 ? xcp[i]! : Math.min(Math.max(xcp[i]! + alpha * dhat[i]!, lower[i]!), upper[i]!);
    }
    if (limiting >= 0 && alpha < 1) {
      xbar[limiting] = dhat[limiting]! > 0 ? upper[limiting]! : lower[limiting]!;
    }
  }
}

/** sum_t a[aOff + t] * b[bOff + t] for t < n. */
function dotRows(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let t = 0;
  for (; t + 1 < n; t += 2) {
    s0 += a[aOff + t]! * b[bOff + t]!;
    s1 += a[aOff + t + 1]! * b[bOff + t + 1]!;
  }
  if (t < n) s0 += a[aOff + t]! * b[bOff + t]!;
  return s0 + s1;
}

function countNonFinite(g: Float64Array): number {
  let n = 0;
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i]!)) n++;
  return n;
}

/**
 * Gauss-Jordan inverse with partial pivoting of the n x n block of `a` (stride ld) into `out`
 * (same stride); `a` is destroyed. False if a pivot vanishes. For the tiny 2m x 2m middle matrix.
 */
function invertSmall(a: Float64Array, n: number, ld: number, out: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    out.fill(0, i * ld, i * ld + n);
    out[i * ld + i] = 1;
  }
  let scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(a[i * ld + j]!));
  for (let col = 0; col < n; col++) {
    let best = col;
    for (let i = col + 1; i < n; i++)
      if (Math.abs(a[i * ld + col]!) > Math.abs(a[best * ld + col]!)) best = i;
    const pivot = a[best * ld + col]!;
    if (!(Math.abs(pivot) > EPSILON * scale * n) || !Number.isFinite(pivot)) return false;
    if (best !== col) {
      for (let j = 0; j < n; j++) {
        const t1 = a[col * ld + j]!;
        a[col * ld + j] = a[best * ld + j]!;
        a[best * ld + j] = t1;
        const t2 = out[col * ld + j]!;
        out[col * ld + j] = out[best * ld + j]!;
        out[best * ld + j] = t2;
      }
    }
    const inv = 1 / pivot;
    for (let j = 0; j < n; j++) {
      a[col * ld + j] = a[col * ld + j]! * inv;
      out[col * ld + j] = out[col * ld + j]! * inv;
    }
    for (let i = 0; i < n; i++) {
      if (i === col) continue;
      const factor = a[i * ld + col]!;
      if (factor === 0) continue;
      for (let j = 0; j < n; j++) {
        a[i * ld + j] = a[i * ld + j]! - factor * a[col * ld + j]!;
        out[i * ld + j] = out[i * ld + j]! - factor * out[col * ld + j]!;
      }
    }
  }
  return true;
}

/** Solves the n x n system `a x = b` (stride ld) in place in b by LU with partial pivoting; `a` is destroyed. */
function luSolveInPlace(a: Float64Array, n: number, ld: number, b: Float64Array, piv: Int32Array): boolean {
  for (let k = 0; k < n; k++) {
    let best = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * ld + k]!) > Math.abs(a[best * ld + k]!)) best = i;
    const pivot = a[best * ld + k]!;
    if (pivot === 0 || !Number.isFinite(pivot)) return false;
    piv[k] = best;
    if (best !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * ld + j]!;
        a[k * ld + j] = a[best * ld + j]!;
        a[best * ld + j] = t;
      }
      const t = b[k]!;
      b[k] = b[best]!;
      b[best] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const factor = a[i * ld + k]! / pivot;
      if (factor === 0) continue;
      a[i * ld + k] = factor;
      for (let j = k + 1; j < n; j++) a[i * ld + j] = a[i * ld + j]! - factor * a[k * ld + j]!;
      b[i] = b[i]! - factor * b[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * ld + j]! * b[j]!;
    b[i] = s / a[i * ld + i]!;
  }
  return true;
}

/** Minimizes `objective` from x0 (length d) within the optional box; never leaves the box. */
export function lbfgsb(
  objective: Objective,
  x0: ArrayLike<number>,
  options: LbfgsbOptions = {},
): LbfgsbResult {
  if (typeof objective !== 'function') {
    throw new TypeError(`lbfgsb: objective must be a function (x, gradient) => f, got ${typeof objective}`);
  }
  const solver = new LbfgsbSolver(x0, options, 'lbfgsb');
  const gradient = new Float64Array(solver.x.length);
  while (!solver.done) {
    gradient.fill(Number.NaN);
    const f = objective(solver.x, gradient);
    solver.tell(f, gradient);
  }
  return solver.result();
}

/**
 * Batch mode: b independent problems of the same dimension d advanced together, so that one call
 * of the batched objective evaluates every start that needs a point. X0 is `b x d`. The objective
 * receives X (`b x d`; only rows with `active[i] = 1` need evaluating) and writes F (b) and G
 * (`b x d`) for the active rows. Returns one result per row, as `lbfgsb` would.
 */
export function lbfgsbBatch(
  objective: (X: Float64Array, active: Uint8Array, F: Float64Array, G: Float64Array) => void,
  X0: Matrix,
  options: LbfgsbOptions = {},
): LbfgsbResult[] {
  if (typeof objective !== 'function') {
    throw new TypeError(
      `lbfgsbBatch: objective must be a function (X, active, F, G) => void, got ${typeof objective}`,
    );
  }
  const { rows: b, cols: d, data } = X0;
  if (!(data instanceof Float64Array) || data.length !== b * d) {
    throw new RangeError(`lbfgsbBatch: X0 must be a Matrix with data of length rows * cols = ${b * d}`);
  }
  const solvers: LbfgsbSolver[] = [];
  for (let i = 0; i < b; i++)
    solvers.push(new LbfgsbSolver(data.subarray(i * d, (i + 1) * d), options, 'lbfgsbBatch'));
  const X = new Float64Array(b * d);
  const F = new Float64Array(b);
  const G = new Float64Array(b * d);
  const active = new Uint8Array(b);
  for (;;) {
    let any = false;
    for (let i = 0; i < b; i++) {
      const solver = solvers[i]!;
      if (solver.done) {
        active[i] = 0;
        continue;
      }
      active[i] = 1;
      any = true;
      X.set(solver.x, i * d);
    }
    if (!any) break;
    F.fill(Number.NaN);
    G.fill(Number.NaN);
    objective(X, active, F, G);
    for (let i = 0; i < b; i++) if (active[i]) solvers[i]!.tell(F[i]!, G, i * d);
  }
  return solvers.map((s) => s.result());
}
