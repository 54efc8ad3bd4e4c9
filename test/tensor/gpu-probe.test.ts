/**
 * The 'auto' backend's GPU probe asks Dawn for an adapter in a child process, so that Dawn's warnings
 * about Vulkan drivers it cannot use never reach a user who did not ask for a GPU.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const backend = fileURLToPath(new URL('../../src/tensor/backend.ts', import.meta.url));

describe('gpuTensorBackend', () => {
  it('probes the adapter without printing anything, even where Dawn has drivers to complain about', () => {
    // A driver manifest in the environment makes the probe run on any machine (it may not exist:
    // Dawn then warns that it cannot load it, in the child).
    const script =
      `const { gpuTensorBackend, probeAdapterQuietly } = await import(${JSON.stringify(backend)});\n` +
      'const probed = await probeAdapterQuietly();\n' +
      'const runtime = await gpuTensorBackend();\n' +
      'console.log(JSON.stringify({ probed, runtime: runtime === null ? null : runtime.info.name }));\n';
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        ...process.env,
        MOBO_TENSOR_BACKEND: '',
        VK_DRIVER_FILES: process.env.VK_DRIVER_FILES ?? '/nonexistent/vulkan/icd.json',
      },
    });
    expect(child.status).toBe(0);
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      probed: { device: string; software: boolean } | null;
      runtime: string | null;
    };
    // No adapter, or a software one (lavapipe in CI): no GPU backend. A hardware one: a GPU backend.
    if (result.probed === null || result.probed.software) expect(result.runtime).toBeNull();
    else expect(['webgpu', 'tfjs-node-gpu']).toContain(result.runtime);
  });
});
