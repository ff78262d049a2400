/**
 * A page-named release of a page that holds no pin of its own, on a folio that does
 * (unpin_user_page(20) for page 21's pin): the kernel counts per folio (mm/gup.c
 * unpin_user_page -> gup_put_folio, v6.16: _pincount and _refcount of the folio), so it
 * balances, and test/misuse/README.md ("Limits") accepts it. Naming that page again
 * later, while the folio holds another pin, balances in the kernel just the same: the
 * page never had a pin of its own to release twice, so it is no double release (the
 * README's double release is a page "whose own pin was already released"). Likewise a
 * page whose FOLL_GET reference was put (include/linux/mm.h put_page) has released no
 * pin. A page whose own pin was released and is named again stays a double release
 * (checker.test.ts, checker-release-guesses.test.ts).
 * Layout (driver-world.ts): an order-4 buffer is folio 16; addr + 4 pages is page 20.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, getUserPages, pinLeakReport, pinUserPagesFast, putPage, unpinUserPage } from '../../src/index.js';
import { KIB, userBuffer } from './driver-world.js';

describe('a page with no pin of its own, named by unpin_user_page for another page\'s pin', () => {
  it('named again for a later pin of another page: balances, no double release', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr + 5 * PAGE_SIZE, 1, 0, pages)).toBe(1); // page 21
    unpinUserPage(m, 20); // page 21's pin, named by page 20
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
    expect(pinUserPagesFast(mm, addr + 6 * PAGE_SIZE, 1, 0, pages)).toBe(1); // page 22
    expect([m.refcount[16], m.pincount[16]]).toEqual([17, 1]);
    unpinUserPage(m, 20); // page 22's pin: 2 pins, 2 unpins
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('a page whose FOLL_GET reference was put, named for another page\'s pin: balances', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const gets = new Int32Array(1);
    const pins = new Int32Array(1);
    expect(getUserPages(mm, addr + 4 * PAGE_SIZE, 1, 0, gets)).toBe(1); // page 20
    putPage(m, 20);
    expect(pinUserPagesFast(mm, addr + 5 * PAGE_SIZE, 1, 0, pins)).toBe(1); // page 21
    unpinUserPage(m, 20); // page 21's pin; page 20 released a reference, never a pin
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});
