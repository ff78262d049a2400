/**
 * Filling a bio from an iov_iter (block/bio.c @10c5ed1d and include/linux/bio.h in T):
 * `bio_iov_iter_get_pages`, `bio_iov_iter_set`, `bio_iov_bvec_aligned`,
 * `bio_iov_iter_align_down`, `bio_iov_vecs_to_alloc`, and `bvec_nr_pages` from the
 * pending fix.
 *
 * Faithful to T: a cloned bio WARNs and gives -EIO. ITER_BVEC is not copied: the bio
 * points at the iterator's bvec array from its current segment (BIO_CLONED, `bi_vcnt`
 * 0, no references), after the alignment check (the first segment's offset, or every
 * segment under CONFIG_DEBUG_KERNEL), truncated to `maxlen`, and the iterator advances.
 * Otherwise BIO_PAGE_PINNED is set when `iov_iter_extract_will_pin`, and
 * `iov_iter_extract_bvecs` is called until the iterator is empty or the bio is full; a
 * failure keeps a partial bio, except -EINVAL, which releases what was pinned, clears
 * the flag and empties the bio; the error is returned only when the bio is empty. A
 * P2PDMA first page sets REQ_NOMERGE. Finally the size is aligned down to
 * `len_align_mask`: the trimmed bytes are reverted on the iterator, whole trailing bvecs
 * are dropped (-EFAULT if none is left) and the last one is shortened.
 *
 * T's known bug is kept as the default ('trial'): a dropped bvec releases only its first
 * page (`unpin_user_page(bv_page)`), so a dropped multi-page bvec leaks the pins of its
 * other pages. 'fixed' models the fix in flight as the fact sheet describes it (Tal
 * Zussman, 2026; patch text not verified here): a dropped bvec releases every page it
 * spans (`bvec_nr_pages`), one page at a time. Neither variant releases a page that a
 * shortened (not dropped) last bvec stops spanning: T's code does not, and
 * bio_release_pages later unpins only the pages the bvec still spans.
 * Model additions: `hold: 'get'` releases with put_page (the dio_w_* get path);
 * `queuePciP2pdma` stands for `blk_queue_pci_p2pdma(bdev's queue)` (there is no bdev).
 * Arguments: `maxlen` and the masks are `unsigned int` (T's prototype), `max_segs` an
 * `int`, a bvec index lies inside the table, the options are one of their values:
 * ArgumentError otherwise, before the bio or the iterator is touched.
 */
import { PAGE_SIZE } from '../mm/constants.js';
import { EINVAL, EIO, EFAULT } from '../mm/errno.js';
import { warnOnOnce } from '../mm/bug.js';
import type { Mm } from '../mm/mm.js';
import type { Machine } from '../mm/machine.js';
import { putPage } from '../gup/put-page.js';
import { unpinUserPage } from '../gup/unpin.js';
import { isPciP2pdmaPage } from './bio-add.js';
import { BvecArray, bvecArrayView } from './bio-vec.js';
import { BIO_CLONED, BIO_PAGE_PINNED, REQ_NOMERGE, bioClearFlag, bioFlagged, bioFull, bioSetFlag, type Bio } from './bio.js';
import { bioReleasePages } from './bio-release.js';
import { BvecIter, forEachMpBvecFn, mpBvecIterOffset } from './bvec-iter.js';
import { iovIterAdvance, iovIterRevert } from './iov-iter-advance.js';
import { iovIterExtractBvecs } from './iov-iter-extract-bvecs.js';
import { ITER_ALLOW_P2PDMA, type UserPageHold } from './iov-iter-extract.js';
import { iovIterNpages } from './iov-iter-geometry.js';
import type { IovIter } from './iov-iter.js';
import { iovIterExtractWillPin, iovIterIsBvec } from './iov-iter.js';
import { bioReleasePagesFollGet } from './bio-release-foll-get.js';
import { checkBool, checkCount, checkInt, checkOneOf } from '../mm/arg-check.js';
import { checkBvecIndex, checkUnsignedInt } from './block-arg-check.js';

/** Which `bio_iov_iter_align_down` to run: T's ('trial') or with the pending fix. */
export type AlignDownVariant = 'trial' | 'fixed';

/** Options of the model; none is a kernel argument. */
export interface BioIovIterOptions {
  /** bio_iov_iter_align_down variant (default 'trial', T's code). */
  readonly alignDown?: AlignDownVariant;
  /** CONFIG_DEBUG_KERNEL: check every ITER_BVEC segment's alignment (default false: the first). */
  readonly debugKernel?: boolean;
  /** `blk_queue_pci_p2pdma` of the bio's queue: pass ITER_ALLOW_P2PDMA (default false). */
  readonly queuePciP2pdma?: boolean;
  /** How user pages are held (default 'pin'); 'get' is the dio_w_* FOLL_GET path. */
  readonly hold?: UserPageHold;
}

const ALIGN_DOWN_VARIANTS: readonly AlignDownVariant[] = ['trial', 'fixed'];
const HOLDS: readonly UserPageHold[] = ['pin', 'get'];

/** `bio_iov_vecs_to_alloc(iter, max_segs)`: 0 for ITER_BVEC (its array is reused), else iov_iter_npages. */
export function bioIovVecsToAlloc(iter: IovIter, maxSegs: number): number {
  checkCount('bioIovVecsToAlloc', 'maxSegs', maxSegs);
  if (iovIterIsBvec(iter)) return 0;
  return iovIterNpages(iter, maxSegs);
}

/** `bvec_nr_pages(bv)` (pending fix): pages spanned by `bvs[i]`. */
export function bvecNrPages(bvs: BvecArray, i: number): number {
  checkBvecIndex('bvecNrPages', 'i', bvs, i);
  return nrPages(bvs, i);
}

function nrPages(bvs: BvecArray, i: number): number {
  const off = bvs.offset[i]!;
  return Math.floor((off + bvs.len[i]! - 1) / PAGE_SIZE) - Math.floor(off / PAGE_SIZE) + 1;
}

/**
 * `bio_iov_iter_set(bio, iter)`: for ITER_BVEC, points the bio at the iterator's
 * bvecs from its current segment (WARN once if the bio has its own vectors), with
 * `bi_offset` = `iov_offset`, `bi_size` = count, BIO_CLONED; true. Otherwise false.
 */
export function bioIovIterSet(m: Machine, bio: Bio, iter: IovIter): boolean {
  if (!iovIterIsBvec(iter)) return false;
  warnOnOnce(m, bio.maxVecs !== 0, 'bio_iov_iter_set: bio has its own bvecs');
  bio.vecs = bvecArrayView(iter.bvec!, iter.seg);
  bio.iter.idx = 0;
  bio.iter.offset = iter.iovOffset;
  bio.iter.size = iter.count;
  bioSetFlag(bio, BIO_CLONED);
  return true;
}

const alignIter = new BvecIter();

/** A bio allocated with no vectors has no table; the kernel passes its NULL bi_io_vec on. */
const NO_BVECS = new BvecArray(0);

/**
 * `bio_iov_bvec_aligned(bio, mem_align_mask)`: CONFIG_DEBUG_KERNEL checks every
 * multi-page view's offset and length; otherwise only the first view's offset.
 */
export function bioIovBvecAligned(bio: Bio, memAlignMask: number, debugKernel: boolean): boolean {
  checkUnsignedInt('bioIovBvecAligned', 'memAlignMask', memAlignMask);
  checkBool('bioIovBvecAligned', 'debugKernel', debugKernel);
  return bvecAligned(bio, memAlignMask, debugKernel);
}

function bvecAligned(bio: Bio, memAlignMask: number, debugKernel: boolean): boolean {
  const bvs = bio.vecs!;
  if (!debugKernel) return ((mpBvecIterOffset(bvs, bio.iter) >>> 0) & memAlignMask) === 0;
  let ok = true;
  forEachMpBvecFn(
    bvs,
    bio.iter,
    (_page, len, offset) => {
      if ((((offset | len) >>> 0) & memAlignMask) !== 0) ok = false;
    },
    alignIter,
  );
  return ok;
}

function releaseBvec(m: Machine, bio: Bio, j: number, variant: AlignDownVariant, hold: UserPageHold): void {
  if (!bioFlagged(bio, BIO_PAGE_PINNED)) return;
  const bvs = bio.vecs!;
  const first = bvs.page[j]! + Math.floor(bvs.offset[j]! / PAGE_SIZE);
  const nr = variant === 'trial' ? 1 : nrPages(bvs, j);
  // T passes bv_page itself; extract_bvecs writes offsets below PAGE_SIZE, so that is `first`.
  const page0 = variant === 'trial' ? bvs.page[j]! : first;
  for (let k = 0; k < nr; k++) {
    if (hold === 'pin') unpinUserPage(m, page0 + k);
    else putPage(m, page0 + k);
  }
}

/**
 * `bio_iov_iter_align_down(bio, iter, bv, len_align_mask)`: trims `bi_size` to a
 * multiple of `lenAlignMask + 1`, `bv` being the last bvec (index `last`). Returns 0,
 * or -EFAULT when every bvec was dropped.
 */
export function bioIovIterAlignDown(
  m: Machine,
  bio: Bio,
  iter: IovIter,
  last: number,
  lenAlignMask: number,
  variant: AlignDownVariant = 'trial',
  hold: UserPageHold = 'pin',
): number {
  const fn = 'bioIovIterAlignDown';
  checkInt(fn, 'last', last, 0, (bio.vecs === null ? 0 : bio.vecs.capacity) - 1);
  checkUnsignedInt(fn, 'lenAlignMask', lenAlignMask);
  checkOneOf(fn, 'variant', variant, ALIGN_DOWN_VARIANTS);
  checkOneOf(fn, 'hold', hold, HOLDS);
  return alignDown(m, bio, iter, last, lenAlignMask, variant, hold);
}

function alignDown(m: Machine, bio: Bio, iter: IovIter, last: number, lenAlignMask: number, variant: AlignDownVariant, hold: UserPageHold): number {
  let nbytes = (bio.size & lenAlignMask) >>> 0;
  if (nbytes === 0) return 0;
  iovIterRevert(m, iter, nbytes);
  bio.size -= nbytes;
  const bvs = bio.vecs!;
  let j = last;
  while (nbytes >= bvs.len[j]!) {
    releaseBvec(m, bio, j, variant, hold);
    if (--bio.vcnt === 0) return -EFAULT;
    nbytes -= bvs.len[j]!;
    j--;
  }
  bvs.len[j] = bvs.len[j]! - nbytes;
  return 0;
}

/**
 * `bio_iov_iter_get_pages(bio, iter, maxlen, mem_align_mask, len_align_mask)`: adds up
 * to `maxlen` bytes of `iter` to `bio`. Returns 0, or -errno with nothing held by the
 * bio (-EIO cloned bio, -EINVAL misaligned, -EFAULT nothing left after alignment, or the
 * extraction's error when no bvec was added). User pages are pinned (BIO_PAGE_PINNED:
 * release with bio_release_pages); ITER_BVEC reuses the caller's array (BIO_CLONED).
 */
export function bioIovIterGetPages(
  mm: Mm,
  bio: Bio,
  iter: IovIter,
  maxlen: number,
  memAlignMask: number,
  lenAlignMask: number,
  opts: BioIovIterOptions = {},
): number {
  const fn = 'bioIovIterGetPages';
  checkUnsignedInt(fn, 'maxlen', maxlen);
  checkUnsignedInt(fn, 'memAlignMask', memAlignMask);
  checkUnsignedInt(fn, 'lenAlignMask', lenAlignMask);
  if (opts.alignDown !== undefined) checkOneOf(fn, 'opts.alignDown', opts.alignDown, ALIGN_DOWN_VARIANTS);
  if (opts.debugKernel !== undefined) checkBool(fn, 'opts.debugKernel', opts.debugKernel);
  if (opts.queuePciP2pdma !== undefined) checkBool(fn, 'opts.queuePciP2pdma', opts.queuePciP2pdma);
  if (opts.hold !== undefined) checkOneOf(fn, 'opts.hold', opts.hold, HOLDS);
  const m = mm.m;
  const hold = opts.hold ?? 'pin';
  if (warnOnOnce(m, bioFlagged(bio, BIO_CLONED), 'bio_iov_iter_get_pages: cloned bio')) return -EIO;

  if (bioIovIterSet(m, bio, iter)) {
    if (iovIterIsBvec(iter) && !bvecAligned(bio, memAlignMask, opts.debugKernel === true)) return -EINVAL;
    bio.size = Math.min(bio.size, maxlen);
    iovIterAdvance(iter, bio.size);
    return 0;
  }

  if (iovIterExtractWillPin(iter)) bioSetFlag(bio, BIO_PAGE_PINNED);
  const flags = opts.queuePciP2pdma === true ? ITER_ALLOW_P2PDMA : 0;
  const bvs = bio.vecs ?? NO_BVECS;
  do {
    const r = iovIterExtractBvecs(mm, iter, bvs, maxlen - bio.size, bio.vcnt, bio.maxVecs, flags, memAlignMask, { hold });
    bio.vcnt = r.nrVecs;
    if (r.ret <= 0) {
      if (r.ret === -EINVAL) {
        if (hold === 'pin') bioReleasePages(m, bio, false);
        else bioReleasePagesFollGet(m, bio, false);
        bioClearFlag(bio, BIO_PAGE_PINNED);
        bio.vcnt = 0;
      }
      if (bio.vcnt === 0) return r.ret;
      break;
    }
    bio.size += r.ret;
  } while (iter.count !== 0 && !bioFull(bio, 0));

  if (isPciP2pdmaPage(m, bvs.page[0]!)) bio.opf |= REQ_NOMERGE;
  return alignDown(m, bio, iter, bio.vcnt - 1, lenAlignMask, opts.alignDown ?? 'trial', hold);
}
