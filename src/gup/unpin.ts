/**
 * The FOLL_PIN release APIs of mm/gup.c: `unpin_user_page`, `unpin_folio`,
 * `unpin_user_folio`, `unpin_user_pages`, `unpin_user_pages_dirty_lock`,
 * `unpin_user_page_range_dirty_lock`, `unpin_folios`, and their run helpers
 * `gup_folio_next` / `gup_folio_range_next`.
 *
 * Faithful to the current kernel, including its edges: `unpin_user_pages` skips a NULL
 * entry only where a run starts (a NULL right after a pinned page is passed to
 * page_folio() by gup_folio_next and oopses, which the model reports as a KernelBug);
 * `unpin_user_pages_dirty_lock` with make_dirty skips no NULL at all; `unpin_folios`
 * groups runs of identical pointers, NULL runs included, and skips the NULL ones. A
 * `-errno` passed as the count is a WARN and nothing is released.
 *
 * Arguments, checked once per call before anything is released (ArgumentError): a
 * page or folio must lie inside the memmap (a folio's head PFN where the kernel takes
 * a `struct folio *`: on a checked machine the pin checker names a tail page first);
 * a count must be an integer no larger than the array (reading past it is a buffer
 * overrun in C) or the memmap, and at least 0, except that unpin_user_pages and
 * unpin_folios keep the kernel's answer to a -errno count (IS_ERR_VALUE: WARN, nothing
 * released); unpin_user_pages_dirty_lock with make_dirty has no such guard in the
 * kernel, so there a -errno is an overrun like any negative count. `makeDirty` must be
 * a boolean. unpin_user_folio's npages, passed on as `int refs`, is 0..INT_MAX.
 *
 * Page arrays hold PFNs with NULL_PFN (-1) for NULL. Each put is one call into
 * gup_put_folio, so a run of pages in one folio costs one atomic (two with a pincount).
 */
import { badArgument, checkBool, checkCount, checkFolio, checkPfn, isPfn } from '../mm/arg-check.js';
import { NULL_PFN } from '../mm/constants.js';
import { FOLL_PIN } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { KernelBug, warn } from '../mm/bug.js';
import { isErrValue } from '../mm/errno.js';
import { folioMarkDirty, pageFolio } from '../mm/folio.js';
import { PG_DIRTY } from '../mm/page-flags.js';
import { checkPageArrayRoom } from './gup-arg-types.js';
import { gupPutFolio } from './gup-put-folio.js';
import { NATIVE_RUN_MIN, isPfnRun } from '../mm/pfn-sequence.js';
import {
  checkUnpinFolio,
  checkUnpinFolios,
  checkUnpinUserPage,
  checkUnpinUserPageRange,
  checkUnpinUserPages,
} from './pin-release-checks.js';

/** A caller's page array: PFNs, NULL_PFN for NULL. */
export type PageArray = ArrayLike<number>;

function folioOfEntry(m: Machine, page: number, where: string): number {
  if (page === NULL_PFN) throw new KernelBug(`${where}: page_folio(NULL) dereferences a NULL page`);
  return pageFolio(m, page);
}

/**
 * `gup_folio_next(list, npages, i, &ntails)`: the folio of `list[i]` and how many
 * consecutive entries from i belong to it. Returns the folio; the run length goes in
 * `out[0]` so the caller's loop allocates nothing.
 */
export function gupFolioNext(m: Machine, list: PageArray, npages: number, i: number, out: Int32Array): number {
  if (!((npages | 0) === npages && npages <= list.length && (i | 0) === i && i >= 0 && i < npages && out.length > 0))
    refuseNext('gupFolioNext', list.length, npages, i, out);
  const folio = folioOfEntry(m, list[i]!, 'gup_folio_next');
  // page_folio(p) == folio exactly when p lies inside the folio: folios are naturally
  // aligned and disjoint, so a bounds test reads the same entries as the kernel's loop.
  const end = folio + (1 << m.order[folio]!);
  let nr = i + 1;
  // The usual case for a large folio: the entries run on page by page to its end (or
  // the array's). Comparing them natively reads the same entries and skips them all.
  const p = list[i]!;
  const run = Math.min(end - p, npages - i);
  if (run >= NATIVE_RUN_MIN && list instanceof Int32Array && isPfnRun(m, list, i, p, run)) nr = i + run;
  for (; nr < npages; nr++) {
    const q = list[nr]!;
    if (q === NULL_PFN) folioOfEntry(m, q, 'gup_folio_next');
    if (q < folio || q >= end) break;
  }
  out[0] = nr - i;
  return folio;
}

/**
 * `gup_folio_range_next(start, npages, i, &ntails)`: for a physically contiguous range,
 * the folio of page `start + i` and min(npages - i, pages left in that folio).
 */
export function gupFolioRangeNext(m: Machine, start: number, npages: number, i: number, out: Int32Array): number {
  const room = m.nrPages - start;
  if (!(isPfn(m, start) && (npages | 0) === npages && npages <= room && (i | 0) === i && i >= 0 && i < npages && out.length > 0)) {
    checkPfn(m, 'gupFolioRangeNext', 'start', start);
    refuseNext('gupFolioRangeNext', room, npages, i, out);
  }
  const next = start + i;
  const folio = pageFolio(m, next);
  let nr = 1;
  if (m.order[folio]! > 0) nr = Math.min(npages - i, (1 << m.order[folio]!) - (next - folio));
  out[0] = nr;
  return folio;
}

/**
 * The diagnosis behind a run helper's test: `room` entries can be read (the list's
 * length, or the pages from start to the end of the memmap); i must index one of the
 * npages, and `out` must have room for the run length.
 */
function refuseNext(fn: string, room: number, npages: number, i: number, out: Int32Array): never {
  checkCount(fn, 'npages', npages, room);
  checkCount(fn, 'i', i, npages - 1);
  return badArgument(fn, 'out.length', out.length, 'at least 1');
}

/**
 * A count of `pages` entries: an integer in 0..pages.length, or, where the kernel
 * guards against it, a -errno it answers itself.
 */
function checkEntryCount(fn: string, arrayArg: string, pages: PageArray, arg: string, n: number, errnoAnswered: boolean): void {
  if ((n | 0) === n && (n >= 0 || (errnoAnswered && isErrValue(n))) && n <= pages.length) return;
  if (Number.isInteger(n) && n > pages.length) checkPageArrayRoom(fn, arrayArg, pages, n);
  badArgument(fn, arg, n, errnoAnswered ? `a count in 0..${pages.length} or a -errno` : `a count in 0..${pages.length}`);
}

function markDirtyIfClean(m: Machine, folio: number): void {
  // folio_lock + folio_mark_dirty + folio_unlock, skipped when already dirty.
  if ((m.flags[folio]! & PG_DIRTY) === 0) folioMarkDirty(m, folio);
}

/** `unpin_user_page(page)`: drops one pin. */
export function unpinUserPage(m: Machine, page: number): void {
  checkPfn(m, 'unpinUserPage', 'page', page);
  if (m.checker !== null) checkUnpinUserPage(m.checker, page);
  gupPutFolio(m, pageFolio(m, page), 1, FOLL_PIN);
  m.cost.pagesReleased++;
}

/** `unpin_folio(folio)`: drops one pin on a folio (memfd_pin_folios style). */
export function unpinFolio(m: Machine, folio: number): void {
  checkPfn(m, 'unpinFolio', 'folio', folio);
  if (m.checker !== null) checkUnpinFolio(m.checker, 'unpin_folio', folio, 1);
  checkFolio(m, 'unpinFolio', 'folio', folio);
  gupPutFolio(m, folio, 1, FOLL_PIN);
  m.cost.pagesReleased++;
}

/** `unpin_user_folio(folio, npages)`: drops `npages` pins in one put (v6.12+). */
export function unpinUserFolio(m: Machine, folio: number, npages: number): void {
  checkPfn(m, 'unpinUserFolio', 'folio', folio);
  checkCount('unpinUserFolio', 'npages', npages);
  if (m.checker !== null) checkUnpinFolio(m.checker, 'unpin_user_folio', folio, npages);
  checkFolio(m, 'unpinUserFolio', 'folio', folio);
  gupPutFolio(m, folio, npages, FOLL_PIN);
  m.cost.pagesReleased += npages;
}

const run = new Int32Array(1);

/**
 * `unpin_user_pages(pages, npages)`: one put per run of consecutive entries in the
 * same folio; NULL entries at the start of a run are skipped; a -errno count WARNs.
 */
export function unpinUserPages(m: Machine, pages: PageArray, npages: number): void {
  checkEntryCount('unpinUserPages', 'pages', pages, 'npages', npages, true);
  releaseUserPages(m, pages, npages);
}

function releaseUserPages(m: Machine, pages: PageArray, npages: number): void {
  if (m.checker !== null) checkUnpinUserPages(m.checker, 'unpin_user_pages', pages, npages);
  if (isErrValue(npages)) return warn(m, `unpin_user_pages: npages is an error value ${npages}`);
  for (let i = 0; i < npages; i += run[0]!) {
    if (pages[i] === NULL_PFN) {
      run[0] = 1;
      continue;
    }
    const folio = gupFolioNext(m, pages, npages, i, run);
    gupPutFolio(m, folio, run[0]!, FOLL_PIN);
    m.cost.pagesReleased += run[0]!;
  }
}

/**
 * `unpin_user_pages_dirty_lock(pages, npages, make_dirty)`: without make_dirty it is
 * unpin_user_pages; with it, per folio run, marks the folio dirty if it is clean, then
 * one put. This path skips no NULL entry.
 */
export function unpinUserPagesDirtyLock(m: Machine, pages: PageArray, npages: number, makeDirty: boolean): void {
  checkBool('unpinUserPagesDirtyLock', 'makeDirty', makeDirty);
  checkEntryCount('unpinUserPagesDirtyLock', 'pages', pages, 'npages', npages, !makeDirty);
  if (!makeDirty) {
    releaseUserPages(m, pages, npages);
    return;
  }
  if (m.checker !== null) checkUnpinUserPages(m.checker, 'unpin_user_pages_dirty_lock', pages, npages);
  for (let i = 0; i < npages; i += run[0]!) {
    const folio = gupFolioNext(m, pages, npages, i, run);
    markDirtyIfClean(m, folio);
    gupPutFolio(m, folio, run[0]!, FOLL_PIN);
    m.cost.pagesReleased += run[0]!;
  }
}

/**
 * `unpin_user_page_range_dirty_lock(page, npages, make_dirty)`: releases the physically
 * contiguous pages [page, page + npages), one put per folio touched.
 */
export function unpinUserPageRangeDirtyLock(m: Machine, page: number, npages: number, makeDirty: boolean): void {
  checkPfn(m, 'unpinUserPageRangeDirtyLock', 'page', page);
  checkCount('unpinUserPageRangeDirtyLock', 'npages', npages, m.nrPages - page);
  checkBool('unpinUserPageRangeDirtyLock', 'makeDirty', makeDirty);
  if (m.checker !== null) checkUnpinUserPageRange(m.checker, page, npages);
  for (let i = 0; i < npages; i += run[0]!) {
    const folio = gupFolioRangeNext(m, page, npages, i, run);
    if (makeDirty) markDirtyIfClean(m, folio);
    gupPutFolio(m, folio, run[0]!, FOLL_PIN);
    m.cost.pagesReleased += run[0]!;
  }
}

/**
 * `unpin_folios(folios, nfolios)`: groups runs of identical consecutive entries into
 * one put of the run length; runs of NULL are skipped; a -errno count WARNs.
 */
export function unpinFolios(m: Machine, folios: PageArray, nfolios: number): void {
  checkEntryCount('unpinFolios', 'folios', folios, 'nfolios', nfolios, true);
  if (m.checker !== null) checkUnpinFolios(m.checker, folios, nfolios);
  if (isErrValue(nfolios)) return warn(m, `unpin_folios: nfolios is an error value ${nfolios}`);
  let i = 0;
  while (i < nfolios) {
    const f = folios[i]!;
    let j = i + 1;
    for (; j < nfolios; j++) if (folios[j] !== f) break;
    if (f !== NULL_PFN) {
      gupPutFolio(m, f, j - i, FOLL_PIN);
      m.cost.pagesReleased += j - i;
    }
    i = j;
  }
}
