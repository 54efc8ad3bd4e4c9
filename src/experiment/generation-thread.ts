/**
 * Runs a strategy's generator in a worker thread (node:worker_threads), so the calling thread stays
 * free while a slow generation works: a scheduler keeps recording results and filling slots.
 *
 * Same answers as in-thread generation, bit for bit: the worker builds the same generator from the
 * same (journaled) configuration, and receives the same `GenerationInput` (matrices are cloned, so
 * every float arrives exactly; the seed is the one derived in this thread). Only the built-in
 * generators exist in the worker: an optimizer whose 'mobo' strategy uses a generator registered in
 * this thread ('mobo-bo') generates in this thread instead (see `Optimizer.ask`).
 *
 * The worker starts on the first request (or `start()`), holds the event loop only while a request
 * is out, and is replaced after a crash; `close()` ends it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Matrix } from '../linalg/matrix.js';
import type { GenerationInput, GenerationResult } from '../strategy/generator.js';

/** A generation input without its space (the worker rebuilds the space from the configuration). */
export type PortableGenerationInput = Omit<GenerationInput, 'space'>;

export interface GenerationRequest {
  readonly id: number;
  readonly input: PortableGenerationInput;
}

export type GenerationReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly name: string;
      readonly result: { candidates: Matrix; metadata: Record<string, unknown>; state?: unknown };
    }
  | {
      readonly id: number;
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      readonly stack?: string;
    };

/** Whether mobo runs from its TypeScript sources (tests, tsx) rather than from compiled dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

function workerScript(): URL {
  return new URL(`./generation-worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);
}

/**
 * The worker's script. From compiled dist/ it is the entry file itself. From sources it is a one-line
 * bootstrap that loads the entry through tsx's `tsImport`: on Node 20, `--import tsx` in a worker
 * thread's execArgv registers no module hooks for the thread (as task.ts notes for the pool).
 */
function workerSource(): { script: string; eval: boolean } {
  const entry = workerScript();
  if (!FROM_SOURCE) return { script: fileURLToPath(entry), eval: false };
  let api: string;
  try {
    // require.resolve gives the CommonJS build; the ES module build beside it is the one a thread can import.
    const resolved = createRequire(import.meta.url).resolve('tsx/esm/api');
    const esm = resolved.replace(/\.cjs$/, '.mjs');
    api = pathToFileURL(existsSync(esm) ? esm : resolved).href;
  } catch {
    throw new Error("generating in a worker thread from mobo's TypeScript sources needs tsx: npm i -D tsx");
  }
  const script =
    `import(${JSON.stringify(api)}).then((api) => (api.tsImport ?? api.default.tsImport)(` +
    `${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}));`;
  return { script, eval: true };
}

interface Waiting {
  resolve(result: GenerationResult): void;
  reject(error: Error): void;
}

/** One worker thread that generates candidates for one experiment configuration. */
export class GenerationThread {
  readonly #config: Record<string, unknown>;
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, Waiting>();
  #next = 0;
  #closed = false;

  /** `config`: the experiment's journaled configuration (JSON), from which the worker builds its generator. */
  constructor(config: Record<string, unknown>) {
    this.#config = config;
  }

  /** Starts the worker now (it takes a moment to load), so that the first request does not wait for it. */
  start(): void {
    this.#ensure();
  }

  /** Runs the generator on `input` in the worker. Rejects with the generator's error, or when the worker dies. */
  generate(input: GenerationInput): Promise<GenerationResult> {
    if (this.#closed) return Promise.reject(new Error('GenerationThread: closed'));
    const { space: _space, ...portable } = input;
    const worker = this.#ensure();
    const id = this.#next++;
    return new Promise<GenerationResult>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, input: portable } satisfies GenerationRequest);
    });
  }

  /** Ends the worker; requests still out reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
    this.#failAll(new Error('GenerationThread: closed while generating'));
  }

  #ensure(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const source = workerSource();
    const worker = new Worker(source.script, {
      eval: source.eval,
      workerData: this.#config,
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('message', (reply: GenerationReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (waiting === undefined) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if (reply.ok) {
        waiting.resolve(reply.result as GenerationResult);
      } else {
        const error =
          reply.name === 'TypeError'
            ? new TypeError(reply.message)
            : reply.name === 'RangeError'
              ? new RangeError(reply.message)
              : new Error(reply.message);
        if (reply.stack !== undefined) error.stack = reply.stack;
        waiting.reject(error);
      }
    });
    const gone = (why: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new Error(`the generation worker thread ${why}`));
    };
    worker.on('error', (e) => gone(`crashed: ${e.message}`));
    worker.on('exit', (code) => gone(`exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #failAll(error: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}
