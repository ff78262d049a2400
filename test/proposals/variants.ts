/**
 * Every registered proposal with every setting worth running: each merge policy it
 * supports, each callee sizing, and caller array sizes from the degenerate (1) to the
 * default. The page-array control with the same merge policy is the reference.
 */
import type { MergePolicy, PinStrategy, SizingVariant, StrategySettings } from '../../src/index.js';
import { proposals } from '../../proposals/index.js';

export interface Variant {
  readonly label: string;
  readonly proposal: PinStrategy;
  readonly settings: StrategySettings;
}

const SIZINGS: readonly SizingVariant[] = ['worst-case', 'grow', 'count-first', 'chunked'];

/** Settings to try for one proposal under one merge policy. */
function settingsFor(p: PinStrategy, merge: MergePolicy): StrategySettings[] {
  if (p.settings.includes('sizing'))
    return SIZINGS.flatMap((sizing): StrategySettings[] =>
      sizing === 'chunked' ? [{ merge, sizing }, { merge, sizing, chunkSize: 2 }] : [{ merge, sizing }],
    );
  if (p.settings.includes('chunkSize')) return [{ merge, chunkSize: 1 }, { merge, chunkSize: 3 }, { merge }, { merge, chunkSize: 100 }];
  return [{ merge }];
}

function label(p: PinStrategy, s: StrategySettings): string {
  const parts = [`merge=${s.merge}`];
  if (s.sizing !== undefined) parts.push(`sizing=${s.sizing}`);
  if (s.chunkSize !== undefined) parts.push(`chunk=${s.chunkSize}`);
  return `${p.name} ${parts.join(' ')}`;
}

/** All variants of all registered proposals. */
export const VARIANTS: readonly Variant[] = proposals.flatMap((p) =>
  p.mergePolicies.flatMap((merge) => settingsFor(p, merge).map((settings) => ({ label: label(p, settings), proposal: p, settings }))),
);

/** The reference for `merge`: the page-array control. */
export function control(merge: MergePolicy): Variant {
  const v = VARIANTS.find((x) => x.proposal.option === 'control' && x.proposal.name === 'page-array' && x.settings.merge === merge);
  if (v === undefined) throw new Error('the page-array control is not registered');
  return v;
}
