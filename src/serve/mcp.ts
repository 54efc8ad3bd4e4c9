/**
 * `mobo mcp DIR`: a Model Context Protocol server (the official TypeScript SDK) whose tools are
 * the service's verbs: list_experiments, create_experiment, ask, tell, fail, status, pareto_front.
 * Their input schemas are the HTTP API's zod schemas (`schemas.ts`), and every call goes through
 * the same `ExperimentService` as `mobo serve`, so validation, locking and errors are the same.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { ServiceError } from './errors.js';
import {
  askRequestSchema,
  createExperimentRequestSchema,
  experimentNameSchema,
  failRequestSchema,
  tellRequestSchema,
} from './schemas.js';
import type { ExperimentService } from './service.js';

const experiment = experimentNameSchema.describe('the experiment (its folder under the served directory)');
const trialId = z.number().int().min(0).describe('the trial id, as returned by ask');

/** A tool's answer: the JSON as text (for any client) and as structured content. */
function answer(value: unknown): CallToolResult {
  const structured = (Array.isArray(value) ? { items: value } : value) as Record<string, unknown>;
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: structured };
}

/** A failed call as a tool error the model can read (message and the fields at fault). */
function failure(error: unknown): CallToolResult {
  if (error instanceof ServiceError) {
    return {
      isError: true,
      content: [{ type: 'text', text: JSON.stringify(error.toJSON().error, null, 2) }],
    };
  }
  return { isError: true, content: [{ type: 'text', text: (error as Error).message }] };
}

async function guarded(call: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return answer(await call());
  } catch (error) {
    return failure(error);
  }
}

/** The MCP server over `service` (not yet connected to a transport). */
export function createMcpServer(service: ExperimentService, version = '0.1.0'): McpServer {
  const server = new McpServer({ name: 'mobo', version });
  server.registerTool(
    'list_experiments',
    {
      title: 'List experiments',
      description:
        'The experiments in the served directory, each with its objectives, trial counts and hypervolume.',
      inputSchema: {},
    },
    () => guarded(() => service.list()),
  );
  server.registerTool(
    'create_experiment',
    {
      title: 'Create an experiment',
      description:
        'Create a multi-objective optimization: parameters (float, int, choice, fixed), objectives (name, minimize, ' +
        "optional threshold), optional constraints, strategy ('mobo' by default; 'sobol', 'random', 'nsga2'), seed.",
      inputSchema: createExperimentRequestSchema.shape,
    },
    ({ name, config }) => guarded(() => service.create(name, config)),
  );
  server.registerTool(
    'ask',
    {
      title: 'Ask for trials',
      description:
        'Propose n new trials (parameter values to evaluate). They start running; every trial asked and not yet ' +
        'told, failed or abandoned is pending and never proposed again.',
      inputSchema: { experiment, n: askRequestSchema.shape.n },
    },
    ({ experiment: name, n }) => guarded(async () => ({ trials: await service.ask(name, n ?? 1) })),
  );
  server.registerTool(
    'tell',
    {
      title: 'Tell a result',
      description: "Record a running trial's values: every objective and outcome-constraint metric, by name.",
      inputSchema: {
        experiment,
        trial_id: trialId,
        values: tellRequestSchema.shape.values,
        sem: tellRequestSchema.shape.sem,
      },
    },
    ({ experiment: name, trial_id, values, sem }) =>
      guarded(async () => ({ trial: await service.tell(name, trial_id, values, sem) })),
  );
  server.registerTool(
    'fail',
    {
      title: 'Fail a trial',
      description:
        'Mark a running trial failed (the evaluation crashed or gave no usable values), with the reason.',
      inputSchema: { experiment, trial_id: trialId, reason: failRequestSchema.shape.reason },
    },
    ({ experiment: name, trial_id, reason }) =>
      guarded(async () => ({ trial: await service.fail(name, trial_id, reason) })),
  );
  server.registerTool(
    'status',
    {
      title: 'Experiment status',
      description:
        'An experiment in brief: parameters, objectives, strategy, trials by state, Pareto front size, hypervolume.',
      inputSchema: { experiment },
    },
    ({ experiment: name }) => guarded(() => service.summary(name)),
  );
  server.registerTool(
    'pareto_front',
    {
      title: 'Pareto front',
      description:
        'The feasible completed trials that no other dominates (parameters and values), the reference point and the hypervolume.',
      inputSchema: { experiment },
    },
    ({ experiment: name }) => guarded(() => service.front(name)),
  );
  return server;
}
