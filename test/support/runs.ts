// How many runs a property gets. CI needs floors (10,000 fuzzed inputs, 1,000 model
// sequences); `npm run mutate` runs every covering test once per mutant, so there
// FC_EXACT_RUNS=1 makes FC_NUM_RUNS the count as given and a mutant costs seconds.
import { fc } from '@fast-check/vitest';

/** True under `npm run mutate`: FC_NUM_RUNS is used as is, floors and coverage quotas are off. */
export const exactRuns = process.env.FC_EXACT_RUNS === '1';

/** `floor` runs, or more if FC_NUM_RUNS asks; exactly FC_NUM_RUNS when `exactRuns`. */
export function atLeastRuns(floor: number): number {
  const configured = fc.readConfigureGlobal().numRuns;
  if (exactRuns && configured !== undefined) return configured;
  return Math.max(floor, configured ?? 0);
}
