/**
 * The HTTP/JSON API of `mobo serve` on Hono: routes under `/api/experiments` over an
 * `ExperimentService`, bearer-token auth, a body-size limit, optional CORS, the OpenAPI document at
 * `/openapi.json` and server-sent events of each experiment's changes. See `service.ts` for how
 * the dashboard's routes plug in (`AppOptions.extraRoutes`).
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import { invalidRequest, parseRequest, ServiceError } from './errors.js';
import { openApiDocument } from './openapi.js';
import {
  abandonRequestSchema,
  askRequestSchema,
  createExperimentRequestSchema,
  failRequestSchema,
  tellRequestSchema,
  trialIdSchema,
} from './schemas.js';
import type { ExperimentService } from './service.js';
import type { TokenScope, TokenStore } from './tokens.js';

/** Bodies larger than this are refused with a 413 (the default of `AppOptions.bodyLimit`). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  /** The accepted tokens; when it holds any, every `/api` request needs one. Default: none needed. */
  readonly tokens?: TokenStore;
  /** Origins allowed by CORS (`['*']` for any); default none: CORS is off. */
  readonly corsOrigins?: readonly string[];
  /** Largest request body in bytes; default 1 MiB. */
  readonly bodyLimit?: number;
  /**
   * Host names a request's Host header may carry (against DNS rebinding when bound to loopback);
   * default any.
   */
  readonly allowedHosts?: readonly string[];
  /** Ends the event streams (for a clean shutdown). */
  readonly shutdown?: AbortSignal;
  /** Adds routes (the dashboard at `/`, `/api/experiments/:name/...` views) behind the same auth. */
  readonly extraRoutes?: (app: Hono, service: ExperimentService) => void;
}

function errorResponse(status: number, code: string, message: string) {
  return new ServiceError(status, code, message).toJSON();
}

/** The scope a request needs: reading for GET and HEAD, writing for everything else. */
function neededScope(method: string): TokenScope {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'write';
}

/** The request's JSON body: a 415 unless sent as application/json, a 400 naming the position of a syntax error. */
async function jsonBody(c: { req: { header(name: string): string | undefined; text(): Promise<string> } }) {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (!/^application\/json\b/i.test(type.trim())) {
    throw new ServiceError(
      415,
      'unsupported_media_type',
      `expected Content-Type: application/json, got ${type || 'none'}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ServiceError(400, 'malformed_json', `the body is not JSON: ${(e as Error).message}`, [
      { path: '', message: (e as Error).message },
    ]);
  }
}

function trialId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) {
    throw invalidRequest([
      { path: 'id', message: `expected a trial id (an integer >= 0), got ${JSON.stringify(raw)}` },
    ]);
  }
  return parseRequest(trialIdSchema, raw, 'id');
}

/** The Hono app of `mobo serve` over `service`. */
export function createApp(service: ExperimentService, options: AppOptions = {}): Hono {
  const app = new Hono();
  const tokens = options.tokens;

  app.onError((err, c) => {
    if (err instanceof ServiceError) {
      return c.json(err.toJSON(), err.status as 400);
    }
    if (err instanceof HTTPException) {
      return c.json(errorResponse(err.status, 'http_error', err.message), err.status);
    }
    process.emitWarning(
      `mobo serve: ${c.req.method} ${c.req.path}: ${(err as Error).stack ?? err}`,
      'MoboWarning',
    );
    return c.json(errorResponse(500, 'internal_error', (err as Error).message), 500);
  });
  app.notFound((c) => c.json(errorResponse(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), 404));

  if (options.allowedHosts !== undefined) {
    const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
    app.use('*', async (c, next) => {
      const host = (c.req.header('host') ?? '').toLowerCase().replace(/:\d+$/, '');
      if (!allowed.has(host)) {
        return c.json(
          errorResponse(421, 'misdirected_request', `Host ${host || '(none)'} is not served here`),
          421,
        );
      }
      await next();
    });
  }
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    const origins = [...options.corsOrigins];
    app.use(
      '/api/*',
      cors({
        origin: origins.includes('*') ? '*' : origins,
        allowHeaders: ['Authorization', 'Content-Type'],
        allowMethods: ['GET', 'POST', 'OPTIONS'],
      }),
    );
  }
  app.use('/api/*', async (c, next) => {
    if (tokens === undefined || tokens.size === 0) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) {
      c.header('WWW-Authenticate', 'Bearer realm="mobo"');
      return c.json(errorResponse(401, 'unauthorized', 'send a token as Authorization: Bearer <token>'), 401);
    }
    const scope = tokens.verify(match[1]!);
    if (scope === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="mobo", error="invalid_token"');
      return c.json(errorResponse(401, 'unauthorized', 'unknown token'), 401);
    }
    if (neededScope(c.req.method) === 'write' && scope !== 'write') {
      return c.json(errorResponse(403, 'forbidden', 'this token is read-only'), 403);
    }
    await next();
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      onError: (c) =>
        c.json(
          errorResponse(
            413,
            'payload_too_large',
            `the body exceeds ${options.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes`,
          ),
          413,
        ),
    }),
  );

  app.get('/openapi.json', (c) => c.json(openApiDocument()));

  app.get('/api/experiments', async (c) => c.json(await service.list()));
  app.post('/api/experiments', async (c) => {
    const body = parseRequest(createExperimentRequestSchema, await jsonBody(c));
    return c.json(await service.create(body.name, body.config), 201);
  });
  app.get('/api/experiments/:name', async (c) => c.json(await service.summary(c.req.param('name'))));

  app.post('/api/experiments/:name/trials', async (c) => {
    const name = c.req.param('name');
    service.folderOf(name);
    const body = parseRequest(askRequestSchema, await jsonBody(c));
    const trials = await service.ask(name, body.n ?? 1);
    return c.json({ trials }, 201);
  });
  app.get('/api/experiments/:name/trials', async (c) => {
    const states = (c.req.queries('state') ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
    return c.json({ trials: await service.trials(c.req.param('name'), states) });
  });
  app.get('/api/experiments/:name/trials/:id', async (c) =>
    c.json({ trial: await service.trial(c.req.param('name'), trialId(c.req.param('id'))) }),
  );
  app.post('/api/experiments/:name/trials/:id/tell', async (c) => {
    const name = c.req.param('name');
    const id = trialId(c.req.param('id'));
    const body = parseRequest(tellRequestSchema, await jsonBody(c));
    return c.json({ trial: await service.tell(name, id, body.values, body.sem) });
  });
  app.post('/api/experiments/:name/trials/:id/fail', async (c) => {
    const name = c.req.param('name');
    const id = trialId(c.req.param('id'));
    const body = parseRequest(failRequestSchema, await jsonBody(c));
    return c.json({ trial: await service.fail(name, id, body.reason) });
  });
  app.post('/api/experiments/:name/trials/:id/abandon', async (c) => {
    const name = c.req.param('name');
    const id = trialId(c.req.param('id'));
    const body = parseRequest(abandonRequestSchema, await jsonBody(c));
    return c.json({ trial: await service.abandon(name, id, body.reason) });
  });
  app.get('/api/experiments/:name/front', async (c) => c.json(await service.front(c.req.param('name'))));
  app.get('/api/experiments/:name/hypervolume', async (c) =>
    c.json(await service.hypervolumeHistory(c.req.param('name'))),
  );
  app.get('/api/experiments/:name/report', async (c) =>
    c.html(await service.reportHtml(c.req.param('name'))),
  );

  /** Streams the service's events of one experiment (or of all) until the client leaves or the server stops. */
  const events = (c: Context, name: string | undefined) =>
    streamSSE(c, async (stream) => {
      let chain = Promise.resolve();
      const send = (event: string, data: unknown) => {
        chain = chain.then(() => stream.writeSSE({ event, data: JSON.stringify(data) })).catch(() => {});
      };
      const unsubscribe = service.subscribe(name, (e) => send(e.type, e));
      const keepAlive = setInterval(() => {
        chain = chain
          .then(() => stream.write(': keep-alive\n\n'))
          .then(() => {})
          .catch(() => {});
      }, 15_000);
      send('ready', { ...(name !== undefined ? { experiment: name } : {}), t: Date.now() });
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        if (options.shutdown?.aborted) resolve();
        options.shutdown?.addEventListener('abort', () => resolve(), { once: true });
      });
      clearInterval(keepAlive);
      unsubscribe();
    });
  app.get('/api/events', (c) => events(c, undefined));
  app.get('/api/experiments/:name/events', async (c) => {
    const name = c.req.param('name');
    await service.optimizer(name);
    return events(c, name);
  });

  options.extraRoutes?.(app, service);
  return app;
}
