/**
 * The published declarations type-check in a user's project that does not set `skipLibCheck`:
 * builds them as `npm run build` does (tsconfig.build.json, declarations only), installs them as the
 * package 'mobo' in a scratch project with `skipLibCheck: false`, and type-checks a file that imports
 * both entry points. (TensorFlow.js's own declarations fail such a check, so no published
 * declaration may import them.)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const root = mkdtempSync(join(tmpdir(), 'mobo-types-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, [tsc, ...args], { cwd, encoding: 'utf8' });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(e);
  }
}

describe('the published type declarations', () => {
  it('type-check in a project without skipLibCheck', () => {
    const pkg = join(root, 'consumer', 'node_modules', 'mobo');
    mkdirSync(pkg, { recursive: true });
    const built = run(
      ['-p', join(repo, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', join(pkg, 'dist')],
      repo,
    );
    expect(built).toBe('');
    cpSync(join(repo, 'package.json'), join(pkg, 'package.json'));
    // The package's own dependencies, as an install would give them.
    symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'));
    const consumer = join(root, 'consumer');
    mkdirSync(join(consumer, 'node_modules', '@types'), { recursive: true });
    symlinkSync(
      join(repo, 'node_modules', '@types', 'node'),
      join(consumer, 'node_modules', '@types', 'node'),
    );
    symlinkSync(join(repo, 'node_modules', 'undici-types'), join(consumer, 'node_modules', 'undici-types'));
    writeFileSync(
      join(consumer, 'package.json'),
      '{ "name": "consumer", "type": "module", "private": true }\n',
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
          preserveSymlinks: true,
        },
        include: ['index.ts'],
      }),
    );
    writeFileSync(
      join(consumer, 'index.ts'),
      [
        "import { gpuTensorBackend, hypervolume, Optimizer, Scheduler, type TensorRuntime } from 'mobo';",
        "import { dtlz2 } from 'mobo/problems';",
        "const opt = await Optimizer.create({ parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }],",
        "  objectives: [{ name: 'f', minimize: true }] });",
        'const runtime: TensorRuntime | null = await gpuTensorBackend();',
        'console.log(hypervolume([[1, 2]], [3, 3]), opt, Scheduler, dtlz2, runtime?.info.name);',
        '',
      ].join('\n'),
    );
    expect(run(['-p', consumer], consumer)).toBe('');
  });
});
