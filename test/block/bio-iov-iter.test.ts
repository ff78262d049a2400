/**
 * bio_iov_iter_get_pages worked by hand from block/bio.c (T @10c5ed1d): ITER_BVEC
 * reused through bio_iov_iter_set (BIO_CLONED, no references) with
 * bio_iov_bvec_aligned; user memory pinned through iov_iter_extract_bvecs until the
 * iterator is empty or the bio full; -EINVAL releasing everything, other failures
 * keeping a partial bio; bio_iov_iter_align_down, with T's known bug (a dropped
 * multi-page bvec unpins one page) beside the pending fix, and the shortened-bvec case
 * that neither releases.
 *
 * Layouts (user-buffer.ts): folios at hand-picked PFNs mapped back to back from BASE.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_CLONED,
  BIO_PAGE_PINNED,
  EFAULT,
  EINVAL,
  EIO,
  ITER_DEST,
  ITER_SOURCE,
  bioAlloc,
  bioFlagged,
  bioIovIterGetPages,
  bioReleasePages,
  bioSetFlag,
  bvecArrayToList,
  iovIterAdvance,
  iovIterBvec,
  iovIterInit,
  iovIterKvec,
  iovIterUbuf,
  pageAddress,
  unpinUserPage,
  vmstat,
  type AlignDownVariant,
  type Bio,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';
import { userBuffer } from './user-buffer.js';

const list = (bio: Bio) => bvecArrayToList(bio.vecs!, bio.vcnt).map((b) => [b.page, b.len, b.offset]);
const flags = (bio: Bio) => [bioFlagged(bio, BIO_PAGE_PINNED), bioFlagged(bio, BIO_CLONED)];
const scattered = [64, 66, 68, 70].map((pfn) => ({ order: 0, pfn }));

describe('ITER_BVEC: the bio borrows the bvec array (bio_iov_iter_set)', () => {
  it('from the current segment, BIO_CLONED, truncated to maxlen, no references; the iterator advances', () => {
    const { m, mm } = world();
    const it = iovIterBvec(ITER_SOURCE, [
      { page: 64, len: 4096, offset: 0 },
      { page: 70, len: 8192, offset: 0 },
      { page: 80, len: 512, offset: 0 },
    ], 12800);
    iovIterAdvance(it, 4096);
    const bio = bioAlloc(0);
    expect(bioIovIterGetPages(mm, bio, it, 8192, 511, 511)).toBe(0);
    expect([bio.vecs!.page[0], bio.vcnt, bio.iter.idx, bio.iter.offset, bio.size, flags(bio)]).toEqual([70, 0, 0, 0, 8192, [false, true]]);
    expect([it.seg, it.iovOffset, it.count]).toEqual([2, 0, 512]);
    expect([m.refcount[70], m.warnings]).toEqual([0, []]);
  });

  it('alignment: only the first segment, unless CONFIG_DEBUG_KERNEL checks them all', () => {
    const { mm } = world();
    const bvecs = [
      { page: 64, len: 512, offset: 0 },
      { page: 65, len: 512, offset: 0x100 },
    ];
    expect(bioIovIterGetPages(mm, bioAlloc(0), iovIterBvec(ITER_SOURCE, bvecs, 1024), 1 << 20, 511, 511)).toBe(0);
    expect(bioIovIterGetPages(mm, bioAlloc(0), iovIterBvec(ITER_SOURCE, bvecs, 1024), 1 << 20, 511, 511, { debugKernel: true })).toBe(-EINVAL);
    const first = [{ page: 64, len: 512, offset: 0x80 }];
    expect(bioIovIterGetPages(mm, bioAlloc(0), iovIterBvec(ITER_SOURCE, first, 512), 1 << 20, 511, 511)).toBe(-EINVAL);
  });

  it('a cloned bio is refused: WARN and -EIO', () => {
    const { m, mm } = world();
    const bio = bioAlloc(0);
    bioSetFlag(bio, BIO_CLONED);
    expect(bioIovIterGetPages(mm, bio, iovIterUbuf(ITER_DEST, BASE, 4096), 1 << 20, 0, 0)).toBe(-EIO);
    expect(m.warnings).toEqual(['bio_iov_iter_get_pages: cloned bio']);
  });
});

describe('user memory: BIO_PAGE_PINNED, extraction until empty or full', () => {
  it('UBUF stops when the bio is full: two vectors, two pages', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, scattered);
    const it = iovIterUbuf(ITER_DEST, BASE, 16384);
    const bio = bioAlloc(2);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511)).toBe(0);
    expect([list(bio), bio.size, it.count, flags(bio)]).toEqual([[[64, 4096, 0], [66, 4096, 0]], 8192, 8192, [true, false]]);
    bioReleasePages(m, bio, true);
  });

  it('IOVEC: one extraction per segment, all into the same bio', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, scattered);
    const it = iovIterInit(ITER_DEST, [{ base: BASE, len: 4096 }, { base: BASE + 0x2000, len: 8192 }], 12288);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511)).toBe(0);
    expect([list(bio), bio.size, it.count]).toEqual([[[64, 4096, 0], [68, 4096, 0], [70, 4096, 0]], 12288, 0]);
    expect(m.cost.apiCalls).toBe(6); // twice extract_bvecs + extract_pages + pin_user_pages_fast
    bioReleasePages(m, bio, true);
  });

  it('KVEC: bvecs but no pins, so no BIO_PAGE_PINNED', () => {
    const { m, mm } = world();
    folioAt(m, 2, 128);
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(128), len: 16384 }], 16384);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511)).toBe(0);
    expect([list(bio), flags(bio), m.refcount[128]]).toEqual([[[128, 16384, 0]], [false, false], 1]);
  });

  it('-EINVAL on a later segment releases what earlier calls pinned and empties the bio', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, scattered);
    const it = iovIterInit(ITER_DEST, [{ base: BASE, len: 4096 }, { base: BASE + 0x2100, len: 512 }], 4608);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511)).toBe(-EINVAL);
    expect([bio.vcnt, flags(bio), vmstat(m).nrFollPinAcquired, vmstat(m).nrFollPinReleased]).toEqual([0, [false, false], 1, 1]);
  });

  it('another failure on a later segment keeps the partial bio and returns 0', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const it = iovIterInit(ITER_DEST, [{ base: BASE, len: 4096 }, { base: BASE + 0x100000, len: 4096 }], 8192);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511)).toBe(0);
    expect([list(bio), it.count]).toEqual([[[64, 4096, 0]], 4096]);
    bioReleasePages(m, bio, false);
  });
});

describe('bio_iov_iter_align_down', () => {
  it('every vector dropped: -EFAULT, the bytes go back to the iterator', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const it = iovIterUbuf(ITER_DEST, BASE, 0x200);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 0xfff)).toBe(-EFAULT);
    expect([bio.vcnt, bio.size, it.count, vmstat(m).nrFollPinReleased]).toEqual([0, 0, 0x200, 1]);
  });

  // A: 4 KiB at BASE (PFN 64). B: 0x400 bytes from 0xe00 into an order-1 folio at 66
  // (pages 66, 67), so one bvec spanning two pages. 0x1400 & 0xfff = 0x400 = B's length.
  it.each<[AlignDownVariant, number]>([
    ['trial', 1],
    ['fixed', 0],
  ])("a dropped two-page bvec: '%s' leaves %i pin behind", (variant, leak) => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, [{ order: 0, pfn: 64 }, { order: 0, pfn: 65 }, { order: 1, pfn: 66 }]);
    const it = iovIterInit(ITER_DEST, [{ base: BASE, len: 0x1000 }, { base: BASE + 0x2e00, len: 0x400 }], 0x1400);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 0xfff, { alignDown: variant })).toBe(0);
    expect([list(bio), bio.size, it.seg, it.iovOffset, it.count]).toEqual([[[64, 0x1000, 0]], 0x1000, 1, 0, 0x400]);
    bioReleasePages(m, bio, true);
    // T's unpin_user_page(bv_page) drops the pin of page 66 only.
    expect([m.pincount[66], vmstat(m).nrFollPinAcquired - vmstat(m).nrFollPinReleased]).toEqual([leak, leak]);
    if (leak !== 0) unpinUserPage(m, 67); // clean up after the kernel bug, so the test ends balanced
  });

  // B: 0x1400 bytes from 0xe00 into an order-2 folio at 68 (pages 68..70). Trimming
  // 0x400 leaves 0xe00..0x1e00, pages 68 and 69: page 70 is pinned but no longer spanned.
  it.each<[AlignDownVariant]>([['trial'], ['fixed']])("a shortened bvec that stops spanning a page: '%s' keeps its pin", (variant) => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 8, [64, 65, 66, 67].map((pfn) => ({ order: 0, pfn })).concat([{ order: 2, pfn: 68 }]));
    const it = iovIterInit(ITER_DEST, [{ base: BASE, len: 0x1000 }, { base: BASE + 0x4e00, len: 0x1400 }], 0x2400);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 0xfff, { alignDown: variant })).toBe(0);
    expect([list(bio), bio.size, it.count]).toEqual([[[64, 0x1000, 0], [68, 0x1000, 0xe00]], 0x2000, 0x400]);
    expect(m.pincount[68]).toBe(3);
    bioReleasePages(m, bio, false); // unpins the 2 pages the shortened bvec spans
    expect(m.pincount[68]).toBe(1);
    unpinUserPage(m, 70); // the pin nothing in T releases
  });
});
