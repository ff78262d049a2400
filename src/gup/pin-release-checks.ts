/**
 * The pin checker's view of the release APIs of mm/gup.c and include/linux/mm.h:
 * `unpin_user_page`, `unpin_user_pages`, `unpin_user_pages_dirty_lock`,
 * `unpin_user_page_range_dirty_lock`, `unpin_folio`, `unpin_user_folio`,
 * `unpin_folios`, `put_page`, `release_pages`. Each runs on a checked machine at the top
 * of its API (unpin.ts, put-page.ts), checks every hold the call names and records the
 * release, or throws a PinMisuse before the model moves a count.
 *
 * Entry semantics follow the kernel's loops: unpin_user_pages skips NULL entries,
 * unpin_folios skips runs of NULL; a NULL the kernel would dereference is left to the
 * model's KernelBug, as is any release of a free folio (use after free).
 */
import { NULL_PFN } from '../mm/constants.js';
import { pageFolio } from '../mm/folio.js';
import { pfnValid } from '../mm/machine.js';
import { HOLD_GET, HOLD_PIN, type PinChecker } from '../mm/pin-checker.js';
import { ReleasePlan, checkErrnoCount, takeCredit } from '../mm/pin-release-plan.js';
import type { PageArray } from './unpin.js';

/** unpin_user_page(page). */
export function checkUnpinUserPage(c: PinChecker, page: number): void {
  if (pfnValid(c.m, page) && takeCredit(c, pageFolio(c.m, page), 1)) return;
  const plan = new ReleasePlan(c, 'unpin_user_page', HOLD_PIN);
  plan.page(page);
  plan.apply();
}

/**
 * Whether the kernel's loop dereferences a NULL entry: gup_folio_next() reads the entry
 * after every non-NULL one, and the dirty_lock variant reads them all.
 */
function oopsesOnNull(pages: PageArray, npages: number, skipsNull: boolean): boolean {
  for (let i = 0; i < npages && i < pages.length; i++) {
    if (pages[i] !== NULL_PFN) continue;
    if (!skipsNull || (i > 0 && pages[i - 1] !== NULL_PFN)) return true;
  }
  return false;
}

/** unpin_user_pages(pages, npages) and unpin_user_pages_dirty_lock(pages, npages, true). */
export function checkUnpinUserPages(c: PinChecker, api: string, pages: PageArray, npages: number): void {
  checkErrnoCount(c, api, npages);
  if (oopsesOnNull(pages, npages, api === 'unpin_user_pages')) return; // the model's KernelBug reports it
  const plan = new ReleasePlan(c, api, HOLD_PIN);
  for (let i = 0; i < npages; i++) {
    const p = pages[i]!;
    if (p === NULL_PFN) continue;
    plan.page(p, `entry ${i}: `);
  }
  plan.apply();
}

/** unpin_user_page_range_dirty_lock(page, npages, make_dirty). */
export function checkUnpinUserPageRange(c: PinChecker, page: number, npages: number): void {
  const plan = new ReleasePlan(c, 'unpin_user_page_range_dirty_lock', HOLD_PIN);
  for (let i = 0; i < npages; i++) plan.page(page + i, `page ${i} of the range: `);
  plan.apply();
}

/** unpin_folio(folio) (npages 1) and unpin_user_folio(folio, npages). */
export function checkUnpinFolio(c: PinChecker, api: string, folio: number, npages: number): void {
  if (takeCredit(c, folio, npages)) return;
  const plan = new ReleasePlan(c, api, HOLD_PIN);
  plan.folio(folio, npages);
  plan.apply();
}

/** unpin_folios(folios, nfolios): one release of the run length per run of equal entries. */
export function checkUnpinFolios(c: PinChecker, folios: PageArray, nfolios: number): void {
  checkErrnoCount(c, 'unpin_folios', nfolios);
  const plan = new ReleasePlan(c, 'unpin_folios', HOLD_PIN);
  let i = 0;
  while (i < nfolios) {
    const f = folios[i]!;
    let j = i + 1;
    while (j < nfolios && folios[j] === f) j++;
    if (f !== NULL_PFN) plan.folio(f, j - i, j - i > 1 ? `entries ${i}..${j - 1}: ` : `entry ${i}: `);
    i = j;
  }
  plan.apply();
}

/** put_page(page). */
export function checkPutPage(c: PinChecker, page: number): void {
  const plan = new ReleasePlan(c, 'put_page', HOLD_GET);
  plan.page(page);
  plan.apply();
}

/** release_pages(pages, nr). */
export function checkReleasePages(c: PinChecker, pages: PageArray, nr: number): void {
  const plan = new ReleasePlan(c, 'release_pages', HOLD_GET);
  for (let i = 0; i < nr; i++) {
    const p = pages[i]!;
    plan.page(p, `entry ${i}: `);
  }
  plan.apply();
}
