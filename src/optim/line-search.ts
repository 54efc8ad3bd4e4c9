/**
 * The Moré–Thuente line search (Moré & Thuente 1994, "Line search algorithms with guaranteed
 * sufficient decrease", the MINPACK-2 dcsrch/dcstep design) in reverse-communication form: the
 * caller evaluates phi(stp) and phi'(stp) and hands them back until the search reports convergence
 * (the strong Wolfe conditions hold) or a warning.
 */

/**
 * What the caller does next: `evaluate` phi and phi' at `stp` and call `next` again; `converged`:
 * the strong Wolfe conditions hold at the last step; `warning`: no further progress is possible
 * (bracket too narrow, rounding, or stp at stpmin/stpmax), see `warning`.
 */
export type SearchStatus = 'evaluate' | 'converged' | 'warning';

const XTRAPL = 1.1;
const XTRAPU = 4.0;

export class MoreThuenteSearch {
  /** Sufficient-decrease constant (Armijo). */
  ftol: number;
  /** Curvature constant: |phi'(stp)| <= gtol |phi'(0)|. */
  gtol: number;
  /** Relative width below which the bracket counts as collapsed. */
  xtol: number;
  stpmin = 0;
  stpmax = 0;
  /** The step to evaluate next (or the accepted step after Converged/Warning). */
  stp = 0;
  /** Why the last Warning was raised. */
  warning = '';

  private brackt = false;
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stmin = 0;
  private stmax = 0;
  private width = 0;
  private width1 = 0;

  constructor(ftol = 1e-3, gtol = 0.9, xtol = 0.1) {
    this.ftol = ftol;
    this.gtol = gtol;
    this.xtol = xtol;
  }

  /** The best step so far (lowest modified function value). */
  get bestStep(): number {
    return this.stx;
  }

  /**
   * Starts a search from phi(0) = f0, phi'(0) = g0 < 0 with the first trial step `stp` in
   * `[stpmin, stpmax]`. Afterwards evaluate at `this.stp`.
   */
  start(stp: number, f0: number, g0: number, stpmin: number, stpmax: number): void {
    if (!(g0 < 0)) throw new RangeError(`MoreThuenteSearch: phi'(0) must be negative, got ${g0}`);
    if (!(stp >= stpmin && stp <= stpmax)) {
      throw new RangeError(`MoreThuenteSearch: initial step ${stp} outside [${stpmin}, ${stpmax}]`);
    }
    this.stp = stp;
    this.stpmin = stpmin;
    this.stpmax = stpmax;
    this.warning = '';
    this.brackt = false;
    this.stage = 1;
    this.finit = f0;
    this.ginit = g0;
    this.gtest = this.ftol * g0;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.stx = 0;
    this.fx = f0;
    this.gx = g0;
    this.sty = 0;
    this.fy = f0;
    this.gy = g0;
    this.stmin = 0;
    this.stmax = stp + XTRAPU * stp;
  }

  /** Lowers the largest admissible step (after a non-finite value at a longer step). */
  shrinkAfterFailure(): void {
    const next = this.stx + 0.5 * (this.stp - this.stx);
    this.stpmax = next;
    this.stp = next;
  }

  /** Takes phi(stp) = f and phi'(stp) = g at the current `stp`; says what to do next. */
  next(f: number, g: number): SearchStatus {
    const stp = this.stp;
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;

    let warning = '';
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) warning = 'rounding errors prevent progress';
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) warning = 'xtol test satisfied';
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) warning = 'stp = stpmax';
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) warning = 'stp = stpmin';
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) return 'converged';
    if (warning !== '') {
      this.warning = warning;
      return 'warning';
    }

    // In stage 1 a modified function (phi minus the sufficient-decrease line) picks the step,
    // as long as no step with phi <= ftest and phi' >= 0 has been seen.
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const gtest = this.gtest;
      this.fx -= this.stx * gtest;
      this.fy -= this.sty * gtest;
      this.gx -= gtest;
      this.gy -= gtest;
      this.step(f - stp * gtest, g - gtest);
      this.fx += this.stx * gtest;
      this.fy += this.sty * gtest;
      this.gx += gtest;
      this.gy += gtest;
    } else {
      this.step(f, g);
    }

    if (this.brackt) {
      // Bisect when the interval does not shrink fast enough.
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1)
        this.stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = this.stp + XTRAPL * (this.stp - this.stx);
      this.stmax = this.stp + XTRAPU * (this.stp - this.stx);
    }
    this.stp = Math.min(Math.max(this.stp, this.stpmin), this.stpmax);
    if (
      (this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) ||
      (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)
    ) {
      this.stp = this.stx;
    }
    return 'evaluate';
  }

  /**
   * dcstep: a safeguarded cubic/quadratic step from the interval (stx, sty) and the new point
   * (stp, fp, dp); updates the interval and sets the next `stp`.
   */
  private step(fp: number, dp: number): void {
    const stx = this.stx;
    const fx = this.fx;
    const dx = this.gx;
    const sty = this.sty;
    const fy = this.fy;
    const dy = this.gy;
    const stp = this.stp;
    const stpmin = this.stmin;
    const stpmax = this.stmax;
    const sgnd = dp * (dx / Math.abs(dx));
    let stpf: number;

    if (fp > fx) {
      // Case 1: higher function value; the minimum is bracketed.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp < stx) gamma = -gamma;
      const p = gamma - dx + theta;
      const q = gamma - dx + gamma + dp;
      const r = p / q;
      const stpc = stx + r * (stp - stx);
      const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
      this.brackt = true;
    } else if (sgnd < 0) {
      // Case 2: lower value, derivatives of opposite sign; the minimum is bracketed.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dx;
      const r = p / q;
      const stpc = stp + r * (stx - stp);
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      this.brackt = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      // Case 3: lower value, same-sign derivative decreasing in magnitude.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma + (dx - dp) + gamma;
      const r = p / q;
      let stpc: number;
      if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
      else if (stp > stx) stpc = stpmax;
      else stpc = stpmin;
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.brackt) {
        stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
        if (stp > stx) stpf = Math.min(stp + 0.66 * (sty - stp), stpf);
        else stpf = Math.max(stp + 0.66 * (sty - stp), stpf);
      } else {
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        stpf = Math.max(stpmin, Math.min(stpmax, stpf));
      }
    } else if (this.brackt) {
      // Case 4: lower value, derivative not decreasing; cubic step using the far end.
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dy / s) * (dp / s)));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      const r = p / q;
      stpf = stp + r * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }

    if (fp > fx) {
      this.sty = stp;
      this.fy = fp;
      this.gy = dp;
    } else {
      if (sgnd < 0) {
        this.sty = stx;
        this.fy = fx;
        this.gy = dx;
      }
      this.stx = stp;
      this.fx = fp;
      this.gx = dp;
    }
    this.stp = stpf;
  }
}
