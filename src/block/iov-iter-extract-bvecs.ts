/**
 * Folio-run extraction into a bvec array (lib/iov_iter.c in T @828bcbca, hch Jan 2026):
 * `iov_iter_extract_bvecs`, `get_contig_folio_len`, `PAGE_PTRS_PER_BVEC`.
 *
 * Faithful: -EINVAL when the current segment's address or length (UBUF, IOVEC, KVEC) or
 * `iov_iter_alignment` (other types) meets `mem_align_mask`; the temporary page array
 * is the top half of the caller's unused bvec slots, `entries_left` = max_vecs - nr_vecs
 * pointers starting `entries_left` pointers above `bv + nr_vecs`, so extraction never
 * asks for more pages than there are free bvecs; nothing extracted is -EFAULT. Each run
 * of consecutive pages inside one folio becomes one bvec (`bvec_set_page(first page,
 * len, offset)`): never merged across folios, even physically contiguous ones, and never
 * into a bvec already in the array; a zone-device pgmap change stops the loop. Bytes not
 * turned into bvecs are reverted on the iterator and, for a pinning iterator, the pages
 * not used are unpinned one at a time (`unpin_user_page`). Returns the bytes added,
 * which may be 0 when `nr_vecs` was non-zero on entry.
 *
 * The packing is modelled as memory: each bvec array has a shadow of
 * PAGE_PTRS_PER_BVEC pointer slots per bvec, the page array is written into it (the
 * GUP sink counts those page pointers), and writing bvec j overwrites slots 2j and 2j+1.
 * Before each write the model checks that those slots hold no page entry still to be
 * read, and throws a KernelBug if they would (the kernel would read a clobbered page
 * pointer). Model addition: `hold: 'get'` (see
 * iov-iter-extract.ts) releases unused user pages with put_page instead of unpinning.
 * Arguments (checked before anything is counted or pinned): `max_size` a `size_t` the
 * model holds exactly; `nr_vecs` and `max_vecs` `unsigned short`s with
 * nr_vecs <= max_vecs <= the array's capacity (otherwise `entries_left` wraps or the
 * page array lies past the end of `bv`: a buffer overflow in C); `mem_align_mask` an
 * `unsigned int`; `flags` within ITER_ALLOW_P2PDMA: ArgumentError otherwise.
 * get_contig_folio_len's `pages` must hold every entry the call may read.
 * Costs: one `apiCalls` for this call (the extraction inside counts its own), one
 * `bvecsWritten` per bvec.
 */
import { PAGE_SIZE, SIZEOF_BIO_VEC, SIZEOF_POINTER, divRoundUp } from '../mm/constants.js';
import { EFAULT, EINVAL } from '../mm/errno.js';
import { KernelBug } from '../mm/bug.js';
import { folioSize, pageFolio } from '../mm/folio.js';
import type { Machine } from '../mm/machine.js';
import type { Mm } from '../mm/mm.js';
import { putPage } from '../gup/put-page.js';
import { unpinUserPage } from '../gup/unpin.js';
import { zoneDevicePagesHaveSamePgmap } from './bio-add.js';
import type { BvecArray } from './bio-vec.js';
import { iovIterRevert } from './iov-iter-advance.js';
import { ExtractPagesResult, ITER_ALLOW_P2PDMA, iovIterExtractPagesAs, type UserPageHold } from './iov-iter-extract.js';
import { iovIterAlignment } from './iov-iter-geometry.js';
import type { IovIter } from './iov-iter.js';
import { ITER_IOVEC, ITER_KVEC, ITER_UBUF, iovIterExtractWillPin, iterIovAddr, iterIovLen } from './iov-iter.js';
import { badArgument, checkFlags, checkOneOf, checkPfn } from '../mm/arg-check.js';
import { checkSizeT, checkUnsignedInt, checkUnsignedShort } from './block-arg-check.js';

/** `PAGE_PTRS_PER_BVEC`: page pointers that fit in one bio_vec (2 on 64-bit). */
export const PAGE_PTRS_PER_BVEC = SIZEOF_BIO_VEC / SIZEOF_POINTER;

/** What a bvec write leaves in a pointer slot that held a page entry. */
const CLOBBERED = -2;

const shadows = new WeakMap<BvecArray, Int32Array>();

/** The memory of `bv` seen as `struct page *` slots, PAGE_PTRS_PER_BVEC per bvec. */
function pointerSlots(bv: BvecArray): Int32Array {
  let s = shadows.get(bv);
  if (s === undefined) {
    s = new Int32Array(bv.capacity * PAGE_PTRS_PER_BVEC).fill(CLOBBERED);
    shadows.set(bv, s);
  }
  return s;
}

/**
 * `get_contig_folio_len(&pages[at], &num_pages, left, offset)`: the bytes of the run
 * starting at `pages[at]` (at `offset` in that page) that stay inside its folio on
 * consecutive pages, at most `left`. The pages the run uses go in `numPages[0]`.
 * `pages` must hold the DIV_ROUND_UP(offset + len, PAGE_SIZE) entries from `at` the
 * loop may read (len: the run's bound); `pages[at]` a PFN; `left` and `offset` size_t.
 */
export function getContigFolioLen(m: Machine, pages: ArrayLike<number>, at: number, left: number, offset: number, numPages: Int32Array): number {
  if (!((at >>> 0) === at && at < pages.length)) badArgument('getContigFolioLen', 'at', at, `an index in 0..${pages.length - 1}`);
  checkPfn(m, 'getContigFolioLen', 'pages[at]', pages[at]!);
  checkSizeT('getContigFolioLen', 'left', left);
  checkSizeT('getContigFolioLen', 'offset', offset);
  if (numPages.length < 1) badArgument('getContigFolioLen', 'numPages.length', numPages.length, 'at least 1');
  return contigFolioLen(m, pages, at, left, offset, numPages, true);
}

function contigFolioLen(m: Machine, pages: ArrayLike<number>, at: number, left: number, offset: number, numPages: Int32Array, check: boolean): number {
  const first = pages[at]!;
  const folio = pageFolio(m, first);
  let contig = Math.min(PAGE_SIZE - offset, left);
  const folioOffset = PAGE_SIZE * (first - folio) + offset;
  const len = Math.min(folioSize(m, folio) - folioOffset, left);
  left -= contig;
  const maxPages = divRoundUp(offset + len, PAGE_SIZE);
  if (check && at + maxPages > pages.length)
    badArgument('getContigFolioLen', 'pages.length', pages.length, `at least at + ${maxPages} (the pages the run may span)`);
  let k = 1;
  for (; k < maxPages; k++) {
    const page = pages[at + k]!;
    if (pageFolio(m, page) !== folio || page !== pages[at + k - 1]! + 1) break;
    const next = Math.min(PAGE_SIZE, left);
    contig += next;
    left -= next;
  }
  numPages[0] = k;
  return contig;
}

/** The result of `iov_iter_extract_bvecs`: the return value and `*nr_vecs` after. */
export interface ExtractBvecsResult {
  /** Bytes added as bvecs (may be 0 if `nrVecs` was non-zero on entry), or -errno. */
  readonly ret: number;
  /** `*nr_vecs` on return. */
  readonly nrVecs: number;
}

/** Options of the model (none of them is a kernel argument). */
export interface ExtractBvecsOptions {
  /** How user pages are held (default 'pin', the kernel's). */
  readonly hold?: UserPageHold;
}

const numPages = new Int32Array(1);
const scratch = new ExtractPagesResult();
const HOLDS: readonly UserPageHold[] = ['pin', 'get'];

function checkClobber(slot: number, pagesBase: number, nextUnread: number, nrPages: number, j: number): void {
  const p = slot - pagesBase;
  if (p >= nextUnread && p < nrPages)
    throw new KernelBug(`iov_iter_extract_bvecs: writing bvec ${j} overwrites page entry ${p} before it is read`);
}

/**
 * `iov_iter_extract_bvecs(iter, bv, max_size, &nr_vecs, max_vecs, mem_align_mask,
 * flags)`: extracts up to `maxSize` bytes into `bv[nrVecs..maxVecs)`, one bvec per run
 * of pages inside one folio. Returns the bytes added and the new `nrVecs`, or -EINVAL
 * (misaligned), -EFAULT (nothing extracted), -ENOMEM (no free bvec) or a pin error
 * with `nrVecs` unchanged. Pinning iterators leave one pin per page spanned by each
 * new bvec; pages extracted but not used are unpinned here.
 */
export function iovIterExtractBvecs(
  mm: Mm,
  iter: IovIter,
  bv: BvecArray,
  maxSize: number,
  nrVecs: number,
  maxVecs: number,
  flags: number,
  memAlignMask = 0,
  opts: ExtractBvecsOptions = {},
): ExtractBvecsResult {
  const fn = 'iovIterExtractBvecs';
  checkSizeT(fn, 'maxSize', maxSize);
  checkUnsignedShort(fn, 'nrVecs', nrVecs);
  checkUnsignedShort(fn, 'maxVecs', maxVecs);
  if (maxVecs > bv.capacity) badArgument(fn, 'maxVecs', maxVecs, `at most the bvec array's ${bv.capacity} entries`);
  if (nrVecs > maxVecs) badArgument(fn, 'nrVecs', nrVecs, `at most maxVecs (${maxVecs})`);
  checkFlags(fn, 'flags', flags, ITER_ALLOW_P2PDMA);
  checkUnsignedInt(fn, 'memAlignMask', memAlignMask);
  if (opts.hold !== undefined) checkOneOf(fn, 'opts.hold', opts.hold, HOLDS);
  const m = mm.m;
  m.cost.apiCalls++;
  const hold = opts.hold ?? 'pin';
  const entriesLeft = maxVecs - nrVecs;

  const t = iter.iterType;
  if (t === ITER_UBUF || t === ITER_IOVEC || t === ITER_KVEC) {
    if (t !== ITER_UBUF && iter.seg >= iter.iov.length)
      throw new KernelBug('iov_iter_extract_bvecs: iter_iov_addr reads past the end of the segment array');
    const start = iterIovAddr(iter);
    if ((((start >>> 0) | (iterIovLen(iter) >>> 0)) & memAlignMask) !== 0) return { ret: -EINVAL, nrVecs };
  } else if (((iovIterAlignment(iter) >>> 0) & memAlignMask) !== 0) {
    return { ret: -EINVAL, nrVecs };
  }

  // Park the page array as high as it goes in the free bvec slots, so bvecs can be
  // filled from the bottom without overwriting page pointers still to be read.
  const slots = pointerSlots(bv);
  const pagesBase = PAGE_PTRS_PER_BVEC * nrVecs + entriesLeft * (PAGE_PTRS_PER_BVEC - 1);
  const pages = slots.subarray(pagesBase, pagesBase + entriesLeft);

  const r = iovIterExtractPagesAs(mm, iter, pages, maxSize, entriesLeft, flags, hold, scratch);
  const size = r.ret;
  if (size <= 0) return { ret: size !== 0 ? size : -EFAULT, nrVecs };

  let offset = r.offset0;
  const nrPages = divRoundUp(offset + size, PAGE_SIZE);
  let i = 0;
  let left = size;
  while (left > 0) {
    if (nrVecs > 0 && !zoneDevicePagesHaveSamePgmap(m, bv.page[nrVecs - 1]!, pages[i]!)) break;
    const len = contigFolioLen(m, pages, i, left, offset, numPages, false);
    const page = pages[i]!;
    const nrToAdd = numPages[0]!;
    const slot = PAGE_PTRS_PER_BVEC * nrVecs;
    for (let s = slot; s < slot + PAGE_PTRS_PER_BVEC; s++) {
      checkClobber(s, pagesBase, i + nrToAdd, nrPages, nrVecs);
      slots[s] = CLOBBERED;
    }
    // bvec_set_page: nrVecs < maxVecs <= capacity (each bvec uses one of the
    // entriesLeft pages), len <= a folio, offset < PAGE_SIZE.
    bv.page[nrVecs] = page;
    bv.len[nrVecs] = len;
    bv.offset[nrVecs] = offset;
    m.cost.bvecsWritten++;
    i += nrToAdd;
    nrVecs++;
    offset = 0;
    left -= len;
  }

  iovIterRevert(m, iter, left);
  if (iovIterExtractWillPin(iter)) {
    if (hold === 'pin') while (i < nrPages) unpinUserPage(m, pages[i++]!);
    else while (i < nrPages) putPage(m, pages[i++]!);
  }
  return { ret: size - left, nrVecs };
}
