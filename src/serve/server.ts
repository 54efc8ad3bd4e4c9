/**
 * Starts and stops the HTTP server of `mobo serve`: the service over DIR, its Hono app and a Node
 * HTTP server on one address. `mobo serve`, the tests and bench/serve.ts all start it this way.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '../experiment/logger.js';
import { type AppOptions, createApp } from './app.js';
import { ExperimentService } from './service.js';
import { isLoopback, TOKENS_FILE, TokenStore } from './tokens.js';

export interface ServeOptions {
  /** The served directory (created when missing). */
  readonly dir: string;
  /** Default '127.0.0.1'. Any other than a loopback address needs tokens. */
  readonly host?: string;
  /** Default 8787; 0 picks a free port. */
  readonly port?: number;
  /** The token file; default `DIR/.mobo-tokens.json`. */
  readonly tokensFile?: string;
  /** CORS origins (default none: CORS off). */
  readonly corsOrigins?: readonly string[];
  readonly bodyLimit?: number;
  readonly logger?: Logger;
  /** More routes (the dashboard); see `AppOptions.extraRoutes`. */
  readonly extraRoutes?: AppOptions['extraRoutes'];
}

export interface RunningServer {
  /** The base URL, e.g. http://127.0.0.1:8787 */
  readonly url: string;
  readonly port: number;
  readonly service: ExperimentService;
  readonly tokens: TokenStore;
  readonly app: Hono;
  /** A write token made at start because a non-loopback bind had none (shown once), else undefined. */
  readonly createdToken: string | undefined;
  /** Stops accepting requests, ends open connections (event streams), closes every experiment. */
  close(): Promise<void>;
}

/**
 * Starts the server. On a non-loopback host, a token file without tokens gets a write token first
 * (returned as `createdToken`); on loopback, tokens are required only when the file holds some.
 * A loopback server also checks the Host header (against DNS rebinding).
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8787;
  const dir = path.resolve(options.dir);
  const tokens = TokenStore.load(options.tokensFile ?? path.join(dir, TOKENS_FILE));
  const loopback = isLoopback(host);
  let createdToken: string | undefined;
  if (!loopback && tokens.size === 0) createdToken = tokens.create('write');
  const service = new ExperimentService(dir, options.logger === undefined ? {} : { logger: options.logger });
  const bare = host.replace(/^\[|\]$/g, '');
  const shutdown = new AbortController();
  const app = createApp(service, {
    tokens,
    shutdown: shutdown.signal,
    ...(options.corsOrigins !== undefined ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    ...(loopback
      ? { allowedHosts: ['localhost', '127.0.0.1', '[::1]', bare, bare.includes(':') ? `[${bare}]` : bare] }
      : {}),
    ...(options.extraRoutes !== undefined ? { extraRoutes: options.extraRoutes } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // Node closes a kept-alive connection after 5 s idle by default, which races with a client that
  // reuses it at that moment (ECONNRESET on a loaded machine). Clients close idle connections first
  // when the server's limit is long, as behind any load balancer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bare, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const urlHost = bare.includes(':') ? `[${bare}]` : bare;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actual}`,
    port: actual,
    service,
    tokens,
    app,
    createdToken,
    close() {
      closing ??= (async () => {
        // Event streams end at once; requests in progress (an ask) finish and get their answer.
        shutdown.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const last = setTimeout(() => server.closeAllConnections(), 30_000);
        await stopped;
        clearInterval(idle);
        clearTimeout(last);
        await service.close();
      })();
      return closing;
    },
  };
}
