/**
 * The values of the strategy layer's string enums (pin-strategy.ts), for the argument
 * checks of the callees and builders. Internal to src/strategy (not re-exported): the
 * harness keeps its own lists for scenario validation.
 */
import type { MergePolicy, SizingVariant } from './pin-strategy.js';

/** Every MergePolicy. */
export const MERGE_POLICIES: readonly MergePolicy[] = ['folio', 'physical'];

/** Every SizingVariant. */
export const SIZING_VARIANTS: readonly SizingVariant[] = ['worst-case', 'grow', 'count-first', 'chunked'];
