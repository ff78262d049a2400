/**
 * The small iov_iter accessors of include/linux/uio.h (T): iov_iter_count, the type
 * tests iter_is_ubuf / iter_is_iovec / iov_iter_is_kvec / iov_iter_is_bvec /
 * iov_iter_is_discard, iov_iter_truncate (`if (i->count > count) i->count = count`),
 * and iov_iter_bvec taking a bvec array as it is (nr_segs defaulting to all of it).
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ITER_SOURCE,
  bvecArrayFrom,
  iovIterBvec,
  iovIterCount,
  iovIterDiscard,
  iovIterInit,
  iovIterIsBvec,
  iovIterIsDiscard,
  iovIterIsKvec,
  iovIterKvec,
  iovIterTruncate,
  iovIterUbuf,
  iterIsIovec,
  iterIsUbuf,
  pageAddress,
  type IovIter,
} from '../../src/index.js';

const kinds = (i: IovIter) => [iterIsUbuf(i), iterIsIovec(i), iovIterIsKvec(i), iovIterIsBvec(i), iovIterIsDiscard(i)];

describe('type tests and iov_iter_count', () => {
  it('each iterator answers true to its own type only', () => {
    const iters = [
      iovIterUbuf(ITER_DEST, 0x10000, 8192),
      iovIterInit(ITER_SOURCE, [{ base: 0x1000, len: 100 }], 100),
      iovIterKvec(ITER_SOURCE, [{ base: pageAddress(64), len: 50 }], 50),
      iovIterBvec(ITER_DEST, [{ page: 64, len: 10, offset: 0 }], 10),
      iovIterDiscard(ITER_DEST, 4096),
    ];
    expect(iters.map(kinds)).toEqual([
      [true, false, false, false, false],
      [false, true, false, false, false],
      [false, false, true, false, false],
      [false, false, false, true, false],
      [false, false, false, false, true],
    ]);
    expect(iters.map(iovIterCount)).toEqual([8192, 100, 50, 10, 4096]);
  });
});

describe('iov_iter_truncate', () => {
  it('lowers count; an equal or larger value (u64, beyond 2^53 too) leaves it', () => {
    const i = iovIterUbuf(ITER_DEST, 0x10000, 8192);
    iovIterTruncate(i, 8192);
    expect(iovIterCount(i)).toBe(8192);
    iovIterTruncate(i, 2 ** 60);
    expect(iovIterCount(i)).toBe(8192);
    iovIterTruncate(i, 4000);
    expect([i.count, i.iovOffset, i.ubuf]).toEqual([4000, 0, 0x10000]);
    iovIterTruncate(i, 0);
    expect(iovIterCount(i)).toBe(0);
  });
});

describe('iov_iter_bvec over a bvec array', () => {
  it('uses the array itself (not a copy); nr_segs defaults to its capacity', () => {
    const bvs = bvecArrayFrom([
      { page: 64, len: 100, offset: 0 },
      { page: 80, len: 200, offset: 10 },
      { page: 81, len: 300, offset: 20 },
    ]);
    const i = iovIterBvec(ITER_SOURCE, bvs, 600);
    expect([i.bvec === bvs, i.nrSegs, i.seg, i.count]).toEqual([true, 3, 0, 600]);
    expect(iovIterBvec(ITER_SOURCE, bvs, 100, 1).nrSegs).toBe(1);
  });
});
