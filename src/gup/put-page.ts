/**
 * The FOLL_GET release APIs: `put_page` (include/linux/mm.h) and `release_pages`
 * (mm/swap.c).
 *
 * Faithful: put_page is folio_put(page_folio(page)), one atomic. release_pages turns
 * every entry into its folio and drops one reference per entry (folios_put_refs does
 * one folio_ref_sub_and_test per entry; it does not merge consecutive entries of one
 * folio); what it batches is the freeing, which the model does not cost separately.
 * NULL entries are not allowed, as in the kernel.
 *
 * Arguments (ArgumentError, before anything is released): the page must lie inside
 * the memmap; `nr` must be an integer in 0..pages.length. The kernel's `int nr` loop
 * (`for (i = 0; i < nr; i++)`) silently releases nothing for a negative nr, which
 * would leave every reference the caller meant to drop; the model refuses it instead.
 * Entries are not checked one by one (that would be a second pass over the array).
 */
import { badArgument, checkPfn } from '../mm/arg-check.js';
import type { Machine } from '../mm/machine.js';
import { folioPutRefs, pageFolio } from '../mm/folio.js';
import type { PageArray } from './unpin.js';
import { checkPutPage, checkReleasePages } from './pin-release-checks.js';
import { checkPageArrayRoom } from './gup-arg-types.js';

/** `put_page(page)`: drops one reference on the page's folio. */
export function putPage(m: Machine, page: number): void {
  checkPfn(m, 'putPage', 'page', page);
  if (m.checker !== null) checkPutPage(m.checker, page);
  folioPutRefs(m, pageFolio(m, page), 1);
  m.cost.pagesReleased++;
}

/** `release_pages(pages, nr)`: one reference dropped per entry, frees batched. */
export function releasePages(m: Machine, pages: PageArray, nr: number): void {
  if (!((nr | 0) === nr && nr >= 0 && nr <= pages.length)) {
    if (Number.isInteger(nr) && nr > pages.length) checkPageArrayRoom('releasePages', 'pages', pages, nr);
    badArgument('releasePages', 'nr', nr, `a count in 0..${pages.length}`);
  }
  if (m.checker !== null) checkReleasePages(m.checker, pages, nr);
  for (let i = 0; i < nr; i++) {
    folioPutRefs(m, pageFolio(m, pages[i]!), 1);
  }
  m.cost.pagesReleased += nr;
}
