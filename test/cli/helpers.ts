import { readFileSync } from 'node:fs';
import type { RunIo } from '../../src/cli/run.js';

/** The output a CLI command printed, captured by `capture()`. */
export interface Captured extends RunIo {
  out: string[];
  err: string[];
}

/** RunIo that keeps what a command prints (no progress lines: their interval is 100 s). */
export function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => '',
    progressIntervalMs: 100_000,
  };
}
