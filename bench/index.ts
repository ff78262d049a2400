/**
 * `npm run bench`: every tinybench suite in turn. BENCH_QUICK=1 shortens each task's
 * sampling window (for a smoke run); ratios are printed per suite.
 */
import pinArithmeticBench from './pin-arithmetic.bench.js';
import walkBench from './walk.bench.js';

const suites: (() => Promise<unknown>)[] = [pinArithmeticBench, walkBench];

for (const suite of suites) await suite();
