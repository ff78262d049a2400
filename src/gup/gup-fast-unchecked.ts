/**
 * GUP-fast's per-PTE steps without argument checks: the bodies of mm/gup.c
 * `try_get_folio`, `try_grab_folio_fast`, `gup_fast_folio_allowed` and
 * mm/internal.h `gup_must_unshare`.
 *
 * Module-internal: src/index.ts does not re-export this file. The public functions
 * (tryGetFolio, tryGrabFolioFast in try-grab-folio.ts, gupFastFolioAllowed in
 * gup-fast.ts, gupMustUnshare in gup-must-unshare.ts, where the semantics are
 * documented) check their arguments and call these. The walks call them directly with
 * what they read from a present page-table entry (a PFN inside the memmap, refs >= 1)
 * and the flags the API checked once. Measured: the same integer tests repeated for
 * every PTE made pin_user_pages_fast of 1 GiB of order-0 or 64 KiB folios up to twice
 * as slow; a walk that reads page tables it owns has nothing left to check.
 */
import { GUP_PIN_COUNTING_BIAS } from '../mm/constants.js';
import { warn } from '../mm/bug.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PCI_P2PDMA, FOLL_PIN, FOLL_WRITE } from '../mm/foll-flags.js';
import { folioIsLongtermPinnable, folioPutRefs, pageFolio } from '../mm/folio.js';
import type { Machine } from '../mm/machine.js';
import { MAPPING_ANON, MAPPING_P2PDMA, MAPPING_SHMEM, PG_ANON_EXCLUSIVE, PG_HUGETLB } from '../mm/page-flags.js';
import type { Vma } from '../mm/vma.js';
import { isCowMapping } from '../mm/vm-flags.js';

/** `try_get_folio(page, refs)` on checked arguments: the folio, or -1 (NULL). */
export function tryGetFolioUnchecked(m: Machine, page: number, refs: number): number {
  const folio = pageFolio(m, page);
  const rc = m.refcount[folio]!;
  if (rc < 0) {
    warn(m, `try_get_folio: folio ${folio} has negative refcount ${rc}`);
    return -1;
  }
  m.cost.refcountAtomics++;
  if (rc === 0) return -1;
  m.refcount[folio] = rc + refs;
  return folio;
}

/** `try_grab_folio_fast(page, refs, flags)` on checked arguments: the folio, or -1 (NULL). */
export function tryGrabFolioFastUnchecked(m: Machine, page: number, refs: number, gupFlags: number): number {
  if ((gupFlags & (FOLL_GET | FOLL_PIN)) === 0) {
    warn(m, 'try_grab_folio_fast: neither FOLL_GET nor FOLL_PIN');
    return -1;
  }
  if ((gupFlags & FOLL_PCI_P2PDMA) === 0 && m.mapping[pageFolio(m, page)] === MAPPING_P2PDMA) return -1;
  if ((gupFlags & FOLL_GET) !== 0) return tryGetFolioUnchecked(m, page, refs);
  // FOLL_PIN from here on.
  if (page === m.zeroPfn) return page;
  const folio = tryGetFolioUnchecked(m, page, refs);
  if (folio < 0) return -1;
  // Long-term pins of unpinnable memory must migrate it first, which only the slow path can.
  if ((gupFlags & FOLL_LONGTERM) !== 0 && !folioIsLongtermPinnable(m, folio)) {
    folioPutRefs(m, folio, refs);
    return -1;
  }
  if (m.order[folio]! > 0) {
    m.pincount[folio] = m.pincount[folio]! + refs;
    m.cost.pincountAtomics++;
  } else {
    // try_get_folio() already added refs once; the bias supplies the rest.
    m.refcount[folio] = m.refcount[folio]! + refs * (GUP_PIN_COUNTING_BIAS - 1);
    m.cost.refcountAtomics++;
  }
  m.stat.nrFollPinAcquired += refs;
  return folio;
}

/** `gup_fast_folio_allowed(folio, flags)` on checked arguments. */
export function gupFastFolioAllowedUnchecked(m: Machine, folio: number, gupFlags: number): boolean {
  const rejectFileBacked = (gupFlags & (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) === (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE);
  if (!rejectFileBacked) return true;
  // hugetlb (the page type, whatever maps the folio) needs no dirty tracking.
  if ((m.flags[folio]! & PG_HUGETLB) !== 0) return true;
  // A NULL mapping (truncated, or never set) could be a file: fall back.
  const kind = m.mapping[folio]!;
  return kind === MAPPING_ANON || kind === MAPPING_SHMEM;
}

/** `gup_must_unshare(vma, flags, page)` on checked arguments. */
export function gupMustUnshareUnchecked(m: Machine, vma: Vma | null, gupFlags: number, page: number): boolean {
  if ((gupFlags & (FOLL_WRITE | FOLL_PIN)) !== FOLL_PIN) return false;
  if (page === m.zeroPfn || m.mapping[pageFolio(m, page)] !== MAPPING_ANON) {
    if ((gupFlags & FOLL_LONGTERM) === 0) return false;
    if (vma === null) return true;
    return isCowMapping(vma.flags);
  }
  return (m.flags[page]! & PG_ANON_EXCLUSIVE) === 0;
}
