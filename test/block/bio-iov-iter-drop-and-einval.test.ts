/**
 * bio_iov_iter_get_pages' release paths, worked by hand from block/bio.c (T @10c5ed1d):
 * bio_iov_iter_align_down drops a whole trailing bvec, releasing its page only
 * `if (bio_flagged(bio, BIO_PAGE_PINNED))` (a KVEC bio holds nothing, so nothing is
 * released); -EINVAL from a later iov_iter_extract_bvecs releases what the bio holds
 * (bio_release_pages(bio, false)), clears BIO_PAGE_PINNED and empties the bio. With the
 * dio_w_* FOLL_GET hold (the model's addition) both releases are put_page.
 * bio_iov_iter_align_down's `last` must index the bio's table.
 *
 * Layouts (user-buffer.ts): order-0 folios at 64 and 66 mapped at BASE; kernel folios
 * at 72 and 80.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  EINVAL,
  ITER_SOURCE,
  bioAlloc,
  bioFlagged,
  bioIovIterAlignDown,
  bioIovIterGetPages,
  bioReleasePagesFollGet,
  bvecArrayToList,
  iovIterInit,
  iovIterKvec,
  iovIterUbuf,
  pageAddress,
  vmstat,
  type Bio,
  type IovIter,
} from '../../src/index.js';
import { refcountSnapshot } from '../support/machines.js';
import { BASE, world } from '../support/mm-layout.js';
import { expectRefused } from '../support/refused.js';
import { folioAt } from './layout.js';
import { userBuffer } from './user-buffer.js';

const list = (bio: Bio) => bvecArrayToList(bio.vecs!, bio.vcnt).map((b) => [b.page, b.len, b.offset]);
const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];
const twoPages = [
  { order: 0, pfn: 64 },
  { order: 0, pfn: 66 },
];

describe('align down drops a whole bvec', () => {
  it('KVEC (no BIO_PAGE_PINNED): the 100-byte bvec goes, nothing is released', () => {
    const { m, mm } = world();
    folioAt(m, 0, 72);
    folioAt(m, 0, 80);
    const before = refcountSnapshot(m);
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(72), len: 4096 }, { base: pageAddress(80), len: 100 }], 4196);
    const bio = bioAlloc(4);
    // Two extractions (one kvec each): 4196 bytes; 4196 & 511 = 100 = bvec 1's length: dropped.
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 0, 511)).toBe(0);
    expect([list(bio), bio.size, bioFlagged(bio, BIO_PAGE_PINNED)]).toEqual([[[72, 4096, 0]], 4096, false]);
    expect(state(it)).toEqual([1, 1, 0, 100]);
    expect(Array.from(m.refcount)).toEqual(Array.from(before));
  });

  it("UBUF with hold 'get': the dropped bvec's page is put, the kept one still holds its reference", () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 2, twoPages);
    const before = refcountSnapshot(m);
    const it = iovIterUbuf(ITER_SOURCE, BASE, 4196);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 0, 511, { hold: 'get' })).toBe(0);
    expect([list(bio), bio.size, it.count, it.iovOffset]).toEqual([[[64, 4096, 0]], 4096, 100, 4096]);
    expect([m.refcount[64]! - before[64]!, m.refcount[66]! - before[66]!, vmstat(m).nrFollPinAcquired]).toEqual([1, 0, 0]);
    bioReleasePagesFollGet(m, bio, false);
    expect(m.refcount[64]).toBe(before[64]);
  });
});

describe('-EINVAL from a later extraction', () => {
  it("hold 'get': the first segment's page is put, the flag cleared, the bio emptied", () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 2, twoPages);
    const before = refcountSnapshot(m);
    // Segment 1 starts 0x100 into page 66: (start | len) & 511 != 0.
    const it = iovIterInit(ITER_SOURCE, [{ base: BASE, len: 4096 }, { base: BASE + 0x1100, len: 512 }], 4608);
    const bio = bioAlloc(4);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511, { hold: 'get' })).toBe(-EINVAL);
    expect([bio.vcnt, bioFlagged(bio, BIO_PAGE_PINNED), state(it)]).toEqual([0, false, [1, 1, 0, 512]]);
    expect(Array.from(m.refcount)).toEqual(Array.from(before));
  });
});

describe('bio_iov_iter_align_down arguments', () => {
  it('a bio without a table has no bvec for `last` to name', () => {
    const { m } = world();
    const bio = bioAlloc(0);
    const it = iovIterUbuf(ITER_SOURCE, BASE, 512);
    expectRefused({
      call: 'bioIovIterAlignDown(m, bioAlloc(0), it, 0, 511)',
      m,
      run: () => bioIovIterAlignDown(m, bio, it, 0, 511),
      expect: { throws: /^bioIovIterAlignDown: last / },
      state: () => [bio.vcnt, bio.size, state(it)],
    });
  });
});
