/**
 * The slow path's page-table lookup: mm/gup.c `follow_page_mask`, `follow_p4d_mask`,
 * `follow_pud_mask`, `follow_pmd_mask`, `follow_page_pte`, `follow_huge_pmd`,
 * `follow_huge_pud`, `no_page_table`, `follow_pfn_pte`.
 *
 * Faithful (v6.16+): a walk from the pgd per call (cost: one walk restart and one
 * level per table entered); NULL (fault needed) for a missing entry or a write through
 * an entry FOLL_FORCE cannot write; -EMLINK when gup_must_unshare; -EEXIST for a PFN
 * with no struct page; the zero page is returned for its special PTE; one reference or
 * pin is grabbed (try_grab_folio) and `page_mask` set for a leaf; FOLL_TOUCH marks the
 * folio accessed (and dirty for a write), FOLL_SPLIT_PMD splits a THP first. The sink is
 * asked for room right before the grab with __get_user_pages' `page_increm` (the pages
 * from this one to the leaf's end, capped by what is left), so the caller's second grab
 * (page_increm - 1 refs) never exceeds what the sink takes. Not modelled: FOLL_DUMP's
 * hole handling beyond -EFAULT for special pages, PROT_NONE/NUMA entries, hwpoison.
 *
 * Arguments: `vpn` a virtual page number (0..2^52), `nrLeft` an integer count of at
 * least 1; anything else is an ArgumentError (a few integer tests per page followed).
 */
import { badArgument } from '../mm/arg-check.js';
import { EEXIST, EFAULT, EMLINK } from '../mm/errno.js';
import { warn } from '../mm/bug.js';
import { FOLL_DUMP, FOLL_PIN, FOLL_SPLIT_PMD, FOLL_TOUCH, FOLL_WRITE } from '../mm/foll-flags.js';
import { folioMarkDirty, folioTestAnon, pageFolio } from '../mm/folio.js';
import { PG_ANON_EXCLUSIVE, PG_DIRTY, PG_REFERENCED } from '../mm/page-flags.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SPECIAL,
  type PageTableLevel,
  PMD_PAGES,
  PTRS_PER_TABLE,
  PUD_PAGES,
  pgdIndex,
  pmdIndex,
  pteIndex,
  pudIndex,
} from '../mm/page-table.js';
import { splitHugePmd } from '../mm/split-huge-pmd.js';
import type { Vma } from '../mm/vma.js';
import { isVmHugetlbPage } from '../mm/vma.js';
import { canFollowWriteCommon, gupMustUnshare } from './gup-must-unshare.js';
import { FOLLOW_NO_PAGE, FOLLOW_SINK_FULL, type GupWalk } from './gup-walk.js';
import { tryGrabFolio } from './try-grab-folio.js';
import { checkVpnArg } from './gup-arg-types.js';

/**
 * `follow_page_mask(vma, address, flags, &page_mask)` for virtual page `vpn`, with
 * `nrLeft` pages still wanted. Returns the page (PFN) with one reference or pin taken
 * and w.pageMask / w.increm set, or FOLLOW_NO_PAGE, FOLLOW_SINK_FULL, -EMLINK, -EEXIST
 * or another -errno from the grab.
 */
export function followPageMask(w: GupWalk, vma: Vma, vpn: number, nrLeft: number): number {
  checkVpnArg('followPageMask', 'vpn', vpn);
  if (!(nrLeft >= 1 && Number.isInteger(nrLeft) && nrLeft <= 2 ** 64))
    badArgument('followPageMask', 'nrLeft', nrLeft, 'an integer in 1..2^64 (the pages still wanted)');
  const m = w.m;
  const pt = w.mm.pt;
  const cost = m.cost;
  w.pageMask = 0;
  cost.walkRestarts++;
  cost.levelsDescended++;
  const g = pgdIndex(vpn);
  if ((pt.pgd.bits[g]! & _PAGE_PRESENT) === 0) return FOLLOW_NO_PAGE;
  cost.levelsDescended++;
  const us = pt.pgd.val[g]! * PTRS_PER_TABLE + pudIndex(vpn);
  const ub = pt.pud.bits[us]!;
  if ((ub & _PAGE_PRESENT) === 0) return FOLLOW_NO_PAGE;
  if ((ub & _PAGE_PSE) !== 0) {
    cost.hugeLeavesVisited++;
    return followHugeLeaf(w, vma, pt.pud, us, vpn, PUD_PAGES - 1, nrLeft);
  }
  cost.levelsDescended++;
  const ms = pt.pud.val[us]! * PTRS_PER_TABLE + pmdIndex(vpn);
  let mb = pt.pmd.bits[ms]!;
  if ((mb & _PAGE_PRESENT) === 0) return FOLLOW_NO_PAGE;
  if ((mb & _PAGE_PSE) !== 0) {
    cost.hugeLeavesVisited++;
    if ((w.flags & FOLL_SPLIT_PMD) === 0 || isVmHugetlbPage(vma))
      return followHugeLeaf(w, vma, pt.pmd, ms, vpn, PMD_PAGES - 1, nrLeft);
    splitHugePmd(w.mm, vma, vpn);
    mb = pt.pmd.bits[ms]!;
    if ((mb & _PAGE_PRESENT) === 0) return FOLLOW_NO_PAGE;
  }
  cost.levelsDescended++;
  return followPagePte(w, vma, pt.pmd.val[ms]! * PTRS_PER_TABLE + pteIndex(vpn));
}

/** `follow_huge_pmd` / `follow_huge_pud` on the leaf at `slot` of `level`. */
function followHugeLeaf(w: GupWalk, vma: Vma, level: PageTableLevel, slot: number, vpn: number, mask: number, nrLeft: number): number {
  const m = w.m;
  const flags = w.flags;
  const b = level.bits[slot]!;
  const head = level.val[slot]!;
  const writable = (b & _PAGE_RW) !== 0;
  // can_follow_write_pmd/pud
  if ((flags & FOLL_WRITE) !== 0 && !writable && !canFollowWriteCommon(m, head, vma, flags)) return FOLLOW_NO_PAGE;
  if (!writable && gupMustUnshare(m, vma, flags, head)) return -EMLINK;
  const idx = vpn % (mask + 1);
  const page = head + idx;
  if ((flags & FOLL_PIN) !== 0 && folioTestAnon(m, head) && (m.flags[head]! & PG_ANON_EXCLUSIVE) === 0)
    warn(m, `follow_huge_pmd: pinning anonymous folio ${head} that is not exclusive`);
  const increm = Math.min(mask + 1 - idx, nrLeft);
  const granted = w.sink.room(head, page, increm);
  if (granted <= 0) return FOLLOW_SINK_FULL;
  const ret = tryGrabFolio(m, head, 1, flags);
  if (ret !== 0) return ret;
  if ((flags & FOLL_TOUCH) !== 0 && !isVmHugetlbPage(vma)) {
    // touch_pmd: young, and dirty for a write.
    level.bits[slot] = b | _PAGE_ACCESSED | ((flags & FOLL_WRITE) !== 0 ? _PAGE_DIRTY : 0);
  }
  w.pageMask = mask;
  w.increm = Math.min(granted, increm);
  return page;
}

/** `follow_page_pte` for the PTE at `slot`. */
function followPagePte(w: GupWalk, vma: Vma, slot: number): number {
  const m = w.m;
  const flags = w.flags;
  const pte = w.mm.pt.pte;
  m.cost.ptesVisited++;
  const b = pte.bits[slot]!;
  if ((b & _PAGE_PRESENT) === 0) return FOLLOW_NO_PAGE;
  const pfn = pte.val[slot]!;
  // vm_normal_page(): no struct page behind a special PTE.
  let page = (b & _PAGE_SPECIAL) !== 0 ? -1 : pfn;
  if ((flags & FOLL_WRITE) !== 0 && (b & _PAGE_RW) === 0 && !canFollowWriteCommon(m, page, vma, flags)) return FOLLOW_NO_PAGE;
  if (page < 0) {
    if ((flags & FOLL_DUMP) !== 0) return -EFAULT;
    if (pfn !== m.zeroPfn) {
      // follow_pfn_pte: a proper entry without a struct page.
      if ((flags & FOLL_TOUCH) !== 0) pte.bits[slot] = b | _PAGE_ACCESSED | ((flags & FOLL_WRITE) !== 0 ? _PAGE_DIRTY : 0);
      return -EEXIST;
    }
    page = pfn;
  }
  const folio = pageFolio(m, page);
  if ((b & _PAGE_RW) === 0 && gupMustUnshare(m, vma, flags, page)) return -EMLINK;
  if ((flags & FOLL_PIN) !== 0 && folioTestAnon(m, folio) && (m.flags[page]! & PG_ANON_EXCLUSIVE) === 0)
    warn(m, `follow_page_pte: pinning anonymous page ${page} that is not exclusive`);
  if (w.sink.room(folio, page, 1) <= 0) return FOLLOW_SINK_FULL;
  const ret = tryGrabFolio(m, folio, 1, flags);
  if (ret !== 0) return ret;
  if ((flags & FOLL_TOUCH) !== 0 && page !== m.zeroPfn) {
    if ((flags & FOLL_WRITE) !== 0 && (b & _PAGE_DIRTY) === 0 && (m.flags[folio]! & PG_DIRTY) === 0) folioMarkDirty(m, folio);
    m.flags[folio] = m.flags[folio]! | PG_REFERENCED;
  }
  w.increm = 1;
  return page;
}
