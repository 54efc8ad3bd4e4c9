/**
 * The OpenAPI 3.1 document of `mobo serve`, generated from the zod schemas that validate the
 * requests (`schemas.ts`): nothing in it is written by hand but the list of operations. Checked
 * in as `schema/openapi.json` (`npm run gen:openapi`; a test fails while it is out of date).
 */
import * as z from 'zod';
import {
  abandonRequestSchema,
  askRequestSchema,
  askResponseSchema,
  createExperimentRequestSchema,
  errorResponseSchema,
  experimentListingSchema,
  experimentNameSchema,
  experimentSummarySchema,
  failRequestSchema,
  frontResponseSchema,
  hypervolumeResponseSchema,
  serviceEventSchema,
  tellRequestSchema,
  trialSchema,
  trialStateSchema,
  trialsResponseSchema,
} from './schemas.js';

const components = {
  ExperimentName: experimentNameSchema,
  TrialState: trialStateSchema,
  Trial: trialSchema,
  CreateExperimentRequest: createExperimentRequestSchema,
  AskRequest: askRequestSchema,
  AskResponse: askResponseSchema,
  TellRequest: tellRequestSchema,
  FailRequest: failRequestSchema,
  AbandonRequest: abandonRequestSchema,
  TrialResponse: z.object({ trial: trialSchema }),
  TrialsResponse: trialsResponseSchema,
  ExperimentSummary: experimentSummarySchema,
  ExperimentListing: experimentListingSchema,
  FrontResponse: frontResponseSchema,
  HypervolumeResponse: hypervolumeResponseSchema,
  ServiceEvent: serviceEventSchema,
  Error: errorResponseSchema,
} as const;

type ComponentName = keyof typeof components;

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}

const json = (name: ComponentName) => ({ 'application/json': { schema: ref(name) } });

function errors(...statuses: number[]): Record<string, unknown> {
  const words: Record<number, string> = {
    400: 'bad request: malformed JSON, wrong types, unknown metrics (issues name each JSON path)',
    401: 'no token, or an unknown one (when the server has tokens)',
    403: 'a read-only token on a writing route',
    404: 'no such experiment or trial',
    409: 'a finished trial, an existing experiment, or a journal locked by another process',
    413: 'the body is larger than the limit',
    415: 'the body is not sent as application/json',
  };
  return Object.fromEntries(
    statuses.map((s) => [String(s), { description: words[s] ?? 'error', content: json('Error') }]),
  );
}

const nameParameter = { name: 'name', in: 'path', required: true, schema: ref('ExperimentName') };
const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: z.toJSONSchema(z.number().int().min(0), { target: 'draft-2020-12' }),
};

function stripDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _s, ...rest } = schema;
  return rest;
}

function operation(
  id: string,
  summary: string,
  ok: { status: number; description: string; content: Record<string, unknown> },
  options: { body?: ComponentName; parameters?: unknown[]; errors: number[] },
): Record<string, unknown> {
  return {
    operationId: id,
    summary,
    ...(options.parameters !== undefined ? { parameters: options.parameters } : {}),
    ...(options.body !== undefined ? { requestBody: { required: true, content: json(options.body) } } : {}),
    responses: {
      [String(ok.status)]: { description: ok.description, content: ok.content },
      ...errors(401, ...options.errors),
    },
  };
}

/** The OpenAPI 3.1 document of the HTTP API. */
export function openApiDocument(): Record<string, unknown> {
  const trialParams = [nameParameter, { ...idParameter, schema: stripDialect(idParameter.schema) }];
  const read = [404];
  const write = [400, 403, 404, 409, 413, 415];
  return {
    openapi: '3.1.0',
    info: {
      title: 'mobo serve',
      version: '1',
      description:
        'Ask/tell over HTTP for the experiments in one directory. Every request needs ' +
        '`Authorization: Bearer <token>` when the server has tokens; read-only tokens may only GET.',
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/api/experiments': {
        get: operation(
          'listExperiments',
          'the experiments in the served directory',
          {
            status: 200,
            description: 'each with a summary, or why it cannot be opened',
            content: json('ExperimentListing'),
          },
          { errors: [] },
        ),
        post: operation(
          'createExperiment',
          'create an experiment (the configuration of Optimizer.create)',
          { status: 201, description: 'created', content: json('ExperimentSummary') },
          { body: 'CreateExperimentRequest', errors: [400, 403, 409, 413, 415] },
        ),
      },
      '/api/experiments/{name}': {
        get: operation(
          'getExperiment',
          "an experiment's configuration in brief and its progress",
          { status: 200, description: 'the summary', content: json('ExperimentSummary') },
          { parameters: [nameParameter], errors: read },
        ),
      },
      '/api/experiments/{name}/trials': {
        post: operation(
          'ask',
          'ask for n new trials (running at once; pending for every later ask until told, failed or abandoned)',
          { status: 201, description: 'the trials asked', content: json('AskResponse') },
          { body: 'AskRequest', parameters: [nameParameter], errors: write },
        ),
        get: operation(
          'listTrials',
          'the trials in id order, or those in the states given (?state=running,stale)',
          { status: 200, description: 'the trials', content: json('TrialsResponse') },
          {
            parameters: [
              nameParameter,
              {
                name: 'state',
                in: 'query',
                required: false,
                schema: { type: 'array', items: ref('TrialState') },
                style: 'form',
                explode: true,
              },
            ],
            errors: [400, 404],
          },
        ),
      },
      '/api/experiments/{name}/trials/{id}': {
        get: operation(
          'getTrial',
          'one trial',
          { status: 200, description: 'the trial', content: json('TrialResponse') },
          { parameters: trialParams, errors: [400, 404] },
        ),
      },
      '/api/experiments/{name}/trials/{id}/tell': {
        post: operation(
          'tell',
          "record a running trial's values (every objective and outcome-constraint metric)",
          { status: 200, description: 'the trial as recorded', content: json('TrialResponse') },
          { body: 'TellRequest', parameters: trialParams, errors: write },
        ),
      },
      '/api/experiments/{name}/trials/{id}/fail': {
        post: operation(
          'fail',
          'mark a running trial failed',
          { status: 200, description: 'the trial as recorded', content: json('TrialResponse') },
          { body: 'FailRequest', parameters: trialParams, errors: write },
        ),
      },
      '/api/experiments/{name}/trials/{id}/abandon': {
        post: operation(
          'abandon',
          'give a trial up (its point is never proposed again)',
          { status: 200, description: 'the trial as recorded', content: json('TrialResponse') },
          { body: 'AbandonRequest', parameters: trialParams, errors: write },
        ),
      },
      '/api/experiments/{name}/front': {
        get: operation(
          'paretoFront',
          'the Pareto front of the feasible completed trials, the reference point and the hypervolume',
          { status: 200, description: 'the front', content: json('FrontResponse') },
          { parameters: [nameParameter], errors: read },
        ),
      },
      '/api/experiments/{name}/hypervolume': {
        get: operation(
          'hypervolumeHistory',
          'the hypervolume after each completed trial',
          { status: 200, description: 'the history', content: json('HypervolumeResponse') },
          { parameters: [nameParameter], errors: read },
        ),
      },
      '/api/experiments/{name}/report': {
        get: operation(
          'report',
          'the self-contained HTML report (as mobo report writes it)',
          {
            status: 200,
            description: 'an HTML page',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          { parameters: [nameParameter], errors: read },
        ),
      },
      '/api/events': {
        get: operation(
          'allEvents',
          'server-sent events of every experiment: "ready" at once, then one event per create, ask, tell, fail and abandon',
          {
            status: 200,
            description: 'an event stream',
            content: { 'text/event-stream': { schema: ref('ServiceEvent') } },
          },
          { errors: [] },
        ),
      },
      '/api/experiments/{name}/events': {
        get: operation(
          'events',
          'server-sent events: "ready" at once, then one event per create, ask, tell, fail and abandon (data: a ServiceEvent)',
          {
            status: 200,
            description: 'an event stream',
            content: { 'text/event-stream': { schema: ref('ServiceEvent') } },
          },
          { parameters: [nameParameter], errors: read },
        ),
      },
    },
  };
}
