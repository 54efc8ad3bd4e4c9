import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOptimizerConfig } from '../../src/experiment/config.js';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { ConfigError, formatPath } from '../../src/space/errors.js';
import { capture, mixedConfig, tempDir } from './helpers.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('Optimizer configuration errors', () => {
  it('explains strategies, seeds, objectives and outcome constraints by path', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { strategy: 'mob' },
        /strategy: expected one of "mobo" \| "morbo" \| "nsga2" \| "sobol" \| "random", or an object, or an array, got "mob"/,
      ],
      [
        { strategy: { strategy: 'nsga2', options: { populationSize: 'x' } } },
        /strategy\.options\.populationSize: expected number, received string, got "x"/,
      ],
      [
        { strategy: [{ strategy: 'sobol', trials: 3 }, { strategy: 'ga' }] },
        /strategy\[1\]\.strategy: expected one of "sobol" \| "random" \| "nsga2" \| "mobo" \| "morbo", got "ga"/,
      ],
      [{ seed: -1 }, /seed: Too small: expected number to be >=0, got -1/],
      [{ seed: 2 ** 32 }, /seed: Too big/],
      [
        { objectives: [{ name: 'f1', minimize: 'yes' }] },
        /objectives\[0\]\.minimize: expected boolean, received string, got "yes"/,
      ],
      [
        {
          objectives: [
            { name: 'f1', minimize: true },
            { name: 'f1', minimize: false },
          ],
        },
        /objectives\[1\]\.name: duplicate objective name "f1"/,
      ],
      [
        { outcomeConstraints: ['g < 1'] },
        /outcomeConstraints\[0\]: outcome constraint "g < 1": at column 3: strict '<' is not supported/,
      ],
      [
        { parameterConstraints: ['x1 + q <= 1'] },
        /parameterConstraints\[0\]: parameter constraint "x1 \+ q <= 1": unknown parameter "q"/,
      ],
      [{ journal: 5 }, /journal: expected string, received number, got 5/],
    ];
    for (const [override, pattern] of cases) {
      const e = errorOf(() => parseOptimizerConfig({ ...mixedConfig(), ...override }));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toMatch(pattern);
    }
  });

  it('property: arbitrary values are rejected with a ConfigError, never a crash', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const e = errorOf(() => parseOptimizerConfig(input));
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('property: a valid config with one value replaced fails naming a path at or near it, and writes no journal', async () => {
    const { dir, cleanup } = tempDir();
    const base = mixedConfig({ strategy: 'sobol' });
    // Every path of the config, leaves and inner nodes.
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]): void => {
      if (at.length > 0) paths.push(at);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) walk(v[i], [...at, i]);
      } else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    };
    walk(base, []);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), fc.anything(), async (at, value) => {
          const config = structuredClone(base) as Record<string, unknown>;
          let node: Record<string | number, unknown> = config;
          for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
          node[at.at(-1)!] = value;
          const journal = path.join(dir, `j${run++}.jsonl`);
          try {
            const opt = await Optimizer.create({ ...config, journal } as never, { logger: capture() });
            await opt.close();
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            const issues = (e as ConfigError).issues;
            const top = String(at[0]);
            const related = [
              top,
              top === 'parameters'
                ? 'parameterConstraints'
                : top === 'objectives'
                  ? 'outcomeConstraints'
                  : top,
            ];
            expect(
              issues.some((i) =>
                related.some((r) => i.path === r || i.path.startsWith(`${r}[`) || i.path.startsWith(`${r}.`)),
              ),
            ).toBe(true);
            expect(fs.existsSync(journal)).toBe(false);
            expect(fs.existsSync(`${journal}.lock`)).toBe(false);
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      cleanup();
    }
  });

  it('formats paths the way users write them', () => {
    expect(formatPath(['parameters', 2, 'bounds', 1])).toBe('parameters[2].bounds[1]');
    expect(formatPath(['runner', 'my-key'])).toBe('runner["my-key"]');
  });
});
