/**
 * iov_iter_extract_pages worked by hand from lib/iov_iter.c (T @828bcbca):
 * want_pages_array, iov_iter_extract_user_pages (first_iovec_segment), _kvec_pages and
 * _bvec_pages; plus iov_iter_alignment and iov_iter_npages. The KVEC and BVEC tables
 * are lib/tests/kunit_iov_iter.c's extract_pages_kvec/_bvec cases (T @c34153bc):
 * kvec_test_ranges / bvec_test_ranges over a 256-page buffer, 8-entry page list
 * pre-filled with a sentinel, maxsize 100 KiB.
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
  KernelBug,
  PAGE_SIZE,
  costDiff,
  costSnapshot,
  injectAllocFailure,
  iovIterAlignment,
  iovIterBvec,
  iovIterDiscard,
  iovIterExtractPages,
  iovIterInit,
  iovIterKvec,
  iovIterNpages,
  iovIterUbuf,
  kvfree,
  pageAddress,
  unpinUserPages,
  vmstat,
  type BioVec,
  type IovIter,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { BASE, world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';
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

// --- lib/tests/kunit_iov_iter.c ------------------------------------------------------

const KVEC_TEST_RANGES: readonly (readonly [number, number])[] = [
  [0x00002, 0x00002],
  [0x00027, 0x03000],
  [0x05193, 0x18794],
  [0x20000, 0x20000],
  [0x20000, 0x24000],
  [0x24000, 0x27001],
  [0x29000, 0xffffb],
  [0xffffd, 0xffffe],
];
const BVEC_TEST_RANGES: readonly (readonly [number, number, number])[] = [
  [0, 0x0002, 0x0002],
  [1, 0x0027, 0x0893],
  [2, 0x0193, 0x0794],
  [3, 0x0000, 0x1000],
  [4, 0x0000, 0x1000],
  [5, 0x0000, 0x1000],
  [6, 0x0000, 0x0ffb],
  [6, 0x0ffd, 0x0ffe],
];
const BUF_PAGES = 256; // bufsize 0x100000
const B = 512; // first PFN of the test buffer

/**
 * iov_kunit_create_buffer: 256 order-0 pages, with pages i and i + 128 swapped for
 * i < 64 so the buffer is not physically contiguous. Returns bpages[].
 */
function kunitBuffer(m: Machine): number[] {
  const bpages: number[] = [];
  for (let k = 0; k < BUF_PAGES; k++) bpages.push(folioAt(m, 0, B + k));
  for (let k = 0; k < BUF_PAGES / 4; k++) [bpages[k], bpages[k + BUF_PAGES / 2]] = [bpages[k + BUF_PAGES / 2]!, bpages[k]!];
  return bpages;
}

/** iov_kunit_load_kvec over a direct-map buffer (the model has no vmalloc; see below). */
function loadKvec(dir: number): IovIter {
  const kvecs = KVEC_TEST_RANGES.map(([from, to]) => ({ base: pageAddress(B) + from, len: to - from }));
  return iovIterKvec(dir, kvecs, kvecs.reduce((s, k) => s + k.len, 0));
}

/** iov_kunit_load_bvec: a range starting at 0 merges into the previous bvec if its page follows. */
function loadBvec(dir: number, bpages: readonly number[]): IovIter {
  const bvecs: BioVec[] = [];
  let canMerge = -1;
  let size = 0;
  for (const [pg, from, to] of BVEC_TEST_RANGES) {
    const page = bpages[pg]!;
    if (from === 0 && from !== to && page === canMerge) bvecs[bvecs.length - 1]!.len += to;
    else bvecs.push({ page, len: to - from, offset: from });
    size += to - from;
    canMerge = to % PAGE_SIZE === 0 ? page + to / PAGE_SIZE : -1;
  }
  return iovIterBvec(dir, bvecs, size);
}

/**
 * The body of iov_kunit_extract_pages_kvec/_bvec: extract until empty and check each
 * page against the page holding the current byte of the test ranges.
 */
function kunitExtractLoop(
  mm: Mm,
  it: IovIter,
  pageOf: (range: number, from: number) => number,
  ranges: readonly (readonly number[])[],
  fromOf: (r: readonly number[]) => number,
  toOf: (r: readonly number[]) => number,
): number {
  let size = it.count;
  let pr = 0;
  let from = fromOf(ranges[0]!);
  let calls = 0;
  const pagelist = new Int32Array(8);
  do {
    pagelist.fill(SENTINEL);
    const r = iovIterExtractPages(mm, it, pagelist, 100 * 1024, 8, 0);
    calls++;
    let len = r.ret;
    let offset0 = r.offset0;
    expect(len).toBeGreaterThanOrEqual(0);
    expect(offset0).toBeLessThan(PAGE_SIZE);
    expect(len).toBeLessThanOrEqual(size);
    expect(it.count).toBe(size - len);
    size -= len;
    if (len === 0) break;
    for (let i = 0; i < 8; i++) {
      const part = Math.min(len, PAGE_SIZE - offset0);
      while (from === toOf(ranges[pr]!)) {
        pr++;
        if (pr === ranges.length) return calls;
        from = fromOf(ranges[pr]!);
      }
      expect(pagelist[i]).toBe(pageOf(pr, from));
      expect(offset0).toBe(from % PAGE_SIZE);
      from += part;
      len -= part;
      if (len === 0) break;
      offset0 = 0;
    }
  } while (it.count > 0);
  expect(size).toBe(0);
  expect(it.count).toBe(0);
  return calls;
}

describe('KVEC (iov_iter_extract_kvec_pages, kunit kvec_test_ranges)', () => {
  // Simplification: kunit vmaps its shuffled pages and uses vmalloc_to_page; the model
  // has only the direct map, so the buffer is 256 contiguous pages at PFN B.
  it('first calls worked by hand: empty ranges skipped, each call inside one segment, 8 pages at most', () => {
    const { mm } = world();
    const it = loadKvec(ITER_DEST);
    expect(it.count).toBe(1000919);
    const rows: [number, number, number[]][] = [];
    for (let call = 0; call < 7; call++) {
      const pages = sentinelList(8);
      const r = iovIterExtractPages(mm, it, pages, 100 * 1024, 8, 0);
      rows.push([r.ret, r.offset0, Array.from(pages).filter((p) => p !== SENTINEL).map((p) => p - B)]);
    }
    expect(rows).toEqual([
      // {0x2,0x2} skipped; {0x27,0x3000}: 0x2fd9 bytes from offset 0x27, 3 pages.
      [12249, 0x27, [0, 1, 2]],
      // {0x5193,0x18794} (0x13601 bytes): 8 pages from offset 0x193 hold 32768 - 0x193.
      [32365, 0x193, [5, 6, 7, 8, 9, 10, 11, 12]],
      [32768, 0, [13, 14, 15, 16, 17, 18, 19, 20]],
      // the last 14228 bytes, 0x15000..0x18794: 4 pages.
      [14228, 0, [21, 22, 23, 24]],
      // {0x20000,0x20000} skipped; {0x20000,0x24000}.
      [16384, 0, [32, 33, 34, 35]],
      // {0x24000,0x27001}: 0x3001 bytes, 4 pages.
      [12289, 0, [36, 37, 38, 39]],
      // {0x29000,0xffffb} (880635 bytes) in 8-page steps.
      [32768, 0, [41, 42, 43, 44, 45, 46, 47, 48]],
    ]);
    // 26 full 8-page steps end at 0xf9000; the remainder is 0x6ffb bytes in 7 pages.
    const pages = sentinelList(8);
    for (let call = 1; call < 26; call++) iovIterExtractPages(mm, it, pages, 100 * 1024, 8, 0);
    pages.fill(SENTINEL);
    const last = iovIterExtractPages(mm, it, pages, 100 * 1024, 8, 0);
    expect([last.ret, last.offset0, pages[0]! - B, pages[6]! - B, pages[7]]).toEqual([0x6ffb, 0, 249, 255, SENTINEL]);
    const tail = iovIterExtractPages(mm, it, pages, 100 * 1024, 8, 0);
    expect([tail.ret, tail.offset0, pages[0]! - B, it.count]).toEqual([1, 0xffd, 255, 0]);
  });

  it("kunit's own loop: every page is the one holding the current byte; 34 calls", () => {
    const { mm } = world();
    const calls = kunitExtractLoop(mm, loadKvec(ITER_DEST), (_pr, from) => B + Math.floor(from / PAGE_SIZE), KVEC_TEST_RANGES, (r) => r[0]!, (r) => r[1]!);
    expect(calls).toBe(34);
  });
});

describe('BVEC (iov_iter_extract_bvec_pages, kunit bvec_test_ranges)', () => {
  it('the shuffled buffer loads 5 bvecs (ranges 3..6 merge: their pages follow each other)', () => {
    const m = newMachine();
    const bpages = kunitBuffer(m);
    const it = loadBvec(ITER_DEST, bpages);
    // bpages[k] = B + 128 + k for k < 64 (the swap).
    const p = (k: number) => B + 128 + k;
    expect([it.nrSegs, it.count]).toEqual([5, 20073]);
    expect([0, 1, 2, 3, 4].map((k) => [it.bvec!.page[k], it.bvec!.len[k], it.bvec!.offset[k]])).toEqual([
      [p(0), 0, 2],
      [p(1), 0x86c, 0x27],
      [p(2), 0x601, 0x193],
      [p(3), 0x3ffb, 0],
      [p(6), 1, 0xffd],
    ]);
  });

  it('calls worked by hand: stop after a view not ending at a page end, or at DIV_ROUND_UP(maxsize + skip) pages', () => {
    const { m, mm } = world();
    const bpages = kunitBuffer(m);
    const it = loadBvec(ITER_DEST, bpages);
    const p = (k: number) => B + 128 + k;
    const rows: [number, number, number[]][] = [];
    while (it.count > 0) {
      const pages = sentinelList(8);
      const r = iovIterExtractPages(mm, it, pages, 100 * 1024, 8, 0);
      rows.push([r.ret, r.offset0, Array.from(pages).filter((x) => x !== SENTINEL)]);
    }
    expect(rows).toEqual([
      // The empty first bvec is skipped (iov_offset == bv_len); bytes 0x27..0x893 of p1.
      [0x86c, 0x27, [p(1)]],
      [0x601, 0x193, [p(2)]],
      // count 16380 -> 4 pages; the 4th view (0xffb bytes) ends the array, not the bvec.
      [16379, 0, [p(3), p(4), p(5), p(6)]],
      [1, 0xffd, [p(6)]],
    ]);
    expect(m.cost.pagePointersWritten).toBe(7);
  });

  it("kunit's own loop over the shuffled buffer", () => {
    const { m, mm } = world();
    const bpages = kunitBuffer(m);
    const calls = kunitExtractLoop(mm, loadBvec(ITER_DEST, bpages), (pr, from) => bpages[BVEC_TEST_RANGES[pr]![0] + Math.floor(from / PAGE_SIZE)]!, BVEC_TEST_RANGES, (r) => r[1]!, (r) => r[2]!);
    expect(calls).toBe(4);
  });

  it('a caller array shorter than the pages it must hold is memory corruption: KernelBug', () => {
    const { m, mm } = world();
    const bpages = kunitBuffer(m);
    const it = iovIterBvec(ITER_DEST, [{ page: bpages[200]!, len: 3 * PAGE_SIZE, offset: 0 }], 3 * PAGE_SIZE);
    expect(() => iovIterExtractPages(mm, it, new Int32Array(2), 3 * PAGE_SIZE, 8, 0)).toThrow(KernelBug);
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
