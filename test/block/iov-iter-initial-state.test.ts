/**
 * The state every iov_iter initialiser leaves (include/linux/uio.h iov_iter_ubuf and
 * lib/iov_iter.c iov_iter_init / iov_iter_kvec / iov_iter_bvec / iov_iter_discard, T):
 * each assigns a whole `(struct iov_iter) { ... }` compound literal, so the fields it
 * does not name are zero. In particular `nofault` is false (iov_iter_init names it:
 * `.nofault = false`): extraction from a fresh iterator may fault pages in.
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ITER_SOURCE,
  iovIterBvec,
  iovIterDiscard,
  iovIterInit,
  iovIterKvec,
  iovIterUbuf,
  pageAddress,
  type IovIter,
} from '../../src/index.js';

const fields = (i: IovIter) => [i.nofault, i.iovOffset, i.seg, i.dataSource, i.count, i.nrSegs];

describe('fresh iterators', () => {
  it('nofault false, iov_offset 0, at the first segment, for every type', () => {
    expect(fields(iovIterUbuf(ITER_DEST, 0x10000, 4096))).toEqual([false, 0, 0, false, 4096, 1]);
    expect(fields(iovIterInit(ITER_SOURCE, [{ base: 0x1000, len: 100 }], 100))).toEqual([false, 0, 0, true, 100, 1]);
    expect(fields(iovIterKvec(ITER_SOURCE, [{ base: pageAddress(64), len: 50 }], 50))).toEqual([false, 0, 0, true, 50, 1]);
    expect(fields(iovIterBvec(ITER_DEST, [{ page: 64, len: 10, offset: 0 }], 10))).toEqual([false, 0, 0, false, 10, 1]);
    expect(fields(iovIterDiscard(ITER_DEST, 4096))).toEqual([false, 0, 0, false, 4096, 0]);
  });
});
