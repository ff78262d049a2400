/**
 * iter_iov_addr and iter_iov_len (include/linux/uio.h, T): the address is the current
 * segment's base (UBUF: `ubuf`) plus `iov_offset`; the length is UBUF's `count` but,
 * for IOVEC and KVEC, what is left of the current segment (`iov_len - iov_offset`),
 * whatever `count` says about the segments after it.
 */
import { describe, expect, it } from 'vitest';
import { ITER_DEST, ITER_SOURCE, iovIterAdvance, iovIterInit, iovIterKvec, iovIterUbuf, iterIovAddr, iterIovLen, pageAddress } from '../../src/index.js';

describe('iter_iov_addr / iter_iov_len', () => {
  it('UBUF: ubuf + iov_offset, and count', () => {
    const i = iovIterUbuf(ITER_DEST, 0x10000, 0x1000);
    iovIterAdvance(i, 10);
    expect([iterIovAddr(i), iterIovLen(i)]).toEqual([0x1000a, 0xff6]);
  });

  it('IOVEC and KVEC: the first segment only, not the whole count', () => {
    const i = iovIterInit(ITER_SOURCE, [
      { base: 0x1000, len: 100 },
      { base: 0x2000, len: 100 },
    ], 200);
    expect([iterIovAddr(i), iterIovLen(i)]).toEqual([0x1000, 100]);
    iovIterAdvance(i, 30);
    expect([iterIovAddr(i), iterIovLen(i), i.count]).toEqual([0x101e, 70, 170]);
    const k = iovIterKvec(ITER_SOURCE, [
      { base: pageAddress(64), len: 50 },
      { base: pageAddress(65), len: 50 },
    ], 100);
    expect([iterIovAddr(k), iterIovLen(k)]).toEqual([pageAddress(64), 50]);
  });
});
