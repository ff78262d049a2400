// Global test setup: replayable fast-check runs and the end-of-test pin balance check.
import { fc } from '@fast-check/vitest';
import { afterEach } from 'vitest';
import { checkTrackedMachines } from './support/machines.js';

if (process.env.FC_SEED !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.FC_SEED) });
if (process.env.FC_NUM_RUNS !== undefined)
  fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: Number(process.env.FC_NUM_RUNS) });
// Mutation runs only ask whether a property fails; shrinking its counterexample (the
// model-based test's command sequences above all) took longer than Stryker's timeout.
if (process.env.FC_END_ON_FAILURE === '1') fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });

afterEach((ctx) => {
  // A test that already failed left its machines mid-call; their imbalance would only
  // hide the failure (a property's counterexample) behind a leak report.
  checkTrackedMachines(ctx.task.result?.state === 'fail');
});
