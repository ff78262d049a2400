/**
 * The counting walk of the count-first sizing: how many bvecs pin_user_bvecs_alloc()
 * will need, found before anything is allocated or pinned.
 *
 * Not in any kernel. It would be a sibling of mm/gup.c's gup_fast (lockless, IRQs off)
 * that reads the same entries and grabs nothing: no refcount or pincount atomics, no
 * fault. GUP-fast itself cannot count (try_grab_folio_fast WARNs without FOLL_GET or
 * FOLL_PIN), and a counting pass through the slow path would fault pages in, which is a
 * side effect no sizing pass may have. So the count is an upper bound, not a promise:
 * a page the fill's GUP-fast would take as it is (present, writable if FOLL_WRITE, not
 * special, gup_fast_folio_allowed, no unshare needed, long-term pinnable if
 * FOLL_LONGTERM) counts under the sink's merge rules; any other page (absent, to be
 * faulted, COW-broken, unshared or migrated) counts as a bvec of its own. Unlike
 * GUP-fast the counting walk does not stop at such a page; a missing table counts all
 * its pages in one step. Cost: one walk from the top (walkRestarts), the levels, PTEs
 * and leaves read, as gup_fast counts them. Unmodelled like gup-fast.ts: PROT_NONE,
 * secretmem. Arguments: `start` an address at most TASK_SIZE_MAX (the callee has
 * range-checked it), `gupFlags` an `unsigned int`, a sink in counting mode: ArgumentError
 * otherwise.
 */
import { PAGE_SIZE, divRoundUp } from '../mm/constants.js';
import { FOLL_LONGTERM, FOLL_PCI_P2PDMA, FOLL_WRITE } from '../mm/foll-flags.js';
import type { Mm } from '../mm/mm.js';
import { folioIsLongtermPinnable } from '../mm/folio.js';
import { MAPPING_P2PDMA } from '../mm/page-flags.js';
import {
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SPECIAL,
  PGD_PAGES,
  PMD_PAGES,
  PTRS_PER_TABLE,
  PUD_PAGES,
} from '../mm/page-table.js';
import { gupFastFolioAllowedUnchecked, gupMustUnshareUnchecked } from '../gup/gup-fast-unchecked.js';
import type { BvecSink } from './bvec-sink.js';
import { userOffsetInPage } from './pin-user-bvecs.js';
import { badArgument, checkGupFlagsWord, checkInt } from '../mm/arg-check.js';
import { TASK_SIZE_MAX } from '../mm/constants.js';

/** Whether GUP-fast would take `page` (folio `folio`) from an entry with bits `b` as it is. */
function takeable(mm: Mm, b: number, folio: number, page: number, gupFlags: number): boolean {
  const m = mm.m;
  if ((b & _PAGE_SPECIAL) !== 0) return false;
  if ((gupFlags & FOLL_WRITE) !== 0 && (b & _PAGE_RW) === 0) return false;
  if ((gupFlags & FOLL_PCI_P2PDMA) === 0 && m.mapping[folio] === MAPPING_P2PDMA) return false;
  if ((gupFlags & FOLL_LONGTERM) !== 0 && !folioIsLongtermPinnable(m, folio)) return false;
  // Per PTE, with what the walk read from its own tables: the unchecked bodies, as GUP-fast uses.
  if (!gupFastFolioAllowedUnchecked(m, folio, gupFlags)) return false;
  return (b & _PAGE_RW) !== 0 || !gupMustUnshareUnchecked(m, null, gupFlags, page);
}

/** Offers `nr` pages of one folio to the counting sink (more than one room if UINT_MAX splits them). */
function countRun(sink: BvecSink, folio: number, page: number, nr: number): void {
  while (nr > 0) {
    const got = sink.room(folio, page, nr);
    sink.add(folio, page, got);
    page += got;
    nr -= got;
  }
}

/**
 * Counts, into a counting-mode `sink` (no array), the bvecs the request from `start`
 * (the sink's len bytes; `gupFlags` with FOLL_PIN) would need. Returns sink.nr. The
 * range must already have passed gup_fast_fallback's checks (the callee checks first).
 */
export function countBvecs(mm: Mm, start: number, gupFlags: number, sink: BvecSink): number {
  checkInt('countBvecs', 'start', start, 0, TASK_SIZE_MAX);
  checkGupFlagsWord('countBvecs', gupFlags);
  if (sink.bvs !== null) badArgument('countBvecs', 'sink', sink, 'a counting-mode BvecSink (no array)');
  const cost = mm.m.cost;
  const order = mm.m.order;
  const pt = mm.pt;
  const { pgd, pud, pmd, pte } = pt;
  const nrPages = divRoundUp(userOffsetInPage(start) + sink.len, PAGE_SIZE);
  let vpn = Math.floor(start / PAGE_SIZE);
  const vpnEnd = vpn + nrPages;
  let levels = 1;
  let ptes = 0;
  let leaves = 0;
  cost.walkRestarts++;
  while (vpn < vpnEnd) {
    const g = Math.floor(vpn / PGD_PAGES);
    const pgdEnd = Math.min((g + 1) * PGD_PAGES, vpnEnd);
    if ((pgd.bits[g]! & _PAGE_PRESENT) === 0) {
      sink.addUnknown(pgdEnd - vpn);
      vpn = pgdEnd;
      continue;
    }
    levels++;
    const pudBase = pgd.val[g]! * PTRS_PER_TABLE;
    while (vpn < pgdEnd) {
      const us = pudBase + (Math.floor(vpn / PUD_PAGES) % PTRS_PER_TABLE);
      const pudEnd = Math.min((Math.floor(vpn / PUD_PAGES) + 1) * PUD_PAGES, pgdEnd);
      const ub = pud.bits[us]!;
      if ((ub & _PAGE_PRESENT) === 0) {
        sink.addUnknown(pudEnd - vpn);
        vpn = pudEnd;
        continue;
      }
      if ((ub & _PAGE_PSE) !== 0) {
        leaves++;
        const head = pud.val[us]!;
        const page = head + (vpn % PUD_PAGES);
        if (takeable(mm, ub, head, head, gupFlags)) countRun(sink, head, page, pudEnd - vpn);
        else sink.addUnknown(pudEnd - vpn);
        vpn = pudEnd;
        continue;
      }
      levels++;
      const pmdBase = pud.val[us]! * PTRS_PER_TABLE;
      while (vpn < pudEnd) {
        const ms = pmdBase + (Math.floor(vpn / PMD_PAGES) % PTRS_PER_TABLE);
        const pmdEnd = Math.min((Math.floor(vpn / PMD_PAGES) + 1) * PMD_PAGES, pudEnd);
        const mb = pmd.bits[ms]!;
        if ((mb & _PAGE_PRESENT) === 0) {
          sink.addUnknown(pmdEnd - vpn);
          vpn = pmdEnd;
          continue;
        }
        if ((mb & _PAGE_PSE) !== 0) {
          leaves++;
          const head = pmd.val[ms]!;
          const page = head + (vpn % PMD_PAGES);
          if (takeable(mm, mb, head, head, gupFlags)) countRun(sink, head, page, pmdEnd - vpn);
          else sink.addUnknown(pmdEnd - vpn);
          vpn = pmdEnd;
          continue;
        }
        levels++;
        let s = pmd.val[ms]! * PTRS_PER_TABLE + (vpn % PTRS_PER_TABLE);
        for (; vpn < pmdEnd; vpn++, s++) {
          ptes++;
          const b = pte.bits[s]!;
          if ((b & _PAGE_PRESENT) === 0) {
            sink.addUnknown(1);
            continue;
          }
          const page = pte.val[s]!;
          const folio = page & ~((1 << order[page]!) - 1);
          if (takeable(mm, b, folio, page, gupFlags)) countRun(sink, folio, page, 1);
          else sink.addUnknown(1);
        }
      }
    }
  }
  cost.ptesVisited += ptes;
  cost.hugeLeavesVisited += leaves;
  cost.levelsDescended += levels;
  return sink.nr;
}
