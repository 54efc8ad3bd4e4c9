/**
 * Every code block of README.md runs, as extracted from README.md itself (so the two cannot drift):
 *
 * - `ts`: written to a file in a fresh temporary directory (also its working directory), with
 *   `'mobo'` and `'mobo/problems'` pointing at this checkout's sources, and run with tsx: it must
 *   exit 0.
 * - `sh`: run by bash (`set -e`) in a fresh temporary directory holding links to `examples/` and
 *   `clients/`, with
 *   `npx mobo` meaning this checkout's `bin/mobo.js` (what `npx mobo` runs in a clone): every
 *   command must succeed.
 * - `json`: must be a valid `mobo run` config (the schema of schema/mobo.schema.json).
 * - `text`: prose set in a fixed font (a directory tree, say): not run.
 *
 * A block that cannot run here (it installs, runs the whole suite, or takes minutes) carries a
 * marker on its own line just before its opening fence, with the reason:
 *
 *     <!-- readme-test: skip: runs the whole suite -->
 *
 * Use the marker as sparingly as possible: prefer a block that runs in seconds (the built-in
 * problems, small budgets, the in-process runner). A block in any other language, or without a
 * language, fails this test unless it carries a marker. Keep each block quick: the whole file runs in
 * well under a minute on an idle machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { moboConfigSchema } from '../src/cli/run-config.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

interface Block {
  /** The 1-based line of the opening fence. */
  line: number;
  language: string;
  code: string;
  /** The reason of a skip marker, if the block has one. */
  skip?: string;
}

const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

/** The fenced code blocks of a Markdown text, each with the marker line just before it (blank lines between are fine). */
function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+)\s*([\w-]*)/.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(fence); i++) body.push(lines[i]!);
    let k = start - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? MARKER.exec(lines[k]!.trim()) : null;
    const block: Block = { line: start + 1, language: open[2]!, code: `${body.join('\n')}\n` };
    if (marker !== null) {
      const skip = /^skip:\s*(.+)$/.exec(marker[1]!);
      if (skip === null) throw new Error(`README.md:${k + 1}: unknown readme-test marker "${marker[1]}"`);
      block.skip = skip[1]!;
    }
    blocks.push(block);
  }
  return blocks;
}

const root = mkdtempSync(join(tmpdir(), 'mobo-readme-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function workdir(block: Block): string {
  const dir = mkdtempSync(join(root, `line-${block.line}-`));
  symlinkSync(join(repo, 'examples'), join(dir, 'examples'));
  symlinkSync(join(repo, 'clients'), join(dir, 'clients'));
  return dir;
}

function failure(block: Block, result: ReturnType<typeof spawnSync>): string {
  return `README.md:${block.line} (${block.language}) exited with ${result.status ?? result.signal}:\n${String(result.stdout).slice(-3000)}\n${String(result.stderr).slice(-3000)}`;
}

function runTs(block: Block): void {
  const dir = workdir(block);
  const code = block.code
    .replaceAll("from 'mobo/problems'", `from ${JSON.stringify(join(repo, 'problems', 'index.ts'))}`)
    .replaceAll("from 'mobo'", `from ${JSON.stringify(join(repo, 'src', 'index.ts'))}`);
  const file = join(dir, 'block.mts');
  writeFileSync(file, code);
  const result = spawnSync(process.execPath, ['--import', tsxLoader, file], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, MOBO_TENSOR_BACKEND: 'float64' },
  });
  if (result.status !== 0) throw new Error(failure(block, result));
}

function runSh(block: Block): void {
  const dir = workdir(block);
  const mobo = join(repo, 'bin', 'mobo.js');
  const prelude = [
    'set -euo pipefail',
    // A block that fails midway must not leave a server it started in the background holding the
    // output pipe (spawnSync would wait on it for ever).
    "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
    // `npx mobo` as a clone runs it; any other npx is not for this test.
    `npx() { if [ "$1" = mobo ]; then shift; ${JSON.stringify(process.execPath)} ${JSON.stringify(mobo)} "$@"; else echo "readme test: npx $1 is not run here" >&2; return 1; fi; }`,
    '',
  ].join('\n');
  const result = spawnSync('bash', ['-c', prelude + block.code], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(failure(block, result));
}

function checkJson(block: Block): void {
  let value: unknown;
  try {
    value = JSON.parse(block.code);
  } catch (e) {
    throw new Error(`README.md:${block.line}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = moboConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`README.md:${block.line}: not a valid mobo config: ${parsed.error.message}`);
  }
}

const runners: Record<string, (block: Block) => void> = {
  ts: runTs,
  sh: runSh,
  json: checkJson,
  text: () => {},
};

const blocks = codeBlocks(readFileSync(join(repo, 'README.md'), 'utf8'));

describe('README.md', () => {
  it('has code blocks, each with a runner or a skip marker with its reason', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const orphans = blocks.filter((b) => b.skip === undefined && runners[b.language] === undefined);
    expect(
      orphans.map((b) => `README.md:${b.line}: a "${b.language}" block without a runner or marker`),
    ).toEqual([]);
  });

  for (const block of blocks) {
    const name = `runs the ${block.language || 'unlabelled'} block at line ${block.line}`;
    const run = runners[block.language];
    if (block.skip !== undefined || run === undefined) {
      it.skip(`${name} (skipped: ${block.skip ?? 'no runner'})`, () => {});
    } else {
      it(name, () => run(block));
    }
  }
});

describe('codeBlocks', () => {
  it('finds fenced blocks, their languages and their markers', () => {
    const md = [
      'text',
      '<!-- readme-test: skip: takes an hour -->',
      '',
      '```sh',
      'npm test',
      '```',
      '````ts',
      'const a = "```";',
      '````',
      '```',
      'tree',
      '```',
    ].join('\n');
    expect(codeBlocks(md)).toEqual([
      { line: 4, language: 'sh', code: 'npm test\n', skip: 'takes an hour' },
      { line: 7, language: 'ts', code: 'const a = "```";\n' },
      { line: 10, language: '', code: 'tree\n' },
    ]);
    expect(() => codeBlocks('<!-- readme-test: run twice -->\n```sh\nx\n```\n')).toThrow(
      /README\.md:1: unknown readme-test marker "run twice"/,
    );
  });
});
