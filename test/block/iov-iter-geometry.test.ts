/**
 * iov_iter_alignment and iov_iter_npages over array iterators, worked by hand from
 * lib/iov_iter.c (T): iov_iter_alignment_iovec (IOVEC and KVEC: empty segments
 * skipped, the last segment counted only up to `count`), iov_iter_alignment_bvec (an
 * empty bvec still ORs in its offset), iov_npages and bvec_npages (stop and return
 * maxpages once the count passes it). A `count` beyond the bytes the array holds makes
 * the loops read past the array in C: KernelBug.
 * UBUF and DISCARD are in iov-iter-extract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  iovIterAlignment,
  iovIterBvec,
  iovIterInit,
  iovIterKvec,
  iovIterNpages,
  pageAddress,
} from '../../src/index.js';

describe('IOVEC and KVEC (iov_iter_alignment_iovec, iov_npages)', () => {
  const iovecs = [
    { base: 0x1000, len: 0x200 },
    { base: 0x5000, len: 0 },
    { base: 0x9100, len: 0x800 },
  ];

  it('count 0x300 stops 0x100 bytes into segment 2: its length counts as 0x100, not 0x800', () => {
    const i = iovIterInit(ITER_DEST, iovecs, 0x300);
    // 0x1000 | 0x200 | (empty segment skipped) | 0x9100 | min(0x800, 0x100) = 0x9300.
    expect(iovIterAlignment(i)).toBe(0x9300);
    // Segment 0: DIV_ROUND_UP(0 + 0x200, 4096) = 1; segment 2: DIV_ROUND_UP(0x100 + 0x100, 4096) = 1.
    expect(iovIterNpages(i, 16)).toBe(2);
    // After segment 2 npages 2 > maxpages 1: return maxpages.
    expect(iovIterNpages(i, 1)).toBe(1);
    expect([i.seg, i.nrSegs, i.iovOffset, i.count]).toEqual([0, 3, 0, 0x300]);
  });

  it('KVEC takes the same paths: a kvec straddling a page boundary touches two pages', () => {
    const k = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(72) + 0xf00, len: 0x300 }], 0x300);
    // (PAGE_OFFSET + 72 * 4096 + 0xf00) | 0x300; npages DIV_ROUND_UP(0xf00 + 0x300, 4096) = 2.
    expect(iovIterAlignment(k)).toBe(pageAddress(72) + 0xf00);
    expect([iovIterNpages(k, 16), iovIterNpages(k, 1)]).toEqual([2, 1]);
  });

  it('a count beyond the segments: the loop reads past the array (KernelBug)', () => {
    const i = iovIterInit(ITER_DEST, [{ base: 0x1000, len: 0x100 }], 0x200);
    expect(() => iovIterAlignment(i)).toThrow(/segment 1 past the end of a 1-entry array/);
    expect(() => iovIterNpages(i, 16)).toThrow(KernelBug);
  });
});

describe('BVEC (iov_iter_alignment_bvec, bvec_npages)', () => {
  const bvecs = [
    { page: 64, len: 0x800, offset: 0x100 },
    { page: 80, len: 0, offset: 0x300 },
    { page: 81, len: 0x1000, offset: 0x200 },
  ];

  it('the empty bvec ORs in its offset and counts a page; the last is cut to count', () => {
    const i = iovIterBvec(ITER_SOURCE, bvecs, 0x900);
    // 0x100 | 0x800 | 0x300 | 0 | 0x200 | min(0x1000, 0x100) = 0xb00.
    expect(iovIterAlignment(i)).toBe(0xb00);
    // 1 + DIV_ROUND_UP(0x300 + 0, 4096) = 1 + 1 (the 0x100 bytes at offset 0x200) = 3.
    expect(iovIterNpages(i, 16)).toBe(3);
    expect(iovIterNpages(i, 2)).toBe(2);
  });

  it('a count beyond the bvecs: the loop reads past the array (KernelBug)', () => {
    const i = iovIterBvec(ITER_SOURCE, [{ page: 64, len: 0x100, offset: 0 }], 0x200);
    expect(() => iovIterAlignment(i)).toThrow(/segment 1 past the end of a 1-entry array/);
    expect(() => iovIterNpages(i, 16)).toThrow(KernelBug);
  });
});
