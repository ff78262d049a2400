/**
 * Catalogue 14: unpin_user_folio() given a bvec's page instead of its folio.
 *
 * A bvec's bv_page is the page holding its first byte: inside a large folio that is a
 * tail page. unpin_user_folio(folio, npages) takes a folio; handed a tail page, the
 * kernel reads folio fields at the wrong struct page (gup_put_folio on a tail's
 * _refcount and _pincount, which are not the folio's).
 *
 * Rule (mm/gup.c unpin_user_folio(), unpin_folio()): pass the folio: bvec_folio(bv) or
 * page_folio(bv->bv_page).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  PAGE_SIZE,
  bvecArrayAlloc,
  bvecFolio,
  bvecSetPage,
  pinUserPagesFast,
  unpinUserFolio,
  type BvecArray,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

/** Pins two pages of one folio into a single bvec. */
function pinBvec(mm: Mm, addr: number): BvecArray {
  const pages = new Int32Array(2);
  expect(pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages)).toBe(2);
  const bvs = bvecArrayAlloc(1);
  bvecSetPage(bvs, 0, pages[0]!, 2 * PAGE_SIZE, 0);
  return bvs;
}

function releaseWrong(m: Machine, bvs: BvecArray): void {
  unpinUserFolio(m, bvs.page[0]!, 2); // WRONG: a page, not its folio
}

function releaseRight(m: Machine, bvs: BvecArray): void {
  unpinUserFolio(m, bvecFolio(m, bvs, 0), 2);
}

describe('14 unpin_user_folio on a tail page', () => {
  it('wrong: the tail page is caught before gup_put_folio reads it as a folio', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16..31
    const bvs = pinBvec(mm, addr + 4 * PAGE_SIZE); // pages 20, 21
    const e = expectMisuse('not-a-folio', () => releaseWrong(m, bvs));
    expect(e.message.split('\n')[0]).toBe('unpin_user_folio: page 20 is a tail page of folio 16 (order 4)');
    expect([e.page, e.folio]).toEqual([20, 16]);
    expect(releaseLeftovers(m)).toEqual({ pins: 2, gets: 0 });
  });

  it('right: bvec_folio(bv) names the folio', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    releaseRight(m, pinBvec(mm, addr + 4 * PAGE_SIZE));
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });
});
