/**
 * Catalogue 16: a bvec that spans more pages than were pinned.
 *
 * A driver pins the pages of a 4 KiB user buffer that starts 100 bytes into a page,
 * computing the page count as len / PAGE_SIZE = 1. The buffer spans two pages. The bvec
 * it adds to the bio is right (page, 4096 bytes, offset 100) and so spans both, and
 * __bio_release_pages() unpins one pin per page each bvec spans: two, of which one was
 * taken.
 *
 * Rule (block/bio.c __bio_release_pages(): "one pin per page spanned by each bvec"):
 * pin DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE) pages.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  PAGE_SIZE,
  REQ_OP_READ,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  divRoundUp,
  offsetInPage,
  pinUserPagesFast,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

function dio(m: Machine, mm: Mm, addr: number, len: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  const bio = bioAlloc(ret, REQ_OP_READ);
  // One bvec for the whole buffer when the pages are contiguous, as bio_add_page merges.
  bioAddPage(m, bio, pages[0]!, len, offsetInPage(addr));
  bioSetFlag(bio, BIO_PAGE_PINNED);
  bioReleasePages(m, bio, true);
  return ret;
}

function dioWrong(m: Machine, mm: Mm, addr: number, len: number): number {
  return dio(m, mm, addr, len, Math.floor(len / PAGE_SIZE)); // WRONG: ignores the offset
}

function dioRight(m: Machine, mm: Mm, addr: number, len: number): number {
  return dio(m, mm, addr, len, divRoundUp(offsetInPage(addr) + len, PAGE_SIZE));
}

describe('16 bvec spanning more pages than pinned', () => {
  it('wrong: bio_release_pages would unpin page 2, which was never pinned', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const e = expectMisuse('over-release', () => dioWrong(m, mm, addr + 100, 4096));
    expect(e.message.split('\n').slice(0, 2)).toEqual([
      'bio_release_pages: bvec 0 (page 1, len 4096, offset 100): page 2 (folio 2, order 0) holds no pin',
      '  a bvec releases one pin per page it spans: does it span more pages than were pinned?',
    ]);
    expect(releaseLeftovers(m)).toEqual({ pins: 1, gets: 0 });
  });

  it('right: two pages pinned, two released', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    expect(dioRight(m, mm, addr + 100, 4096)).toBe(2);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
