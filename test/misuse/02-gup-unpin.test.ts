/**
 * Catalogue 02: get_user_pages() released with unpin_user_page().
 *
 * The mirror image of 01, found when a driver converts its release path to
 * unpin_user_page*() before its pinning path. get_user_pages() with a page array takes
 * FOLL_GET: one plain reference per page. unpin_user_page() drops a pin, which on an
 * order-0 page is GUP_PIN_COUNTING_BIAS (1024) references: the refcount underflows (or
 * frees the page while it is mapped, if other references happen to cover it).
 *
 * Rule (pin_user_pages.rst, mm/gup.c gup_put_folio()): FOLL_PIN and FOLL_GET are
 * mutually exclusive for a given gup call; a FOLL_GET reference is released with
 * put_page() (or release_pages()), a pin with unpin_user_page*().
 */
import { describe, expect, it } from 'vitest';
import { folioTestAnon, getUserPages, pageFolio, pinLeakReport, releasePages, unpinUserPage, type Machine, type Mm } from '../../src/index.js';
import { KIB, at, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

/** Counts the anonymous pages behind a user range (CASE 4: struct page data only, no page contents). */
function inspectWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = getUserPages(mm, addr, nrPages, 0, pages);
  if (ret < 0) return ret;
  let anon = 0;
  for (let i = 0; i < ret; i++) if (folioTestAnon(m, pageFolio(m, pages[i]!))) anon++;
  for (let i = 0; i < ret; i++) unpinUserPage(m, pages[i]!); // WRONG: these are FOLL_GET references
  return anon;
}

function inspectRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = getUserPages(mm, addr, nrPages, 0, pages);
  if (ret < 0) return ret;
  let anon = 0;
  for (let i = 0; i < ret; i++) if (folioTestAnon(m, pageFolio(m, pages[i]!))) anon++;
  releasePages(m, pages, ret);
  return anon;
}

describe('02 get_user_pages + unpin_user_page', () => {
  it('wrong: unpinning a FOLL_GET reference is caught at the first unpin', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const e = expectMisuse('unpin-of-get', () => inspectWrong(m, mm, addr, 2));
    expect(e.message.split('\n')[0]).toBe('unpin_user_page: page 1 (folio 1, order 0) holds no pin, only 1 FOLL_GET reference(s)');
    expect(e.message).toMatch(new RegExp(`FOLL_GET reference taken by ${at('get_user_pages', '02-gup-unpin.test.ts').source}`));
    expect(m.refcount[1]).toBe(2); // the PTE's reference and ours
    expect(releaseLeftovers(m)).toEqual({ pins: 0, gets: 2 });
  });

  it('right: release_pages drops the two references', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    expect(inspectRight(m, mm, addr, 2)).toBe(2);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});
