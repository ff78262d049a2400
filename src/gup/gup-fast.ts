/**
 * GUP-fast, the lockless walk: mm/gup.c `gup_fast`, `gup_fast_pgd_range`,
 * `gup_fast_p4d_range`, `gup_fast_pud_range`, `gup_fast_pmd_range`,
 * `gup_fast_pte_range`, `gup_fast_pmd_leaf`, `gup_fast_pud_leaf`,
 * `gup_fast_folio_allowed`.
 *
 * Faithful (v6.16+): walks [start, end) and stops at the first entry it cannot handle,
 * so it takes a prefix: a missing entry, a write through a read-only entry, a special
 * entry (the zero page and PFN maps are special on x86), a failed
 * try_grab_folio_fast (including a FOLL_LONGTERM pin of unpinnable memory), a folio
 * gup_fast_folio_allowed refuses, or a read-only pin that gup_must_unshare. A PMD or
 * PUD leaf is grabbed once for all its pages in the range (refs = (next - addr) >>
 * PAGE_SHIFT), then offered to the sink as one run: work is O(folios) there. The
 * re-reads of pmd/pte after the grab cannot differ in a single-threaded model, and
 * neither can write_protect_seq, so neither ever fails here. Not modelled: secretmem,
 * arch_make_folio_accessible, PROT_NONE/NUMA entries.
 *
 * Hot path: plain loops over the page-table typed arrays, locals, no allocation.
 *
 * Arguments (ArgumentError): gupFast takes virtual page numbers 0 <= vpn <= vpnEnd <=
 * TASK_SIZE_MAX >> PAGE_SHIFT, the range gup_fast_fallback lets through;
 * gupFastFolioAllowed a folio's head PFN and a FOLL_* word. The walk itself calls the
 * unchecked per-PTE steps (gup-fast-unchecked.ts): it passes only what it read from
 * its own page tables.
 */
import { checkFolio, checkInt } from '../mm/arg-check.js';
import { PAGE_SIZE, TASK_SIZE_MAX } from '../mm/constants.js';
import { FOLL_ALL_DEFINED, FOLL_PIN, FOLL_WRITE } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { PG_REFERENCED } from '../mm/page-flags.js';
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
import type { GupWalk } from './gup-walk.js';
import { gupPutFolio } from './gup-put-folio.js';
import { gupFastFolioAllowedUnchecked, gupMustUnshareUnchecked, tryGrabFolioFastUnchecked } from './gup-fast-unchecked.js';
import { checkFollWord } from './gup-arg-types.js';

const VPN_END_MAX = TASK_SIZE_MAX / PAGE_SIZE;

/**
 * `gup_fast_folio_allowed(folio, flags)`: a FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE pin
 * may only take hugetlb (the page type), anonymous or shmem folios (no mapping: fall
 * back); anything else is allowed (secretmem, which order-0 folios are checked for, is
 * not modelled).
 */
export function gupFastFolioAllowed(m: Machine, folio: number, gupFlags: number): boolean {
  if (
    !(
      (folio | 0) === folio &&
      folio >= 0 &&
      folio < m.nrPages &&
      (folio & ((1 << m.order[folio]!) - 1)) === 0 &&
      (gupFlags >>> 0) === gupFlags &&
      (gupFlags & ~FOLL_ALL_DEFINED) === 0
    )
  ) {
    checkFolio(m, 'gupFastFolioAllowed', 'folio', folio);
    checkFollWord('gupFastFolioAllowed', gupFlags);
  }
  return gupFastFolioAllowedUnchecked(m, folio, gupFlags);
}

/** Takes a huge leaf (PMD or PUD): one room, one grab, one add. Returns refs taken, 0 to stop. */
function gupFastLeaf(w: GupWalk, b: number, head: number, idx: number, refs: number): number {
  const m = w.m;
  const flags = w.flags;
  if ((flags & FOLL_WRITE) !== 0 && (b & _PAGE_RW) === 0) return 0;
  if ((b & _PAGE_SPECIAL) !== 0) return 0;
  const page = head + idx;
  const sink = w.sink;
  const granted = sink.room(head, page, refs);
  if (granted <= 0) {
    w.sinkFull = true;
    return 0;
  }
  if (granted < refs) refs = granted;
  const folio = tryGrabFolioFastUnchecked(m, page, refs, flags);
  if (folio < 0) return 0;
  if (m.checker !== null) m.checker.grabbed(folio, refs, flags);
  if (!gupFastFolioAllowedUnchecked(m, folio, flags)) {
    gupPutFolio(m, folio, refs, flags);
    return 0;
  }
  if ((b & _PAGE_RW) === 0 && gupMustUnshareUnchecked(m, null, flags, folio)) {
    gupPutFolio(m, folio, refs, flags);
    return 0;
  }
  sink.add(folio, page, refs);
  m.flags[folio] = m.flags[folio]! | PG_REFERENCED;
  return refs;
}

/**
 * `gup_fast(start, end, gup_flags, pages)` over virtual pages [vpn, vpnEnd): the number
 * of pages taken, a prefix of the range. Sets w.sinkFull if the sink stopped it.
 */
export function gupFast(w: GupWalk, vpn: number, vpnEnd: number): number {
  checkInt('gupFast', 'vpn', vpn, 0, VPN_END_MAX);
  checkInt('gupFast', 'vpnEnd', vpnEnd, vpn, VPN_END_MAX);
  const mm = w.mm;
  const m = w.m;
  const cost = m.cost;
  const flags = w.flags;
  // raw_seqcount_try_begin(&mm->write_protect_seq) fails while fork runs.
  if ((flags & FOLL_PIN) !== 0 && (mm.writeProtectSeq & 1) !== 0) return 0;
  const pt = mm.pt;
  const pgdBits = pt.pgd.bits;
  const pgdVal = pt.pgd.val;
  const pudBits = pt.pud.bits;
  const pudVal = pt.pud.val;
  const pmdBits = pt.pmd.bits;
  const pmdVal = pt.pmd.val;
  const pteBits = pt.pte.bits;
  const pteVal = pt.pte.val;
  const order = m.order;
  const mflags = m.flags;
  const sink = w.sink;
  const write = (flags & FOLL_WRITE) !== 0;
  const start = vpn;
  let ptes = 0;
  let leaves = 0;
  let levels = 1;
  cost.walkRestarts++;
  walk: while (vpn < vpnEnd) {
    const g = Math.floor(vpn / PGD_PAGES);
    const pgdEnd = Math.min((g + 1) * PGD_PAGES, vpnEnd);
    if ((pgdBits[g]! & _PAGE_PRESENT) === 0) break;
    const pudBase = pgdVal[g]! * PTRS_PER_TABLE;
    levels++;
    while (vpn < pgdEnd) {
      const us = pudBase + (Math.floor(vpn / PUD_PAGES) % PTRS_PER_TABLE);
      const pudEnd = Math.min((Math.floor(vpn / PUD_PAGES) + 1) * PUD_PAGES, pgdEnd);
      const ub = pudBits[us]!;
      if ((ub & _PAGE_PRESENT) === 0) break walk;
      if ((ub & _PAGE_PSE) !== 0) {
        leaves++;
        const took = gupFastLeaf(w, ub, pudVal[us]!, vpn % PUD_PAGES, pudEnd - vpn);
        if (took === 0) break walk;
        vpn += took;
        continue;
      }
      const pmdBase = pudVal[us]! * PTRS_PER_TABLE;
      levels++;
      while (vpn < pudEnd) {
        const ms = pmdBase + (Math.floor(vpn / PMD_PAGES) % PTRS_PER_TABLE);
        const pmdEnd = Math.min((Math.floor(vpn / PMD_PAGES) + 1) * PMD_PAGES, pudEnd);
        const mb = pmdBits[ms]!;
        if ((mb & _PAGE_PRESENT) === 0) break walk;
        if ((mb & _PAGE_PSE) !== 0) {
          leaves++;
          const took = gupFastLeaf(w, mb, pmdVal[ms]!, vpn % PMD_PAGES, pmdEnd - vpn);
          if (took === 0) break walk;
          vpn += took;
          continue;
        }
        // gup_fast_pte_range
        levels++;
        let s = pmdVal[ms]! * PTRS_PER_TABLE + (vpn % PTRS_PER_TABLE);
        for (; vpn < pmdEnd; vpn++, s++) {
          ptes++;
          const b = pteBits[s]!;
          if ((b & _PAGE_PRESENT) === 0 || (write && (b & _PAGE_RW) === 0) || (b & _PAGE_SPECIAL) !== 0) break walk;
          const page = pteVal[s]!;
          if (sink.room(page & ~((1 << order[page]!) - 1), page, 1) <= 0) {
            w.sinkFull = true;
            break walk;
          }
          const folio = tryGrabFolioFastUnchecked(m, page, 1, flags);
          if (folio < 0) break walk;
          if (m.checker !== null) m.checker.grabbed(folio, 1, flags);
          if (!gupFastFolioAllowedUnchecked(m, folio, flags) || ((b & _PAGE_RW) === 0 && gupMustUnshareUnchecked(m, null, flags, page))) {
            gupPutFolio(m, folio, 1, flags);
            break walk;
          }
          mflags[folio] = mflags[folio]! | PG_REFERENCED;
          sink.add(folio, page, 1);
        }
      }
    }
  }
  cost.ptesVisited += ptes;
  cost.hugeLeavesVisited += leaves;
  cost.levelsDescended += levels;
  return vpn - start;
}
