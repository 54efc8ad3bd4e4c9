import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: a test waits for events, and these limits only end a test that is broken. CI may
    // run at a load average of 15 on 2 cores, where a worker thread or a child process takes seconds
    // to start; no test may fail because the machine is slow.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
