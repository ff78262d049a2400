/**
 * The status quo's output: the caller's `struct page **pages` array, as a GupSink.
 *
 * Faithful to what mm/gup.c writes: one entry per page, in address order
 * (`pages[i + j] = page + j` in __get_user_pages, `*(pages++) = page++` for a GUP-fast
 * leaf), nothing when `pages` is NULL. Its rollback is the page-array half of
 * `migrate_longterm_unpinnable_folios`: every entry of the attempt is released on its
 * own (`unpin_folio(page_folio(pages[i]))`, one gup_put_folio per entry) and cleared to
 * NULL. Writing past the end of the caller's array would corrupt memory in the kernel;
 * here it is a KernelBug. `rollback` refuses (ArgumentError) a `keep` outside
 * 0..entries written and a flag word that is no FOLL_* word; `room` and `add` are the
 * walk's per-step calls and take what the walk computed.
 */
import { NULL_PFN } from '../mm/constants.js';
import { KernelBug } from '../mm/bug.js';
import type { Machine } from '../mm/machine.js';
import { pageFolio } from '../mm/folio.js';
import type { GupSink } from './gup-sink.js';
import { gupPutFolio } from './gup-put-folio.js';
import { NATIVE_RUN_MIN, writePfnRun } from '../mm/pfn-sequence.js';
import { checkCount } from '../mm/arg-check.js';
import { checkFollWord } from './gup-arg-types.js';

/** A caller's writable page array: PFNs, NULL_PFN for NULL (a number[] or an Int32Array). */
export interface PageArrayOut {
  [index: number]: number;
  readonly length: number;
}

/** A `pages[]` array (or NULL) filled from index 0 by one GUP call. */
export class PageArraySink implements GupSink {
  /** Entries written so far. */
  nr = 0;

  constructor(
    private readonly m: Machine,
    private readonly pages: PageArrayOut | null,
  ) {}

  room(_folio: number, _page: number, nr: number): number {
    return nr;
  }

  add(_folio: number, page: number, nr: number): void {
    const pages = this.pages;
    const at = this.nr;
    if (pages !== null) {
      if (at + nr > pages.length)
        throw new KernelBug(`pages[] overflow: writing entries ${at}..${at + nr - 1} of an array of ${pages.length}`);
      if (nr >= NATIVE_RUN_MIN && pages instanceof Int32Array) writePfnRun(this.m, pages, at, page, nr);
      else {
        const end = at + nr;
        for (let k = at, p = page; k < end; k++, p++) pages[k] = p;
      }
      this.m.cost.pagePointersWritten += nr;
    }
    this.nr = at + nr;
  }

  rollback(gupFlags: number, keep: number): void {
    checkFollWord('PageArraySink.rollback', gupFlags);
    checkCount('PageArraySink.rollback', 'keep', keep, this.nr);
    const pages = this.pages;
    if (pages !== null) {
      const m = this.m;
      for (let i = keep; i < this.nr; i++) {
        gupPutFolio(m, pageFolio(m, pages[i]!), 1, gupFlags);
        pages[i] = NULL_PFN;
      }
    }
    this.nr = keep;
  }
}
