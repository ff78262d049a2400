/**
 * Unmapping page ranges: mm/memory.c `zap_page_range_single` / `unmap_page_range`
 * (`zap_pte_range`, `zap_huge_pmd`, `zap_huge_pud`, hugetlb's `__unmap_hugepage_range`).
 *
 * Faithful in effect: each present PTE loses its rmap and its reference (one put per
 * run of PTEs in the same folio, as zap_present_ptes batches), a fully covered PMD/PUD
 * leaf drops its entire mapcount and one reference, a partly covered THP PMD is split
 * first; special PTEs (zero page, PFN maps) hold no reference. A folio freed by the
 * last put is returned to the allocator; a pinned folio survives until unpinned.
 * Simplified: no TLB gathering, no dirty propagation on zap, empty page tables stay.
 * Arguments: [start, end) must be a page-aligned range inside the VMA, as the kernel's
 * callers guarantee; anything else is an ArgumentError.
 */
import { PAGE_SIZE } from './constants.js';
import { KernelBug } from './bug.js';
import { checkRangeInVma } from './address-arg-check.js';
import { folioPutRefs, pageFolio } from './folio.js';
import type { Mm } from './mm.js';
import {
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_SPECIAL,
  PMD_PAGES,
  PTRS_PER_TABLE,
  PUD_PAGES,
  pmdIndex,
  pteIndex,
  pudSlot,
} from './page-table.js';
import { folioRemoveRmapEntire, folioRemoveRmapPtes } from './rmap.js';
import { splitHugePmd } from './split-huge-pmd.js';
import type { Vma } from './vma.js';

/** Unmaps [start, end) (bytes, page aligned) of `vma`. Huge leaves must be fully covered except THP PMDs. */
export function zapVma(mm: Mm, vma: Vma, start: number, end: number): void {
  checkRangeInVma('zapVma', vma, start, end);
  const pt = mm.pt;
  const m = mm.m;
  let vpn = start / PAGE_SIZE;
  const vpnEnd = end / PAGE_SIZE;
  while (vpn < vpnEnd) {
    const nextPud = Math.min((Math.floor(vpn / PUD_PAGES) + 1) * PUD_PAGES, vpnEnd);
    const us = pudSlot(pt, vpn, false);
    if (us < 0 || (pt.pud.bits[us]! & _PAGE_PRESENT) === 0) {
      vpn = nextPud;
      continue;
    }
    if ((pt.pud.bits[us]! & _PAGE_PSE) !== 0) {
      if (vpn % PUD_PAGES !== 0 || nextPud - vpn !== PUD_PAGES)
        throw new KernelBug(`zap of a partial PUD leaf at vpn ${vpn}`);
      const folio = pt.pud.val[us]!;
      pt.pud.bits[us] = 0;
      folioRemoveRmapEntire(m, folio);
      folioPutRefs(m, folio, 1);
      vpn = nextPud;
      continue;
    }
    while (vpn < nextPud) {
      const nextPmd = Math.min((Math.floor(vpn / PMD_PAGES) + 1) * PMD_PAGES, nextPud);
      const ms = pt.pud.val[us]! * PTRS_PER_TABLE + pmdIndex(vpn);
      let mb = pt.pmd.bits[ms]!;
      if ((mb & _PAGE_PRESENT) === 0) {
        vpn = nextPmd;
        continue;
      }
      if ((mb & _PAGE_PSE) !== 0) {
        if (vpn % PMD_PAGES === 0 && nextPmd - vpn === PMD_PAGES) {
          const folio = pt.pmd.val[ms]!;
          pt.pmd.bits[ms] = 0;
          folioRemoveRmapEntire(m, folio);
          folioPutRefs(m, folio, 1);
          vpn = nextPmd;
          continue;
        }
        splitHugePmd(mm, vma, vpn);
        mb = pt.pmd.bits[ms]!;
        if ((mb & _PAGE_PRESENT) === 0) {
          vpn = nextPmd;
          continue;
        }
      }
      zapPteRange(mm, pt.pmd.val[ms]! * PTRS_PER_TABLE, pteIndex(vpn), pteIndex(vpn) + (nextPmd - vpn));
      vpn = nextPmd;
    }
  }
}

/** `zap_pte_range` over slots [base+from, base+to) of one PTE table. */
function zapPteRange(mm: Mm, base: number, from: number, to: number): void {
  const m = mm.m;
  const val = mm.pt.pte.val;
  const bits = mm.pt.pte.bits;
  let i = from;
  while (i < to) {
    const b = bits[base + i]!;
    if ((b & _PAGE_PRESENT) === 0) {
      i++;
      continue;
    }
    bits[base + i] = 0;
    if ((b & _PAGE_SPECIAL) !== 0) {
      i++;
      continue;
    }
    // Batch the following PTEs that map the next pages of the same folio.
    const page = val[base + i]!;
    const folio = pageFolio(m, page);
    const folioEnd = folio + (1 << m.order[folio]!);
    let nr = 1;
    while (
      i + nr < to &&
      (bits[base + i + nr]! & (_PAGE_PRESENT | _PAGE_SPECIAL)) === _PAGE_PRESENT &&
      val[base + i + nr] === page + nr &&
      page + nr < folioEnd
    ) {
      bits[base + i + nr] = 0;
      nr++;
    }
    folioRemoveRmapPtes(m, page, nr);
    folioPutRefs(m, folio, nr);
    i += nr;
  }
}
