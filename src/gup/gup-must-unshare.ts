/**
 * COW and pinning: mm/internal.h `gup_must_unshare` and mm/gup.c
 * `can_follow_write_common` / `can_follow_write_pte` / `_pmd` / `_pud`.
 *
 * Faithful (v6.16+): only a read-only FOLL_PIN can require unsharing; a non-anonymous
 * page only for FOLL_LONGTERM in a COW mapping (always, when the VMA is unknown: the
 * fast path then falls back); an anonymous page whenever it is not PageAnonExclusive
 * (callers pass the head page of a PMD/PUD leaf). FOLL_FORCE may write through a
 * read-only entry only in a private, VM_MAYWRITE, !VM_WRITE mapping and only to an
 * exclusive anonymous page (COW already broken). Soft-dirty and userfaultfd-wp, which
 * can also force a write fault, are not modelled.
 *
 * Arguments (ArgumentError, integer tests only): a page inside the memmap
 * (canFollowWriteCommon also takes -1 for "no struct page") and a FOLL_* word without
 * undefined bits. GUP-fast calls the unchecked body (gup-fast-unchecked.ts) per PTE.
 */
import { checkPfn } from '../mm/arg-check.js';
import { FOLL_ALL_DEFINED, FOLL_FORCE } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { pageFolio } from '../mm/folio.js';
import { MAPPING_ANON, PG_ANON_EXCLUSIVE } from '../mm/page-flags.js';
import type { Vma } from '../mm/vma.js';
import { VM_MAYSHARE, VM_MAYWRITE, VM_SHARED, VM_WRITE } from '../mm/vm-flags.js';
import { checkFollWord } from './gup-arg-types.js';
import { gupMustUnshareUnchecked } from './gup-fast-unchecked.js';

/**
 * `gup_must_unshare(vma, flags, page)`: whether a read-only pin of `page` (mapped
 * read-only) must first get an exclusive page with FAULT_FLAG_UNSHARE. `vma` is null on
 * the fast path.
 */
export function gupMustUnshare(m: Machine, vma: Vma | null, gupFlags: number, page: number): boolean {
  if (!((page | 0) === page && page >= 0 && page < m.nrPages && (gupFlags >>> 0) === gupFlags && (gupFlags & ~FOLL_ALL_DEFINED) === 0)) {
    checkPfn(m, 'gupMustUnshare', 'page', page);
    checkFollWord('gupMustUnshare', gupFlags);
  }
  return gupMustUnshareUnchecked(m, vma, gupFlags, page);
}

/**
 * `can_follow_write_common(page, vma, flags)`: a FOLL_FORCE write through a read-only
 * entry. `page` is -1 when vm_normal_page() found none (zero page, PFN map).
 */
export function canFollowWriteCommon(m: Machine, page: number, vma: Vma, gupFlags: number): boolean {
  if (!((page | 0) === page && page >= -1 && page < m.nrPages && (gupFlags >>> 0) === gupFlags && (gupFlags & ~FOLL_ALL_DEFINED) === 0)) {
    if (page !== -1) checkPfn(m, 'canFollowWriteCommon', 'page', page);
    checkFollWord('canFollowWriteCommon', gupFlags);
  }
  if ((gupFlags & FOLL_FORCE) === 0) return false;
  const vmFlags = vma.flags;
  if ((vmFlags & (VM_MAYSHARE | VM_SHARED)) !== 0) return false;
  if ((vmFlags & VM_MAYWRITE) === 0) return false;
  if ((vmFlags & VM_WRITE) !== 0) return false;
  return page >= 0 && m.mapping[pageFolio(m, page)] === MAPPING_ANON && (m.flags[page]! & PG_ANON_EXCLUSIVE) !== 0;
}
