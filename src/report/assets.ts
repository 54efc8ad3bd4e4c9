import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * The browser libraries a report inlines: the UMD bundles of d3 (which defines the global `d3`)
 * and Observable Plot (which needs that global and defines `Plot`). Inlined so that a report opens
 * without a network, e.g. from a cluster's shared file system on a laptop.
 */
export interface ReportAssets {
  /** The source of d3's UMD bundle (dist/d3.min.js). */
  readonly d3: string;
  /** The source of Observable Plot's UMD bundle (dist/plot.umd.min.js). */
  readonly plot: string;
}

/** Finds the folder of an installed package from its resolved entry (its exports map hides dist/). */
function packageRoot(name: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (e) {
    throw new Error(`mobo report: cannot find the package ${name} (${(e as Error).message})`);
  }
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === name) return dir;
    } catch {
      // not the package root yet
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`mobo report: cannot find the folder of the package ${name} above ${entry}`);
    }
  }
}

function readBundle(name: string, file: string): string {
  const full = path.join(packageRoot(name), file);
  try {
    return readFileSync(full, 'utf8');
  } catch (e) {
    throw new Error(`mobo report: cannot read ${full}: ${(e as Error).message}`);
  }
}

/** Reads the d3 and Observable Plot UMD bundles from the installed packages (about 490 kB). */
export function loadReportAssets(): ReportAssets {
  return {
    d3: readBundle('d3', 'dist/d3.min.js'),
    plot: readBundle('@observablehq/plot', 'dist/plot.umd.min.js'),
  };
}
