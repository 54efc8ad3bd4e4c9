import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Optimizer } from '../../src/experiment/optimizer.js';
import { evaluate, journalRecords, sobolConfig, testServer } from './helpers.js';

const CLIENTS = 20;
const TRIALS = 1000;

describe('mobo serve under concurrent clients', () => {
  it(`loses and duplicates nothing: ${TRIALS} asks and tells from ${CLIENTS} clients at once`, {
    timeout: 600_000,
  }, async () => {
    const server = await testServer();
    try {
      expect(
        (await server.call('POST', '/api/experiments', { name: 'exp', config: sobolConfig })).status,
      ).toBe(201);
      const received: number[][] = [];
      const client = async (k: number) => {
        const mine: number[] = [];
        for (let i = k; i < TRIALS; i += CLIENTS) {
          const asked = await server.call('POST', '/api/experiments/exp/trials', { n: 1 });
          expect(asked.status).toBe(201);
          const trial = asked.body.trials[0];
          mine.push(trial.id);
          const told = await server.call('POST', `/api/experiments/exp/trials/${trial.id}/tell`, {
            values: evaluate(trial.params),
          });
          expect(told.status, JSON.stringify(told.body)).toBe(200);
        }
        received.push(mine);
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(k)));
      const ids = received.flat().sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: TRIALS }, (_, i) => i));
      await server.close();

      // The journal, replayed from disk, holds exactly those trials, each completed once.
      const records = journalRecords(server.dir, 'exp');
      expect(records.filter((r) => r.type === 'complete')).toHaveLength(TRIALS);
      expect(new Set(records.filter((r) => r.type === 'complete').map((r) => r.id)).size).toBe(TRIALS);
      const opt = await Optimizer.open(path.join(server.dir, 'exp', 'journal.jsonl'));
      try {
        const trials = opt.trials();
        expect(trials).toHaveLength(TRIALS);
        expect(trials.every((t) => t.state === 'completed')).toBe(true);
        // No point was handed out twice.
        expect(new Set(trials.map((t) => t.x.join(','))).size).toBe(TRIALS);
      } finally {
        await opt.close();
      }
    } finally {
      await server.cleanup();
    }
  });
});
