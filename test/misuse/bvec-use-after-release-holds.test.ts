/**
 * When walking a bvec counts as a use after release (the pin checker's contract, not
 * kernel code: src/block/bio-use-checks.ts checkBvecUse and the bvec-use-after-release
 * rule of src/mm/pin-misuse.ts). A bvec holds no reference of its own
 * (include/linux/bvec.h), so each page it spans, from `page + offset / PAGE_SIZE` for
 * `(offset % PAGE_SIZE + len - 1) / PAGE_SIZE + 1` pages (one page for len 0), must still
 * be held: a page whose last hold was released is reported, with "pin" or "reference"
 * after what the release dropped (mm/gup.c unpin_user_page, put_page). A page still
 * pinned or referenced through another GUP call, or whose folio holds pins or references
 * the checker cannot place on a page (taken by try_grab_folio directly, or left after
 * unpin_user_folio, which does not name its pages), is not reported, nor is a page past
 * the end of the memmap.
 * The buffers are the catalogue's (driver-world.ts): order-0 pages at PFNs 1, 2, ...;
 * an order-2 buffer starts at PFN 4.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  FolioIter,
  bvecFirstFolio,
  getUserPagesFast,
  pinUserPagesFast,
  putPage,
  tryGrabFolio,
  unpinUserFolio,
  unpinUserPage,
} from '../../src/index.js';
import { folioAt } from '../block/layout.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'bvec-use-after-release-holds.test.ts';

/** bvec_first_folio's first step as [folio, offset, length]. */
function firstStep(m: Parameters<typeof bvecFirstFolio>[0], page: number, len: number, offset: number): number[] {
  const fi = new FolioIter();
  bvecFirstFolio(m, fi, page, len, offset);
  return [fi.folio, fi.offset, fi.length];
}

describe('reported: a spanned page whose hold was released', () => {
  it('a bvec at in-page offset 200 of an unpinned page', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    unpinUserPage(m, 1);
    const e = expectMisuse('bvec-use-after-release', () => firstStep(m, 1, 100, 200));
    expect(e.message.split('\n')[0]).toMatch(
      /^bvec_first_folio: the bvec \(page 1, len 100, offset 200\) spans page 1 \(folio 1, order 0\), whose pin was released by /,
    );
    expect(e.message.split('\n')[0]).toMatch(at('unpin_user_page', FILE));
    expect([e.page, e.folio]).toEqual([1, 1]);
  });

  it('the second page of a two-page bvec, when only that page was unpinned', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages)).toBe(2);
    unpinUserPage(m, 2);
    const e = expectMisuse('bvec-use-after-release', () => firstStep(m, 1, 8192, 0));
    expect([e.page, e.folio]).toEqual([2, 2]);
    unpinUserPage(m, 1);
  });

  it('a zero-length bvec still names one page', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    unpinUserPage(m, 1);
    const e = expectMisuse('bvec-use-after-release', () => firstStep(m, 1, 0, 0));
    expect(e.message.split('\n')[0]).toMatch(/^bvec_first_folio: the bvec \(page 1, len 0, offset 0\) spans page 1 \(folio 1, order 0\), whose pin /);
    expect([e.page, e.folio]).toEqual([1, 1]);
  });

  it('a FOLL_GET reference dropped with put_page is a "reference"', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(getUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    putPage(m, 1);
    const e = expectMisuse('bvec-use-after-release', () => firstStep(m, 1, 100, 0));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^bvec_first_folio: the bvec \(page 1, len 100, offset 0\) spans page 1 \(folio 1, order 0\), whose reference was released by /);
    expect(first).toMatch(at('put_page', FILE));
  });
});

describe('not reported: the page or its folio is still held', () => {
  it('pinned twice, unpinned once', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    unpinUserPage(m, 1);
    expect(firstStep(m, 1, 100, 0)).toEqual([1, 0, 100]);
    unpinUserPage(m, 1);
  });

  it('unpinned, but a FOLL_GET reference from another call is held', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(getUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    unpinUserPage(m, 1);
    expect(firstStep(m, 1, 100, 0)).toEqual([1, 0, 100]);
    putPage(m, 1);
  });

  it('the folio holds a pin no GUP call handed out (try_grab_folio)', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    unpinUserPage(m, 1);
    expect(tryGrabFolio(m, 1, 1, FOLL_PIN)).toBe(0);
    expect(firstStep(m, 1, 100, 0)).toEqual([1, 0, 100]);
    unpinUserFolio(m, 1, 1);
  });

  it('the folio holds a reference no GUP call handed out (try_grab_folio)', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    unpinUserPage(m, 1);
    expect(tryGrabFolio(m, 1, 1, FOLL_GET)).toBe(0);
    expect(firstStep(m, 1, 100, 0)).toEqual([1, 0, 100]);
    putPage(m, 1);
  });

  it('unpin_user_folio took pins without naming pages: the folio is fuzzy', () => {
    const { m, mm, addr } = userBuffer(16 * KIB, { order: 2 }); // folio 4: pages 4..7
    const pages = new Int32Array(3);
    expect(pinUserPagesFast(mm, addr, 3, FOLL_WRITE, pages)).toBe(3);
    expect(Array.from(pages)).toEqual([4, 5, 6]);
    unpinUserPage(m, 6);
    unpinUserFolio(m, 4, 1); // one of the pins on pages 4 and 5: which one is unknown
    expect(firstStep(m, 6, 100, 0)).toEqual([4, 8192, 100]);
    unpinUserFolio(m, 4, 1);
  });

  it('a bvec running past the last page of the memmap: only pages that exist are looked at', () => {
    const { m } = userBuffer(4 * KIB);
    const last = m.nrPages - 1;
    folioAt(m, 0, last); // allocated, held by nobody, never released: nothing to report
    expect(firstStep(m, last, 8192, 0)).toEqual([last, 0, 4096]);
  });
});
