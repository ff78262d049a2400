/**
 * The rows of a comparison: each registered proposal once, except that a proposal
 * reading the `sizing` setting (callee-allocates) is measured once per sizing variant
 * (`callee-allocates:grow`, ...) unless the scenario fixes its sizing. Each row's
 * settings are the scenario's for that proposal, with the merge policy defaulting to
 * 'folio' (one vector per run inside a folio) or to the one asked on the command line.
 *
 * A row the proposal cannot serve as asked is not run, with the reason: a request flag
 * its canonical caller cannot state (outside `expressibleGupFlags`, for example
 * FOLL_LONGTERM through an iov_iter), or a merge policy it lacks (`--merge physical`, or
 * the scenario's setting, for a folio-only proposal). Those requests are outside what
 * the proposal can be compared on, not a usage error: the other rows still run.
 *
 * Not a kernel concept.
 */
import { follFlagsToString } from '../mm/foll-flags.js';
import type { PinStrategy, StrategySettings } from '../strategy/pin-strategy.js';
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

/** A row that is not run, and why (shown in every report as "not run: <reason>"). */
export interface NotRunRow {
  /** The label the row would have had. */
  readonly label: string;
  readonly shown: ProposalSettings;
  readonly reason: string;
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
 * Why `strategy` cannot serve the scenario's request under `merge`, or null when it can:
 * the flags its caller cannot state, then a merge policy it lacks.
 */
export function notRunReason(strategy: PinStrategy, gupFlags: number, merge: MergePolicy): string | null {
  const reasons: string[] = [];
  const expressible = strategy.expressibleGupFlags;
  if (expressible !== undefined && (gupFlags & ~expressible) !== 0)
    reasons.push(
      `${follFlagsToString(gupFlags & ~expressible)} cannot be expressed through ${strategy.expressibleThrough ?? `${strategy.name}'s caller`}`,
    );
  if (!strategy.mergePolicies.includes(merge))
    reasons.push(`${strategy.name} has no merge=${merge} (it supports ${strategy.mergePolicies.join(', ')})`);
  return reasons.length === 0 ? null : reasons.join('; ');
}

/** The rows for a scenario, in registry order, and the rows not run with their reasons. */
export function proposalRows(
  scenario: Scenario,
  strategies: readonly PinStrategy[],
  opts: RowOptions = {},
): { rows: ProposalRow[]; notRun: NotRunRow[] } {
  const rows: ProposalRow[] = [];
  const notRun: NotRunRow[] = [];
  for (const strategy of strategies) {
    const asked = scenario.proposals[strategy.name] ?? {};
    const merge: MergePolicy = opts.merge ?? asked.merge ?? 'folio';
    const reason = notRunReason(strategy, scenario.request.flags, merge);
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
      const label = settings.sizing !== undefined && reads ? `${strategy.name}:${settings.sizing}` : strategy.name;
      const shown = shownSettings(strategy, settings);
      if (reason !== null) notRun.push({ label, shown, reason });
      else rows.push({ label, strategy, settings, shown });
    }
  }
  return { rows, notRun };
}
