/**
 * The FOLL_GET-era release of a Direct IO bio (block/bio.c v5.x, before pins):
 * `bio_release_pages`, which drops one page reference per single-page segment
 * (`bio_for_each_segment_all` + `put_page`), marking non-compound pages dirty first if
 * asked (`set_page_dirty_lock`). It is what the dio_w_* wrappers' get configuration
 * (seeds/000: `dio_w_unpin_user_pages` = a put_page loop) releases with.
 *
 * Faithful to v5.x's loop. Adapted: v5.x skipped bios flagged BIO_NO_PAGE_REF (and
 * v6.4-v6.5 released only BIO_PAGE_REFFED ones); the model's bios carry
 * BIO_PAGE_PINNED for "the user pages must be released", whatever holds them, so that
 * is the flag tested here. folio locking is not modelled. A `markDirty` that is not a
 * boolean is an ArgumentError.
 */
import type { Machine } from '../mm/machine.js';
import { folioMarkDirty, pageFolio } from '../mm/folio.js';
import { putPage } from '../gup/put-page.js';
import type { Bio } from './bio.js';
import { BIO_PAGE_PINNED, bioFlagged } from './bio.js';
import { BvecIterAll, bvecAdvance } from './bvec-iter.js';
import { checkBool } from '../mm/arg-check.js';

const all = new BvecIterAll();

/**
 * `bio_release_pages(bio, mark_dirty)` as in v5.x: for every single-page segment, if
 * `markDirty` and the page is not compound, mark it dirty; then put_page. Does nothing
 * unless BIO_PAGE_PINNED is set.
 */
export function bioReleasePagesFollGet(m: Machine, bio: Bio, markDirty: boolean): void {
  checkBool('bioReleasePagesFollGet', 'markDirty', markDirty);
  if (!bioFlagged(bio, BIO_PAGE_PINNED)) return;
  const bvs = bio.vecs;
  if (bvs === null) return;
  all.idx = 0;
  all.done = 0;
  while (all.idx < bio.vcnt) {
    bvecAdvance(bvs, all.idx, all);
    const page = all.bv.page;
    const folio = pageFolio(m, page);
    if (markDirty && m.order[folio] === 0) folioMarkDirty(m, folio);
    putPage(m, page);
  }
}
