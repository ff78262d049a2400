/**
 * iov_iter_extract_pages worked by hand from lib/iov_iter.c (T @828bcbca):
 * want_pages_array, iov_iter_extract_user_pages (first_iovec_segment), DISCARD; plus
 * iov_iter_alignment and iov_iter_npages. KVEC and BVEC: iov-iter-extract-kunit.test.ts.
 *
 * User buffers (user-buffer.ts) hold folios at hand-picked PFNs: order-0 folios at
 * 64, 66, 68, 70 mapped at BASE.. (non-contiguous so nothing looks merged).
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  ENOMEM,
  ExtractPagesResult,
  ITER_DEST,
  ITER_SOURCE,
  PAGE_SIZE,
  costDiff,
  costSnapshot,
  injectAllocFailure,
  iovIterAlignment,
  iovIterBvec,
  iovIterDiscard,
  iovIterExtractPages,
  iovIterInit,
  iovIterNpages,
  iovIterUbuf,
  kvfree,
  unpinUserPages,
  vmstat,
  type IovIter,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { userBuffer } from './user-buffer.js';

/** kunit_iov_iter.c fills the page list with 0xaa55aa55aa55aa55; an Int32 stand-in. */
const SENTINEL = 0x2a55aa55;
const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];
const fourPages = [
  { order: 0, pfn: 64 },
  { order: 0, pfn: 66 },
  { order: 0, pfn: 68 },
  { order: 0, pfn: 70 },
];

function sentinelList(n: number): Int32Array {
  return new Int32Array(n).fill(SENTINEL);
}

describe('UBUF (iov_iter_extract_user_pages): pins, FOLL_WRITE for ITER_DEST', () => {
  it('enough caller entries: 12 KiB from offset 0x100 touch 4 pages; 4 pinned, the rest untouched', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 8, fourPages);
    const it = iovIterUbuf(ITER_DEST, BASE + 0x100, 3 * PAGE_SIZE);
    const pages = sentinelList(8);
    const before = costSnapshot(m.cost);
    const r = iovIterExtractPages(mm, it, pages, 1 << 20, 8, 0);
    // count = DIV_ROUND_UP(12288 + 256, 4096) = 4; ret = min(12288, 4 * 4096 - 256).
    expect([r.ret, r.offset0, r.pages, r.alloc]).toEqual([12288, 0x100, pages, null]);
    expect(Array.from(pages)).toEqual([64, 66, 68, 70, SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
    expect([it.iovOffset, it.count]).toEqual([12288, 0]);
    // FOLL_PIN on order-0 folios: refcount += GUP_PIN_COUNTING_BIAS.
    expect([m.refcount[64], m.refcount[70], vmstat(m).nrFollPinAcquired]).toEqual([1025, 1025, 4]);
    // One call each for iov_iter_extract_pages and pin_user_pages_fast; 4 pointers, no allocation.
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ apiCalls: 2, pagePointersWritten: 4, allocations: 0 });
    unpinUserPages(m, pages, 4);
  });

  it('too few caller entries: maxpages 2 stops at 2 pages; the next call goes on from there', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 8, fourPages);
    const it = iovIterUbuf(ITER_DEST, BASE + 0x100, 3 * PAGE_SIZE);
    const pages = sentinelList(2);
    const r1 = iovIterExtractPages(mm, it, pages, 1 << 20, 2, 0);
    // 2 pages: min(12288, 2 * 4096 - 256) = 7936 bytes.
    expect([r1.ret, r1.offset0, Array.from(pages), it.count]).toEqual([7936, 0x100, [64, 66], 4352]);
    unpinUserPages(m, pages, 2);
    // Now at BASE + 0x2000: offset 0, DIV_ROUND_UP(4352, 4096) = 2 pages.
    const r2 = iovIterExtractPages(mm, it, pages, 1 << 20, 2, 0);
    expect([r2.ret, r2.offset0, Array.from(pages), it.count]).toEqual([4352, 0, [68, 70], 0]);
    unpinUserPages(m, pages, 2);
  });

  it('no caller entries (pages NULL): the callee allocates exactly DIV_ROUND_UP(size + offset0) pointers', () => {
    const { m, mm } = world();
    const ten = Array.from({ length: 10 }, (_, k) => ({ order: 0, pfn: 64 + 2 * k }));
    userBuffer(mm, BASE, 16, ten);
    const it = iovIterUbuf(ITER_SOURCE, BASE + 0x800, 9 * PAGE_SIZE);
    const before = costSnapshot(m.cost);
    const r = iovIterExtractPages(mm, it, null, 1 << 20, 64, 0);
    // DIV_ROUND_UP(36864 + 2048, 4096) = 10 entries = 80 bytes: the kmalloc-96 cache.
    expect([r.ret, r.offset0, r.pages!.length, r.alloc]).toEqual([36864, 0x800, 10, { asked: 80, given: 96, kind: 'kmalloc' }]);
    expect(Array.from(r.pages!)).toEqual([64, 66, 68, 70, 72, 74, 76, 78, 80, 82]);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ allocations: 1, bytesAsked: 80, bytesGiven: 96 });
    unpinUserPages(m, r.pages!, 10);
    kvfree(m, r.alloc!, 80);
    expect([m.cost.frees, m.cost.bytesUnused]).toEqual([1, 16]);
  });

  it('a hole: the pin stops at the unmapped page, then the next call fails and frees its own array', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, fourPages); // BASE + 4 pages on is not mapped at all
    const it = iovIterUbuf(ITER_DEST, BASE + 0x100, 6 * PAGE_SIZE);
    const r1 = iovIterExtractPages(mm, it, null, 1 << 20, 16, 0);
    // count 7, pin_user_pages_fast returns the 4-page prefix; ret = 4 * 4096 - 256.
    expect([r1.ret, r1.offset0, r1.pages!.length, Array.from(r1.pages!.subarray(0, 4))]).toEqual([16128, 0x100, 7, [64, 66, 68, 70]]);
    expect(it.count).toBe(24576 - 16128);
    unpinUserPages(m, r1.pages!, 4);
    kvfree(m, r1.alloc!, 4 * 8);
    // At BASE + 0x4000 nothing is mapped: -EFAULT, the callee's array is freed and NULLed,
    // offset0 was written before the pin, the iterator does not move.
    const r2 = iovIterExtractPages(mm, it, null, 1 << 20, 16, 0);
    expect([r2.ret, r2.pages, r2.alloc, r2.offset0, it.count]).toEqual([-EFAULT, null, null, 0, 8448]);
    expect([m.cost.allocations, m.cost.frees]).toEqual([2, 2]);
  });

  it('ITER_DEST asks FOLL_WRITE: a read-only mapping refuses a read into it, gives a write from it', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }], true);
    const pages = sentinelList(1);
    const dest = iovIterUbuf(ITER_DEST, BASE, 512);
    expect(iovIterExtractPages(mm, dest, pages, 512, 1, 0).ret).toBe(-EFAULT);
    expect([dest.count, pages[0]]).toEqual([512, SENTINEL]);
    const src = iovIterUbuf(ITER_SOURCE, BASE, 512);
    expect(iovIterExtractPages(mm, src, pages, 512, 1, 0).ret).toBe(512);
    expect(pages[0]).toBe(64);
    unpinUserPages(m, pages, 1);
  });

  it('nofault adds FOLL_NOFAULT: an unpopulated page is -EFAULT instead of being faulted in', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 2, []);
    const it = iovIterUbuf(ITER_DEST, BASE, 4096);
    it.nofault = true;
    expect(iovIterExtractPages(mm, it, null, 4096, 1, 0).ret).toBe(-EFAULT);
    expect(m.cost.faults).toBe(0);
    it.nofault = false;
    const r = iovIterExtractPages(mm, it, null, 4096, 1, 0);
    expect([r.ret, m.cost.faults]).toEqual([4096, 1]);
    unpinUserPages(m, r.pages!, 1);
  });

  it('maxsize 0 (or an empty iterator) returns 0 at once: no allocation, offset0 not written', () => {
    const { m, mm } = world();
    const out = new ExtractPagesResult();
    out.offset0 = -1;
    expect(iovIterExtractPages(mm, iovIterUbuf(ITER_DEST, BASE, 4096), null, 0, 8, 0, out)).toMatchObject({ ret: 0, offset0: -1, pages: null });
    expect(iovIterExtractPages(mm, iovIterUbuf(ITER_DEST, BASE, 0), null, 4096, 8, 0, out)).toMatchObject({ ret: 0, offset0: -1 });
    expect(m.cost.allocations).toBe(0);
  });

  it('maxpages 0 WARNs in want_pages_array and fails -ENOMEM; so does a failed allocation', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const it = iovIterUbuf(ITER_DEST, BASE, 4096);
    expect(iovIterExtractPages(mm, it, sentinelList(1), 4096, 0, 0).ret).toBe(-ENOMEM);
    expect(m.warnings).toEqual(['want_pages_array: count is 0 (caller should have prevented that)']);
    injectAllocFailure(m, 1);
    const r = iovIterExtractPages(mm, it, null, 4096, 8, 0);
    expect([r.ret, r.pages, it.count, vmstat(m).nrFollPinAcquired]).toEqual([-ENOMEM, null, 4096, 0]);
  });
});

describe('IOVEC: only the first non-empty segment (first_iovec_segment)', () => {
  it('stops at a segment end even when the next segment continues the same memory', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, fourPages);
    const it = iovIterInit(ITER_DEST, [
      { base: BASE + 0x9000, len: 0 },
      { base: BASE + 0x100, len: 0x1f00 },
      { base: BASE + 0x2000, len: 0x1000 },
    ], 0x2f00);
    const pages = sentinelList(8);
    // The empty segment is skipped; maxsize is capped to 0x1f00: 2 pages, 0x1f00 bytes.
    const r1 = iovIterExtractPages(mm, it, pages, 1 << 20, 8, 0);
    expect([r1.ret, r1.offset0, Array.from(pages.subarray(0, 3))]).toEqual([0x1f00, 0x100, [64, 66, SENTINEL]]);
    // iov_iter_advance steps over the empty segment and the used one.
    expect(state(it)).toEqual([2, 1, 0, 0x1000]);
    unpinUserPages(m, pages, 2);
    const r2 = iovIterExtractPages(mm, it, pages, 1 << 20, 8, 0);
    expect([r2.ret, r2.offset0, pages[0], state(it)]).toEqual([0x1000, 0, 68, [3, 0, 0, 0]]);
    unpinUserPages(m, pages, 1);
  });
});

describe('DISCARD', () => {
  it('is -EFAULT and the iterator does not move', () => {
    const { mm } = world();
    const it = iovIterDiscard(ITER_DEST, 8192);
    expect(iovIterExtractPages(mm, it, null, 8192, 8, 0).ret).toBe(-EFAULT);
    expect(it.count).toBe(8192);
  });
});

describe('iov_iter_alignment and iov_iter_npages', () => {
  it('UBUF: (ubuf + iov_offset) | count, and the pages they touch', () => {
    const u = iovIterUbuf(ITER_DEST, 0x10200, 0x1000);
    expect([iovIterAlignment(u), iovIterNpages(u, 16), iovIterNpages(u, 1)]).toEqual([0x11200, 2, 1]);
    // Beyond 32 bits the OR keeps the high half (unsigned long).
    expect(iovIterAlignment(iovIterUbuf(ITER_DEST, 0x7fff00000200, 0x200))).toBe(0x7fff00000200);
    expect(iovIterAlignment(iovIterUbuf(ITER_DEST, 0x10200, 0))).toBe(0);
  });

  it('IOVEC skips empty segments; a page shared by two segments counts twice', () => {
    const i = iovIterInit(ITER_DEST, [
      { base: 0x1000, len: 0x200 },
      { base: 0x5000, len: 0 },
      { base: 0x1200, len: 0x300 },
    ], 0x500);
    expect([iovIterAlignment(i), iovIterNpages(i, 16)]).toEqual([0x1000 | 0x200 | 0x1200 | 0x300, 2]);
  });

  it('BVEC: an empty bvec still ORs in its offset and counts DIV_ROUND_UP(offset) pages', () => {
    const i = iovIterBvec(ITER_DEST, [
      { page: 64, len: 0, offset: 2 },
      { page: 65, len: 0x100, offset: 0x80 },
    ], 0x100);
    expect([iovIterAlignment(i), iovIterNpages(i, 16)]).toEqual([0x182, 2]);
  });

  it('DISCARD: alignment 0, no pages', () => {
    const d = iovIterDiscard(ITER_DEST, 4096);
    expect([iovIterAlignment(d), iovIterNpages(d, 16)]).toEqual([0, 0]);
  });
});
