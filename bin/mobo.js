#!/usr/bin/env node
// The `mobo` command. A development checkout (src/ beside this file, tsx installed) runs the
// TypeScript sources through tsx, so a clone needs no build and nothing ever rebuilds dist/ in place
// (under an experiment that is running from it); an installed package runs its build, dist/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** tsx's loader as a file URL (resolved from here, whatever the working directory), or undefined. */
function tsxLoader() {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return undefined;
  }
}

const loader = existsSync(source) ? tsxLoader() : undefined;
if (loader !== undefined) {
  // A child with tsx as a loader (worker threads inherit it). The terminal sends Ctrl-C to the
  // child too, so it is not forwarded (a second SIGINT cancels running trials); TERM and HUP are.
  const child = spawn(process.execPath, ['--import', loader, source, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  await import('../dist/src/cli/main.js');
}
