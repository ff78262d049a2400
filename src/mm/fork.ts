/**
 * fork(2)'s address-space copy: kernel/fork.c `dup_mmap` and mm/memory.c
 * `copy_page_range` (`vma_needs_copy`, `copy_present_pte`, `copy_present_page`,
 * `folio_try_dup_anon_rmap_*`), mm/huge_memory.c `copy_huge_pmd`, mm/hugetlb.c
 * `copy_hugetlb_page_range`.
 *
 * Faithful: only VMAs with anonymous pages (anon_vma) or PFN maps have their page
 * tables copied (others refault in the child); a shared anonymous page loses
 * PageAnonExclusive and both PTEs are write-protected in a COW mapping; an exclusive
 * anonymous page that may be DMA-pinned (MMF_HAS_PINNED and folio_maybe_dma_pinned)
 * is copied for the child instead (`folio_needs_cow_for_dma`), so the parent keeps the
 * pinned page exclusive and writable; a PMD-mapped THP in that state is split in the
 * parent and copied page by page; a hugetlb page is copied whole; page-cache pages gain
 * a mapping and a reference; the child's entries are old (and clean in shared
 * mappings); write_protect_seq is bumped around the copy. Simplified: VM_WIPEONFORK /
 * VM_DONTCOPY are not offered; an allocation failure returns -ENOMEM after tearing the
 * half-built child down (the kernel does the same via exit_mmap).
 */
import { PAGE_SIZE } from './constants.js';
import { ENOMEM } from './errno.js';
import { allocFolio } from './alloc.js';
import { fileGet } from './file.js';
import { folioGet, folioMaybeDmaPinned, folioSetHugetlb, folioTestAnon, pageFolio } from './folio.js';
import type { Mm } from './mm.js';
import { createMm, exitMmap } from './mm.js';
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
  pmdIndex,
  pmdSlot,
  pteIndex,
  pteSlot,
  pudSlot,
} from './page-table.js';
import {
  clearPageAnonExclusive,
  folioAddFileRmapPtes,
  folioAddNewAnonRmapEntire,
  folioAddNewAnonRmapPtes,
  folioAddRmapEntire,
  pageAnonExclusive,
} from './rmap.js';
import { splitHugePmd } from './split-huge-pmd.js';
import type { Vma } from './vma.js';
import { isVmHugetlbPage, vmaIsAnonymous } from './vma.js';
import { VM_MIXEDMAP, VM_PFNMAP, VM_SHARED, isCowMapping } from './vm-flags.js';
import { maybeMkwrite } from './wp-page.js';

/** `folio_needs_cow_for_dma(vma, folio)`. */
function needsCowForDma(mm: Mm, vma: Vma, folio: number): boolean {
  return isCowMapping(vma.flags) && mm.hasPinned && folioMaybeDmaPinned(mm.m, folio);
}

/** `vma_needs_copy(dst_vma, src_vma)`. */
function vmaNeedsCopy(vma: Vma): boolean {
  return (vma.flags & (VM_PFNMAP | VM_MIXEDMAP)) !== 0 || vma.anonVma;
}

/**
 * `fork()` of an address space: returns the child's Mm, or -ENOMEM (nothing of the
 * child is left behind).
 */
export function fork(parent: Mm): Mm | number {
  const child = createMm(parent.m);
  parent.writeProtectSeq++;
  let ret = 0;
  for (const vma of parent.vmas) {
    const cv: Vma = { ...vma };
    if (cv.file !== null) fileGet(cv.file);
    child.vmas.push(cv);
    if (!vmaNeedsCopy(vma)) continue;
    ret = copyPageRange(parent, child, vma);
    if (ret < 0) break;
  }
  parent.writeProtectSeq++;
  if (ret < 0) {
    exitMmap(child);
    return ret;
  }
  return child;
}

function copyPageRange(src: Mm, dst: Mm, vma: Vma): number {
  const spt = src.pt;
  let vpn = vma.start / PAGE_SIZE;
  const end = vma.end / PAGE_SIZE;
  while (vpn < end) {
    const nextPud = Math.min((Math.floor(vpn / PUD_PAGES) + 1) * PUD_PAGES, end);
    const us = pudSlot(spt, vpn, false);
    if (us < 0 || (spt.pud.bits[us]! & _PAGE_PRESENT) === 0) {
      vpn = nextPud;
      continue;
    }
    if ((spt.pud.bits[us]! & _PAGE_PSE) !== 0) {
      const ret = copyHugetlbEntry(src, vma, spt.pud, us, dst.pt.pud, pudSlot(dst.pt, vpn, true));
      if (ret < 0) return ret;
      vpn = nextPud;
      continue;
    }
    while (vpn < nextPud) {
      const nextPmd = Math.min((Math.floor(vpn / PMD_PAGES) + 1) * PMD_PAGES, nextPud);
      const ms = spt.pud.val[us]! * PTRS_PER_TABLE + pmdIndex(vpn);
      const mb = spt.pmd.bits[ms]!;
      if ((mb & _PAGE_PRESENT) === 0) {
        vpn = nextPmd;
        continue;
      }
      if ((mb & _PAGE_PSE) !== 0) {
        if (isVmHugetlbPage(vma)) {
          const ret = copyHugetlbEntry(src, vma, spt.pmd, ms, dst.pt.pmd, pmdSlot(dst.pt, vpn, true));
          if (ret < 0) return ret;
          vpn = nextPmd;
          continue;
        }
        // copy_huge_pmd: file THPs are not copied; a maybe-pinned exclusive anon THP is split.
        if (!vmaIsAnonymous(vma)) {
          vpn = nextPmd;
          continue;
        }
        const folio = spt.pmd.val[ms]!;
        if (!(pageAnonExclusive(src.m, folio) && needsCowForDma(src, vma, folio))) {
          folioGet(src.m, folio);
          folioAddRmapEntire(src.m, folio);
          clearPageAnonExclusive(src.m, folio);
          const b = mb & ~_PAGE_RW;
          spt.pmd.bits[ms] = b;
          const ds = pmdSlot(dst.pt, vpn, true);
          dst.pt.pmd.val[ds] = folio;
          dst.pt.pmd.bits[ds] = b & ~_PAGE_ACCESSED;
          vpn = nextPmd;
          continue;
        }
        splitHugePmd(src, vma, vpn);
      }
      const base = spt.pmd.val[ms]! * PTRS_PER_TABLE;
      for (; vpn < nextPmd; vpn++) {
        const s = base + pteIndex(vpn);
        if ((spt.pte.bits[s]! & _PAGE_PRESENT) === 0) continue;
        const ret = copyPresentPte(src, dst, vma, s, pteSlot(dst.pt, vpn, true));
        if (ret < 0) return ret;
      }
    }
  }
  return 0;
}

/** `copy_present_pte` for source slot `s` into destination slot `d`. */
function copyPresentPte(src: Mm, dst: Mm, vma: Vma, s: number, d: number): number {
  const m = src.m;
  const spte = src.pt.pte;
  const dpte = dst.pt.pte;
  let b = spte.bits[s]!;
  const page = spte.val[s]!;
  if ((b & _PAGE_SPECIAL) === 0) {
    const folio = pageFolio(m, page);
    if (folioTestAnon(m, folio)) {
      if (pageAnonExclusive(m, page) && needsCowForDma(src, vma, folio)) {
        // copy_present_page: the child gets its own copy; the parent PTE stays as is.
        const copy = allocFolio(m, 0, { zone: vma.zone, placement: vma.placement });
        if (copy < 0) return -ENOMEM;
        m.content[copy] = m.content[page]!;
        folioAddNewAnonRmapPtes(m, copy, copy, 1);
        dpte.val[d] = copy;
        dpte.bits[d] = maybeMkwrite(vma, _PAGE_PRESENT | _PAGE_DIRTY);
        return 0;
      }
      clearPageAnonExclusive(m, page);
    }
    folioGet(m, folio);
    folioAddFileRmapPtes(m, page, 1);
  }
  if (isCowMapping(vma.flags) && (b & _PAGE_RW) !== 0) {
    b &= ~_PAGE_RW;
    spte.bits[s] = b;
  }
  if ((vma.flags & VM_SHARED) !== 0) b &= ~_PAGE_DIRTY;
  dpte.val[d] = page;
  dpte.bits[d] = b & ~_PAGE_ACCESSED;
  return 0;
}

/** `copy_hugetlb_page_range` for one PMD/PUD leaf. */
function copyHugetlbEntry(
  src: Mm,
  vma: Vma,
  sl: PageTableLevel,
  s: number,
  dl: PageTableLevel,
  d: number,
): number {
  const m = src.m;
  const folio = sl.val[s]!;
  const cow = isCowMapping(vma.flags);
  if (folioTestAnon(m, folio)) {
    if (pageAnonExclusive(m, folio) && needsCowForDma(src, vma, folio)) {
      const order = m.order[folio]!;
      const copy = allocFolio(m, order, { zone: vma.file?.zone ?? vma.zone, placement: vma.placement });
      if (copy < 0) return -ENOMEM;
      folioSetHugetlb(m, copy);
      m.content.copyWithin(copy, folio, folio + (1 << order));
      folioAddNewAnonRmapEntire(m, copy);
      dl.val[d] = copy;
      dl.bits[d] = maybeMkwrite(vma, _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_DIRTY);
      return 0;
    }
    clearPageAnonExclusive(m, folio);
  }
  folioGet(m, folio);
  folioAddRmapEntire(m, folio);
  let b = sl.bits[s]!;
  if (cow) {
    b &= ~_PAGE_RW;
    sl.bits[s] = b;
  }
  dl.val[d] = folio;
  dl.bits[d] = b;
  return 0;
}
