/**
 * How iov_iter_extract_pages walks the iterator's segments, worked by hand from
 * lib/iov_iter.c (T @828bcbca): first_iovec_segment (the first non-empty iovec from
 * `iov_offset`, capping maxsize at what is left of it), iov_iter_extract_user_pages
 * (pin_user_pages_fast from the page holding `addr`), iov_iter_extract_kvec_pages (one
 * pointer per page slot) and iov_iter_extract_bvec_pages (the `nr_segs == 0` return
 * before want_pages_array, the step over a current bvec already used up, the
 * single-page views `bvec_iter_bvec` gives, `k >= maxpages`, and the loop condition
 * `bi.bi_size && bi.bi_idx < i->nr_segs`).
 *
 * Layout: order-0 user folios at 64..67 mapped back to back at BASE; for KVEC and BVEC
 * an order-2 kernel folio at 72 (pages 72..75) and order-0 folios at 80, 84.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  ITER_SOURCE,
  KernelBug,
  iovIterAdvance,
  iovIterBvec,
  iovIterExtractPages,
  iovIterInit,
  iovIterKvec,
  pageAddress,
  unpinUserPages,
  vmstat,
  type IovIter,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';
import { userBuffer } from './user-buffer.js';

const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];
const fourPages = [
  { order: 0, pfn: 64 },
  { order: 0, pfn: 65 },
  { order: 0, pfn: 66 },
  { order: 0, pfn: 67 },
];

describe('IOVEC: first_iovec_segment from iov_offset', () => {
  it('1024 bytes into iovec 0: the 3072 left of it, from BASE + 1024 (one page pinned)', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, fourPages);
    const it = iovIterInit(ITER_SOURCE, [{ base: BASE, len: 4096 }, { base: BASE + 8192, len: 4096 }], 8192);
    iovIterAdvance(it, 1024);
    expect(state(it)).toEqual([0, 2, 1024, 7168]);
    const pages = new Int32Array(8).fill(-7);
    const r = iovIterExtractPages(mm, it, pages, 1 << 20, 8, 0);
    // len = iov_len - skip = 3072 caps maxsize (7168); addr = base + skip: offset0 1024,
    // want_pages_array: DIV_ROUND_UP(3072 + 1024, 4096) = 1 page, PFN 64.
    expect([r.ret, r.offset0, Array.from(pages.subarray(0, 2))]).toEqual([3072, 1024, [64, -7]]);
    // An order-0 pin adds GUP_PIN_COUNTING_BIAS (1024) to the mapped page's one reference.
    expect([state(it), vmstat(m).nrFollPinAcquired, m.refcount[64], m.refcount[65]]).toEqual([[1, 1, 0, 4096], 1, 1 + 1024, 1]);
    unpinUserPages(m, pages, 1);
  });

  it('maxsize below the segment stays the cap: 1024 of an 8192-byte iovec, one page', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, fourPages);
    const it = iovIterInit(ITER_SOURCE, [{ base: BASE, len: 8192 }], 8192);
    const pages = new Int32Array(8).fill(-7);
    const r = iovIterExtractPages(mm, it, pages, 1024, 8, 0);
    expect([r.ret, r.offset0, Array.from(pages.subarray(0, 2)), state(it)]).toEqual([1024, 0, [64, -7], [0, 1, 1024, 7168]]);
    expect([vmstat(m).nrFollPinAcquired, m.refcount[64], m.refcount[65]]).toEqual([1, 1 + 1024, 1]);
    unpinUserPages(m, pages, 1);
  });

  it('an iovec at address 0 is a user address like any other: pin_user_pages_fast finds no VMA, -EFAULT', () => {
    const { m, mm } = world();
    const it = iovIterInit(ITER_SOURCE, [{ base: 0, len: 4096 }], 4096);
    const r = iovIterExtractPages(mm, it, new Int32Array(4), 4096, 4, 0);
    expect([r.ret, state(it), vmstat(m).nrFollPinAcquired]).toEqual([-EFAULT, [0, 1, 0, 4096], 0]);
  });

  it('no iovec with a byte left: the BUG() names first_iovec_segment', () => {
    const { mm } = world();
    const it = iovIterInit(ITER_SOURCE, [{ base: BASE, len: 0 }], 100);
    expect(() => iovIterExtractPages(mm, it, new Int32Array(4), 100, 4, 0)).toThrow(
      new KernelBug('first_iovec_segment: BUG() on an iterator with no non-empty segment'),
    );
  });
});

describe('KVEC: one page pointer per page slot', () => {
  it('8000 bytes at offset 100 of folio 72: two pointers written, counted', () => {
    const { m, mm } = world();
    folioAt(m, 2, 72);
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(72) + 100, len: 8000 }], 8000);
    const pages = new Int32Array(4).fill(-7);
    const before = m.cost.pagePointersWritten;
    const r = iovIterExtractPages(mm, it, pages, 1 << 20, 4, 0);
    // DIV_ROUND_UP(8000 + 100, 4096) = 2 slots: virt_to_page of 72 and 73.
    expect([r.ret, r.offset0, Array.from(pages), state(it)]).toEqual([8000, 100, [72, 73, -7, -7], [1, 0, 0, 0]]);
    expect(m.cost.pagePointersWritten - before).toBe(2);
  });
});

describe('BVEC: iov_iter_extract_bvec_pages', () => {
  it('nr_segs 0 returns before want_pages_array: a NULL *pages stays NULL, nothing allocated', () => {
    const { m, mm } = world();
    folioAt(m, 2, 72);
    const it = iovIterBvec(ITER_SOURCE, [{ page: 72, len: 100, offset: 0 }], 100, 0);
    const r = iovIterExtractPages(mm, it, null, 100, 4, 0);
    expect([r.ret, r.pages, r.alloc, state(it)]).toEqual([0, null, null, [0, 0, 0, 100]]);
  });

  it('a current bvec used up (iov_offset == bv_len, here a 0-byte bvec) is stepped over: nr_segs 2 -> 1 -> 0', () => {
    const { m, mm } = world();
    folioAt(m, 0, 80);
    folioAt(m, 0, 84);
    const it = iovIterBvec(
      ITER_SOURCE,
      [
        { page: 80, len: 0, offset: 0 },
        { page: 84, len: 4096, offset: 0 },
      ],
      4096,
    );
    const pages = new Int32Array(4).fill(-7);
    const r = iovIterExtractPages(mm, it, pages, 4096, 4, 0);
    expect([r.ret, r.offset0, Array.from(pages.subarray(0, 2)), state(it)]).toEqual([4096, 0, [84, -7], [2, 0, 0, 0]]);
  });

  it('a view starting inside a page ends at the page end: (72, 2048 @ 2048) then (73, 4096)', () => {
    const { m, mm } = world();
    folioAt(m, 2, 72);
    const it = iovIterBvec(ITER_SOURCE, [{ page: 72, len: 6144, offset: 2048 }], 6144);
    const pages = new Int32Array(4).fill(-7);
    const before = m.cost.pagePointersWritten;
    const r = iovIterExtractPages(mm, it, pages, 1 << 20, 4, 0);
    // want_pages_array(6144, skip 0) = 2 entries; view 0: len min(6144, 6144, 4096 - 2048).
    expect([r.ret, r.offset0, Array.from(pages), state(it)]).toEqual([6144, 2048, [72, 73, -7, -7], [1, 0, 0, 0]]);
    expect(m.cost.pagePointersWritten - before).toBe(2);
  });

  it('maxpages 2 stops a 4-page bvec after two views (k >= maxpages)', () => {
    const { m, mm } = world();
    folioAt(m, 2, 72);
    const it = iovIterBvec(ITER_SOURCE, [{ page: 72, len: 16384, offset: 0 }], 16384);
    const pages = new Int32Array(8).fill(-7);
    const r = iovIterExtractPages(mm, it, pages, 1 << 20, 2, 0);
    expect([r.ret, Array.from(pages.subarray(0, 4)), state(it)]).toEqual([8192, [72, 73, -7, -7], [0, 1, 8192, 8192]]);
  });

  it('a count that outlives the bvecs: bi_idx reaching nr_segs ends the walk before a bvec past the array', () => {
    const { m, mm } = world();
    folioAt(m, 2, 72);
    const it = iovIterBvec(ITER_SOURCE, [{ page: 72, len: 4096, offset: 0 }], 8192);
    const pages = new Int32Array(4).fill(-7);
    const r = iovIterExtractPages(mm, it, pages, 8192, 4, 0);
    // want_pages_array(8192, 0) = 2 entries; the one view uses bvec 0 up (bi_idx 1 = nr_segs).
    expect([r.ret, Array.from(pages.subarray(0, 2)), state(it)]).toEqual([4096, [72, -7], [1, 0, 0, 4096]]);
  });

  it('bi_size reaching 0 ends the walk even with an entry to spare (T sizes the array with the in-bvec skip as start)', () => {
    const { m, mm } = world();
    folioAt(m, 2, 72);
    const it = iovIterBvec(ITER_SOURCE, [{ page: 72, len: 12288, offset: 0 }], 12288);
    iovIterAdvance(it, 4096);
    const pages = new Int32Array(8).fill(-7);
    const before = m.cost.pagePointersWritten;
    const r = iovIterExtractPages(mm, it, pages, 4096, 8, 0);
    // want_pages_array(4096, skip 4096) = 2 entries; one view (73, 4096, 0) uses bi_size up.
    expect([r.ret, r.offset0, Array.from(pages.subarray(0, 3)), state(it)]).toEqual([4096, 0, [73, -7, -7], [0, 1, 8192, 4096]]);
    expect(m.cost.pagePointersWritten - before).toBe(1);
  });
});
