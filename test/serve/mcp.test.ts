import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/serve/mcp.js';
import { ExperimentService } from '../../src/serve/service.js';
import { evaluate, journalRecords, sobolConfig } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-mcp-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

type ToolResult = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: unknown;
};

/** Calls a tool and parses its text answer as JSON. */
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  const text = result.content[0]?.text ?? '';
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // a plain message
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read tool answers field by field
  return { isError: result.isError === true, body: body as any, text };
}

describe('mobo mcp: the tools, through the SDK client', () => {
  it('lists its seven tools with input schemas from the zod schemas', async () => {
    const service = new ExperimentService(dir);
    const server = createMcpServer(service);
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '1' });
    await Promise.all([server.connect(a), client.connect(b)]);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        ['ask', 'create_experiment', 'fail', 'list_experiments', 'pareto_front', 'status', 'tell'].sort(),
      );
      const create = tools.find((t) => t.name === 'create_experiment')!;
      const props = create.inputSchema.properties as Record<
        string,
        { pattern?: string; properties?: object }
      >;
      // The experiment name carries the HTTP API's pattern; the config, Optimizer.create's fields.
      expect(props.name?.pattern).toContain('A-Za-z0-9');
      expect(Object.keys(props.config?.properties ?? {})).toEqual(
        expect.arrayContaining(['parameters', 'objectives', 'strategy', 'seed']),
      );
      const tell = tools.find((t) => t.name === 'tell')!;
      expect(tell.inputSchema.required).toEqual(expect.arrayContaining(['experiment', 'trial_id', 'values']));
    } finally {
      await client.close();
      await service.close();
    }
  });

  it('creates, asks, tells, fails and reads the front, into the same journal as mobo serve', async () => {
    const service = new ExperimentService(dir);
    const server = createMcpServer(service);
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '1' });
    await Promise.all([server.connect(a), client.connect(b)]);
    try {
      const created = await call(client, 'create_experiment', { name: 'exp', config: sobolConfig });
      expect(created.isError, created.text).toBe(false);
      expect(created.body.name).toBe('exp');
      const asked = await call(client, 'ask', { experiment: 'exp', n: 3 });
      expect(asked.body.trials.map((t: { id: number }) => t.id)).toEqual([0, 1, 2]);
      for (const t of asked.body.trials.slice(0, 2)) {
        const told = await call(client, 'tell', {
          experiment: 'exp',
          trial_id: t.id,
          values: evaluate(t.params),
        });
        expect(told.body.trial.state).toBe('completed');
      }
      const failed = await call(client, 'fail', { experiment: 'exp', trial_id: 2, reason: 'crashed' });
      expect(failed.body.trial).toMatchObject({ state: 'failed', reason: 'crashed' });
      const status = await call(client, 'status', { experiment: 'exp' });
      expect(status.body.counts).toMatchObject({ completed: 2, failed: 1 });
      const front = await call(client, 'pareto_front', { experiment: 'exp' });
      expect(front.body.trials.length).toBeGreaterThan(0);
      expect(front.body.hypervolume).toBeGreaterThan(0);
      const list = await call(client, 'list_experiments', {});
      expect(list.body.experiments.map((e: { name: string }) => e.name)).toEqual(['exp']);

      // Errors come back as tool errors naming the field, and change nothing.
      const before = journalRecords(dir, 'exp').length;
      const finished = await call(client, 'tell', {
        experiment: 'exp',
        trial_id: 0,
        values: { f1: 1, f2: 1 },
      });
      expect(finished.isError).toBe(true);
      expect(finished.body.code).toBe('trial_finished');
      const missing = await call(client, 'ask', { experiment: 'exp', n: 1 });
      const id = missing.body.trials[0].id;
      const partial = await call(client, 'tell', { experiment: 'exp', trial_id: id, values: { f1: 1 } });
      expect(partial.isError).toBe(true);
      expect(partial.body.issues.map((i: { path: string }) => i.path)).toContain('values.f2');
      const traversal = await call(client, 'status', { experiment: '../etc' });
      expect(traversal.isError).toBe(true);
      const badType = await call(client, 'ask', { experiment: 'exp', n: 'two' });
      expect(badType.isError).toBe(true);
      // Only the one valid ask reached the journal.
      expect(journalRecords(dir, 'exp')).toHaveLength(before + 1);
    } finally {
      await client.close();
      await service.close();
    }
  });
});

describe('mobo mcp DIR over stdio', () => {
  it('answers the SDK client it was spawned by, and releases its locks when the client leaves', {
    timeout: 120_000,
  }, async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'mcp', dir],
      cwd: root,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-test', version: '1' });
    await client.connect(transport);
    const created = await call(client, 'create_experiment', { name: 'exp', config: sobolConfig });
    expect(created.isError, created.text).toBe(false);
    const asked = await call(client, 'ask', { experiment: 'exp', n: 2 });
    const t = asked.body.trials[0];
    const told = await call(client, 'tell', {
      experiment: 'exp',
      trial_id: t.id,
      values: evaluate(t.params),
    });
    expect(told.body.trial.state).toBe('completed');
    expect(fs.existsSync(path.join(dir, 'exp', 'journal.jsonl.lock'))).toBe(true);
    await client.close();
    // The server closes the experiment once its standard input ends.
    for (let i = 0; i < 600 && fs.existsSync(path.join(dir, 'exp', 'journal.jsonl.lock')); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fs.existsSync(path.join(dir, 'exp', 'journal.jsonl.lock'))).toBe(false);
    expect(journalRecords(dir, 'exp').filter((r) => r.type === 'complete')).toHaveLength(1);
  });
});
