/**
 * The pin checker on gup_put_folio called directly (mm/gup.c gup_put_folio, v6.16: for
 * FOLL_PIN, _pincount -= refs on a large folio; then folio_put_refs(folio, refs) for
 * every flag word). Such a put names a folio, not pages: the checker refuses one that
 * drops more pins than the folio holds, counts FOLL_GET puts against GUP's references
 * (and no others), and takes the annotations it no longer has counts for from the
 * folio's lowest pages, so the leak report shows what is really left. Layout
 * (driver-world.ts): an order-4 buffer is folio 16, addr + 4 pages is page 20.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_PIN,
  PAGE_SIZE,
  folioGet,
  getUserPages,
  gupPutFolio,
  pinLeakReport,
  pinUserPagesFast,
  putPage,
  unpinUserPage,
  unpinUserPages,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'checker-gup-put-folio.test.ts';

describe('gup_put_folio under the checker', () => {
  it('dropping more pins than the folio holds is over-release, named gup_put_folio, with the holders', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 2]); // 16 PTEs + one per pin (large folio)
    const e = expectMisuse('over-release', () => gupPutFolio(m, 16, 3, FOLL_PIN));
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('gup_put_folio: releases 3 pins of folio 16 (order 4), which holds 2');
    expect(lines[1]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`));
    expect(lines[2]).toMatch(new RegExp(`^ {2}called at test/misuse/${FILE.replace(/\./g, '\\.')}:\\d+:\\d+$`));
    expect(lines[3]).toMatch(/^ {2}rule \[over-release\]: /);
    expect([e.api, e.page, e.folio]).toEqual(['gup_put_folio', 16, 16]);
    // Refused before the model moved a count (the kernel would underflow _pincount).
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 2]);
    unpinUserPages(m, pages, 2);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });

  it('a FOLL_PIN put of 1 of 2 pins leaves the higher page listed as pinned', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    gupPutFolio(m, 16, 1, FOLL_PIN);
    expect([m.refcount[16], m.pincount[16]]).toEqual([17, 1]);
    expect(pinLeakReport(m.checker!)).toEqual([
      expect.stringMatching(new RegExp(`^1 pin\\(s\\) taken by ${at('pin_user_pages_fast', FILE).source} on mm ${mm.id}: pages 21 \\(folio 16\\)$`)),
    ]);
    unpinUserPage(m, 21);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('a FOLL_GET put of 1 of 2 references GUP handed out: one left, on the higher page', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    expect(getUserPages(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    expect(m.refcount[16]).toBe(18);
    gupPutFolio(m, 16, 1, FOLL_GET); // folio_put_refs(folio, 1)
    expect(m.refcount[16]).toBe(17);
    expect(m.checker!.folioGets[16]).toBe(1);
    expect(pinLeakReport(m.checker!)).toEqual([
      expect.stringMatching(
        new RegExp(`^1 FOLL_GET reference\\(s\\) taken by ${at('get_user_pages', FILE).source} on mm ${mm.id}: pages 21 \\(folio 16\\)$`),
      ),
    ]);
    putPage(m, 21);
    expect(m.refcount[16]).toBe(16);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('a put with neither FOLL_PIN nor FOLL_GET drops the caller\'s own reference: GUP\'s stays listed', () => {
    const { m, mm, addr } = userBuffer(4 * KIB); // PFN 1
    const pages = new Int32Array(1);
    expect(getUserPages(mm, addr, 1, 0, pages)).toBe(1);
    folioGet(m, 1); // the driver's own reference
    expect(m.refcount[1]).toBe(3);
    gupPutFolio(m, 1, 1, 0); // folio_put_refs(folio, 1): drops the driver's reference
    expect(m.refcount[1]).toBe(2);
    expect(m.checker!.folioGets[1]).toBe(1);
    expect(pinLeakReport(m.checker!)).toEqual([
      expect.stringMatching(
        new RegExp(`^1 FOLL_GET reference\\(s\\) taken by ${at('get_user_pages', FILE).source} on mm ${mm.id}: pages 1 \\(folio 1\\)$`),
      ),
    ]);
    putPage(m, 1); // GUP's reference, released with put_page as get_user_pages() asks
    expect(m.refcount[1]).toBe(1);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});
