// The test set `npm run mutate` runs against each mutant of src/mm, src/gup and src/block.
// Left out: test/cli (it spawns the CLI, whose child process never sees the active
// mutant) and test/harness (whole-scenario runs that reach the model only through the
// suites kept here, at seconds per mutant).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';
import CheapFirstSequencer from './test/support/cheap-first-sequencer.js';

export default defineConfig({
  ...base,
  // Instrumented code under per-test coverage runs several times slower than plain.
  test: {
    ...base.test,
    include: ['test/{mm,gup,block,misuse,model,proposals,bad-arguments}/**/*.test.ts'],
    testTimeout: 300_000,
    sequence: { sequencer: CheapFirstSequencer },
  },
});
