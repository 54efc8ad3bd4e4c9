import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/server.js';
import { isLoopback, TOKENS_FILE, TokenStore } from '../../src/serve/tokens.js';
import { sobolConfig, type TestServer, testServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-serve-auth-'));
}

describe('tokens', () => {
  it('are random, at least 128 bits, stored only as hashes in a file of mode 0600', () => {
    const dir = freshDir();
    try {
      const file = path.join(dir, TOKENS_FILE);
      const store = TokenStore.load(file);
      expect(store.size).toBe(0);
      const a = store.create('write');
      const b = store.create('read');
      expect(a).not.toBe(b);
      // 'mobo_' and 32 random bytes in base64url: 256 bits.
      expect(Buffer.from(a.slice(5), 'base64url')).toHaveLength(32);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).not.toContain(a.slice(5));
      expect(text).not.toContain(b.slice(5));
      const again = TokenStore.load(file);
      expect(again.verify(a)).toBe('write');
      expect(again.verify(b)).toBe('read');
      expect(again.verify(`${a}x`)).toBeUndefined();
      expect(again.verify('')).toBeUndefined();
      fs.chmodSync(file, 0o644);
      expect(() => TokenStore.load(file)).toThrow(/mode 0644.*chmod 600/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tell loopback addresses from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'example.org', '128.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });
});

describe('mobo serve with tokens', () => {
  it('gives 401 without a token or with a wrong one, 403 to a read-only token that writes', async () => {
    const dir = freshDir();
    const store = TokenStore.load(path.join(dir, TOKENS_FILE));
    const write = store.create('write');
    const read = store.create('read');
    server = await testServer({ dir });
    try {
      expect(
        (await server.call('POST', '/api/experiments', { name: 'exp', config: sobolConfig })).status,
      ).toBe(401);
      const none = await server.call('GET', '/api/experiments');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await server.call('GET', '/api/experiments', undefined, 'mobo_not-a-token')).status).toBe(401);
      const basic = await fetch(`${server.url}/api/experiments`, {
        headers: { authorization: `Basic ${write}` },
      });
      expect(basic.status).toBe(401);

      const created = await server.call(
        'POST',
        '/api/experiments',
        { name: 'exp', config: sobolConfig },
        write,
      );
      expect(created.status).toBe(201);
      expect(
        (await server.call('POST', '/api/experiments', { name: 'e2', config: sobolConfig }, read)).status,
      ).toBe(403);
      expect((await server.call('POST', '/api/experiments/exp/trials', { n: 1 }, read)).status).toBe(403);
      const asked = await server.call('POST', '/api/experiments/exp/trials', { n: 1 }, write);
      expect(asked.status).toBe(201);
      const tell = await server.call(
        'POST',
        '/api/experiments/exp/trials/0/tell',
        { values: { f1: 1, f2: 1 } },
        read,
      );
      expect(tell.status).toBe(403);
      expect(tell.body.error.code).toBe('forbidden');
      expect(
        (await server.call('GET', '/api/experiments/exp/trials/0', undefined, read)).body.trial.state,
      ).toBe('running');
      expect((await server.call('GET', '/api/experiments/exp/front', undefined, read)).status).toBe(200);
      expect(
        (await server.call('POST', '/api/experiments/exp/trials/0/tell', { values: { f1: 1, f2: 1 } }, write))
          .status,
      ).toBe(200);
      // The OpenAPI document is public.
      expect((await server.call('GET', '/openapi.json')).status).toBe(200);
    } finally {
      await server.cleanup();
      server = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a write token before a non-loopback bind that has none, and then requires it', async () => {
    // Bound to every interface for a moment: the server refuses any request without the token.
    const dir = freshDir();
    const started = await startServer({ dir, host: '0.0.0.0', port: 0, logger: { warn: () => {} } });
    try {
      expect(started.createdToken).toMatch(/^mobo_[\w-]{43}$/);
      expect(started.tokens.size).toBe(1);
      expect(fs.statSync(path.join(dir, TOKENS_FILE)).mode & 0o777).toBe(0o600);
      const url = `http://127.0.0.1:${started.port}/api/experiments`;
      expect((await fetch(url)).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${started.createdToken}` } });
      expect(ok.status).toBe(200);
    } finally {
      await started.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs no token on loopback while the token file holds none, and refuses foreign Host headers', async () => {
    server = await testServer();
    expect((await server.call('GET', '/api/experiments')).status).toBe(200);
    // fetch may not set Host; node:http may.
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.get(`${server!.url}/api/experiments`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on('error', reject);
      });
    expect(await status('attacker.example')).toBe(421);
    expect(await status(`attacker.example:${server.port}`)).toBe(421);
    expect(await status(`localhost:${server.port}`)).toBe(200);
  });

  it('sends no CORS headers unless origins are given', async () => {
    server = await testServer();
    const plain = await fetch(`${server.url}/api/experiments`, { headers: { origin: 'http://example.org' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    await server.cleanup();
    server = await testServer({ corsOrigins: ['http://example.org'] });
    const allowed = await fetch(`${server.url}/api/experiments`, {
      headers: { origin: 'http://example.org' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://example.org');
  });
});
