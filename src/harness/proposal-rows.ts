/**
 * The rows of a comparison: each registered proposal once, except that a proposal
 * reading the `sizing` setting (callee-allocates) is measured once per sizing variant
 * (`callee-allocates:grow`, ...) unless the scenario fixes its sizing. Each row's
 * settings are the scenario's for that proposal, with the merge policy defaulting to
 * 'folio' (one vector per run inside a folio) or to the one asked on the command line.
 *
 * Not a kernel concept.
 */
import type { PinStrategy, StrategySettings } from '../strategy/pin-strategy.js';
import { pathKey } from './json-path.js';
import { SIZING_VARIANTS, type MergePolicy, type ProposalSettings, type Scenario, type SizingVariant } from './scenario.js';

/** One proposal (and variant) as the runner measures it. */
export interface ProposalRow {
  /** `callee-allocates:grow`, or the proposal's name. */
  readonly label: string;
  readonly strategy: PinStrategy;
  /** What the strategy is called with. */
  readonly settings: StrategySettings;
  /** The same, as the report shows it (only the settings the proposal reads). */
  readonly shown: ProposalSettings;
}

/** A row that cannot run as asked, for example a merge policy the proposal lacks. */
export interface RowProblem {
  readonly path: string;
  readonly message: string;
}

export interface RowOptions {
  /** Overrides every proposal's merge policy (`compare --merge`). */
  readonly merge?: MergePolicy;
  /** Only these sizing variants of a proposal (`--proposal callee-allocates:grow`). */
  readonly variants?: ReadonlyMap<string, readonly SizingVariant[]>;
}

function shownSettings(strategy: PinStrategy, s: StrategySettings): ProposalSettings {
  const out: { -readonly [K in keyof ProposalSettings]: ProposalSettings[K] } = {};
  if (strategy.settings.includes('chunkSize') && s.chunkSize !== undefined) out.chunkSize = s.chunkSize;
  if (strategy.settings.includes('merge')) out.merge = s.merge;
  if (strategy.settings.includes('sizing') && s.sizing !== undefined) out.sizing = s.sizing;
  return out;
}

/**
 * The rows for a scenario, in registry order, or the problems that stop it: a merge
 * policy a proposal does not support.
 */
export function proposalRows(
  scenario: Scenario,
  strategies: readonly PinStrategy[],
  opts: RowOptions = {},
): { rows: ProposalRow[]; problems: RowProblem[] } {
  const rows: ProposalRow[] = [];
  const problems: RowProblem[] = [];
  for (const strategy of strategies) {
    const asked = scenario.proposals[strategy.name] ?? {};
    const merge: MergePolicy = opts.merge ?? asked.merge ?? 'folio';
    if (!strategy.mergePolicies.includes(merge)) {
      problems.push({
        path: opts.merge !== undefined ? '--merge' : pathKey(pathKey('$.proposals', strategy.name), 'merge'),
        message: `expected a merge policy ${strategy.name} supports (${strategy.mergePolicies.join(', ')}), found ${merge}`,
      });
      continue;
    }
    const base: StrategySettings = {
      merge,
      ...(asked.chunkSize !== undefined ? { chunkSize: asked.chunkSize } : {}),
      ...(asked.sizing !== undefined ? { sizing: asked.sizing } : {}),
    };
    const reads = strategy.settings.includes('sizing');
    const variants: readonly (SizingVariant | undefined)[] =
      reads && opts.variants?.get(strategy.name) !== undefined
        ? opts.variants.get(strategy.name)!
        : reads && asked.sizing === undefined
          ? SIZING_VARIANTS
          : [undefined];
    for (const sizing of variants) {
      const settings: StrategySettings = sizing === undefined ? base : { ...base, sizing };
      rows.push({
        label: settings.sizing !== undefined && strategy.settings.includes('sizing') ? `${strategy.name}:${settings.sizing}` : strategy.name,
        strategy,
        settings,
        shown: shownSettings(strategy, settings),
      });
    }
  }
  return { rows, problems };
}
