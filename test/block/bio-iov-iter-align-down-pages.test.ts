/**
 * Which pages bio_iov_iter_align_down releases when it drops a trailing bvec, worked by
 * hand from block/bio.c (T @10c5ed1d) and the pending fix the fact sheet describes
 * (Tal Zussman, 2026: `bvec_nr_pages`, one release per page the bvec spans):
 * - `bvec_nr_pages(bv)` = (bv_offset + bv_len - 1) / PAGE_SIZE - bv_offset / PAGE_SIZE + 1;
 * - T releases `bv->bv_page` itself, even when bv_offset is past the first page (a
 *   multi-page bvec may start there); the fix starts at the page holding bv_offset,
 *   `bv_page + bv_offset / PAGE_SIZE`;
 * - with the model's FOLL_GET hold, the same pages are put instead of unpinned;
 * - `if (!nbytes) return 0;`: an aligned size leaves every bvec alone, a zero-length
 *   last bvec included.
 *
 * The bios are built by hand (bvecs with offsets past the first page are what a
 * multi-page bvec allows; iov_iter_extract_bvecs itself writes offsets below
 * PAGE_SIZE). Layout: order-0 user folios at 64..69 mapped back to back at BASE, so
 * each page's refcount shows its own pin (GUP_PIN_COUNTING_BIAS 1024) or reference.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  ITER_DEST,
  bioAlloc,
  bioReleasePages,
  bioReleasePagesFollGet,
  bioIovIterAlignDown,
  bioSetFlag,
  bvecArrayFrom,
  bvecArrayToList,
  bvecNrPages,
  getUserPagesFast,
  iovIterAdvance,
  iovIterUbuf,
  pinUserPagesFast,
  unpinUserPage,
  type Bio,
  type Machine,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { userBuffer } from './user-buffer.js';

const PIN = 1024;
const sixPages = [64, 65, 66, 67, 68, 69].map((pfn) => ({ order: 0, pfn }));
const list = (bio: Bio) => bvecArrayToList(bio.vecs!, bio.vcnt).map((b) => [b.page, b.len, b.offset]);
const refs = (m: Machine, from: number, to: number) => Array.from(m.refcount.subarray(from, to + 1));

/** A pinned bio over the given bvecs (`size` bytes), as bio_iov_iter_get_pages leaves it. */
function handBio(bvecs: { page: number; len: number; offset: number }[], size: number): Bio {
  const bio = bioAlloc(4);
  const src = bvecArrayFrom(bvecs);
  for (let i = 0; i < bvecs.length; i++) {
    bio.vecs!.page[i] = src.page[i]!;
    bio.vecs!.len[i] = src.len[i]!;
    bio.vecs!.offset[i] = src.offset[i]!;
  }
  bio.vcnt = bvecs.length;
  bio.size = size;
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

describe('bvec_nr_pages', () => {
  it('counts the pages a bvec touches', () => {
    const bvs = bvecArrayFrom([
      { page: 64, len: 4096, offset: 0 },
      { page: 64, len: 4095, offset: 0 },
      { page: 64, len: 8192, offset: 4196 },
      { page: 64, len: 1, offset: 4095 },
    ]);
    // (0 + 4096 - 1) / 4096 - 0 + 1 = 1; (4095 - 1) / 4096 + 1 = 1;
    // (4196 + 8191) / 4096 - 4196 / 4096 + 1 = 3 - 1 + 1 = 3; (4095 + 0) / 4096 - 0 + 1 = 1.
    expect([0, 1, 2, 3].map((i) => bvecNrPages(bvs, i))).toEqual([1, 1, 3, 1]);
  });
});

describe('dropping a bvec whose offset is past its first page', () => {
  // Pages 64..67 pinned once each; bvec 0 (64, 8192, 0) spans 64 and 65, bvec 1
  // (66, 4096, 4096) is page 67. 12288 & 0x1fff = 4096: bvec 1 is dropped.
  function setup() {
    const { m, mm } = world();
    userBuffer(mm, BASE, 6, sixPages);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_WRITE, new Int32Array(4))).toBe(4);
    const bio = handBio([{ page: 64, len: 8192, offset: 0 }, { page: 66, len: 4096, offset: 4096 }], 12288);
    const it = iovIterUbuf(ITER_DEST, BASE, 16384);
    iovIterAdvance(it, 12288);
    return { m, bio, it };
  }

  it("T ('trial') unpins bv_page, page 66, and leaves page 67 pinned", () => {
    const { m, bio, it } = setup();
    expect(bioIovIterAlignDown(m, bio, it, 1, 0x1fff, 'trial')).toBe(0);
    expect([bio.vcnt, bio.size, list(bio), it.count]).toEqual([1, 8192, [[64, 8192, 0]], 8192]);
    expect(refs(m, 64, 67)).toEqual([1 + PIN, 1 + PIN, 1, 1 + PIN]);
    bioReleasePages(m, bio, false);
    unpinUserPage(m, 67);
    expect(refs(m, 64, 67)).toEqual([1, 1, 1, 1]);
  });

  it("the fix ('fixed') unpins the page bv_offset is in, page 67, and leaves 66 pinned", () => {
    const { m, bio, it } = setup();
    expect(bioIovIterAlignDown(m, bio, it, 1, 0x1fff, 'fixed')).toBe(0);
    expect([bio.vcnt, bio.size, list(bio), it.count]).toEqual([1, 8192, [[64, 8192, 0]], 8192]);
    expect(refs(m, 64, 67)).toEqual([1 + PIN, 1 + PIN, 1 + PIN, 1]);
    bioReleasePages(m, bio, false);
    unpinUserPage(m, 66);
    expect(refs(m, 64, 67)).toEqual([1, 1, 1, 1]);
  });
});

describe("the fix with the FOLL_GET hold puts every page of a dropped two-page bvec", () => {
  it('(68, 8192, 0) dropped: put_page(68), put_page(69); 64..67 keep their references', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 6, sixPages);
    expect(getUserPagesFast(mm, BASE, 6, FOLL_WRITE, new Int32Array(6))).toBe(6);
    const bio = handBio([{ page: 64, len: 16384, offset: 0 }, { page: 68, len: 8192, offset: 0 }], 24576);
    const it = iovIterUbuf(ITER_DEST, BASE, 24576);
    iovIterAdvance(it, 24576);
    // 24576 & 0x3fff = 8192 = bvec 1's length: bvec_nr_pages = 2 pages from 68.
    expect(bioIovIterAlignDown(m, bio, it, 1, 0x3fff, 'fixed', 'get')).toBe(0);
    expect([bio.vcnt, bio.size, list(bio), it.count]).toEqual([1, 16384, [[64, 16384, 0]], 8192]);
    expect(refs(m, 64, 69)).toEqual([2, 2, 2, 2, 1, 1]);
    bioReleasePagesFollGet(m, bio, false);
    expect(refs(m, 64, 69)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('an aligned size returns before any bvec is looked at', () => {
  it('a zero-length last bvec stays, bi_vcnt stays 2, nothing is unpinned', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 6, sixPages);
    expect(pinUserPagesFast(mm, BASE, 2, FOLL_WRITE, new Int32Array(2))).toBe(2);
    const bio = handBio([{ page: 64, len: 4096, offset: 0 }, { page: 65, len: 0, offset: 0 }], 4096);
    const it = iovIterUbuf(ITER_DEST, BASE, 4096);
    iovIterAdvance(it, 4096);
    expect(bioIovIterAlignDown(m, bio, it, 1, 511)).toBe(0);
    expect([bio.vcnt, bio.size, list(bio), it.count]).toEqual([2, 4096, [[64, 4096, 0], [65, 0, 0]], 0]);
    expect(refs(m, 64, 65)).toEqual([1 + PIN, 1 + PIN]);
    // bio_release_pages: bvec 0 unpins 64; the zero-length bvec 1 spans no page.
    bioReleasePages(m, bio, false);
    unpinUserPage(m, 65);
    expect(refs(m, 64, 65)).toEqual([1, 1]);
  });
});
