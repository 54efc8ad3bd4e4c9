/**
 * What Optimizer.create and ask refuse with a clear error instead of losing data silently: parameter
 * names that map to the same MOBO_PARAM_ variable, names every JavaScript object already has, and
 * absurd batch sizes.
 */
import { describe, expect, it } from 'vitest';
import { parseMoboConfig } from '../../src/cli/run-config.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { MAX_ASK } from '../../src/experiment/scheduled-experiment.js';
import { parameterVariable } from '../../src/space/schema.js';

const quiet = { logger: { warn: () => {} } };
const objectives = [{ name: 'f', minimize: true }];

async function createError(config: Record<string, unknown>): Promise<string> {
  try {
    await Optimizer.create({ objectives, strategy: 'sobol', ...config } as never, quiet);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected Optimizer.create to throw');
}

describe('refused at creation', () => {
  it('parameters whose names map to the same MOBO_PARAM_ variable, naming both', async () => {
    expect(parameterVariable('beam-energy')).toBe('MOBO_PARAM_BEAM_ENERGY');
    expect(parameterVariable('Beam.Energy')).toBe('MOBO_PARAM_BEAM_ENERGY');
    const message = await createError({
      parameters: [
        { name: 'a-b', type: 'float', bounds: [0, 1] },
        { name: 'x', type: 'float', bounds: [0, 1] },
        { name: 'a_b', type: 'float', bounds: [0, 1] },
      ],
    });
    expect(message).toContain(
      'parameters[2].name: parameters "a-b" (parameters[0]) and "a_b" would share the environment variable MOBO_PARAM_A_B that command tasks read; rename one',
    );
    // The same check in a config file for the mobo command.
    expect(() =>
      parseMoboConfig({
        parameters: [
          { name: 'a-b', type: 'float', bounds: [0, 1] },
          { name: 'A_B', type: 'float', bounds: [0, 1] },
        ],
        objectives,
        task: { command: ['python3', 'sim.py'] },
      }),
    ).toThrow(/parameters\[1\]\.name: parameters "a-b" \(parameters\[0\]\) and "A_B" would share/);
  });

  it('__proto__, constructor and the other names every object has, for parameters and metrics', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const message = await createError({ parameters: [{ name, type: 'float', bounds: [0, 1] }] });
      expect(message).toContain(
        `parameters[0].name: parameter name "${name}" is a property every JavaScript object has`,
      );
    }
    const metric = await createError({
      parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
      objectives: [{ name: 'valueOf', minimize: true }],
    });
    expect(metric).toContain(
      'objectives[0].name: metric name "valueOf" is a property every JavaScript object has',
    );
    const constraint = await createError({
      parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
      outcomeConstraints: ['constructor <= 3'],
    });
    expect(constraint).toContain('outcomeConstraints[0]: metric name "constructor" is a property');
  });
});

describe('ask refuses absurd batch sizes, naming the limit', () => {
  it(`takes 1 to ${MAX_ASK} trials`, async () => {
    const opt = await Optimizer.create(
      { parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }], objectives, strategy: 'sobol' },
      quiet,
    );
    for (const n of [100_000, MAX_ASK + 1, 0, -1, 2.5, Number.NaN]) {
      await expect(opt.ask(n)).rejects.toThrow(
        `Optimizer.ask: expected a count of trials from 1 to ${MAX_ASK} (MAX_ASK, the most one ask proposes; ask again for more), got`,
      );
    }
    expect(opt.trials()).toEqual([]);
    expect(await opt.ask(3)).toHaveLength(3);
    await opt.close();
  });
});
