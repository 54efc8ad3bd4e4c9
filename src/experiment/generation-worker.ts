/**
 * The worker-thread side of `GenerationThread`: rebuilds the strategy's generator from the journaled
 * configuration (by name, with the built-in generators only), and answers each request with
 * `generate()` on the input it was sent, so a slow generation (GP fits, acquisition optimization)
 * runs beside the thread that records results and dispatches trials.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SearchSpace } from '../space/search-space.js';
import type { GenerationInput, GenerationResult, Generator } from '../strategy/generator.js';
import { createGenerator, GeneratorRegistry } from '../strategy/strategies.js';
import { parseOptimizerConfig } from './config.js';
import type { GenerationReply, GenerationRequest } from './generation-thread.js';

const port = parentPort;
if (port === null) throw new Error('generation-worker: must run in a worker thread');

const config = parseOptimizerConfig(workerData, 'generation worker: config');
const space = SearchSpace.create({
  parameters: config.parameters,
  parameterConstraints: config.parameterConstraints,
});
// An empty registry: the built-in generators, whatever plug-ins the worker's own imports register.
const generator: Generator = createGenerator(
  config.strategy ?? 'mobo',
  space.encoded,
  new GeneratorRegistry(),
);

port.on('message', async (request: GenerationRequest) => {
  let reply: GenerationReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const input: GenerationInput = { ...request.input, space: space.encoded };
    const result: GenerationResult = await generator.generate(input);
    reply = {
      id: request.id,
      ok: true,
      name: generator.name,
      result: { candidates: result.candidates, metadata: result.metadata, state: result.state },
    };
    const buffer = result.candidates?.data?.buffer;
    if (buffer instanceof ArrayBuffer) transfer.push(buffer);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    reply = { id: request.id, ok: false, name: error.name, message: error.message, stack: error.stack };
  }
  try {
    port.postMessage(reply, transfer);
  } catch (e) {
    // Metadata or state that cannot be cloned: the same TypeError the in-thread JSON check would give.
    port.postMessage({
      id: request.id,
      ok: false,
      name: 'TypeError',
      message: `generator "${generator.name}" returned metadata or state that cannot leave its thread: ${(e as Error).message}`,
    } satisfies GenerationReply);
  }
});
