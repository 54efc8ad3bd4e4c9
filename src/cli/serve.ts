/**
 * `mobo serve DIR`: the HTTP/JSON ask/tell service over the experiments in DIR (see src/serve/).
 * `mobo serve --new-token read|write DIR` makes a token, prints it once and exits.
 */
import * as path from 'node:path';
import { dashboardRoutes } from '../serve/dashboard.js';
import { stopServer, writeServeRecord } from '../serve/pid-file.js';
import { startServer } from '../serve/server.js';
import { isLoopback, TOKENS_FILE, type TokenScope, TokenStore } from '../serve/tokens.js';
import type { CommandIo } from './hv.js';

export interface ServeCommandOptions {
  host?: string;
  port?: string;
  tokens?: string;
  newToken?: string;
  cors?: string[];
  /** Stop the server running for DIR (see `pid-file.ts`) instead of starting one. */
  stop?: boolean;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Runs `mobo serve`; resolves to the exit code once the server has stopped and released its locks. */
export async function serveCommand(
  dir: string,
  options: ServeCommandOptions,
  io: CommandIo,
): Promise<number> {
  const tokensFile = options.tokens ?? path.join(dir, TOKENS_FILE);
  if (options.stop === true) {
    try {
      const stopped = await stopServer(dir);
      if (stopped === undefined) {
        io.stderr(`mobo serve: no server is running for ${dir}\n`);
        return 1;
      }
      io.stderr(`mobo serve: stopped pid ${stopped.pid} (${stopped.url})\n`);
      return 0;
    } catch (e) {
      io.stderr(`mobo serve: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (options.newToken !== undefined) {
    if (options.newToken !== 'read' && options.newToken !== 'write') {
      io.stderr(`mobo serve: --new-token takes 'read' or 'write', got ${options.newToken}\n`);
      return 2;
    }
    try {
      const token = TokenStore.load(tokensFile).create(options.newToken as TokenScope);
      io.stdout(`${token}\n`);
      io.stderr(
        `mobo serve: made a ${options.newToken} token (shown once; its hash is in ${tokensFile}, mode 0600)\n`,
      );
      return 0;
    } catch (e) {
      io.stderr(`mobo serve: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const port = options.port === undefined ? 8787 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`mobo serve: --port takes an integer from 0 to 65535, got ${options.port}\n`);
    return 2;
  }
  const host = options.host ?? '127.0.0.1';
  const until = options.until ?? untilSignal();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      dir,
      host,
      port,
      tokensFile,
      ...(options.cors !== undefined && options.cors.length > 0 ? { corsOrigins: options.cors } : {}),
      logger: { warn: (m) => io.stderr(`mobo serve: warning: ${m}\n`) },
      extraRoutes: dashboardRoutes(),
    });
  } catch (e) {
    io.stderr(`mobo serve: ${(e as Error).message}\n`);
    return 1;
  }
  if (server.createdToken !== undefined) {
    io.stderr(
      `mobo serve: a non-loopback address needs tokens; made a write token (shown once; its hash is in ${tokensFile}):\n`,
    );
    io.stdout(`${server.createdToken}\n`);
  }
  const auth =
    server.tokens.size > 0
      ? `tokens required (${tokensFile})`
      : `no tokens (loopback only${isLoopback(host) ? '' : '!'})`;
  let removeRecord: () => void;
  try {
    removeRecord = writeServeRecord(server.service.dir, server.url);
  } catch (e) {
    io.stderr(`mobo serve: ${(e as Error).message}\n`);
    await server.close();
    return 1;
  }
  io.stdout(`mobo serve: ${server.url} (experiments in ${server.service.dir}; ${auth})\n`);
  await until;
  io.stderr('mobo serve: stopping: closing the experiments and releasing their locks\n');
  await server.close();
  removeRecord();
  io.stderr('mobo serve: stopped\n');
  return 0;
}
