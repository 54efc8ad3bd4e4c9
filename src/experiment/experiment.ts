import type { Params } from '../space/schema.js';
import { type RunnerState, RunnerStates } from './attempts.js';
import type { JournalEvent } from './events.js';
import { canTransition, type Trial, type TrialState, TrialStateError } from './trial.js';

/** The whole replayable state of an experiment as plain JSON (for tests, status tools, reports). */
export interface ExperimentSnapshot {
  readonly trials: readonly Trial[];
  /** The reference point in minimization form, or null while unknown. */
  readonly referencePoint: readonly number[] | null;
  /** Generations so far: the next ask uses this counter. */
  readonly asks: number;
  /** The last generator state (what the next generation receives). */
  readonly generatorState: unknown;
  /** Trial ids in the order their values arrived (completions and attachments). */
  readonly completionOrder: readonly number[];
}

function freezeTrial(trial: Trial): Trial {
  Object.freeze(trial.params);
  Object.freeze(trial.x);
  if (trial.values !== undefined) Object.freeze(trial.values);
  if (trial.sem !== undefined) Object.freeze(trial.sem);
  return Object.freeze(trial);
}

const targetState: Partial<Record<JournalEvent['type'], TrialState>> = {
  running: 'running',
  complete: 'completed',
  fail: 'failed',
  abandon: 'abandoned',
  stale: 'stale',
};

/**
 * Trials and their states, built only by applying journal events, so that the state in memory and
 * the state replayed from the journal are the same by construction. `prepare` checks an event and
 * returns the mutation that applies it, so callers can write the event durably in between: nothing
 * is applied that was not first checked, and nothing checked can fail to apply.
 */
export class Experiment {
  private readonly list: Trial[] = [];
  // Every trial's x, row-major (capacity doubles), so generators' input matrices are row copies.
  private points = new Float64Array(0);
  private reference: readonly number[] | null;
  private askCount = 0;
  private lastGeneratorState: unknown;
  private readonly order: number[] = [];
  private readonly runners = new RunnerStates();
  private interrupt: Readonly<{ t: number; signal: string; message: string }> | undefined;
  private readonly dimension: number;
  private readonly objectives: number;

  /**
   * `dimension`: d, the length of every trial's x. `objectives`: m, the length of a reference
   * point. `fixedReference`: a reference point known from the configuration (minimization form).
   */
  constructor(dimension: number, objectives: number, fixedReference?: ArrayLike<number>) {
    this.dimension = dimension;
    this.objectives = objectives;
    this.reference = fixedReference === undefined ? null : Object.freeze(Array.from(fixedReference));
  }

  /** The trial with this id, or undefined. */
  trial(id: number): Trial | undefined {
    return Number.isInteger(id) && id >= 0 ? this.list[id] : undefined;
  }

  /** All trials, in id order (frozen objects; the array is a copy). */
  trials(): Trial[] {
    return this.list.slice();
  }

  get size(): number {
    return this.list.length;
  }

  get asks(): number {
    return this.askCount;
  }

  get generatorState(): unknown {
    return this.lastGeneratorState;
  }

  get referencePoint(): readonly number[] | null {
    return this.reference;
  }

  /** Ids of completed trials in the order their values arrived. */
  get completionOrder(): readonly number[] {
    return this.order;
  }

  /** The last interrupt journaled (signal, what happened to the trials in flight), if any. */
  get lastInterrupt(): Readonly<{ t: number; signal: string; message: string }> | undefined {
    return this.interrupt;
  }

  /** What the runner events say about trial `id`'s attempts (see attempts.ts). */
  runnerState(id: number): RunnerState {
    return this.runners.get(id);
  }

  snapshot(): ExperimentSnapshot {
    return {
      trials: this.trials(),
      referencePoint: this.reference,
      asks: this.askCount,
      generatorState: this.lastGeneratorState,
      completionOrder: this.order.slice(),
    };
  }

  /**
   * Checks that `event` can apply to the current state and returns the mutation that applies it.
   * Throws a TrialStateError (unknown trial, forbidden transition) or a RangeError (malformed
   * event) headed by `what`.
   */
  prepare(event: JournalEvent, what: string): () => void {
    switch (event.type) {
      case 'ask': {
        if (event.ask !== this.askCount) {
          throw new RangeError(`${what}: ask counter ${event.ask} out of order, expected ${this.askCount}`);
        }
        event.trials.forEach((t, k) => {
          if (t.id !== this.list.length + k) {
            throw new RangeError(
              `${what}: new trial id ${t.id} out of order, expected ${this.list.length + k}`,
            );
          }
          this.checkX(t.x, t.id, what);
        });
        if (event.reference !== undefined) this.checkReference(event.reference, what);
        return () => {
          if (event.reference !== undefined) this.reference = Object.freeze(event.reference.slice());
          for (const t of event.trials) {
            this.storePoint(t.id, t.x);
            this.list.push(
              freezeTrial({
                id: t.id,
                state: event.state,
                params: { ...t.params },
                x: t.x.slice(),
                source: 'ask',
                ask: event.ask,
                generator: event.generator.name,
                createdAt: event.t,
                ...(event.state === 'running' ? { startedAt: event.t } : {}),
              }),
            );
          }
          this.askCount++;
          this.lastGeneratorState = event.generator.state;
        };
      }
      case 'attach': {
        if (event.id !== this.list.length) {
          throw new RangeError(
            `${what}: attached trial id ${event.id} out of order, expected ${this.list.length}`,
          );
        }
        this.checkX(event.x, event.id, what);
        if (event.reason === undefined && event.values === undefined) {
          throw new RangeError(`${what}: attached trial ${event.id} has neither values nor a failure reason`);
        }
        return () => {
          const failed = event.reason !== undefined;
          this.storePoint(event.id, event.x);
          this.list.push(
            freezeTrial({
              id: event.id,
              state: failed ? 'failed' : 'completed',
              params: { ...(event.params as Params) },
              x: event.x.slice(),
              source: 'attach',
              ...(failed ? { reason: event.reason } : { values: { ...event.values } }),
              ...(event.sem !== undefined && !failed ? { sem: { ...event.sem } } : {}),
              createdAt: event.t,
              endedAt: event.t,
            }),
          );
          if (!failed) this.order.push(event.id);
        };
      }
      case 'runner': {
        if (this.trial(event.id) === undefined) {
          throw new RangeError(`${what}: runner record for trial ${event.id}, which does not exist`);
        }
        return () => this.runners.apply(event.id, event);
      }
      case 'interrupt':
        return () => {
          this.interrupt = Object.freeze({ t: event.t, signal: event.signal, message: event.message });
        };
      case 'reference': {
        this.checkReference(event.point, what);
        return () => {
          this.reference = Object.freeze(event.point.slice());
        };
      }
      default: {
        const to = targetState[event.type]!;
        const trial = this.requireTransition(event.id, to, what);
        return () => {
          const next: Record<string, unknown> = { ...trial, state: to };
          if (to === 'running') next.startedAt = event.t;
          else if (to !== 'stale') next.endedAt = event.t;
          if (event.type === 'complete') {
            next.values = { ...event.values };
            if (event.sem !== undefined) next.sem = { ...event.sem };
            this.order.push(event.id);
          }
          if ('reason' in event && event.reason !== undefined) next.reason = event.reason;
          else if (to === 'running' || to === 'completed') delete next.reason;
          this.list[event.id] = freezeTrial(next as unknown as Trial);
        };
      }
    }
  }

  /** Applies an event (checked first). */
  apply(event: JournalEvent, what: string): void {
    this.prepare(event, what)();
  }

  /**
   * The trial `id` if it may move to `to`; otherwise a TrialStateError naming the trial, its state
   * and the states it could be in.
   */
  requireTransition(id: unknown, to: TrialState, what: string): Trial {
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new TypeError(`${what}: a trial id must be an integer, got ${String(id)}`);
    }
    const trial = this.trial(id);
    if (trial === undefined) {
      const range =
        this.list.length === 0 ? 'it has no trials yet' : `its trials are 0..${this.list.length - 1}`;
      throw new TrialStateError(`${what}: no trial ${id} in this experiment (${range})`, id, undefined);
    }
    if (!canTransition(trial.state, to)) {
      const from = (['candidate', 'running', 'stale'] as TrialState[]).filter((s) => canTransition(s, to));
      throw new TrialStateError(
        `${what}: trial ${id} is ${trial.state}; only ${from.join(', ')} trials can become ${to}`,
        id,
        trial.state,
      );
    }
    return trial;
  }

  private checkReference(point: readonly number[], what: string): void {
    if (this.reference !== null) {
      throw new RangeError(`${what}: the reference point is already fixed at [${this.reference.join(', ')}]`);
    }
    if (point.length !== this.objectives) {
      throw new RangeError(
        `${what}: reference point has ${point.length} values, expected ${this.objectives}`,
      );
    }
  }

  /** The unit-cube point of trial `id` (length d), as a view: read only. */
  point(id: number): Float64Array {
    const d = this.dimension;
    return this.points.subarray(id * d, (id + 1) * d);
  }

  private storePoint(id: number, x: readonly number[]): void {
    const d = this.dimension;
    if ((id + 1) * d > this.points.length) {
      const grown = new Float64Array(Math.max(16 * d, 2 * this.points.length, (id + 1) * d));
      grown.set(this.points);
      this.points = grown;
    }
    for (let j = 0; j < d; j++) this.points[id * d + j] = x[j]!;
  }

  private checkX(x: readonly number[], id: number, what: string): void {
    if (x.length !== this.dimension) {
      throw new RangeError(
        `${what}: trial ${id} has a point of length ${x.length}, expected ${this.dimension}`,
      );
    }
  }
}
