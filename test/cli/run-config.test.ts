/** The `mobo run` configuration file: its published JSON Schema and its errors, by path. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { moboJsonSchema, parseMoboConfig } from '../../src/cli/run-config.js';
import { ConfigError } from '../../src/space/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('the published JSON Schema', () => {
  it('schema/mobo.schema.json is up to date (regenerate with npx tsx tools/gen-schema.ts)', () => {
    const file = path.join(root, 'schema', 'mobo.schema.json');
    const committed = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(committed).toEqual(moboJsonSchema());
  });

  it('describes the top-level keys of a config file', () => {
    const schema = moboJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'problem',
        'task',
        'parameters',
        'objectives',
        'strategy',
        'budget',
        'runner',
        'seed',
        'output',
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('mobo config files', () => {
  it('accepts the DESIGN examples', () => {
    const dtlz = parseMoboConfig({
      problem: { name: 'dtlz2', objectives: 3, dimensions: 12 },
      strategy: 'mobo',
      budget: { trials: 100 },
      runner: { kind: 'pool', maxParallel: 4 },
      seed: 1,
      output: 'runs/dtlz2',
    });
    expect(dtlz.problem).toEqual({ name: 'dtlz2', objectives: 3, dimensions: 12 });
    const task = parseMoboConfig({
      task: { module: './evaluate.js', export: 'evaluate' },
      parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
      objectives: [{ name: 'f', minimize: true }],
      runner: { kind: 'slurm', maxParallel: 50, sbatch: ['--time=02:00:00'] },
    });
    expect(task.runner).toMatchObject({ kind: 'slurm', sbatch: ['--time=02:00:00'] });
  });

  it('names the path of every problem', () => {
    const e = errorOf(() =>
      parseMoboConfig({
        problem: { name: 'dtlz2', objectives: 0 },
        parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],
        budget: { trials: -1, seconds: 'soon' },
        runner: { kind: 'cloud' },
        strategy: [{ strategy: 'sobol' }, { strategy: 'nsga2' }],
        sed: 1,
      }),
    );
    expect(e).toBeInstanceOf(ConfigError);
    const paths = (e as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'problem.objectives',
        'budget.trials',
        'budget.seconds',
        'runner.kind',
        'strategy[0].trials',
        'sed',
      ]),
    );
    expect(e.message).toMatch(/budget\.seconds: expected number, received string, got "soon"/);
    expect(e.message).toMatch(
      /runner\.kind: expected one of "inprocess" \| "inline" \| "pool" \| "subprocess" \| "slurm" \| "queue", got "cloud"/,
    );
    expect(e.message).toMatch(/sed: unknown key \(a typo\?\)/);
    expect(e.message).toMatch(
      /strategy\[0\]\.trials: every step of a chain but the last needs a number of trials/,
    );
    const missing = errorOf(() => parseMoboConfig({ seed: 1 }));
    expect(missing.message).toMatch(/parameters: required unless a built-in problem is given/);
    expect(missing.message).toMatch(/task: required unless a built-in problem is given/);
  });
});
