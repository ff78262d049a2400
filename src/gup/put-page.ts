/**
 * The FOLL_GET release APIs: `put_page` (include/linux/mm.h) and `release_pages`
 * (mm/swap.c).
 *
 * Faithful: put_page is folio_put(page_folio(page)), one atomic. release_pages turns
 * every entry into its folio and drops one reference per entry (folios_put_refs does
 * one folio_ref_sub_and_test per entry; it does not merge consecutive entries of one
 * folio); what it batches is the freeing, which the model does not cost separately.
 * NULL entries are not allowed, as in the kernel.
 */
import type { Machine } from '../mm/machine.js';
import { folioPutRefs, pageFolio } from '../mm/folio.js';
import type { PageArray } from './unpin.js';
import { checkPutPage, checkReleasePages } from './pin-release-checks.js';

/** `put_page(page)`: drops one reference on the page's folio. */
export function putPage(m: Machine, page: number): void {
  if (m.checker !== null) checkPutPage(m.checker, page);
  folioPutRefs(m, pageFolio(m, page), 1);
  m.cost.pagesReleased++;
}

/** `release_pages(pages, nr)`: one reference dropped per entry, frees batched. */
export function releasePages(m: Machine, pages: PageArray, nr: number): void {
  if (m.checker !== null) checkReleasePages(m.checker, pages, nr);
  for (let i = 0; i < nr; i++) {
    folioPutRefs(m, pageFolio(m, pages[i]!), 1);
  }
  m.cost.pagesReleased += nr;
}
