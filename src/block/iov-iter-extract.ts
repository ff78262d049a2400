/**
 * Page extraction from an iov_iter (lib/iov_iter.c in T @828bcbca, include/linux/uio.h):
 * `iov_iter_extract_pages` with `want_pages_array`, `first_iovec_segment`,
 * `iov_iter_extract_user_pages`, `iov_iter_extract_kvec_pages`,
 * `iov_iter_extract_bvec_pages`; `ITER_ALLOW_P2PDMA`.
 *
 * Faithful: `maxsize` is clamped to min(maxsize, count, MAX_RW_COUNT) and 0 returns 0
 * with nothing allocated and `offset0` not written. `want_pages_array` sizes the array
 * at DIV_ROUND_UP(size + start, PAGE_SIZE) capped at `maxpages` (WARN on 0); a NULL
 * `pages` makes the callee allocate exactly that many pointers with kvmalloc_array
 * (slab.ts, so the allocation is costed), and a count of 0 is -ENOMEM. UBUF/IOVEC pin
 * with pin_user_pages_fast (FOLL_WRITE for ITER_DEST, FOLL_PCI_P2PDMA for
 * ITER_ALLOW_P2PDMA, FOLL_NOFAULT for `nofault`) from the first non-empty segment only,
 * never crossing into the next; a pin result <= 0 frees a callee array, resets it to
 * NULL and is returned. KVEC skips empty segments and lists `virt_to_page` of every page
 * slot without references (the kernel's loop writes all `count` entries). BVEC steps
 * through single-page views from the current position, stopping after a view that does
 * not end at a page boundary, before a later view with an offset, or at `count`; it
 * sizes the array with the in-bvec offset as `start`, exactly as T does, and takes no
 * references. DISCARD, and an `iter_type` that is no iterator type at all, is -EFAULT
 * (the kernel's fall-through). The iterator advances by what is returned.
 *
 * Arguments (checked before anything is counted, allocated or pinned): `maxsize` a
 * `size_t` the model holds exactly, `maxpages` an `unsigned int`, a caller `pages` array
 * of at least `maxpages` entries (the kernel-doc's contract; shorter is a buffer
 * overflow), `hold` 'pin' or 'get': ArgumentError otherwise. `extraction_flags` with a
 * bit other than ITER_ALLOW_P2PDMA is an ArgumentError too: the kernel has no errno for
 * it (it tests only ITER_ALLOW_P2PDMA and ignores the rest, lib/iov_iter.c
 * iov_iter_extract_user_pages in T), and the model refuses it rather than ignore it.
 *
 * Model additions: `iovIterExtractPagesAs` takes the user pages with FOLL_GET instead
 * of FOLL_PIN (get_user_pages_fast), which is what the dio_w_* wrappers of 2022
 * (CONFIG_BLK_USE_PIN_USER_PAGES_FOR_DIO off) switched; mainline only pins. FOLIOQ,
 * XARRAY (and T's BVECQ) are not modelled. Results go into a reusable
 * `ExtractPagesResult` (the kernel's `*pages` and `*offset0` out-parameters).
 * Costs: one `apiCalls` per call (the pin_user_pages_fast inside counts its own);
 * page pointers written by the KVEC and BVEC paths (the GUP sink counts its own).
 */
import { NULL_PFN, PAGE_SIZE, SIZEOF_POINTER, divRoundUp } from '../mm/constants.js';
import { EFAULT, ENOMEM } from '../mm/errno.js';
import { FOLL_NOFAULT, FOLL_PCI_P2PDMA, FOLL_WRITE } from '../mm/foll-flags.js';
import { KernelBug, warnOn } from '../mm/bug.js';
import type { Machine } from '../mm/machine.js';
import type { Mm } from '../mm/mm.js';
import { kvfree, kvmallocArray, type KAlloc } from '../mm/slab.js';
import { getUserPagesFast } from '../gup/get-user-pages.js';
import { pinUserPagesFast } from '../gup/pin-user-pages.js';
import { virtToPage } from './direct-map.js';
import { iovIterAdvance } from './iov-iter-advance.js';
import type { IovIter } from './iov-iter.js';
import { ITER_BVEC, ITER_DISCARD, ITER_FOLIOQ, ITER_KVEC, ITER_UBUF, ITER_XARRAY, MAX_RW_COUNT, userBackedIter } from './iov-iter.js';
import { badArgument, checkFlags, checkOneOf } from '../mm/arg-check.js';
import { checkSizeT, checkUnsignedInt } from './block-arg-check.js';

/** `ITER_ALLOW_P2PDMA` (uio.h): extraction may return PCI P2PDMA pages. */
export const ITER_ALLOW_P2PDMA = 0x01;

/**
 * How user-backed pages are held: 'pin' (FOLL_PIN, pin_user_pages_fast: mainline) or
 * 'get' (FOLL_GET, get_user_pages_fast: the dio_w_* configuration with pins off).
 */
export type UserPageHold = 'pin' | 'get';

const USER_PAGE_HOLDS: readonly UserPageHold[] = ['pin', 'get'];

/** The arguments C's types (and the kernel-doc's array contract) constrain. */
function checkExtractArgs(fn: string, pages: Int32Array | null, maxsize: number, maxpages: number, flags: number, hold: UserPageHold): void {
  checkSizeT(fn, 'maxsize', maxsize);
  checkUnsignedInt(fn, 'maxpages', maxpages);
  if (pages !== null && pages.length < maxpages) badArgument(fn, 'pages.length', pages.length, `at least maxpages (${maxpages})`);
  checkFlags(fn, 'flags', flags, ITER_ALLOW_P2PDMA);
  checkOneOf(fn, 'hold', hold, USER_PAGE_HOLDS);
}

/** The out-parameters of `iov_iter_extract_pages`, plus the return value. */
export class ExtractPagesResult {
  /** Bytes extracted (the iterator advanced by this much), 0, or -errno. */
  ret = 0;
  /** `*pages`: the caller's array, the one the callee allocated, or null. */
  pages: Int32Array | null = null;
  /** `*offset0`: offset of the first byte in `pages[0]`; left alone when not written. */
  offset0 = 0;
  /** The callee's allocation behind `pages` (kvfree it), null for a caller array. */
  alloc: KAlloc | null = null;
}

/**
 * `want_pages_array(res, size, start, maxpages)`: the entries to fill, allocating them
 * if `out.pages` is null. Returns 0 when the allocation fails (or the count is 0).
 */
function wantPagesArray(m: Machine, out: ExtractPagesResult, size: number, start: number, maxpages: number): number {
  let count = divRoundUp(size + start, PAGE_SIZE);
  if (count > maxpages) count = maxpages;
  warnOn(m, count === 0, 'want_pages_array: count is 0 (caller should have prevented that)');
  if (out.pages === null) {
    const a = kvmallocArray(m, count, SIZEOF_POINTER);
    if (typeof a === 'number') return 0;
    out.alloc = a;
    out.pages = new Int32Array(count).fill(NULL_PFN);
  }
  return count;
}

function extractUserPages(mm: Mm, i: IovIter, maxsize: number, maxpages: number, flags: number, hold: UserPageHold, out: ExtractPagesResult): void {
  const m = mm.m;
  const willAlloc = out.pages === null;
  let gupFlags = 0;
  if (!i.dataSource) gupFlags |= FOLL_WRITE;
  if ((flags & ITER_ALLOW_P2PDMA) !== 0) gupFlags |= FOLL_PCI_P2PDMA;
  if (i.nofault) gupFlags |= FOLL_NOFAULT;

  // first_iovec_segment: UBUF, or the first non-empty iovec, which also caps maxsize.
  let addr = -1;
  if (i.iterType === ITER_UBUF) {
    addr = i.ubuf + i.iovOffset;
  } else {
    const iov = i.iov;
    let skip = i.iovOffset;
    for (let k = i.seg, end = i.seg + i.nrSegs; k < end; k++, skip = 0) {
      const len = iov[k]!.len - skip;
      if (len === 0) continue;
      if (maxsize > len) maxsize = len;
      addr = iov[k]!.base + skip;
      break;
    }
    if (addr < 0) throw new KernelBug('first_iovec_segment: BUG() on an iterator with no non-empty segment');
  }
  const offset = addr % PAGE_SIZE;
  out.offset0 = offset;
  addr -= offset;
  const count = wantPagesArray(m, out, maxsize, offset, maxpages);
  if (count === 0) {
    out.ret = -ENOMEM;
    return;
  }
  const res = hold === 'pin' ? pinUserPagesFast(mm, addr, count, gupFlags, out.pages) : getUserPagesFast(mm, addr, count, gupFlags, out.pages);
  if (res <= 0) {
    if (willAlloc) {
      kvfree(m, out.alloc!, 0);
      out.pages = null;
      out.alloc = null;
    }
    out.ret = res;
    return;
  }
  const size = Math.min(maxsize, res * PAGE_SIZE - offset);
  iovIterAdvance(i, size);
  out.ret = size;
}

function extractKvecPages(m: Machine, i: IovIter, maxsize: number, maxpages: number, out: ExtractPagesResult): void {
  let skip = i.iovOffset;
  let size = 0;
  for (;;) {
    if (i.nrSegs === 0) {
      out.ret = 0;
      return;
    }
    size = Math.min(maxsize, i.iov[i.seg]!.len - skip);
    if (size !== 0) break;
    i.iovOffset = 0;
    i.nrSegs--;
    i.seg++;
    skip = 0;
  }
  let kaddr = i.iov[i.seg]!.base + skip;
  const offset = kaddr % PAGE_SIZE;
  out.offset0 = offset;
  const count = wantPagesArray(m, out, size, offset, maxpages);
  if (count === 0) {
    out.ret = -ENOMEM;
    return;
  }
  // count <= maxpages <= p.length (checked on entry, or the array was sized to count).
  const p = out.pages!;
  kaddr -= offset;
  for (let k = 0; k < count; k++, kaddr += PAGE_SIZE) p[k] = virtToPage(kaddr);
  m.cost.pagePointersWritten += count;
  size = Math.min(size, count * PAGE_SIZE - offset);
  iovIterAdvance(i, size);
  out.ret = size;
}

function extractBvecPages(m: Machine, i: IovIter, maxsize: number, maxpages: number, out: ExtractPagesResult): void {
  if (i.nrSegs === 0) {
    out.ret = 0;
    return;
  }
  const bv = i.bvec!;
  const bvPage = bv.page;
  const bvLen = bv.len;
  const bvOffset = bv.offset;
  let skip = i.iovOffset;
  if (skip === bvLen[i.seg]) {
    i.iovOffset = 0;
    i.nrSegs--;
    i.seg++;
    skip = 0;
  }
  // struct bvec_iter bi over i->bvec: bi_idx, bi_size, bi_offset.
  let biIdx = 0;
  let biSize = maxsize;
  let biOffset = skip;
  const count = wantPagesArray(m, out, maxsize, skip, maxpages);
  if (count === 0) {
    out.ret = -ENOMEM;
    return;
  }
  const p = out.pages!;
  const base = i.seg;
  let k = 0;
  let size = 0;
  while (biSize !== 0 && biIdx < i.nrSegs) {
    const idx = base + biIdx;
    if (idx >= bv.capacity) throw new KernelBug(`iov_iter_extract_bvec_pages reads bvec ${idx} past the end of a ${bv.capacity}-entry array`);
    // bvec_iter_bvec: the single-page view at the position.
    const mpOffset = bvOffset[idx]! + biOffset;
    const off = mpOffset % PAGE_SIZE;
    const len = Math.min(biSize, bvLen[idx]! - biOffset, PAGE_SIZE - off);
    if (k !== 0) {
      if (off !== 0) break;
    } else {
      out.offset0 = off;
    }
    p[k++] = bvPage[idx]! + Math.floor(mpOffset / PAGE_SIZE);
    size += len;
    if (k >= count) break;
    if (off + len !== PAGE_SIZE) break;
    // bvec_iter_advance_single
    let done = biOffset + len;
    if (done === bvLen[idx]) {
      done = 0;
      biIdx++;
    }
    biOffset = done;
    biSize -= len;
  }
  m.cost.pagePointersWritten += k;
  iovIterAdvance(i, size);
  out.ret = size;
}

/**
 * `iov_iter_extract_pages` with the user pages held as `hold` says. 'pin' is exactly
 * the kernel function; 'get' swaps pin_user_pages_fast for get_user_pages_fast (the
 * dio_w_* get configuration): the same pages, each holding one reference to put_page.
 */
export function iovIterExtractPagesAs(
  mm: Mm,
  i: IovIter,
  pages: Int32Array | null,
  maxsize: number,
  maxpages: number,
  flags: number,
  hold: UserPageHold,
  out: ExtractPagesResult = new ExtractPagesResult(),
): ExtractPagesResult {
  checkExtractArgs('iovIterExtractPagesAs', pages, maxsize, maxpages, flags, hold);
  return extractPages(mm, i, pages, maxsize, maxpages, flags, hold, out);
}

function extractPages(
  mm: Mm,
  i: IovIter,
  pages: Int32Array | null,
  maxsize: number,
  maxpages: number,
  flags: number,
  hold: UserPageHold,
  out: ExtractPagesResult,
): ExtractPagesResult {
  const m = mm.m;
  m.cost.apiCalls++;
  out.pages = pages;
  out.alloc = null;
  maxsize = Math.min(maxsize, i.count, MAX_RW_COUNT);
  if (maxsize === 0) {
    out.ret = 0;
    return out;
  }
  if (userBackedIter(i)) extractUserPages(mm, i, maxsize, maxpages, flags, hold, out);
  else if (i.iterType === ITER_KVEC) extractKvecPages(m, i, maxsize, maxpages, out);
  else if (i.iterType === ITER_BVEC) extractBvecPages(m, i, maxsize, maxpages, out);
  else if (i.iterType === ITER_FOLIOQ || i.iterType === ITER_XARRAY)
    throw new KernelBug(`iov_iter_extract_pages: iterator type ${i.iterType} is not modelled`);
  else out.ret = -EFAULT;
  return out;
}

/**
 * `iov_iter_extract_pages(i, &pages, maxsize, maxpages, extraction_flags, &offset0)`:
 * a list of contiguous pages from the iterator's position, advancing it. Returns (in
 * `out.ret`) the bytes extracted, 0, or -ENOMEM / -EFAULT / a pin error. `pages` null
 * makes the callee allocate exactly the entries it needs (`out.pages`, `out.alloc`:
 * the caller kvfree()s it); otherwise it must hold `maxpages` entries. User-backed
 * iterators pin each page (unpin when `iovIterExtractWillPin`); KVEC and BVEC take
 * no references; DISCARD is -EFAULT.
 */
export function iovIterExtractPages(
  mm: Mm,
  i: IovIter,
  pages: Int32Array | null,
  maxsize: number,
  maxpages: number,
  flags: number,
  out: ExtractPagesResult = new ExtractPagesResult(),
): ExtractPagesResult {
  checkExtractArgs('iovIterExtractPages', pages, maxsize, maxpages, flags, 'pin');
  return extractPages(mm, i, pages, maxsize, maxpages, flags, 'pin', out);
}
