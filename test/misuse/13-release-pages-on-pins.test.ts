/**
 * Catalogue 13: release_pages() on pinned pages.
 *
 * The first review of the dio_w_*() wrappers (Andrew Morton, Aug 2022, on a put_page()
 * loop standing in for unpin_user_pages()) asked: "release_pages()? Might be faster".
 * release_pages() is the batched put_page(): it drops one reference per entry, which is
 * right for get_user_pages() and wrong for every page pinned with pin_user_pages*().
 *
 * Rule (mm/gup.c unpin_user_page() kernel-doc): pinned pages are released via
 * unpin_user_page() or one of the unpin_user_pages*() routines.
 */
import { describe, expect, it } from 'vitest';
import { pinUserPagesFast, releasePages, unpinUserPages, type Machine, type Mm } from '../../src/index.js';
import { KIB, at, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

function writeOutWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, 0, pages);
  if (ret < 0) return ret;
  releasePages(m, pages, ret); // WRONG: batched put_page
  return ret;
}

function writeOutRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, 0, pages);
  if (ret < 0) return ret;
  unpinUserPages(m, pages, ret); // batched too: one put per run of pages in a folio
  return ret;
}

describe('13 release_pages on pinned pages', () => {
  it('wrong: release_pages is caught at its first entry; no reference is dropped', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1..3
    const e = expectMisuse('put-page-on-pin', () => writeOutWrong(m, mm, addr, 3));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('release_pages: entry 0: page 1 (folio 1, order 0) is held only by FOLL_PIN pins (1)');
    expect(lines[1]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', '13-release-pages-on-pins.test.ts').source}$`));
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1025, 1025, 1025]);
    expect(releaseLeftovers(m)).toEqual({ pins: 3, gets: 0 });
  });

  it('right: unpin_user_pages', () => {
    const { m, mm, addr } = userBuffer(12 * KIB);
    expect(writeOutRight(m, mm, addr, 3)).toBe(3);
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1, 1, 1]);
  });
});
