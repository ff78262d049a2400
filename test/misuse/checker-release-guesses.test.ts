/**
 * The pin checker's guesses for releases that do not name the pages GUP handed out
 * (unpin_user_folio, or unpin_user_page / put_page naming another page of a held
 * folio): the kernel counts per folio (mm/gup.c gup_put_folio, v6.16: _pincount and
 * _refcount of the folio, never of a page), so every such release balances. The
 * checker takes exactly as many annotations as the release drops, from the folio's
 * lowest pages; while pins it had to guess at remain, it stops calling a page named
 * twice a double release; once the folio holds nothing (after an unpin, or a put_page
 * of its last reference) it tells pages apart again. A guess on FOLL_GET references
 * that leaves none annotated blurs nothing. Layout (driver-world.ts): an order-4 buffer
 * is folio 16; addr + 4 pages is page 20.
 */
import { describe, expect, it } from 'vitest';
import {
  PAGE_SIZE,
  getUserPages,
  pinLeakReport,
  pinUserPagesFast,
  putPage,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPages,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'checker-release-guesses.test.ts';
const PIN_RE = (mmId: number, pages: string, folio: number) =>
  new RegExp(`^1 pin\\(s\\) taken by ${at('pin_user_pages_fast', FILE).source} on mm ${mmId}: pages ${pages} \\(folio ${folio}\\)$`);

/** The double-release PinMisuse for `page` of folio 16, released by name earlier, while `left` pins remain on `holder`. */
function expectDoubleRelease(run: () => void, page: number, left: number): void {
  const e = expectMisuse('double-release', run);
  const lines = e.message.split('\n');
  expect(lines[0]).toMatch(
    new RegExp(`^unpin_user_page: page ${page} \\(folio 16, order 4\\) holds no pin: it was already released by ${at('unpin_user_page', FILE).source}$`),
  );
  expect(lines[1]).toBe(`  folio 16 still holds ${left} pin(s), on other pages (the kernel would take one of theirs):`);
  expect(lines[2]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`));
}

describe('releases the checker has to guess at', () => {
  it('unpin_user_folio(folio, 1) on a page pinned twice takes one of its two annotations', () => {
    const { m, mm, addr } = userBuffer(4 * KIB); // PFN 1
    const a = new Int32Array(1);
    const b = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, a)).toBe(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, b)).toBe(1);
    expect(m.refcount[1]).toBe(1 + 2 * 1024); // GUP_PIN_COUNTING_BIAS per pin on an order-0 folio
    unpinUserFolio(m, 1, 1);
    expect(m.refcount[1]).toBe(1 + 1024);
    // One pin left, still on page 1, by the latest call that pinned it.
    expect(pinLeakReport(m.checker!)).toEqual([expect.stringMatching(PIN_RE(mm.id, '1', 1))]);
    unpinUserPage(m, 1);
    expect(m.refcount[1]).toBe(1);
  });

  it('after unpin_user_page names a page never pinned, a page released twice is not called a double release', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16
    const pages = new Int32Array(3);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 3, 0, pages)).toBe(3); // pages 20, 21, 22
    unpinUserPage(m, 20);
    unpinUserPage(m, 23); // the kernel drops one of the folio's pins: the checker takes page 21's
    expect(pinLeakReport(m.checker!)).toEqual([expect.stringMatching(PIN_RE(mm.id, '22', 16))]);
    // Which pin 23 meant is a guess, so the folio's pages are no longer told apart.
    unpinUserPage(m, 20);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]); // 3 pins, 3 unpins: balanced
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('a put_page guess that leaves no FOLL_GET reference annotated does not blur the pins of the folio', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pins = new Int32Array(2);
    const gets = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pins)).toBe(2); // pages 20, 21
    expect(getUserPages(mm, addr + 6 * PAGE_SIZE, 1, 0, gets)).toBe(1); // page 22
    expect(m.refcount[16]).toBe(16 + 3);
    putPage(m, 23); // the folio's one reference goes: the kernel's count balances
    unpinUserPage(m, 20);
    expectDoubleRelease(() => unpinUserPage(m, 20), 20, 1);
    expect([m.refcount[16], m.pincount[16]]).toEqual([17, 1]); // the refused unpin moved nothing
    unpinUserPage(m, 21);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });

  it('a folio left idle by unpin_user_folio tells its pages apart again', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    unpinUserFolio(m, 16, 2);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2);
    unpinUserPage(m, 20);
    expectDoubleRelease(() => unpinUserPage(m, 20), 20, 1);
    unpinUserPages(m, pages.subarray(1), 1);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });

  it('a folio left idle by put_page of its last FOLL_GET reference tells its pages apart again', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    const gets = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    expect(getUserPages(mm, addr + 7 * PAGE_SIZE, 1, 0, gets)).toBe(1); // page 23
    unpinUserFolio(m, 16, 2); // a guess: blurs the folio while it holds anything
    putPage(m, 23); // the folio is idle now
    expect(m.refcount[16]).toBe(16);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2);
    unpinUserPage(m, 20);
    expectDoubleRelease(() => unpinUserPage(m, 20), 20, 1);
    unpinUserPage(m, 21);
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
  });
});
