/**
 * What the sequences reached: a count per interesting event (a pin held across fork, a
 * munmap or exit while pinned, a migration refused, an injected failure...). The test
 * asserts each was reached at least once, so a generator change that stops exercising
 * one cannot pass silently.
 */

const counts = new Map<string, number>();

/** The events the test requires, with why each matters. */
export const REQUIRED_EVENTS = [
  'pin: full',
  'pin: short at a hole',
  'pin: -EFAULT',
  'pin: injected failure, -ENOMEM',
  'pin: injected failure, short',
  'pin: long-term, migrated out of CMA/ZONE_MOVABLE',
  'pin: long-term, blocked by a pinned folio',
  'fork: with pins held',
  'munmap: of a pinned page',
  'munmap: -EINVAL inside a hugetlb page',
  'exit: with pins held',
  'complete: last pin of an unmapped folio frees it',
  'migrate: moved',
  'migrate: pinned, -EAGAIN',
  'device write: read back by the process',
] as const;

/** Events counted for information only (memory is sized so these stay rare). */
export const INFO_EVENTS = ['-ENOMEM accepted: memory short', 'pin: flags the proposal cannot express, refused'] as const;

export type CoverageEvent = (typeof REQUIRED_EVENTS)[number] | (typeof INFO_EVENTS)[number];

export function note(event: CoverageEvent): void {
  counts.set(event, (counts.get(event) ?? 0) + 1);
}

export function resetCoverage(): void {
  counts.clear();
}

/** Every event and how often it happened. */
export function coverage(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of [...REQUIRED_EVENTS, ...INFO_EVENTS]) out[e] = counts.get(e) ?? 0;
  return out;
}
