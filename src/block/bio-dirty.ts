/**
 * Dirtying the pages a Direct IO read fills (block/bio.c in T): `bio_set_pages_dirty`
 * before submission and `bio_check_pages_dirty` at completion.
 *
 * Faithful: bio_set_pages_dirty marks every folio step of bio_for_each_folio_all dirty;
 * bio_check_pages_dirty releases with `bio_release_pages(bio, false)` if every folio is
 * still dirty, and otherwise (something cleaned a page during the read) releases with
 * mark_dirty set, which the kernel defers to a work item (run at once here: the model
 * has no workqueue). `release` is the release in force (per folio unpin, or the FOLL_GET
 * put_page of the dio_w_* get configuration). folio locking is not modelled.
 */
import { NULL_PFN } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { folioMarkDirty, folioTestDirty } from '../mm/folio.js';
import type { Bio } from './bio.js';
import { FolioIter, bioFirstFolio, bioNextFolio } from './folio-iter.js';

const fi = new FolioIter();

/** `bio_set_pages_dirty(bio)`: folio_mark_dirty on every folio the bio touches. */
export function bioSetPagesDirty(m: Machine, bio: Bio): void {
  for (bioFirstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio)) folioMarkDirty(m, fi.folio);
}

/** How a completed bio's pages are released: `(m, bio, markDirty)`. */
export type BioRelease = (m: Machine, bio: Bio, markDirty: boolean) => void;

/**
 * `bio_check_pages_dirty(bio)`: `release(bio, false)` if every folio is still dirty,
 * else `release(bio, true)` (the kernel's deferred bio_dirty_fn).
 */
export function bioCheckPagesDirty(m: Machine, bio: Bio, release: BioRelease): void {
  let clean = false;
  for (bioFirstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio)) {
    if (!folioTestDirty(m, fi.folio)) {
      clean = true;
      break;
    }
  }
  release(m, bio, clean);
}
