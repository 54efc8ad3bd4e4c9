import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Optimizer } from '../../src/experiment/optimizer.js';
import {
  askResponseSchema,
  errorResponseSchema,
  experimentListingSchema,
  experimentSummarySchema,
  frontResponseSchema,
  hypervolumeResponseSchema,
  trialSchema,
  trialsResponseSchema,
} from '../../src/serve/schemas.js';
import { evaluate, journalRecords, sobolConfig, type TestServer, testServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await testServer();
});
afterEach(async () => {
  await server.cleanup();
});

async function create(name = 'exp', config: unknown = sobolConfig) {
  const r = await server.call('POST', '/api/experiments', { name, config });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('mobo serve: the ask/tell routes', () => {
  it('creates, lists, asks, tells, fails, abandons and reads, every answer fitting its published schema', async () => {
    const summary = await create();
    experimentSummarySchema.parse(summary);
    expect(summary).toMatchObject({ name: 'exp', parameters: ['x', 'y'], trials: 0, seed: 7 });

    const asked = await server.call('POST', '/api/experiments/exp/trials', { n: 4 });
    expect(asked.status).toBe(201);
    const trials = askResponseSchema.parse(asked.body).trials;
    expect(trials.map((t) => t.id)).toEqual([0, 1, 2, 3]);

    const told = await server.call('POST', '/api/experiments/exp/trials/0/tell', {
      values: evaluate(trials[0]!.params),
    });
    expect(told.status).toBe(200);
    expect(trialSchema.parse(told.body.trial).state).toBe('completed');
    await server.call('POST', '/api/experiments/exp/trials/1/tell', { values: evaluate(trials[1]!.params) });
    const failed = await server.call('POST', '/api/experiments/exp/trials/2/fail', { reason: 'diverged' });
    expect(failed.body.trial).toMatchObject({ state: 'failed', reason: 'diverged' });
    const abandoned = await server.call('POST', '/api/experiments/exp/trials/3/abandon', {});
    expect(abandoned.body.trial.state).toBe('abandoned');

    // An ask with no body asks one trial.
    const one = await fetch(`${server.url}/api/experiments/exp/trials`, { method: 'POST' });
    expect(one.status).toBe(201);
    expect(((await one.json()) as { trials: unknown[] }).trials).toHaveLength(1);

    const list = experimentListingSchema.parse((await server.call('GET', '/api/experiments')).body);
    expect(list.experiments).toHaveLength(1);
    expect(list.experiments[0]).toMatchObject({ name: 'exp', trials: 5 });

    const running = trialsResponseSchema.parse(
      (await server.call('GET', '/api/experiments/exp/trials?state=running')).body,
    );
    expect(running.trials.map((t) => t.id)).toEqual([4]);
    const byState = (await server.call('GET', '/api/experiments/exp/trials?state=failed,abandoned')).body;
    expect(byState.trials.map((t: { id: number }) => t.id)).toEqual([2, 3]);
    expect((await server.call('GET', '/api/experiments/exp/trials/2')).body.trial.reason).toBe('diverged');

    // The front and hypervolume agree with the Optimizer's own, read from the journal afterwards.
    const front = frontResponseSchema.parse((await server.call('GET', '/api/experiments/exp/front')).body);
    const history = hypervolumeResponseSchema.parse(
      (await server.call('GET', '/api/experiments/exp/hypervolume')).body,
    );
    expect(history.history.map((h) => h.trial)).toEqual([0, 1]);
    const report = await server.call('GET', '/api/experiments/exp/report');
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/text\/html/);
    expect(String(report.body)).toMatch(/<!DOCTYPE html>/i);

    await server.close();
    const opt = await Optimizer.open(path.join(server.dir, 'exp', 'journal.jsonl'));
    try {
      expect(front.trials.map((t) => t.id)).toEqual(opt.paretoFront().map((t) => t.id));
      expect(front.hypervolume).toBe(opt.hypervolume());
      expect(history.history.map((h) => h.hypervolume)).toEqual(opt.hypervolumeHistory());
      expect(opt.trials().map((t) => t.state)).toEqual([
        'completed',
        'completed',
        'failed',
        'abandoned',
        'running',
      ]);
    } finally {
      await opt.close();
    }
  });

  it('streams a server-sent event after each ask and tell', async () => {
    await create();
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/experiments/exp/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await until(/event: ready/);
    const asked = (await server.call('POST', '/api/experiments/exp/trials', { n: 1 })).body.trials;
    await until(/event: ask\ndata: .*"trials":\[0\]/);
    await server.call('POST', '/api/experiments/exp/trials/0/tell', { values: evaluate(asked[0].params) });
    await until(/event: tell\ndata: .*"trials":\[0\]/);
    controller.abort();
  });

  it("streams every experiment's events at /api/events", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await until(/event: ready/);
    await create('one');
    await create('two');
    await server.call('POST', '/api/experiments/two/trials', { n: 2 });
    await until(/event: create\ndata: .*"experiment":"one"[\s\S]*event: create\ndata: .*"experiment":"two"/);
    await until(/event: ask\ndata: .*"experiment":"two".*"trials":\[0,1\]/);
    controller.abort();
  });

  it('releases every lock on close, so the journals open again', async () => {
    await create('a');
    await create('b');
    await server.call('POST', '/api/experiments/a/trials', { n: 2 });
    expect(fs.existsSync(path.join(server.dir, 'a', 'journal.jsonl.lock'))).toBe(true);
    await server.close();
    expect(fs.existsSync(path.join(server.dir, 'a', 'journal.jsonl.lock'))).toBe(false);
    expect(fs.existsSync(path.join(server.dir, 'b', 'journal.jsonl.lock'))).toBe(false);
  });

  it('lists an experiment another process holds with the reason instead of failing', async () => {
    await create('held');
    await server.close();
    const journal = path.join(server.dir, 'held', 'journal.jsonl');
    const other = await Optimizer.open(journal);
    const again = await testServer({ dir: server.dir });
    try {
      const list = (await again.call('GET', '/api/experiments')).body;
      expect(list.experiments[0].name).toBe('held');
      expect(list.experiments[0].error).toMatch(/already open in this process/);
      const ask = await again.call('POST', '/api/experiments/held/trials', { n: 1 });
      expect(ask.status).toBe(409);
    } finally {
      await again.close();
      await other.close();
    }
  });
});

describe('mobo serve: bad requests get a 4xx naming the field, and reach no journal', () => {
  it('refuses malformed JSON, wrong types, unknown and missing metrics, unknown and finished trials', async () => {
    await create();
    const asked = (await server.call('POST', '/api/experiments/exp/trials', { n: 2 })).body.trials;
    await server.call('POST', '/api/experiments/exp/trials/0/tell', { values: evaluate(asked[0].params) });
    const before = journalRecords(server.dir, 'exp').length;

    const cases: [string, string, unknown, number, string, string | undefined][] = [
      ['POST', '/trials/1/tell', '{"values": {"f1": 1,', 400, 'malformed_json', undefined],
      ['POST', '/trials/1/tell', { values: { f1: 'a', f2: 1 } }, 400, 'invalid_request', 'values.f1'],
      ['POST', '/trials/1/tell', { values: { f1: 1, f2: 2, g: 3 } }, 400, 'invalid_values', 'values.g'],
      ['POST', '/trials/1/tell', { values: { f1: 1 } }, 400, 'invalid_values', 'values.f2'],
      [
        'POST',
        '/trials/1/tell',
        { values: { f1: 1, f2: 2 }, sem: { f1: -1 } },
        400,
        'invalid_request',
        'sem.f1',
      ],
      ['POST', '/trials/1/tell', { value: { f1: 1, f2: 2 } }, 400, 'invalid_request', 'value'],
      ['POST', '/trials/1/tell', [1, 2], 400, 'invalid_request', ''],
      ['POST', '/trials/9/tell', { values: { f1: 1, f2: 2 } }, 404, 'unknown_trial', 'id'],
      ['POST', '/trials/-1/tell', { values: { f1: 1, f2: 2 } }, 400, 'invalid_request', 'id'],
      ['POST', '/trials/1e3/tell', { values: { f1: 1, f2: 2 } }, 400, 'invalid_request', 'id'],
      ['POST', '/trials/0/tell', { values: { f1: 1, f2: 2 } }, 409, 'trial_finished', 'id'],
      ['POST', '/trials/0/fail', { reason: 'late' }, 409, 'trial_finished', 'id'],
      ['POST', '/trials/1/fail', { reason: '' }, 400, 'invalid_request', 'reason'],
      ['POST', '/trials/1/fail', {}, 400, 'invalid_request', 'reason'],
      ['POST', '/trials', { n: 0 }, 400, 'invalid_request', 'n'],
      ['POST', '/trials', { n: 2.5 }, 400, 'invalid_request', 'n'],
      ['POST', '/trials', { n: '2' }, 400, 'invalid_request', 'n'],
      ['GET', '/trials?state=done', undefined, 400, 'invalid_request', 'state[0]'],
    ];
    for (const [method, route, body, status, code, field] of cases) {
      const r = await server.call(method, `/api/experiments/exp${route}`, body);
      const what = `${method} ${route} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`;
      expect(r.status, what).toBe(status);
      const error = errorResponseSchema.parse(r.body).error;
      expect(error.code, what).toBe(code);
      if (field !== undefined)
        expect(
          error.issues?.map((i) => i.path),
          what,
        ).toContain(field);
    }
    expect(journalRecords(server.dir, 'exp')).toHaveLength(before);
  });

  it('refuses an invalid configuration naming its path, and creates nothing', async () => {
    const bad = {
      ...sobolConfig,
      parameters: [{ name: 'x', type: 'float', bounds: [1, 0] }],
      objectives: [{ name: 'f1', minimize: 'yes' }],
    };
    const r = await server.call('POST', '/api/experiments', { name: 'bad', config: bad });
    expect(r.status).toBe(400);
    const paths = r.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toContain('config.objectives[0].minimize');
    const semantic = await server.call('POST', '/api/experiments', {
      name: 'bad',
      config: { ...sobolConfig, parameters: [{ name: 'x', type: 'float', bounds: [1, 0] }] },
    });
    expect(semantic.status).toBe(400);
    expect(semantic.body.error.issues.map((i: { path: string }) => i.path)).toContain(
      'config.parameters[0].bounds[1]',
    );
    const journal = await server.call('POST', '/api/experiments', {
      name: 'bad',
      config: { ...sobolConfig, journal: '/tmp/elsewhere.jsonl' },
    });
    expect(journal.status).toBe(400);
    expect(journal.body.error.issues.map((i: { path: string }) => i.path)).toContain('config.journal');
    expect(fs.existsSync(path.join(server.dir, 'bad'))).toBe(false);
    await create('bad2');
    const twice = await server.call('POST', '/api/experiments', { name: 'bad2', config: sobolConfig });
    expect(twice.status).toBe(409);
  });

  it('refuses a body over the limit with a 413 and a body not sent as JSON with a 415', async () => {
    await create();
    const huge = JSON.stringify({ n: 1, pad: 'x'.repeat(2 * 1024 * 1024) });
    const r = await server.call('POST', '/api/experiments/exp/trials', huge);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
    const plain = await fetch(`${server.url}/api/experiments/exp/trials`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"n": 1}',
    });
    expect(plain.status).toBe(415);
    expect(journalRecords(server.dir, 'exp').filter((e) => e.type === 'ask')).toHaveLength(0);
  });

  it('refuses experiment names that would leave the served directory', async () => {
    const outside = path.join(path.dirname(server.dir), `escaped-${path.basename(server.dir)}`);
    for (const name of [
      '..',
      '../x',
      `../${path.basename(outside)}`,
      '/etc',
      'a/b',
      'a\\b',
      '.hidden',
      '',
      'a..b',
      'x'.repeat(65),
    ]) {
      const r = await server.call('POST', '/api/experiments', { name, config: sobolConfig });
      expect(r.status, `${JSON.stringify(name)}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error.issues.map((i: { path: string }) => i.path)).toContain('name');
    }
    for (const route of ['..%2F..%2Fetc', '..%5Cx', '.git', '%2Fetc']) {
      const r = await server.call('GET', `/api/experiments/${route}/front`);
      expect(r.status, route).toBe(400);
    }
    // '%2E%2E' is '..' to the URL parser, which drops it with the segment before: no experiment route matches.
    expect((await server.call('GET', '/api/experiments/%2E%2E/front')).status).toBe(404);
    // A path with a literal ../ is normalized by the URL parser before routing: it never names an experiment.
    const literal = await fetch(`${server.url}/api/experiments/../../etc/passwd`);
    expect(literal.status).toBe(404);
    expect(fs.existsSync(outside)).toBe(false);
    expect(fs.readdirSync(server.dir)).toEqual([]);
  });

  it('answers unknown routes and experiments with a JSON 404', async () => {
    const route = await server.call('GET', '/api/nothing');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
    const experiment = await server.call('GET', '/api/experiments/none/front');
    expect(experiment.status).toBe(404);
    expect(experiment.body.error.code).toBe('unknown_experiment');
  });
});

describe('mobo serve with the default strategy', () => {
  it('asks a model strategy (generated in a worker thread) and keeps answering reads', {
    timeout: 300_000,
  }, async () => {
    const { strategy: _sobol, ...config } = sobolConfig;
    await create('model', { ...config, strategy: [{ strategy: 'sobol', trials: 4 }, { strategy: 'mobo' }] });
    const first = (await server.call('POST', '/api/experiments/model/trials', { n: 4 })).body.trials;
    for (const t of first) {
      await server.call('POST', `/api/experiments/model/trials/${t.id}/tell`, { values: evaluate(t.params) });
    }
    // The GP fit and acquisition run in a worker thread; a read sent beside the ask is answered too.
    const asking = server.call('POST', '/api/experiments/model/trials', { n: 1 });
    const status = await server.call('GET', '/api/experiments/model');
    expect(status.status).toBe(200);
    const asked = await asking;
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body.trials[0].id).toBe(4);
    const trial = (await server.call('GET', '/api/experiments/model/trials/4')).body.trial;
    expect(trial.generator).not.toBe('sobol');
  });
});
