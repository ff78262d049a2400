/**
 * Releases on a folio that holds pins GUP took outside a walk (try_grab_folio: the
 * checker knows the folio, not the page) next to pins the walk handed out by page. The
 * kernel counts per folio (mm/gup.c gup_put_folio, v6.16: _pincount and _refcount of the
 * folio), so any such release that stays within the folio's pins balances. What the
 * checker makes of them (src/mm/pin-release-plan.ts, test/misuse/README.md "Limits"):
 * a page-named release of a page GUP never handed out takes one of the unattributed
 * pins; a page whose own pin was released and is named again is a double release; a
 * folio-named release takes the unattributed pins first, then the lowest named pages,
 * and on a folio with named pages it is a guess that blurs them until the folio is
 * idle; with no named pages it blurs nothing.
 * Layout (driver-world.ts): an order-4 buffer is folio 16; addr + 4 pages is page 20.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_PIN,
  PAGE_SIZE,
  getUserPages,
  pinLeakReport,
  pinUserPagesFast,
  putPage,
  tryGrabFolio,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPages,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'checker-unattributed-pins.test.ts';
const PINNED_BY = new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`);

describe('pins taken outside a walk, next to pins GUP named', () => {
  it('one unpin_user_pages: a never-pinned page takes the grab, then a page already unpinned is a double release', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    unpinUserPage(m, 21);
    expect(tryGrabFolio(m, 16, 1, FOLL_PIN)).toBe(0); // a pin with no page
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 2]); // 16 PTEs + one per pin (large folio)
    const e = expectMisuse('double-release', () => unpinUserPages(m, [22, 21], 2));
    const lines = e.message.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^unpin_user_pages: entry 1: page 21 \\(folio 16, order 4\\) holds no pin: it was already released by ${at('unpin_user_page', FILE).source}$`),
    );
    expect(lines[1]).toBe('  folio 16 still holds 2 pin(s), on other pages (the kernel would take one of theirs):');
    expect(lines[2]).toMatch(PINNED_BY);
    expect([e.api, e.page, e.folio]).toEqual(['unpin_user_pages', 21, 16]);
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 2]); // refused whole: entry 0 not put either
    unpinUserPage(m, 20);
    unpinUserPage(m, 22); // the grab's pin, named by a page of its folio
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });

  it('unpin_user_folio that the grab covers is still a guess: page 20 named twice afterwards balances', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    expect(tryGrabFolio(m, 16, 1, FOLL_PIN)).toBe(0);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    unpinUserFolio(m, 16, 1); // may have been page 20's pin: the pages blur
    unpinUserPage(m, 20);
    unpinUserPage(m, 20); // 3 pins, 3 releases
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('unpin_user_folio on a folio with no named pins blurs nothing: a later double unpin is still caught', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const gets = new Int32Array(1);
    const pages = new Int32Array(2);
    expect(getUserPages(mm, addr + 7 * PAGE_SIZE, 1, 0, gets)).toBe(1); // page 23: keeps the folio busy
    expect(tryGrabFolio(m, 16, 1, FOLL_PIN)).toBe(0);
    unpinUserFolio(m, 16, 1); // the grab's pin: no page of the folio was named, nothing to guess
    expect([m.refcount[16], m.pincount[16]]).toEqual([17, 0]);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    unpinUserPage(m, 20);
    const e = expectMisuse('double-release', () => unpinUserPage(m, 20));
    const lines = e.message.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^unpin_user_page: page 20 \\(folio 16, order 4\\) holds no pin: it was already released by ${at('unpin_user_page', FILE).source}$`),
    );
    expect(lines[1]).toBe('  folio 16 still holds 1 pin(s), on other pages (the kernel would take one of theirs):');
    expect(lines[2]).toMatch(PINNED_BY);
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 1]);
    unpinUserPage(m, 21);
    putPage(m, 23);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });

  it('unpin_user_folio(folio, 2) takes the grab\'s pin and one named page, the lowest: the leak report keeps the other two', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(3);
    expect(tryGrabFolio(m, 16, 1, FOLL_PIN)).toBe(0);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 3, 0, pages)).toBe(3); // pages 20, 21, 22
    unpinUserFolio(m, 16, 2);
    expect([m.refcount[16], m.pincount[16]]).toEqual([18, 2]);
    expect(pinLeakReport(m.checker!)).toEqual([
      expect.stringMatching(new RegExp(`^2 pin\\(s\\) taken by ${at('pin_user_pages_fast', FILE).source} on mm ${mm.id}: pages 21-22 \\(folio 16\\)$`)),
    ]);
    unpinUserPages(m, pages.subarray(1), 2);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });
});
