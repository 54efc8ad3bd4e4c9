/**
 * `mobo hv`: exact hypervolume of point sets read from files or standard input.
 */
import { hypervolume, hypervolumeContributions } from '../pareto/hypervolume.js';
import { InputError, type PointSet, parsePointSets, parseReferencePoint } from './point-sets.js';

export interface HvOptions {
  /** The reference point as typed after -r, e.g. "1.1 1.1". */
  reference?: string;
  contributions?: boolean;
}

/** What the command needs from the outside world, so that tests can run it in-process. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  readStdin(): string;
}

/** C's `%.17g`: 17 significant digits, trailing zeros dropped, so a float64 round-trips exactly. */
export function formatG17(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  if (exponent < -4 || exponent >= 17) {
    const [mantissa, exp] = x.toExponential(16).split('e') as [string, string];
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${trimmed}e${sign}${digits}`;
  }
  const fixed = x.toPrecision(17);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/**
 * The reference point used when none is given: the nadir of all points of all sets plus 10% of
 * their range in each objective (1 where the range is zero, so that a lone point still has volume).
 */
export function inferReference(sets: readonly PointSet[]): Float64Array {
  const m = sets[0]!.points.cols;
  const lo = new Float64Array(m).fill(Infinity);
  const hi = new Float64Array(m).fill(-Infinity);
  for (const set of sets) {
    const { rows, data } = set.points;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < m; j++) {
        const v = data[i * m + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
  }
  const ref = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const range = hi[j]! - lo[j]!;
    ref[j] = hi[j]! + (range > 0 ? 0.1 * range : 1);
  }
  return ref;
}

function checkSet(set: PointSet, m: number, what: string): void {
  if (set.points.cols !== m) {
    throw new InputError(
      set.source,
      set.firstLine,
      `this set has ${set.points.cols} objectives but ${what} has ${m}`,
    );
  }
  const { rows, cols, data } = set.points;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j]!;
      if (v === -Infinity) {
        throw new InputError(
          set.source,
          set.lines[i]!,
          `value ${j + 1} is -inf: the hypervolume would be infinite`,
        );
      }
    }
  }
}

/** Runs `mobo hv`; returns the exit code (0 fine, 2 bad input). */
export function hvCommand(files: readonly string[], options: HvOptions, io: CommandIo): number {
  try {
    const sources = files.length === 0 ? ['-'] : files;
    const sets: PointSet[] = [];
    for (const file of sources) {
      const text = file === '-' ? io.readStdin() : readOrExplain(file, io);
      sets.push(...parsePointSets(text, file === '-' ? '<stdin>' : file));
    }
    let reference: Float64Array;
    if (options.reference !== undefined) {
      reference = parseReferencePoint(options.reference);
      for (const set of sets) checkSet(set, reference.length, `the reference point (-r)`);
    } else {
      const m = sets[0]!.points.cols;
      for (const set of sets) checkSet(set, m, `the first set (${sets[0]!.source}:${sets[0]!.firstLine})`);
      reference = inferReference(sets);
      io.stderr(
        `mobo hv: no reference point given (-r); using the nadir plus 10% of the range: ${Array.from(reference, formatG17).join(' ')}\n`,
      );
    }
    const out: string[] = [];
    for (const set of sets) {
      if (!anyInside(set, reference)) {
        io.stderr(
          `mobo hv: note: ${set.source}:${set.firstLine}: no point of this set is below the reference point in every objective; its hypervolume is 0\n`,
        );
      }
    }
    sets.forEach((set, k) => {
      if (options.contributions) {
        if (k > 0) out.push('');
        for (const c of hypervolumeContributions(set.points, reference)) out.push(formatG17(c));
      } else {
        out.push(formatG17(hypervolume(set.points, reference)));
      }
    });
    io.stdout(`${out.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`mobo hv: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** Whether some point of the set lies strictly inside the reference box (so it has volume). */
function anyInside(set: PointSet, reference: Float64Array): boolean {
  const { rows, cols, data } = set.points;
  for (let i = 0; i < rows; i++) {
    let inside = true;
    for (let j = 0; j < cols && inside; j++) inside = data[i * cols + j]! < reference[j]!;
    if (inside) return true;
  }
  return false;
}

function readOrExplain(file: string, io: CommandIo): string {
  try {
    return io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
    throw new InputError(file, 0, `cannot read: ${why}`);
  }
}
