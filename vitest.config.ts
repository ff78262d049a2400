import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    // Test files share one module graph per worker: the model keeps no global state
    // between machines, and re-importing it per file cost ~2 s of setup each.
    isolate: false,
  },
});
