/**
 * The TensorFlow.js backend of the batched acquisition math (float32), started once per process and
 * chosen in this order unless one is forced:
 *
 * 1. `tfjs-node-gpu`: CUDA through `@tensorflow/tfjs-node-gpu`, an optional peer dependency that a
 *    user with CUDA installs (its install script downloads libtensorflow, so we never install it);
 * 2. `webgpu`: Dawn's `webgpu` package (an optional dependency) under `@tensorflow/tfjs-backend-webgpu`,
 *    on a hardware adapter (NVIDIA, AMD and Intel GPUs through their Vulkan drivers). A software
 *    adapter (Mesa's lavapipe, SwiftShader) is skipped unless allowed or forced: it runs the GPU code
 *    path on the CPU, for tests, at about a tenth of the speed of wasm;
 * 3. `wasm`: `@tensorflow/tfjs-backend-wasm` (SIMD);
 * 4. `cpu`: the plain JavaScript backend of `@tensorflow/tfjs`.
 *
 * A missing optional package is not an error: it is skipped with its reason, and the reasons are
 * part of the returned info. `MOBO_TENSOR_BACKEND` forces a backend when the caller does not.
 *
 * Two facts about Dawn in Node (../shared/notes/webgpu.md): the object `create()` returns must stay
 * reachable for the life of the process (it is kept as the global `navigator.gpu`), and
 * `navigator.gpu` must exist before `@tensorflow/tfjs-backend-webgpu` is imported.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Tf from '@tensorflow/tfjs';

/** The backends, in the order `auto` tries them. */
export const TENSOR_BACKENDS = ['tfjs-node-gpu', 'webgpu', 'wasm', 'cpu'] as const;
export type TensorBackendName = (typeof TENSOR_BACKENDS)[number];
/**
 * The TensorFlow.js namespace.
 *
 * @internal Kept out of the published declarations (tsconfig.build.json strips `@internal`), with
 * everything typed by it: TensorFlow.js's own declarations do not type-check without
 * `skipLibCheck`, and a user's project must not need that to import mobo.
 */
export type TensorFlow = typeof Tf;

/** Options of `tensorBackend`. */
export interface TensorBackendOptions {
  /** 'auto' (default: `MOBO_TENSOR_BACKEND` if set, else the order above) or a backend to force. */
  readonly backend?: 'auto' | TensorBackendName;
  /** Let 'auto' pick a software WebGPU adapter (default false). */
  readonly allowSoftwareAdapter?: boolean;
}

/** What was started. */
export interface TensorBackendInfo {
  readonly name: TensorBackendName;
  /** The device in words: the adapter's vendor, architecture and description, or the runtime. */
  readonly device: string;
  /** True for a software GPU adapter. */
  readonly software: boolean;
  /** Backends tried before this one, with why each was not used. */
  readonly skipped: readonly { readonly name: TensorBackendName; readonly reason: string }[];
}

/** A started backend: the TensorFlow.js namespace (its global backend is `info.name`) and the info. */
export interface TensorRuntime {
  /** @internal The namespace; import '@tensorflow/tfjs' for a typed one (the same instance). */
  readonly tf: TensorFlow;
  readonly info: TensorBackendInfo;
}

/** The tfjs name a backend registers under. */
const TFJS_NAME: Record<TensorBackendName, string> = {
  'tfjs-node-gpu': 'tensorflow',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

class Unavailable extends Error {}
/** A software adapter where software ones are not allowed: not cached, a later call may force it. */
class SoftwareRefused extends Unavailable {}

/** A started backend's device line, and whether it is a software GPU adapter. */
interface Device {
  readonly device: string;
  readonly software: boolean;
}

let tfPromise: Promise<TensorFlow> | null = null;
/** Started backends. */
const started = new Map<TensorBackendName, Device>();
/** Why a backend could not start (cached: a second attempt would fail the same way). */
const failed = new Map<TensorBackendName, string>();
/** The WebGPU adapter Dawn offered, once asked. */
let adapter: Device | null = null;

/**
 * `@tensorflow/tfjs`, loaded on first use (about a second), with float32 as its only float.
 * @internal (typed by TensorFlow)
 */
export function loadTensorFlow(): Promise<TensorFlow> {
  tfPromise ??= import('@tensorflow/tfjs').then((tf) => {
    // Production mode: no per-op NaN checks, and no console advice to install tfjs-node.
    tf.enableProdMode();
    return tf;
  });
  return tfPromise;
}

/** Imports an optional package by a name TypeScript does not resolve (it may be absent). */
async function importOptional(name: string): Promise<Record<string, unknown>> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Unavailable(`${name} is not installed`);
    }
    throw new Unavailable(`${name} failed to load: ${(e as Error).message}`);
  }
}

interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly device?: string;
  readonly isFallbackAdapter?: boolean;
}

/**
 * Creates Dawn's GPU object (once, as `navigator.gpu`) and asks it for an adapter: what it is, and
 * whether it is a software one. Needs no TensorFlow.js.
 */
async function queryAdapter(): Promise<Device> {
  if (adapter) return adapter;
  const webgpu = await importOptional('webgpu');
  const create = webgpu.create as ((flags: string[]) => unknown) | undefined;
  if (typeof create !== 'function') throw new Unavailable('webgpu has no create()');
  Object.assign(globalThis, webgpu.globals as object);
  const gpu = create([]) as { requestAdapter(o?: object): Promise<{ info: GpuAdapterInfoLike } | null> };
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (g.navigator.gpu !== gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
  const found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!found) throw new Unavailable('webgpu found no adapter (no Vulkan driver for this machine?)');
  adapter = deviceOf(found.info);
  return adapter;
}

/** Throws `SoftwareRefused` for a software adapter unless software ones are allowed. */
function refuseSoftware(what: Device, allowSoftware: boolean): void {
  if (what.software && !allowSoftware) {
    throw new SoftwareRefused(
      `the only adapter is a software one (${what.device}), slower than wasm; force 'webgpu' to use it`,
    );
  }
}

async function startWebGpu(tf: TensorFlow, allowSoftware: boolean): Promise<Device> {
  const what = await queryAdapter();
  refuseSoftware(what, allowSoftware);
  if (!tf.findBackendFactory('webgpu')) await importOptional('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) {
    throw new Unavailable(
      '@tensorflow/tfjs-backend-webgpu registered with another copy of @tensorflow/tfjs-core',
    );
  }
  return what;
}

async function start(tf: TensorFlow, name: TensorBackendName, allowSoftware: boolean): Promise<Device> {
  if (name === 'tfjs-node-gpu') {
    await importOptional('@tensorflow/tfjs-node-gpu');
    if (!tf.findBackendFactory('tensorflow')) {
      throw new Unavailable(
        '@tensorflow/tfjs-node-gpu registered with another copy of @tensorflow/tfjs-core: install the same version as @tensorflow/tfjs',
      );
    }
    return { device: 'CUDA (libtensorflow)', software: false };
  }
  if (name === 'webgpu') return startWebGpu(tf, allowSoftware);
  if (name === 'wasm') {
    if (!tf.findBackendFactory('wasm')) await importOptional('@tensorflow/tfjs-backend-wasm');
    return { device: 'WebAssembly (SIMD where the runtime has it), one thread', software: false };
  }
  return { device: 'JavaScript', software: false };
}

async function activate(tf: TensorFlow, name: TensorBackendName, allowSoftware: boolean): Promise<void> {
  const cached = failed.get(name);
  if (cached !== undefined) throw new Unavailable(cached);
  try {
    const prior = started.get(name);
    if (prior) refuseSoftware(prior, allowSoftware);
    const what = prior ?? (await start(tf, name, allowSoftware));
    if (!(await tf.setBackend(TFJS_NAME[name]))) {
      throw new Unavailable(`TensorFlow.js could not initialize the ${name} backend`);
    }
    started.set(name, what);
  } catch (e) {
    const reason = (e as Error).message;
    if (!(e instanceof SoftwareRefused)) failed.set(name, reason);
    throw e instanceof Unavailable ? e : new Unavailable(reason);
  }
}

function resolveName(options: TensorBackendOptions): 'auto' | TensorBackendName {
  const env = process.env.MOBO_TENSOR_BACKEND;
  const requested = options.backend ?? (env !== undefined && env !== '' ? env : 'auto');
  if (requested !== 'auto' && !(TENSOR_BACKENDS as readonly string[]).includes(requested)) {
    const where = options.backend === undefined ? 'MOBO_TENSOR_BACKEND' : 'backend';
    throw new RangeError(
      `tensorBackend: ${where} is ${JSON.stringify(requested)}, expected 'auto' or one of ${TENSOR_BACKENDS.join(', ')}`,
    );
  }
  return requested as 'auto' | TensorBackendName;
}

/**
 * Starts (once) and selects the TensorFlow.js backend; later calls switch between started ones.
 * A forced backend that cannot start is an error that says why; 'auto' falls through the order.
 */
export async function tensorBackend(options: TensorBackendOptions = {}): Promise<TensorRuntime> {
  const requested = resolveName(options);
  const tf = await loadTensorFlow();
  if (requested !== 'auto') {
    try {
      await activate(tf, requested, true);
    } catch (e) {
      throw new Error(`tensorBackend: the ${requested} backend is not available: ${(e as Error).message}`);
    }
    const what = started.get(requested)!;
    return { tf, info: { name: requested, ...what, skipped: [] } };
  }
  const skipped: { name: TensorBackendName; reason: string }[] = [];
  for (const name of TENSOR_BACKENDS) {
    try {
      await activate(tf, name, options.allowSoftwareAdapter ?? false);
      return { tf, info: { name, ...started.get(name)!, skipped } };
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message });
    }
  }
  throw new Error(
    `tensorBackend: no backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
  );
}

/** The one probe of `gpuTensorBackend`, shared by every call. */
let gpuProbe: Promise<TensorRuntime | null> | null = null;

/**
 * A GPU backend if this machine has one (tfjs-node-gpu, or WebGPU on a hardware adapter), else
 * null; decided once per process. Asks Dawn for its adapter before loading TensorFlow.js, in a
 * child process whose output is dropped: Dawn prints warnings for every Vulkan driver it cannot
 * use, and on a machine without a GPU nobody asked for one. So a machine without a GPU pays only
 * for that query (a Node start, once), none at all without a Vulkan driver manifest, and prints
 * nothing. `MOBO_TENSOR_BACKEND` overrides the probe.
 */
export function gpuTensorBackend(): Promise<TensorRuntime | null> {
  const env = process.env.MOBO_TENSOR_BACKEND;
  if (env !== undefined && env !== '' && env !== 'auto') return tensorBackend();
  gpuProbe ??= (async () => {
    if (!isInstalled('@tensorflow/tfjs-node-gpu')) {
      // No Vulkan driver that could be a GPU: do not wake Dawn (it would only print warnings).
      if (!mayHaveGpuDriver()) return null;
      const what = await probeAdapterQuietly();
      if (what === null || what.software) return null;
    }
    const runtime = await tensorBackend({ backend: 'auto' });
    return runtime.info.name === 'tfjs-node-gpu' || runtime.info.name === 'webgpu' ? runtime : null;
  })();
  return gpuProbe;
}

/** The child of `probeAdapterQuietly`: Dawn's adapter info as one JSON line, or null. */
const PROBE_SCRIPT = `
const webgpu = await import(process.argv[1]);
Object.assign(globalThis, webgpu.globals);
const gpu = webgpu.create([]);
globalThis.navigator = { gpu };
const found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const info = found ? found.info : null;
process.stdout.write(JSON.stringify(info && { vendor: info.vendor, architecture: info.architecture,
  description: info.description, device: info.device, isFallbackAdapter: info.isFallbackAdapter }) + '\\n',
  () => process.exit(0));
`;

/**
 * Dawn's adapter, asked in a child process so that Dawn's driver warnings go nowhere: null when
 * there is none, the webgpu package is missing, or the child fails or takes over a minute.
 */
export function probeAdapterQuietly(): Promise<Device | null> {
  let module: string;
  try {
    module = createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE_SCRIPT, module],
      { timeout: 60_000, encoding: 'utf8' },
      (error, stdout) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        let info: GpuAdapterInfoLike | null = null;
        try {
          info = JSON.parse(line) as GpuAdapterInfoLike | null;
        } catch {
          info = null;
        }
        // A child that crashed after printing its adapter still found one.
        resolve(info === null || (error !== null && line === '') ? null : deviceOf(info));
      },
    );
  });
}

/** The device line and software flag of an adapter's info. */
function deviceOf(info: GpuAdapterInfoLike): Device {
  const device = [info.vendor, info.architecture, info.description || info.device]
    .filter((s) => typeof s === 'string' && s.length > 0)
    .join(', ');
  return {
    device: device || 'unnamed adapter',
    software: info.isFallbackAdapter === true || info.architecture === 'software',
  };
}

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Where the Vulkan loader looks for driver manifests on Linux. */
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * False when no GPU driver can be present: on Linux, no Vulkan driver manifest other than Mesa's
 * lavapipe (software) and none named by VK_DRIVER_FILES or VK_ICD_FILENAMES. Elsewhere (Metal, D3D12)
 * always true.
 */
export function mayHaveGpuDriver(): boolean {
  if (process.platform !== 'linux') return true;
  if (process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES) return true;
  for (const dir of VULKAN_ICD_DIRS) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    if (names.some((n) => n.endsWith('.json') && !n.startsWith('lvp_icd'))) return true;
  }
  return false;
}
