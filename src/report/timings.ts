/**
 * Ask timings as generators report them in their metadata. Generators name their timing object
 * differently (`timingsMs` for NSGA-II, `ms` for Sobol, random and chains; `timings` is accepted
 * too), each an object of milliseconds by phase. A chain's metadata holds its steps' metadata in
 * `parts`, whose phases are named after their generator ("nsga2 survival").
 */

/** The phases of one generation and its total, in ms. */
export interface PhaseTimings {
  /** Milliseconds by phase name (finite, >= 0); empty when the generator reports only a total. */
  readonly phases: Record<string, number>;
  /** The whole generation: the reported total ('total' or 'generate'), else the sum of the phases. */
  readonly totalMs: number;
}

const TIMING_KEYS = ['timingsMs', 'ms', 'timings'] as const;
const TOTAL_KEYS = ['total', 'generate'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function timingObject(metadata: Record<string, unknown>): Record<string, number> | undefined {
  for (const key of TIMING_KEYS) {
    const candidate = metadata[key];
    if (!isRecord(candidate)) continue;
    const out: Record<string, number> = {};
    for (const [name, ms] of Object.entries(candidate)) {
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) out[name] = ms;
    }
    if (Object.keys(out).length > 0) return out;
  }
  return undefined;
}

function splitTotal(timing: Record<string, number>): { phases: Record<string, number>; total?: number } {
  const phases: Record<string, number> = {};
  let total: number | undefined;
  for (const [name, ms] of Object.entries(timing)) {
    if ((TOTAL_KEYS as readonly string[]).includes(name)) total ??= ms;
    else phases[name] = ms;
  }
  return total === undefined ? { phases } : { phases, total };
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Phases and reported total of `metadata` (and of a chain's parts), before any default. */
function collect(metadata: unknown): { phases: Record<string, number>; total?: number } | undefined {
  if (!isRecord(metadata)) return undefined;
  const phases: Record<string, number> = {};
  const parts = metadata.parts;
  if (Array.isArray(parts)) {
    for (const part of parts) {
      if (!isRecord(part)) continue;
      const inner = collect(part.metadata);
      if (inner === undefined) continue;
      const owner = typeof part.generator === 'string' ? part.generator : 'step';
      const entries = Object.entries(inner.phases);
      // A step that reports only its total is one phase, named after its generator.
      if (entries.length === 0) phases[owner] = (phases[owner] ?? 0) + (inner.total ?? 0);
      for (const [name, ms] of entries) {
        const key = `${owner} ${name}`;
        phases[key] = (phases[key] ?? 0) + ms;
      }
    }
  }
  const own = timingObject(metadata);
  const split = own === undefined ? { phases: {} } : splitTotal(own);
  for (const [name, ms] of Object.entries(split.phases)) phases[name] = (phases[name] ?? 0) + ms;
  if (Object.keys(phases).length === 0 && split.total === undefined) return undefined;
  return split.total === undefined ? { phases } : { phases, total: split.total };
}

/**
 * The timings a generator's metadata reports, or undefined when it reports none. A generator
 * that reports only a total gets one phase, named `generate` (or, inside a chain, after itself).
 */
export function phaseTimings(metadata: unknown): PhaseTimings | undefined {
  const found = collect(metadata);
  if (found === undefined) return undefined;
  if (Object.keys(found.phases).length === 0) {
    const total = found.total ?? 0;
    return { phases: { generate: total }, totalMs: total };
  }
  return { phases: found.phases, totalMs: found.total ?? sum(Object.values(found.phases)) };
}
