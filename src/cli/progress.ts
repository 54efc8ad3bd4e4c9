/**
 * Progress of `mobo run` / `mobo resume`: a cli-progress bar on a terminal, one plain line every few
 * seconds otherwise (logs, CI, pipes).
 */
import { SingleBar } from 'cli-progress';
import type { ReferenceStatus } from '../experiment/hypervolume.js';
import type { SchedulerProgress } from '../runners/scheduler.js';

/** Where progress goes. */
export interface ProgressOutput {
  /** The terminal stream for the bar; when undefined or not a TTY, plain lines go to `write`. */
  stream?: NodeJS.WriteStream;
  write(text: string): void;
  /** Milliseconds between plain lines. Default 5000. */
  intervalMs?: number;
  /** The HTML report the run writes (named on every progress line). */
  report?: string;
  /** The reference point of the hypervolume now (explained on every line). */
  reference?: () => ReferenceStatus;
}

/** A duration as '42 s', '3 min 5 s', '2 h 10 min'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** Hypervolume with 6 significant digits, trailing zeros dropped. */
export function formatHypervolume(hv: number): string {
  return String(Number(hv.toPrecision(6)));
}

/** Estimated time left from this session's pace, or undefined before anything finished. */
export function timeLeftMs(p: SchedulerProgress): number | undefined {
  const left = p.total - p.completed - p.failed;
  if (left <= 0) return 0;
  if (p.finishedThisSession === 0 || p.elapsedMs <= 0) return undefined;
  return (left * p.elapsedMs) / p.finishedThisSession;
}

/**
 * What the hypervolume is measured against, in a few words: a provisional reference point moves
 * (and the hypervolume with it, down as well as up) until enough feasible trials fix it.
 */
export function referenceNote(hypervolume: number, reference: ReferenceStatus | undefined): string {
  if (reference === undefined) return '';
  if (reference.rule === undefined) return ' (no reference point yet)';
  const zero = hypervolume === 0 && reference.feasible > 0 ? ', no trial beats it yet' : '';
  switch (reference.rule) {
    case 'thresholds':
      return ` (reference point: the thresholds${zero})`;
    case 'fixed':
      return ` (reference point fixed${zero})`;
    case 'provisional':
      return reference.feasible >= reference.quorum
        ? ` (reference point inferred, fixed at the next ask${zero})`
        : ` (reference point provisional until ${reference.quorum} feasible trials, ${reference.feasible} so far: it can move${zero})`;
  }
}

/** One plain progress line (no newline); `reference` explains the hypervolume's reference point. */
export function progressLine(p: SchedulerProgress, report?: string, reference?: ReferenceStatus): string {
  const eta = timeLeftMs(p);
  return (
    `[${formatDuration(p.elapsedMs)}] ${p.completed + p.failed}/${p.total} trials done, ${p.running} running, ` +
    `${p.failed} failed, hypervolume ${formatHypervolume(p.hypervolume)}${referenceNote(p.hypervolume, reference)}` +
    (eta === undefined ? '' : `, about ${formatDuration(eta)} left`) +
    (report === undefined ? '' : `; report ${report}`)
  );
}

/** Shows scheduler progress; `update` as often as you like, `stop` once at the end. */
export class ProgressDisplay {
  readonly #output: ProgressOutput;
  readonly #bar: SingleBar | undefined;
  #started = false;
  #lastLine = 0;
  #last: SchedulerProgress | undefined;
  #lastReference: ReferenceStatus | undefined;

  constructor(output: ProgressOutput) {
    this.#output = output;
    if (output.stream?.isTTY === true) {
      this.#bar = new SingleBar({
        stream: output.stream,
        format:
          ' {bar} {value}/{total} trials | {running} running | {failed} failed | HV {hv}{reference} | ETA {left}' +
          (output.report === undefined ? '' : ` | report ${output.report}`),
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
        fps: 5,
      });
    }
  }

  update(p: SchedulerProgress): void {
    this.#last = p;
    const reference = this.#output.reference?.();
    this.#lastReference = reference;
    const done = p.completed + p.failed;
    if (this.#bar !== undefined) {
      const eta = timeLeftMs(p);
      const payload = {
        running: p.running,
        failed: p.failed,
        hv: formatHypervolume(p.hypervolume),
        reference: referenceNote(p.hypervolume, reference),
        left: eta === undefined ? '?' : formatDuration(eta),
      };
      if (!this.#started) {
        this.#bar.start(p.total, done, payload);
        this.#started = true;
      } else {
        this.#bar.setTotal(p.total);
        this.#bar.update(done, payload);
      }
      return;
    }
    const now = Date.now();
    if (!this.#started || now - this.#lastLine >= (this.#output.intervalMs ?? 5000)) {
      this.#started = true;
      this.#lastLine = now;
      this.#output.write(`${progressLine(p, this.#output.report, reference)}\n`);
    }
  }

  /** Ends the bar (or prints a last plain line). */
  stop(): void {
    if (this.#bar !== undefined) {
      if (this.#started) this.#bar.stop();
      return;
    }
    if (this.#last !== undefined)
      this.#output.write(`${progressLine(this.#last, this.#output.report, this.#lastReference)}\n`);
  }
}
