import { Outcomes } from '../space/outcomes.js';
import { SearchSpace } from '../space/search-space.js';
import { parseOptimizerConfig, type ValidOptimizerConfig } from './config.js';
import { Experiment } from './experiment.js';
import type { JournalContents } from './journal.js';

/** What a journal's header rebuilds: its configuration, space and outcomes, and an empty experiment. */
export interface ReplayContext {
  readonly config: ValidOptimizerConfig;
  readonly space: SearchSpace;
  readonly outcomes: Outcomes;
  /** Empty: apply the journal's events to it (`experiment.apply(event, where)`). */
  readonly experiment: Experiment;
}

/**
 * Rebuilds the configuration of a journal read with `readJournal` (from `file`) for tools that
 * replay it without the writer lock (status, report); errors name the journal and its line 1.
 */
export function replayContext(contents: JournalContents, file: string): ReplayContext {
  const config = parseOptimizerConfig(contents.header.config, `journal ${file} line 1: config`);
  const space = SearchSpace.create({
    parameters: config.parameters,
    parameterConstraints: config.parameterConstraints,
  });
  const outcomes = Outcomes.create({
    objectives: config.objectives,
    outcomeConstraints: config.outcomeConstraints,
  });
  const experiment = new Experiment(space.dimension, outcomes.m, outcomes.thresholdPoint);
  return { config, space, outcomes, experiment };
}
