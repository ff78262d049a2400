/**
 * Runs one tinybench suite and prints its table and the ratios between its tasks, so
 * every figure is a ratio measured side by side in one run (absolute times on a shared
 * 2-core machine are noise).
 */
import { Bench } from 'tinybench';

export interface SuiteTask {
  readonly name: string;
  readonly fn: () => void;
  /** Runs before each iteration, untimed (e.g. to rebuild state). */
  readonly beforeEach?: () => void;
}

/** `[numerator, denominator]` task names: the ratio printed is mean(num) / mean(den). */
export type Ratio = readonly [string, string];

export interface SuiteResult {
  readonly suite: string;
  readonly meanMs: Record<string, number>;
  readonly ratios: { readonly of: string; readonly to: string; readonly ratio: number }[];
}

/** Runs the tasks in one Bench, prints the table and ratios to stdout, returns the means. */
export async function runSuite(suite: string, tasks: readonly SuiteTask[], ratios: readonly Ratio[]): Promise<SuiteResult> {
  const quick = process.env.BENCH_QUICK === '1';
  const bench = new Bench({ name: suite, time: quick ? 50 : 500, warmupTime: quick ? 10 : 100 });
  // async: false, or tinybench calls each task once on add to find out, outside its hooks.
  for (const t of tasks) bench.add(t.name, t.fn, t.beforeEach === undefined ? { async: false } : { async: false, beforeEach: t.beforeEach });
  await bench.run();
  const meanMs: Record<string, number> = {};
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`bench task ${task.name} did not complete: ${r.state}`);
    meanMs[task.name] = r.latency.mean;
  }
  console.log(`\n## ${suite}\n`);
  console.table(bench.table());
  const out: SuiteResult['ratios'] = [];
  for (const [of, to] of ratios) {
    const a = meanMs[of];
    const b = meanMs[to];
    if (a === undefined || b === undefined) throw new Error(`ratio names an unknown task: ${of} / ${to}`);
    out.push({ of, to, ratio: a / b });
    console.log(`ratio  ${(a / b).toFixed(2).padStart(9)}x  ${of}  /  ${to}`);
  }
  return { suite, meanMs, ratios: out };
}
