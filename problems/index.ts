import { braninCurrin } from './branin-currin.js';
import { type DtlzOptions, dtlz1, dtlz2, dtlz3, dtlz4, dtlz5, dtlz6, dtlz7 } from './dtlz.js';
import type { Problem } from './problem.js';
import { type ZdtOptions, zdt1, zdt2, zdt3, zdt4, zdt6 } from './zdt.js';

export { type BraninCurrinOptions, braninCurrin } from './branin-currin.js';
export { type DtlzOptions, dtlz1, dtlz2, dtlz3, dtlz4, dtlz5, dtlz6, dtlz7 } from './dtlz.js';
export { dasDennis, dasDennisDivisions, gammaHalfInteger, unitBallOrthantVolume } from './math.js';
export type { Problem, ReferencePointOption } from './problem.js';
export { type ZdtOptions, zdt1, zdt2, zdt3, zdt4, zdt6 } from './zdt.js';

/** Options `getProblem` passes on: those of the named family (objectives only for DTLZ). */
export type ProblemOptions = DtlzOptions & ZdtOptions;

const FACTORIES: Readonly<Record<string, (options: ProblemOptions) => Problem>> = {
  dtlz1,
  dtlz2,
  dtlz3,
  dtlz4,
  dtlz5,
  dtlz6,
  dtlz7,
  zdt1,
  zdt2,
  zdt3,
  zdt4,
  zdt6,
  branincurrin: braninCurrin,
};

/** The names `getProblem` accepts (lower case). */
export const problemNames: readonly string[] = Object.keys(FACTORIES);

/**
 * A problem by name, case-insensitive ('DTLZ2', 'zdt1', 'BraninCurrin', 'branin-currin'), with its
 * factory's options. Throws a RangeError listing the known names for an unknown one, and for options a
 * family does not take (objectives for ZDT and Branin-Currin, dimensions for Branin-Currin).
 */
export function getProblem(name: string, options: ProblemOptions = {}): Problem {
  const key = String(name)
    .toLowerCase()
    .replace(/[-_\s]/g, '');
  const factory = Object.hasOwn(FACTORIES, key) ? FACTORIES[key] : undefined;
  if (!factory) {
    throw new RangeError(`getProblem: unknown problem '${name}', expected one of ${problemNames.join(', ')}`);
  }
  if (!key.startsWith('dtlz') && options.objectives !== undefined && options.objectives !== 2) {
    throw new RangeError(`getProblem: ${key} has 2 objectives, got objectives = ${options.objectives}`);
  }
  if (key === 'branincurrin' && options.dimensions !== undefined && options.dimensions !== 2) {
    throw new RangeError(`getProblem: branincurrin has 2 dimensions, got dimensions = ${options.dimensions}`);
  }
  return factory(options);
}
