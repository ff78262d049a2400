/**
 * Catalogue 11: unpin_user_folio() with the folio's size instead of the pages pinned.
 *
 * A driver that works in folios pins part of a large folio (two pages of a 64 KiB
 * mTHP) and releases "the folio" with unpin_user_folio(folio, folio_nr_pages(folio)).
 * unpin_user_folio() drops exactly npages pins (gup_put_folio(folio, npages,
 * FOLL_PIN)): here 16, of which 14 are not there: _pincount underflows (VM_BUG_ON), or,
 * if another caller pinned the folio too, its pins disappear.
 *
 * Rule (mm/gup.c unpin_user_folio(): "Release npages of the folio"; block/bio.c
 * __bio_release_pages(): one pin per page spanned): release the pages you pinned.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, PAGE_SIZE, folioNrPages, pageFolio, pinUserPagesFast, unpinUserFolio, type Machine, type Mm } from '../../src/index.js';
import { KIB, at, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

function dmaTwoPagesWrong(m: Machine, mm: Mm, addr: number): number {
  const pages = new Int32Array(2);
  const ret = pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  const folio = pageFolio(m, pages[0]!);
  unpinUserFolio(m, folio, folioNrPages(m, folio)); // WRONG: 16 pins, 2 were taken
  return ret;
}

function dmaTwoPagesRight(m: Machine, mm: Mm, addr: number): number {
  const pages = new Int32Array(2);
  const ret = pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  unpinUserFolio(m, pageFolio(m, pages[0]!), ret); // both pages are in one folio here
  return ret;
}

describe('11 unpin_user_folio with the folio size', () => {
  it('wrong: releasing 16 pins of a folio that holds 2 is caught', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // one order-4 folio at PFN 16
    const e = expectMisuse('over-release', () => dmaTwoPagesWrong(m, mm, addr + 4 * PAGE_SIZE)); // pages 20, 21
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_folio: releases 16 pins of folio 16 (order 4), which holds 2');
    expect(lines[1]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', '11-unpin-user-folio-overcount.test.ts').source}$`));
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 2]); // one reference per PTE mapping it, + 2 pins
    expect(releaseLeftovers(m)).toEqual({ pins: 2, gets: 0 });
  });

  it('right: unpin_user_folio(folio, pages pinned)', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    expect(dmaTwoPagesRight(m, mm, addr + 4 * PAGE_SIZE)).toBe(2);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });
});
