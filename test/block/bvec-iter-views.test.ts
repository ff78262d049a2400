/**
 * The views of a bvec array at an iterator position, worked by hand from
 * include/linux/bvec.h (T; the in-bvec offset is bi_offset, bi_bvec_done in released
 * kernels): mp_bvec_iter_page / _len / _offset / _page_idx, bvec_iter_offset / _len /
 * _page, mp_bvec_iter_bvec. The multi-page view is the bvec from the position on
 * (capped by bi_size); the single-page view is the part of it in one page.
 */
import { describe, expect, it } from 'vitest';
import {
  BvecIter,
  KernelBug,
  bvecArrayFrom,
  bvecIterLen,
  bvecIterOffset,
  bvecIterPage,
  mpBvecIterBvec,
  mpBvecIterLen,
  mpBvecIterOffset,
  mpBvecIterPage,
  mpBvecIterPageIdx,
} from '../../src/index.js';

const bvs = bvecArrayFrom([
  { page: 64, len: 8192, offset: 100 },
  { page: 72, len: 300, offset: 4000 },
]);

function at(size: number, idx: number, offset: number): BvecIter {
  const it = new BvecIter();
  it.size = size;
  it.idx = idx;
  it.offset = offset;
  return it;
}

const views = (it: BvecIter) => [
  mpBvecIterPage(bvs, it),
  mpBvecIterLen(bvs, it),
  mpBvecIterOffset(bvs, it),
  mpBvecIterPageIdx(bvs, it),
  bvecIterPage(bvs, it),
  bvecIterLen(bvs, it),
  bvecIterOffset(bvs, it),
];

describe('mp_bvec_iter_* and bvec_iter_*', () => {
  it('5000 bytes into bvec 0 (page 64, offset 100, 8192 bytes)', () => {
    const it = at(8492, 0, 5000);
    // mp offset = bv_offset + bi_offset = 5100, page idx 5100 / 4096 = 1, in-page 1004;
    // mp len = min(8492, 8192 - 5000) = 3192; single-page len = min(3192, 4096 - 1004) = 3092.
    expect(views(it)).toEqual([64, 3192, 5100, 1, 65, 3092, 1004]);
    const out = { page: -1, len: 0, offset: 0 };
    expect(mpBvecIterBvec(bvs, it, out)).toBe(out);
    expect(out).toEqual({ page: 64, len: 3192, offset: 5100 });
  });

  it('bi_size caps the multi-page length; the page end caps the single-page one', () => {
    // bvec 1 (page 72, offset 4000, 300 bytes) with 100 bytes left in the iterator:
    // mp len = min(100, 300) = 100; single-page len = min(100, 4096 - 4000) = 96.
    expect(views(at(100, 1, 0))).toEqual([72, 100, 4000, 0, 72, 96, 4000]);
    // 200 bytes in: offset 4200 is page 73, in-page 104; both lengths 100.
    expect(views(at(100, 1, 200))).toEqual([72, 100, 4200, 1, 73, 100, 104]);
  });

  it('an index past the end of the array reads past it in C: KernelBug', () => {
    const it = at(1, 2, 0);
    expect(() => mpBvecIterPage(bvs, it)).toThrow(KernelBug);
    expect(() => bvecIterPage(bvs, it)).toThrow(/entry 2 past the end of a 2-entry bvec array/);
  });
});
