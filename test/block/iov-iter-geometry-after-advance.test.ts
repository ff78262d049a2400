/**
 * iov_iter_alignment and iov_iter_npages of an iterator that has been advanced part way
 * into its first segment (`iov_offset`, the `skip` of the helpers), worked by hand from
 * lib/iov_iter.c (T): iov_iter_alignment (UBUF: `(ubuf + iov_offset) | count`),
 * iov_iter_alignment_iovec and iov_iter_alignment_bvec (the first segment counts from
 * `base + skip`, with `len - skip` bytes), iov_iter_npages (UBUF:
 * `DIV_ROUND_UP(offset_in_page(ubuf + iov_offset) + count, PAGE_SIZE)`), iov_npages
 * (skips an empty segment, whatever its base) and bvec_npages; both stop only once
 * npages *passes* maxpages, so a count beyond the array still reads past it (a
 * KernelBug in the model) after reaching maxpages exactly.
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  iovIterAdvance,
  iovIterAlignment,
  iovIterBvec,
  iovIterInit,
  iovIterNpages,
  iovIterUbuf,
} from '../../src/index.js';

describe('UBUF', () => {
  it('alignment ORs ubuf + iov_offset with count', () => {
    const i = iovIterUbuf(ITER_DEST, 0x10000, 0x1000);
    iovIterAdvance(i, 0x100);
    // (0x10000 + 0x100) | 0xf00 = 0x10f00.
    expect(iovIterAlignment(i)).toBe(0x10f00);
  });

  it('npages counts from offset_in_page(ubuf + iov_offset)', () => {
    const i = iovIterUbuf(ITER_SOURCE, 0x10e00, 0x400);
    iovIterAdvance(i, 0x100);
    // offset_in_page(0x10f00) = 0xf00; DIV_ROUND_UP(0xf00 + 0x300, 4096) = 2.
    expect(iovIterNpages(i, 16)).toBe(2);
  });
});

describe('IOVEC (iov_iter_alignment_iovec, iov_npages)', () => {
  it('alignment: the first segment contributes base + skip and len - skip', () => {
    const i = iovIterInit(ITER_DEST, [
      { base: 0x10000, len: 0x200 },
      { base: 0x20000, len: 0x200 },
    ], 0x400);
    iovIterAdvance(i, 0x100);
    expect([i.seg, i.iovOffset, i.count]).toEqual([0, 0x100, 0x300]);
    // 0x10100 | 0x100 | 0x20000 | 0x200 = 0x30300.
    expect(iovIterAlignment(i)).toBe(0x30300);
  });

  it('npages: the first segment starts at offset_in_page(base + skip) with len - skip bytes', () => {
    const i = iovIterInit(ITER_DEST, [
      { base: 0x10e00, len: 0x400 },
      { base: 0x20000, len: 0x200 },
    ], 0x600);
    iovIterAdvance(i, 0x100);
    // Segment 0: offs 0xf00, len 0x300: DIV_ROUND_UP(0x1200, 4096) = 2; segment 1: 1.
    expect(iovIterNpages(i, 16)).toBe(3);
  });

  it('npages skips an empty segment even when its base is not page aligned', () => {
    const i = iovIterInit(ITER_SOURCE, [
      { base: 0x1000, len: 0x100 },
      { base: 0x5800, len: 0 },
      { base: 0x9000, len: 0x100 },
    ], 0x200);
    // `if (len)` leaves segment 1 out: 1 + 1; alignment too: 0x1000 | 0x100 | 0x9000 | 0x100.
    expect(iovIterNpages(i, 16)).toBe(2);
    expect(iovIterAlignment(i)).toBe(0x9100);
  });

  it('npages equal to maxpages does not stop the walk: a count past the array reads beyond it', () => {
    const i = iovIterInit(ITER_DEST, [{ base: 0x1000, len: 0x100 }], 0x200);
    // Segment 0 gives npages 1, not > maxpages 1; size 0x100 is left, so p++ reads iov[1].
    expect(() => iovIterNpages(i, 1)).toThrow(KernelBug);
    expect(() => iovIterNpages(i, 1)).toThrow('iov_iter reads segment 1 past the end of a 1-entry array');
    // With maxpages 0 the first segment already passes it.
    expect(iovIterNpages(i, 0)).toBe(0);
  });
});

describe('BVEC (iov_iter_alignment_bvec, bvec_npages)', () => {
  it('alignment: the first bvec contributes bv_offset + skip and bv_len - skip', () => {
    const i = iovIterBvec(ITER_DEST, [
      { page: 64, len: 0x200, offset: 0x80 },
      { page: 65, len: 0x200, offset: 0x400 },
    ], 0x400);
    iovIterAdvance(i, 0x100);
    expect([i.seg, i.iovOffset, i.count]).toEqual([0, 0x100, 0x300]);
    // 0x180 | 0x100 | 0x400 | 0x200 = 0x780.
    expect(iovIterAlignment(i)).toBe(0x780);
  });

  it('npages: the first bvec starts at (bv_offset + skip) % PAGE_SIZE with bv_len - skip bytes', () => {
    const i = iovIterBvec(ITER_SOURCE, [
      { page: 64, len: 0x400, offset: 0xe00 },
      { page: 80, len: 0x200, offset: 0 },
    ], 0x600);
    iovIterAdvance(i, 0x100);
    // bvec 0: offs 0xf00, len 0x300: 2 pages; bvec 1: 1.
    expect(iovIterNpages(i, 16)).toBe(3);
  });

  it('npages equal to maxpages does not stop the walk: a count past the array reads beyond it', () => {
    const i = iovIterBvec(ITER_DEST, [{ page: 64, len: 0x100, offset: 0 }], 0x200);
    expect(() => iovIterNpages(i, 1)).toThrow('iov_iter reads segment 1 past the end of a 1-entry array');
  });
});
