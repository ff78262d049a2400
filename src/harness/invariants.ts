/**
 * The checks every run must pass once its I/O has completed, whatever the proposal
 * (Documentation/core-api/pin_user_pages.rst: nr_foll_pin_acquired and
 * nr_foll_pin_released "will be equal unless there are any long-term [R]DMA pins in
 * place, or during pin/unpin transitions"):
 *
 * - the vmstat pin counters moved by the same amount;
 * - no folio's pincount differs from before the pin, and no order-0 folio carries a
 *   GUP_PIN_COUNTING_BIAS;
 * - no refcount went negative;
 * - refcounts are back: when the pin changed nothing structural (no fault, COW copy,
 *   unshare or migration) every refcount is exactly as before; otherwise every folio
 *   the run touched holds exactly the references its mappings and page cache account
 *   for (one per PTE, one per PMD or PUD leaf, one per page-cache slot), which is what
 *   "no reference leaked and none dropped twice" means once folios have moved.
 *
 * Not kernel code: the kernel has no such check (CONFIG_DEBUG_VM checks much less).
 */
import { GUP_PIN_COUNTING_BIAS } from '../mm/constants.js';
import { machineFiles } from '../mm/file.js';
import type { Machine } from '../mm/machine.js';
import { PG_ALLOCATED, PG_HEAD } from '../mm/page-flags.js';
import { formatAddress } from './units.js';
import { snapshotValue, type WorldSnapshot } from './machine-snapshot.js';
import { deltaField, deltaSize, type StateDelta } from './state-delta.js';

/** At most this many problems are listed per check. */
const MAX_LISTED = 5;

/** Page-cache slots per folio head, over every file of the machine. */
function pageCacheRefs(m: Machine, folios: ReadonlySet<number>): Map<number, number> {
  const refs = new Map<number, number>();
  for (const f of machineFiles(m)) {
    const cache = f.cache;
    for (let i = 0; i < cache.length; i++) {
      const folio = cache[i]!;
      if (folio >= 0 && folios.has(folio)) refs.set(folio, (refs.get(folio) ?? 0) + 1);
    }
  }
  return refs;
}

/** References the folio's mappings and page cache account for. */
export function accountedRefs(m: Machine, folio: number, cacheRefs: number): number {
  const nr = 1 << m.order[folio]!;
  let refs = m.entireMapcount[folio]! + cacheRefs;
  const mapcount = m.mapcount;
  for (let p = folio; p < folio + nr; p++) refs += mapcount[p]!;
  return refs;
}

function headOf(m: Machine, pfn: number): number {
  return pfn & ~((1 << m.order[pfn]!) - 1);
}

/**
 * Problems with the world after a run's completion, compared with the snapshot taken
 * before its pin; empty when every check passes. `structural` says whether the run
 * faulted, copied or migrated (then refcounts are checked against the rmap).
 */
export function checkInvariants(m: Machine, s: WorldSnapshot, d: StateDelta, structural: boolean): string[] {
  const out: string[] = [];
  const acquired = m.stat.nrFollPinAcquired - s.stat.nrFollPinAcquired;
  const released = m.stat.nrFollPinReleased - s.stat.nrFollPinReleased;
  if (acquired !== released)
    out.push(`pins not balanced: nr_foll_pin_acquired +${acquired}, nr_foll_pin_released +${released}`);
  const touched = new Set<number>();
  const counts = { pincount: 0, refcount: 0, bias: 0, negative: 0 };
  const n = deltaSize(d);
  for (let i = 0; i < n; i++) {
    const field = deltaField(d, i);
    const pfn = d.entries[i * 3 + 1]!;
    const value = d.entries[i * 3 + 2]!;
    if (pfn === 0) continue;
    if ((m.flags[pfn]! & PG_ALLOCATED) !== 0) touched.add(headOf(m, pfn));
    if (field === 'pincount' && value !== snapshotValue(s, 'pincount', pfn)) {
      if (counts.pincount++ < MAX_LISTED) out.push(`folio ${formatAddress(pfn)}: pincount ${value}, was ${snapshotValue(s, 'pincount', pfn)}`);
    } else if (field === 'refcount') {
      if (value < 0) {
        if (counts.negative++ < MAX_LISTED) out.push(`folio ${formatAddress(pfn)}: negative refcount ${value}`);
      } else if (m.order[pfn] === 0 && value >= GUP_PIN_COUNTING_BIAS && (m.flags[pfn]! & PG_HEAD) !== 0) {
        if (counts.bias++ < MAX_LISTED) out.push(`folio ${formatAddress(pfn)}: refcount ${value} still carries a pin bias`);
      } else if (!structural && counts.refcount++ < MAX_LISTED)
        out.push(`folio ${formatAddress(pfn)}: refcount ${value}, was ${snapshotValue(s, 'refcount', pfn)} before the pin`);
    }
  }
  if (structural) {
    const heads = new Set<number>();
    for (const f of touched) if ((m.flags[f]! & PG_HEAD) !== 0) heads.add(f);
    const cache = pageCacheRefs(m, heads);
    let bad = 0;
    for (const f of heads) {
      const want = accountedRefs(m, f, cache.get(f) ?? 0);
      if (m.refcount[f] !== want && bad++ < MAX_LISTED)
        out.push(`folio ${formatAddress(f)}: refcount ${m.refcount[f]}, but its mappings and page cache hold ${want}`);
    }
    if (bad > MAX_LISTED) out.push(`... and ${bad - MAX_LISTED} more folios with unaccounted references`);
  }
  for (const [what, c] of Object.entries(counts))
    if (c > MAX_LISTED) out.push(`... and ${c - MAX_LISTED} more ${what} problems`);
  return out;
}
