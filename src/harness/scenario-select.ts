/**
 * Resolving the scenarios named on a command line: each argument is a built-in
 * scenario's name, or the path of a scenario file (anything with a `/`, ending in
 * `.json`, or naming an existing file). No argument means the whole built-in suite.
 * Every problem comes back as one line (unknown names with a "did you mean", and the
 * loader's `<file>: <JSON path>: ...` lines), never as a throw. Not a kernel concept.
 */
import { existsSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type { PinStrategy } from '../strategy/pin-strategy.js';
import { BUILT_IN_NAMES, builtInScenarios } from './builtin-scenarios.js';
import { SIZING_VARIANTS, type Scenario, type SizingVariant } from './scenario.js';
import { loadScenarioFile } from './scenario-loader.js';
import type { ScenarioParseOptions } from './scenario-normalize.js';
import { closestKey } from './strict-struct.js';

/** What the loader is told about the registered proposals. */
export function parseOptionsFor(strategies: readonly PinStrategy[]): ScenarioParseOptions {
  const proposals: Record<string, PinStrategy['settings']> = {};
  for (const s of strategies) proposals[s.name] = s.settings;
  return { proposals };
}

function looksLikeFile(arg: string): boolean {
  return arg.includes('/') || arg.endsWith('.json') || (!BUILT_IN_NAMES.includes(arg) && existsSync(arg));
}

/** The scenarios `args` name, in order, or one line per problem. */
export function selectScenarios(args: readonly string[], strategies: readonly PinStrategy[]): E.Either<string[], Scenario[]> {
  const options = parseOptionsFor(strategies);
  const builtIns = builtInScenarios(options);
  if (args.length === 0) return E.right(builtIns);
  const problems: string[] = [];
  const out: Scenario[] = [];
  for (const arg of args) {
    if (looksLikeFile(arg)) {
      const loaded = loadScenarioFile(arg, options);
      if (E.isLeft(loaded)) problems.push(...loaded.left);
      else out.push(loaded.right);
      continue;
    }
    const found = builtIns.find((s) => s.name === arg);
    if (found !== undefined) {
      out.push(found);
      continue;
    }
    const hint = closestKey(arg, BUILT_IN_NAMES);
    problems.push(
      `unknown scenario "${arg}"${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}: expected a built-in scenario (folio-gup scenarios lists them) or a scenario file`,
    );
  }
  return problems.length > 0 ? E.left(problems) : E.right(out);
}

/** Proposals picked on the command line, with the sizing variants asked for each (none: all). */
export interface ProposalSelection {
  readonly strategies: PinStrategy[];
  readonly variants: ReadonlyMap<string, readonly SizingVariant[]>;
}

/**
 * The proposals `names` select, in registry order: a name selects a proposal (all its
 * sizing variants), `name:variant` one variant. Left: a line per unknown name.
 */
export function selectProposals(
  names: readonly string[],
  strategies: readonly PinStrategy[],
): E.Either<string[], ProposalSelection> {
  if (names.length === 0) return E.right({ strategies: [...strategies], variants: new Map() });
  const known = strategies.map((s) => s.name);
  const problems: string[] = [];
  const variants = new Map<string, SizingVariant[]>();
  const picked = new Set<string>();
  for (const full of names) {
    const [name = '', variant] = full.split(':', 2);
    if (!known.includes(name)) {
      const hint = closestKey(name, known);
      problems.push(`unknown proposal "${full}"${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}: expected one of ${known.join(', ')}`);
      continue;
    }
    picked.add(name);
    if (variant === undefined) continue;
    const strategy = strategies.find((s) => s.name === name)!;
    if (!strategy.settings.includes('sizing') || !(SIZING_VARIANTS as readonly string[]).includes(variant)) {
      problems.push(
        strategy.settings.includes('sizing')
          ? `unknown variant "${full}": expected ${SIZING_VARIANTS.map((v) => `${name}:${v}`).join(', ')}`
          : `unknown variant "${full}": ${name} has no sizing variants`,
      );
      continue;
    }
    variants.set(name, [...(variants.get(name) ?? []), variant as SizingVariant]);
  }
  if (problems.length > 0) return E.left(problems);
  return E.right({ strategies: strategies.filter((s) => picked.has(s.name)), variants });
}
