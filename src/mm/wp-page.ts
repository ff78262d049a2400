/**
 * Write and unshare faults on a present, write-protected PTE: mm/memory.c
 * `do_wp_page`, `wp_page_reuse`, `wp_page_copy`, `wp_page_shared`,
 * `wp_can_reuse_anon_folio`.
 *
 * Faithful (v6.16 rules, order-0 folios): a shared mapping's page is made writable and
 * dirty (write notify); a private anonymous page that is PageAnonExclusive, or that
 * nobody else references (refcount 1), is reused: marked exclusive, and on a write
 * fault made writable (maybe_mkwrite: only with VM_WRITE, so a FOLL_FORCE write leaves
 * it read-only) and dirty, while an unshare fault (FAULT_FLAG_UNSHARE) leaves the PTE
 * read-only; anything else is copied into a new exclusive order-0 page (zeroed for the
 * zero page; a PFN map's frame is copied from, as __wp_page_copy_user does), mapped
 * writable+dirty for a write fault and read-only for an unshare.
 * Simplified: a large folio is never reused (the pre-CONFIG_MM_ID rule; v6.16+ reuses a
 * PTE-mapped large folio mapped only by this mm), so a COW of an mTHP page always copies.
 *
 * Arguments: `slot` must be a present PTE (do_wp_page's vmf->pte), `folio` a folio's
 * head PFN, `bits` only _PAGE_* bits and `unshare` a boolean; anything else is an
 * ArgumentError.
 */
import { ENOMEM } from './errno.js';
import { checkBool, checkFlags, checkFolio } from './arg-check.js';
import { checkPresentPteSlot } from './address-arg-check.js';
import { allocFolio } from './alloc.js';
import { folioMarkDirty, folioPutRefs, folioTestAnon, pageFolio } from './folio.js';
import { currentAllocZone } from './memalloc-pin.js';
import type { Mm } from './mm.js';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PSE, _PAGE_RW, _PAGE_SPECIAL } from './page-table.js';
import { folioAddNewAnonRmapPtes, folioRemoveRmapPtes, pageAnonExclusive, setPageAnonExclusive } from './rmap.js';
import type { Vma } from './vma.js';
import { VM_MAYSHARE, VM_SHARED, VM_WRITE } from './vm-flags.js';

/** Every _PAGE_* bit the model's entries carry. */
const PTE_BITS = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_SPECIAL | _PAGE_PSE;

/** `maybe_mkwrite(pte, vma)`: _PAGE_RW only when the VMA is writable. */
export function maybeMkwrite(vma: Vma, bits: number): number {
  checkFlags('maybeMkwrite', 'bits', bits, PTE_BITS);
  return (vma.flags & VM_WRITE) !== 0 ? bits | _PAGE_RW : bits;
}

/**
 * `wp_can_reuse_anon_folio(folio, vma)` for a page not marked exclusive: a small folio
 * whose only reference is this mapping. Large folios are not reused (see header).
 */
export function wpCanReuseAnonFolio(mm: Mm, folio: number): boolean {
  const m = mm.m;
  checkFolio(m, 'wpCanReuseAnonFolio', 'folio', folio);
  if (m.order[folio]! > 0) return false;
  return m.refcount[folio] === 1;
}

/**
 * `do_wp_page(vmf)` for the PTE at `slot` (mapping page-table entry of `vma`).
 * Returns 0 or -ENOMEM.
 */
export function doWpPage(mm: Mm, vma: Vma, slot: number, unshare: boolean): number {
  checkPresentPteSlot('doWpPage', mm.pt, slot);
  checkBool('doWpPage', 'unshare', unshare);
  const m = mm.m;
  const pte = mm.pt.pte;
  const b = pte.bits[slot]!;
  const pfn = pte.val[slot]!;
  const special = (b & _PAGE_SPECIAL) !== 0;
  if ((vma.flags & (VM_SHARED | VM_MAYSHARE)) !== 0) {
    // wp_page_shared / wp_pfn_shared: page_mkwrite, then writable and dirty.
    if (!special) folioMarkDirty(m, pageFolio(m, pfn));
    pte.bits[slot] = maybeMkwrite(vma, b | _PAGE_DIRTY | _PAGE_ACCESSED);
    return 0;
  }
  if (!special) {
    const folio = pageFolio(m, pfn);
    if (folioTestAnon(m, folio) && (pageAnonExclusive(m, pfn) || wpCanReuseAnonFolio(mm, folio))) {
      setPageAnonExclusive(m, pfn);
      if (unshare) return 0;
      pte.bits[slot] = maybeMkwrite(vma, b | _PAGE_DIRTY | _PAGE_ACCESSED);
      return 0;
    }
  }
  return wpPageCopy(mm, vma, slot, unshare);
}

/**
 * `wp_page_copy(vmf)`: replaces the PTE's page (or the zero page) by an exclusive
 * order-0 copy. Returns 0 or -ENOMEM (VM_FAULT_OOM).
 */
export function wpPageCopy(mm: Mm, vma: Vma, slot: number, unshare: boolean): number {
  checkPresentPteSlot('wpPageCopy', mm.pt, slot);
  checkBool('wpPageCopy', 'unshare', unshare);
  const m = mm.m;
  const pte = mm.pt.pte;
  const oldBits = pte.bits[slot]!;
  const oldPage = pte.val[slot]!;
  const oldIsNormal = (oldBits & _PAGE_SPECIAL) === 0;
  const copy = allocFolio(m, 0, { zone: currentAllocZone(vma.zone), placement: vma.placement });
  if (copy < 0) return -ENOMEM;
  // copy_user_highpage; for a PFN map (no struct page) __wp_page_copy_user copies from
  // the user address, i.e. the frame's data; the zero page's content is 0: a zeroed page.
  m.content[copy] = m.content[oldPage]!;
  folioAddNewAnonRmapPtes(m, copy, copy, 1);
  vma.anonVma = true;
  pte.val[slot] = copy;
  pte.bits[slot] = unshare ? _PAGE_PRESENT | _PAGE_ACCESSED : maybeMkwrite(vma, _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY);
  if (oldIsNormal) {
    folioRemoveRmapPtes(m, oldPage, 1);
    folioPutRefs(m, pageFolio(m, oldPage), 1);
  }
  if (!unshare) m.stat.cowCopies++;
  return 0;
}
