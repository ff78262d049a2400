/**
 * Deterministic cost counters: what an operation would cost in the kernel, counted
 * exactly rather than timed. Every layer adds to the machine's one `CostCounters`
 * (design.md, "Cost counters"); the harness snapshots and diffs them.
 *
 * Not a kernel structure: the kernel has no such counters. What counts as one atomic
 * operation follows the kernel code of each primitive (for example, a fast-path pin of
 * an order-0 folio is two atomics: `folio_ref_try_add` then `folio_ref_add`).
 */

/** The counter names, in report order. */
export const COST_FIELDS = [
  'apiCalls',
  'walkRestarts',
  'levelsDescended',
  'ptesVisited',
  'hugeLeavesVisited',
  'faults',
  'fastPathFallbacks',
  'refcountAtomics',
  'pincountAtomics',
  'allocations',
  'bytesAsked',
  'bytesGiven',
  'bytesUnused',
  'bytesCopied',
  'frees',
  'bvecsWritten',
  'pagePointersWritten',
  'biosBuilt',
  'pagesReleased',
] as const;

export type CostField = (typeof COST_FIELDS)[number];

/** A plain record of every counter, for snapshots and reports. */
export type CostSnapshot = Record<CostField, number>;

/** Mutable counters; fields are plain numbers so hot loops can add to them cheaply. */
export class CostCounters implements CostSnapshot {
  /** Calls into a GUP-like API (each call into a callee counts once). */
  apiCalls = 0;
  /** Walks started from the top of the page tables (pgd_offset). */
  walkRestarts = 0;
  /** Page-table levels descended (pgd -> p4d -> pud -> pmd -> pte). */
  levelsDescended = 0;
  /** PTE entries read. */
  ptesVisited = 0;
  /** PMD and PUD leaf entries read. */
  hugeLeavesVisited = 0;
  /** Page faults handled (handle_mm_fault calls). */
  faults = 0;
  /** Times the lockless fast path handed the rest of a range to the slow path. */
  fastPathFallbacks = 0;
  /**
   * Atomic read-modify-writes on folio refcounts. A folio_ref_add counts one whatever
   * it adds: the fault paths' folio_ref_add(folio, nr_pages - 1) (do_anonymous_page,
   * finish_fault) counts for an order-0 folio too, adding 0, as the kernel executes it.
   * Setting a new folio's count to 1 at allocation is a plain store and counts none.
   */
  refcountAtomics = 0;
  /** Atomic read-modify-writes on folio pincounts. */
  pincountAtomics = 0;
  /** Kernel allocations (kmalloc, kvmalloc, vmalloc) made for output arrays. */
  allocations = 0;
  /** Bytes asked of the allocator. */
  bytesAsked = 0;
  /** Bytes the allocator actually handed out (size class or vmalloc pages). */
  bytesGiven = 0;
  /** Bytes of output arrays never written. */
  bytesUnused = 0;
  /** Bytes copied when an output array was grown. */
  bytesCopied = 0;
  /** kfree/kvfree calls. */
  frees = 0;
  /** struct bio_vec entries written. */
  bvecsWritten = 0;
  /** struct page * entries written. */
  pagePointersWritten = 0;
  /** struct bio built. */
  biosBuilt = 0;
  /** Pages whose pin (or reference) the caller released. */
  pagesReleased = 0;
}

/** A copy of the counters' current values. */
export function costSnapshot(c: CostCounters): CostSnapshot {
  const out = {} as CostSnapshot;
  for (const f of COST_FIELDS) out[f] = c[f];
  return out;
}

/** `after - before`, field by field. */
export function costDiff(after: CostSnapshot, before: CostSnapshot): CostSnapshot {
  const out = {} as CostSnapshot;
  for (const f of COST_FIELDS) out[f] = after[f] - before[f];
  return out;
}

/** Sets every counter back to zero. */
export function costReset(c: CostCounters): void {
  for (const f of COST_FIELDS) c[f] = 0;
}
