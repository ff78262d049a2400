/**
 * iov_iter_extract_pages on KVEC and BVEC iterators (lib/iov_iter.c in T @828bcbca:
 * iov_iter_extract_kvec_pages, iov_iter_extract_bvec_pages), transcribed from
 * lib/tests/kunit_iov_iter.c (T @c34153bc) iov_kunit_extract_pages_kvec/_bvec:
 * kvec_test_ranges / bvec_test_ranges over a 256-page buffer, an 8-entry page list
 * pre-filled with a sentinel, maxsize 100 KiB; the first calls are also worked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ArgumentError,
  PAGE_SIZE,
  iovIterBvec,
  iovIterExtractPages,
  iovIterKvec,
  pageAddress,
  type BioVec,
  type IovIter,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';

/** kunit_iov_iter.c fills the page list with 0xaa55aa55aa55aa55; an Int32 stand-in. */
const SENTINEL = 0x2a55aa55;

function sentinelList(n: number): Int32Array {
  return new Int32Array(n).fill(SENTINEL);
}

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
    const { m } = world();
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

  it('a caller array shorter than maxpages is a buffer overflow in C: ArgumentError, nothing extracted', () => {
    // iov_iter_extract_pages kernel-doc (lib/iov_iter.c, T): a non-NULL *pages is
    // "assumed that the caller allocated a page list at least @maxpages in size".
    const { m, mm } = world();
    const bpages = kunitBuffer(m);
    const it = iovIterBvec(ITER_DEST, [{ page: bpages[200]!, len: 3 * PAGE_SIZE, offset: 0 }], 3 * PAGE_SIZE);
    const pages = new Int32Array(2).fill(-7);
    expect(() => iovIterExtractPages(mm, it, pages, 3 * PAGE_SIZE, 8, 0)).toThrow(ArgumentError);
    expect([it.count, it.iovOffset, Array.from(pages)]).toEqual([3 * PAGE_SIZE, 0, [-7, -7]]);
  });
});
