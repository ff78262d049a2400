/**
 * iov_iter_advance over the array types, worked by hand from lib/iov_iter.c (T):
 * iov_iter_iovec_advance and iov_iter_bvec_advance return at once when `count` is 0
 * (so an empty iterator keeps even a leading empty segment), and otherwise add
 * `iov_offset` to `size` before walking the segments ("from beginning of current
 * segment"), so a second advance continues from where the first stopped.
 */
import { describe, expect, it } from 'vitest';
import { ITER_DEST, ITER_SOURCE, iovIterAdvance, iovIterBvec, iovIterInit, type IovIter } from '../../src/index.js';

const pos = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];

describe('iov_iter_iovec_advance', () => {
  it('count 0: nothing moves, a leading empty segment is not skipped', () => {
    const i = iovIterInit(ITER_DEST, [
      { base: 0x1000, len: 0 },
      { base: 0x2000, len: 0x100 },
    ], 0);
    iovIterAdvance(i, 0);
    expect(pos(i)).toEqual([0, 2, 0, 0]);
  });
});

describe('iov_iter_bvec_advance', () => {
  it('a second advance counts from the start of the current bvec', () => {
    const i = iovIterBvec(ITER_SOURCE, [
      { page: 64, len: 4096, offset: 0 },
      { page: 65, len: 4096, offset: 0 },
    ], 8192);
    iovIterAdvance(i, 1000);
    expect(pos(i)).toEqual([0, 2, 1000, 7192]);
    // size = 4000 + iov_offset 1000 = 5000: past bvec 0 (4096), 904 into bvec 1.
    iovIterAdvance(i, 4000);
    expect(pos(i)).toEqual([1, 1, 904, 3192]);
  });
});
