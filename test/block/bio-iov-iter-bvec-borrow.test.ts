/**
 * A bio borrowing an ITER_BVEC iterator's array, worked by hand from block/bio.c and
 * include/linux/bio.h (T @10c5ed1d): bio_iov_vecs_to_alloc is 0 for ITER_BVEC (the bio
 * needs no table of its own; else iov_iter_npages), bio_iov_iter_set WARNs once when the
 * bio has vectors of its own (`WARN_ON_ONCE(bio->bi_max_vecs)`), and
 * bio_iov_bvec_aligned checks only the first segment's offset unless
 * CONFIG_DEBUG_KERNEL, which checks every multi-page segment's offset and length
 * (`(bv.bv_offset | bv.bv_len) & mem_align_mask`).
 *
 * Layout: order-2 kernel folio at 72 and an order-0 one at 80.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_CLONED,
  ITER_SOURCE,
  bioAlloc,
  bioFlagged,
  bioIovBvecAligned,
  bioIovIterSet,
  bioIovVecsToAlloc,
  iovIterBvec,
  iovIterUbuf,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';

const twoBvecs = (off1: number, len1: number) => [
  { page: 72, len: 4096, offset: 0 },
  { page: 80, len: len1, offset: off1 },
];

describe('bio_iov_vecs_to_alloc', () => {
  it('0 for ITER_BVEC however many pages it spans; iov_iter_npages for UBUF', () => {
    const { m } = world();
    folioAt(m, 2, 72);
    folioAt(m, 0, 80);
    expect(bioIovVecsToAlloc(iovIterBvec(ITER_SOURCE, twoBvecs(0, 4096), 8192), 256)).toBe(0);
    // UBUF 100 bytes into a page, 8192 long: DIV_ROUND_UP(100 + 8192, 4096) = 3 pages.
    expect(bioIovVecsToAlloc(iovIterUbuf(ITER_SOURCE, BASE + 100, 8192), 256)).toBe(3);
  });
});

describe('bio_iov_iter_set', () => {
  it('a bio with its own 4 vectors: WARN once, then borrows the array all the same', () => {
    const { m } = world();
    folioAt(m, 2, 72);
    folioAt(m, 0, 80);
    const bio = bioAlloc(4);
    expect(bioIovIterSet(m, bio, iovIterBvec(ITER_SOURCE, twoBvecs(0, 4096), 8192))).toBe(true);
    expect([bio.size, bio.vcnt, bioFlagged(bio, BIO_CLONED), m.warnings]).toEqual([8192, 0, true, ['bio_iov_iter_set: bio has its own bvecs']]);
  });

  it('a bio allocated with no vectors: no WARN', () => {
    const { m } = world();
    folioAt(m, 2, 72);
    folioAt(m, 0, 80);
    const bio = bioAlloc(0);
    expect(bioIovIterSet(m, bio, iovIterBvec(ITER_SOURCE, twoBvecs(0, 4096), 8192))).toBe(true);
    expect([bio.size, m.warnings]).toEqual([8192, []]);
  });
});

describe('bio_iov_bvec_aligned with mem_align_mask 511', () => {
  function borrowed(off1: number, len1: number) {
    const { m } = world();
    folioAt(m, 2, 72);
    folioAt(m, 0, 80);
    const bio = bioAlloc(0);
    bioIovIterSet(m, bio, iovIterBvec(ITER_SOURCE, twoBvecs(off1, len1), 4096 + len1));
    return bio;
  }

  it('segment 1 at offset 256: only CONFIG_DEBUG_KERNEL sees it', () => {
    const bio = borrowed(256, 512);
    expect([bioIovBvecAligned(bio, 511, false), bioIovBvecAligned(bio, 511, true)]).toEqual([true, false]);
  });

  it('segment 1 of 100 bytes: only CONFIG_DEBUG_KERNEL sees it', () => {
    const bio = borrowed(512, 100);
    expect([bioIovBvecAligned(bio, 511, false), bioIovBvecAligned(bio, 511, true)]).toEqual([true, false]);
  });

  it('every segment aligned: true either way', () => {
    const bio = borrowed(512, 1024);
    expect([bioIovBvecAligned(bio, 511, false), bioIovBvecAligned(bio, 511, true)]).toEqual([true, true]);
  });
});
