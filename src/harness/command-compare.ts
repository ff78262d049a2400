/**
 * `folio-gup compare` and `folio-gup bench`: resolve the scenarios and proposals named
 * on the command line, run the comparison, print it (text, Markdown or JSON for
 * compare; the timings alone for bench) on stdout and a one-line summary on stderr.
 * Exit 1 when any run is not equivalent, broke an invariant or hit a kernel WARN; a
 * row not run (a request the proposal cannot serve as asked) is reported, not a failure.
 */
import * as E from 'fp-ts/lib/Either.js';
import { EXIT_OK, EXIT_PROBLEM, progressBar, usageError, type CommandContext } from './command-context.js';
import { renderBenchJson, renderBenchText } from './report-bench.js';
import { renderJson } from './report-json.js';
import { renderMarkdown } from './report-markdown.js';
import { renderText } from './report-text.js';
import { comparisonClean, runClean, type Comparison } from './result.js';
import { runComparison } from './runner.js';
import type { MergePolicy } from './scenario.js';
import { selectProposals, selectScenarios } from './scenario-select.js';
import type { TimingBudget } from './timing.js';

export type CompareFormat = 'text' | 'md' | 'json';

export interface CompareArgs {
  /** Built-in names or scenario files; empty for the default suite. */
  readonly scenarios: readonly string[];
  /** `name` or `name:variant`; empty for all. */
  readonly proposals: readonly string[];
  readonly seed?: number;
  readonly merge?: MergePolicy;
  /** null: counters only, no tinybench. */
  readonly timing: TimingBudget | null;
}

/** Runs a comparison for a command; Left is an exit code already reported. */
export function comparisonFor(ctx: CommandContext, args: CompareArgs): E.Either<number, Comparison> {
  const picked = selectProposals(args.proposals, ctx.strategies);
  if (E.isLeft(picked)) return E.left(usageError(ctx, picked.left));
  const scenarios = selectScenarios(args.scenarios, ctx.strategies);
  if (E.isLeft(scenarios)) return E.left(usageError(ctx, scenarios.left));
  const bar = progressBar(ctx);
  const started = performance.now();
  let result;
  try {
    result = runComparison(scenarios.right, picked.right.strategies, {
      tool: ctx.tool,
      timing: args.timing,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.merge !== undefined ? { merge: args.merge } : {}),
      variants: picked.right.variants,
      ...(bar.onProgress !== undefined ? { onProgress: bar.onProgress } : {}),
    });
  } finally {
    bar.stop();
  }
  if (E.isLeft(result)) return E.left(usageError(ctx, result.left));
  const c = result.right;
  const runs = c.scenarios.reduce((n, s) => n + s.runs.length, 0);
  const notRun = c.scenarios.reduce((n, s) => n + s.notRun.length, 0);
  const bad = c.scenarios.reduce((n, s) => n + s.runs.filter((r) => !runClean(r)).length, 0);
  ctx.err(
    `${ctx.tool.name}: ${c.scenarios.length} scenarios, ${runs} runs${notRun > 0 ? ` (${notRun} not run)` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `seed ${c.seed ?? "each scenario's own"}; ${bad === 0 ? 'all equivalent, every invariant held' : `${bad} runs not clean (exit 1)`}\n`,
  );
  return E.right(c);
}

/** `compare`: the comparison in the asked format. */
export function compareCommand(ctx: CommandContext, args: CompareArgs & { readonly format: CompareFormat }): number {
  const c = comparisonFor(ctx, args);
  if (E.isLeft(c)) return c.left;
  ctx.out(args.format === 'json' ? renderJson(c.right) : args.format === 'md' ? renderMarkdown(c.right) : renderText(c.right));
  return comparisonClean(c.right) ? EXIT_OK : EXIT_PROBLEM;
}

/** `bench`: the timings alone (text or JSON). */
export function benchCommand(ctx: CommandContext, args: CompareArgs & { readonly json: boolean }): number {
  const c = comparisonFor(ctx, args);
  if (E.isLeft(c)) return c.left;
  ctx.out(args.json ? renderBenchJson(c.right) : renderBenchText(c.right));
  return comparisonClean(c.right) ? EXIT_OK : EXIT_PROBLEM;
}
