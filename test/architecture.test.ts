/**
 * The layers of src/: the README's architecture section lists the folders of src/ from the bottom
 * up, and no module may import from a layer listed after its own. The list is read from the README
 * itself, so the README and the code cannot drift apart.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** The layer names of the README's architecture block, bottom first (`index.ts` last). */
function readmeLayers(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Architecture\n'));
  const block = /```text\nsrc\/\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('README.md: no ```text block starting with src/ under ## Architecture');
  const layers: string[] = [];
  for (const line of block[1]!.split('\n')) {
    const m = /^ {2}([a-z0-9-]+\/|index\.ts) /.exec(line);
    if (m !== null) layers.push(m[1]!.replace(/\/$/, ''));
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts)$/.test(name)) out.push(path);
  }
  return out;
}

/** Relative module specifiers of a file: static and dynamic imports, re-exports, worker URLs. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

/** The layer of a path under src/ (its first folder, or the file name at the top), else undefined. */
function layerOf(path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith('..')) return undefined;
  const [first, ...rest] = rel.split(sep);
  return rest.length === 0 ? first!.replace(/\.js$/, '.ts') : first;
}

/** A source file: its absolute path and its text. */
type Source = readonly [path: string, text: string];

function read(files: readonly string[]): Source[] {
  return files.map((file) => [file, readFileSync(file, 'utf8')] as const);
}

/**
 * Every import that breaks the layer order: from a layer listed after the importer's, from outside
 * src/ other than problems/ (and package.json, read for the version), and from problems/ into the lowest layer that imports it or above.
 */
function layerViolations(
  layers: readonly string[],
  sources: readonly Source[],
  problems: readonly Source[],
): string[] {
  const rank = new Map(layers.map((name, k) => [name, k]));
  const wrong: string[] = [];
  let problemsCeiling = layers.length;
  for (const [file, text] of sources) {
    const from = layerOf(file);
    if (from === undefined || !rank.has(from)) {
      wrong.push(`${relative(root, file)}: in no layer of the README`);
      continue;
    }
    for (const spec of relativeImports(text)) {
      const target = resolve(dirname(file), spec);
      const to = layerOf(target);
      const where = `${relative(root, file)} imports ${spec}`;
      if (to === undefined) {
        const outside = relative(root, target);
        if (outside.split(sep)[0] === 'problems') {
          problemsCeiling = Math.min(problemsCeiling, rank.get(from)!);
        } else if (outside !== 'package.json') {
          wrong.push(`${where}: outside src/ (only problems/ and package.json may be imported)`);
        }
      } else if (!rank.has(to)) {
        wrong.push(`${where}: ${to} is in no layer of the README`);
      } else if (rank.get(to)! > rank.get(from)!) {
        wrong.push(`${where}: ${to}/ is listed after ${from}/ in the README's layers`);
      }
    }
  }
  for (const [file, text] of problems) {
    for (const spec of relativeImports(text)) {
      const to = layerOf(resolve(dirname(file), spec));
      if (to !== undefined && rank.get(to)! >= problemsCeiling) {
        wrong.push(
          `${relative(root, file)} imports ${spec}: problems/ may use only the layers below ${layers[problemsCeiling]}/, which imports it`,
        );
      }
    }
  }
  return wrong;
}

describe('the layers of src/', () => {
  const layers = readmeLayers();

  it("lists every folder of src/ once in the README's architecture section", () => {
    const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    expect(new Set(layers).size).toBe(layers.length);
    expect([...layers].sort()).toEqual([...folders, 'index.ts'].sort());
  });

  it('imports only from its own layer and those listed before it; outside src/ only problems/ and package.json', () => {
    const violations = layerViolations(
      layers,
      read(sourceFiles(src)),
      read(sourceFiles(join(root, 'problems'))),
    );
    expect(violations).toEqual([]);
  });

  it('reports an import up the layers, a stray import outside src/, and problems/ reaching too high', () => {
    const at = (path: string) => join(root, path);
    const sources: Source[] = [
      [
        at('src/space/a.ts'),
        "import type { Runner } from '../runners/types.js';\nimport { b } from './b.js';",
      ],
      [at('src/linalg/c.ts'), "export { d } from '../../bench/d.js';"],
      [at('src/runners/e.ts'), "const w = new URL('../../problems/index.js', import.meta.url);"],
    ];
    const problems: Source[] = [[at('problems/f.ts'), "import { g } from '../src/serve/g.js';"]];
    expect(layerViolations(layers, sources, problems)).toEqual([
      "src/space/a.ts imports ../runners/types.js: runners/ is listed after space/ in the README's layers",
      'src/linalg/c.ts imports ../../bench/d.js: outside src/ (only problems/ and package.json may be imported)',
      'problems/f.ts imports ../src/serve/g.js: problems/ may use only the layers below runners/, which imports it',
    ]);
  });
});
