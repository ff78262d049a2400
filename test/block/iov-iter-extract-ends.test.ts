/**
 * The ends of iov_iter_extract_pages, worked by hand from lib/iov_iter.c (T @828bcbca):
 * first_iovec_segment's BUG() when no iovec has a byte left; the KVEC and BVEC
 * extractors returning 0 when no segment is left; want_pages_array with maxpages 0
 * (WARN_ON(!count), then -ENOMEM); and iov_iter_extract_bvec_pages walking
 * single-page views across pages and bvecs (bvec_iter_advance_single) until a view
 * starts at an offset (`if (k) { if (bv.bv_offset) break; }`).
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  iovIterBvec,
  iovIterExtractPages,
  iovIterInit,
  iovIterKvec,
  pageAddress,
  type IovIter,
} from '../../src/index.js';
import { world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';

const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];
const WANT_PAGES_WARN = 'want_pages_array: count is 0 (caller should have prevented that)';

describe('no segment left', () => {
  it('IOVEC whose count outlives its segments: first_iovec_segment BUG()s', () => {
    const { mm } = world();
    const it = iovIterInit(ITER_DEST, [{ base: 0x40000000, len: 0 }], 100);
    expect(() => iovIterExtractPages(mm, it, new Int32Array(4), 100, 4, 0)).toThrow(KernelBug);
  });

  it('KVEC: the empty kvec is stepped over, nr_segs reaches 0, and 0 is returned', () => {
    const { m, mm } = world();
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(72), len: 0 }], 100);
    const r = iovIterExtractPages(mm, it, new Int32Array(4), 100, 4, 0);
    expect([r.ret, state(it), m.warnings]).toEqual([0, [1, 0, 0, 100], []]);
  });

  it('BVEC with nr_segs 0: 0 returned, the iterator untouched', () => {
    const { mm } = world();
    const it = iovIterBvec(ITER_SOURCE, [{ page: 64, len: 100, offset: 0 }], 100, 0);
    const r = iovIterExtractPages(mm, it, new Int32Array(4), 100, 4, 0);
    expect([r.ret, state(it)]).toEqual([0, [0, 0, 0, 100]]);
  });
});

describe('maxpages 0: want_pages_array WARNs and returns 0, which is -ENOMEM', () => {
  it('KVEC', () => {
    const { m, mm } = world();
    folioAt(m, 0, 72);
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(72) + 100, len: 200 }], 200);
    const r = iovIterExtractPages(mm, it, new Int32Array(0), 200, 0, 0);
    // *offset0 is written before want_pages_array.
    expect([r.ret, r.offset0, state(it), m.warnings]).toEqual([-ENOMEM, 100, [0, 1, 0, 200], [WANT_PAGES_WARN]]);
  });

  it('BVEC', () => {
    const { m, mm } = world();
    const it = iovIterBvec(ITER_SOURCE, [{ page: 64, len: 200, offset: 100 }], 200);
    const r = iovIterExtractPages(mm, it, new Int32Array(0), 200, 0, 0);
    expect([r.ret, state(it), m.warnings]).toEqual([-ENOMEM, [0, 1, 0, 200], [WANT_PAGES_WARN]]);
  });
});

describe('iov_iter_extract_bvec_pages across pages and bvecs', () => {
  it('two pages of bvec 0 and the page of bvec 1, stopping before bvec 2 (offset 50)', () => {
    const { m, mm } = world();
    const it = iovIterBvec(
      ITER_SOURCE,
      [
        { page: 64, len: 8192, offset: 0 },
        { page: 80, len: 4096, offset: 0 },
        { page: 81, len: 100, offset: 50 },
      ],
      12388,
    );
    const pages = new Int32Array(8).fill(-7);
    const before = m.cost.pagePointersWritten;
    const r = iovIterExtractPages(mm, it, pages, 1 << 20, 8, 0);
    // count = DIV_ROUND_UP(12388, 4096) = 4 entries wanted. Views: (64, 4096, 0) ends at
    // the page end, advance_single stays in bvec 0; (65, 4096, 0) uses bvec 0 up (idx 1);
    // (80, 4096, 0) uses bvec 1 up (idx 2); (81, 100, 50) has an offset with k = 3: break.
    expect([r.ret, r.offset0, Array.from(pages.subarray(0, 4))]).toEqual([12288, 0, [64, 65, 80, -7]]);
    expect(m.cost.pagePointersWritten - before).toBe(3);
    expect(state(it)).toEqual([2, 1, 0, 100]);
    // The next call starts at bvec 2's offset.
    const r2 = iovIterExtractPages(mm, it, pages, 1 << 20, 8, 0);
    expect([r2.ret, r2.offset0, pages[0], state(it)]).toEqual([100, 50, 81, [3, 0, 0, 0]]);
  });
});
