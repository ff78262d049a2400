/**
 * `folio-gup trace <scenario> --proposal <name>`: one proposal on one scenario, step by
 * step, for driver authors (trace.ts); text or JSON on stdout. Exit 1 when an
 * invariant broke, 2 for an unknown scenario or proposal or a scenario that cannot be
 * built.
 */
import * as E from 'fp-ts/lib/Either.js';
import { EXIT_OK, EXIT_PROBLEM, usageError, type CommandContext } from './command-context.js';
import { seeded } from './runner.js';
import type { MergePolicy } from './scenario.js';
import { selectProposals, selectScenarios } from './scenario-select.js';
import { traceScenario } from './trace.js';
import { renderTraceText } from './trace-text.js';

export interface TraceArgs {
  readonly scenario: string;
  readonly proposal: string;
  readonly seed?: number;
  readonly merge?: MergePolicy;
  readonly limit: number;
  readonly json: boolean;
}

export function traceCommand(ctx: CommandContext, args: TraceArgs): number {
  const picked = selectProposals([args.proposal], ctx.strategies);
  if (E.isLeft(picked)) return usageError(ctx, picked.left);
  const strategy = picked.right.strategies[0]!;
  const variant = picked.right.variants.get(strategy.name)?.[0];
  const scenarios = selectScenarios([args.scenario], ctx.strategies);
  if (E.isLeft(scenarios)) return usageError(ctx, scenarios.left);
  const s = seeded(scenarios.right[0]!, args.seed);
  const t = traceScenario(s, strategy, {
    limit: args.limit,
    ...(variant !== undefined ? { variant } : {}),
    ...(args.merge !== undefined ? { merge: args.merge } : {}),
  });
  if (E.isLeft(t)) return usageError(ctx, t.left);
  ctx.out(args.json ? `${JSON.stringify({ schemaVersion: 1, tool: ctx.tool, node: process.version, trace: t.right }, null, 2)}\n` : renderTraceText(t.right));
  return t.right.invariant.length === 0 && t.right.pin.warnings.length === 0 && t.right.release.warnings.length === 0 ? EXIT_OK : EXIT_PROBLEM;
}
