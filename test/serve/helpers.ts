import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExperimentConfig } from '../../src/experiment/config.js';
import { type RunningServer, type ServeOptions, startServer } from '../../src/serve/server.js';

/** A 2-parameter, 2-objective experiment on the Sobol strategy (cheap asks). */
export const sobolConfig: ExperimentConfig = {
  parameters: [
    { name: 'x', type: 'float', bounds: [0, 1] },
    { name: 'y', type: 'float', bounds: [0, 1] },
  ],
  objectives: [
    { name: 'f1', minimize: true },
    { name: 'f2', minimize: true },
  ],
  strategy: 'sobol',
  seed: 7,
};

/** Objective values of a trial's parameters (a ZDT1-like pair). */
export function evaluate(params: Readonly<Record<string, unknown>>): { f1: number; f2: number } {
  const x = params.x as number;
  const y = params.y as number;
  const g = 1 + 9 * y;
  return { f1: x, f2: g * (1 - Math.sqrt(x / g)) };
}

export interface TestServer extends RunningServer {
  readonly dir: string;
  /** fetch(url + path) with a JSON body and optional token; resolves to status and parsed body. */
  call(
    method: string,
    route: string,
    body?: unknown,
    token?: string,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
  ): Promise<{ status: number; body: any; headers: Headers }>;
  cleanup(): Promise<void>;
}

/** Starts `mobo serve` on 127.0.0.1, an ephemeral port, over a fresh folder (or `dir`). */
export async function testServer(options: Partial<ServeOptions> = {}): Promise<TestServer> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-serve-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    logger: { warn: () => {} },
    ...options,
    dir,
  });
  const call: TestServer['call'] = async (method, route, body, token) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(server.url + route, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // HTML or empty
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    ...server,
    close: () => server.close(),
    dir,
    call,
    async cleanup() {
      await server.close();
      if (options.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The journal's records of `dir/name` (each line parsed). */
export function journalRecords(dir: string, name: string): { type: string; [k: string]: unknown }[] {
  return fs
    .readFileSync(path.join(dir, name, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}
