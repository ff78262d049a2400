/**
 * Releasing a bio's pages at completion (block/bio.c, include/linux/bio.h in T):
 * `bio_release_pages`, `__bio_release_pages`.
 *
 * Faithful to T (unchanged since v6.12, eb1d46fcd5d6): work only for BIO_PAGE_PINNED;
 * per folio step of bio_for_each_folio_all, mark the folio dirty if asked
 * (folio_lock + folio_mark_dirty + folio_unlock, with no "already dirty" short cut),
 * then `unpin_user_folio(folio, pages the step touches)`, where pages =
 * (offset + length - 1) / PAGE_SIZE - offset / PAGE_SIZE + 1. The invariant this relies
 * on: one pin per page spanned by each bvec.
 *
 * The release mode 'page' is v6.6 to v6.11 (same loop, then `unpin_user_page` on each
 * page of the step), kept so a comparison can show what per-folio release saves:
 * the same pins drop, with one put per page instead of one per folio step.
 * folio_lock/folio_unlock are not modelled (no concurrency). Costs: the unpin
 * primitives count `pagesReleased` and the atomics. Arguments: `markDirty` must be a
 * boolean and `mode` 'folio' or 'page' (ArgumentError otherwise).
 */
import { NULL_PFN, PAGE_SIZE } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { KernelBug } from '../mm/bug.js';
import { folioMarkDirty } from '../mm/folio.js';
import { unpinUserFolio, unpinUserPage } from '../gup/unpin.js';
import type { Bio } from './bio.js';
import { BIO_PAGE_PINNED } from './bio.js';
import { FolioIter, bioFirstFolio, bioNextFolio } from './folio-iter.js';
import { bioReleased, checkBioRelease } from './bio-release-checks.js';
import { checkBool, checkOneOf } from '../mm/arg-check.js';

/** How `__bio_release_pages` drops the pins: per folio step (v6.12+) or per page (v6.6-v6.11). */
export type BioReleaseMode = 'folio' | 'page';

const RELEASE_MODES: readonly BioReleaseMode[] = ['folio', 'page'];

function checkReleaseArgs(fn: string, markDirty: boolean, mode: BioReleaseMode): void {
  checkBool(fn, 'markDirty', markDirty);
  checkOneOf(fn, 'mode', mode, RELEASE_MODES);
}

/**
 * `__bio_release_pages(bio, mark_dirty)`: unpins every page of every folio step. In
 * 'page' mode a step that touches no page (a zero-length bvec at a page boundary) makes
 * the kernel's `do { } while (--nr_pages != 0)` run away through the memmap: KernelBug.
 */
export function __bioReleasePages(
  m: Machine,
  bio: Bio,
  markDirty: boolean,
  mode: BioReleaseMode = 'folio',
  fi: FolioIter = new FolioIter(),
): void {
  checkReleaseArgs('__bioReleasePages', markDirty, mode);
  releasePages(m, bio, markDirty, mode, fi);
}

function releasePages(m: Machine, bio: Bio, markDirty: boolean, mode: BioReleaseMode, fi: FolioIter): void {
  const perPage = mode === 'page';
  if (m.checker !== null) checkBioRelease(m, m.checker, bio);
  for (bioFirstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio)) {
    const folio = fi.folio;
    if (markDirty) folioMarkDirty(m, folio);
    const first = Math.floor(fi.offset / PAGE_SIZE);
    const nrPages = Math.floor((fi.offset + fi.length - 1) / PAGE_SIZE) - first + 1;
    if (!perPage) {
      unpinUserFolio(m, folio, nrPages);
      continue;
    }
    if (nrPages <= 0) throw new KernelBug(`__bio_release_pages: nr_pages ${nrPages} wraps in the per-page loop (folio ${folio})`);
    let page = folio + first;
    for (let n = nrPages; n !== 0; n--) unpinUserPage(m, page++);
  }
  if (m.checker !== null) bioReleased(m.checker, bio);
}

/** `bio_release_pages(bio, mark_dirty)`: `__bio_release_pages` if BIO_PAGE_PINNED is set, else nothing. */
export function bioReleasePages(m: Machine, bio: Bio, markDirty: boolean, mode: BioReleaseMode = 'folio'): void {
  checkReleaseArgs('bioReleasePages', markDirty, mode);
  if ((bio.flags & (1 << BIO_PAGE_PINNED)) !== 0) releasePages(m, bio, markDirty, mode, new FolioIter());
}
