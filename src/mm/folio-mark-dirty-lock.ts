/**
 * Dirtying a page a driver wrote through DMA: `folio_mark_dirty_lock` (mm/page-writeback.c,
 * v6.13+) and `set_page_dirty_lock` (mm/folio-compat.c, `folio_mark_dirty_lock(page_folio(page))`).
 *
 * Faithful in effect: the folio's dirty flag is set and the result says whether it was
 * clean before (what folio_mark_dirty returns for the anonymous and shmem folios GUP
 * pins; file systems' dirty_folio hooks are not modelled). folio_lock/folio_unlock are
 * not modelled (nothing runs concurrently). On a checked machine the caller must still
 * hold the page: a pin (pin_user_pages.rst CASE 5), not only a FOLL_GET reference, and
 * not a pin it already dropped. A `folio` that is not an integer head PFN in the memmap,
 * or a `page` outside it, throws an ArgumentError before the checker or the flag is touched.
 */
import { checkFolio, checkPfn } from './arg-check.js';
import { folioIsLongtermPinnable, folioMarkDirty, pageFolio } from './folio.js';
import type { Machine } from './machine.js';
import { HOLD_PIN, type PinChecker } from './pin-checker.js';
import { describePage } from './pin-release-plan.js';

function checkDirty(c: PinChecker, page: number, folio: number, api: string): void {
  const desc = describePage(c, page, folio);
  if (!c.live(folio)) c.fail('dirty-after-unpin', api, page, folio, [`${desc} is free: the pins on it are gone (use after free)`]);
  if (c.folioPins[folio]! > 0) return;
  if (c.folioGets[folio]! > 0)
    c.fail('dirty-get', api, page, folio, [
      `${desc} is held only by FOLL_GET reference(s)`,
      ...c.holdersOf(folio),
      ...(folioIsLongtermPinnable(c.m, folio)
        ? []
        : [`the folio is not long-term pinnable (CMA, ZONE_MOVABLE, ...): a long-lived hold needs pin_user_pages*(FOLL_LONGTERM), which migrates it first (CASE 2)`]),
    ]);
  const released = c.releaseSite[page]!;
  if (released !== 0)
    c.fail('dirty-after-unpin', api, page, folio, [
      `${desc} holds no pin: its ${c.releaseKind[page] === HOLD_PIN ? 'pin' : 'reference'} was released by ${c.siteText(released)}`,
    ]);
}

/** `folio_mark_dirty_lock(folio)`: true if the folio was clean. */
export function folioMarkDirtyLock(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioMarkDirtyLock', 'folio', folio);
  if (m.checker !== null) checkDirty(m.checker, folio, folio, 'folio_mark_dirty_lock');
  return folioMarkDirty(m, folio);
}

/** `set_page_dirty_lock(page)`: 1 if the page's folio was clean, else 0. */
export function setPageDirtyLock(m: Machine, page: number): number {
  checkPfn(m, 'setPageDirtyLock', 'page', page);
  const folio = pageFolio(m, page);
  if (m.checker !== null) checkDirty(m.checker, page, folio, 'set_page_dirty_lock');
  return folioMarkDirty(m, folio) ? 1 : 0;
}
