/**
 * The "pinned by" / "FOLL_GET reference taken by" lines a PinMisuse lists for a folio
 * (the checker's holders list): one line per GUP call holding pages of that folio and
 * of no other, each call once, at most four. Contract for driver authors: the message
 * format of test/misuse/README.md. The misuses are the kernel's: unpin_user_folio()
 * past the pins held (mm/gup.c unpin_user_folio, gup_put_folio: _pincount underflows,
 * or GUP_PIN_COUNTING_BIAS * npages references go on an order-0 folio), and an unpin of
 * FOLL_GET references (gup_put_folio subtracts pins that were never added).
 * Layout (driver-world.ts): order-0 buffers are PFNs 1, 2, ...; order-4 is folio 16.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, getUserPages, pinUserPagesFast, putPage, unpinUserFolio, unpinUserPage, unpinUserPages } from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'checker-holders-list.test.ts';
const CALLED_AT = new RegExp(`^ {2}called at test/misuse/${FILE.replace(/\./g, '\\.')}:(\\d+):\\d+$`);
const pinnedBy = (lines: string[], i: number): string => {
  expect(lines[i]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`));
  return lines[i]!;
};

describe('the holders a PinMisuse lists', () => {
  it('an order-0 folio lists its own holder, not the next page\'s', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const a = new Int32Array(1);
    const b = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, a)).toBe(1); // page 1
    expect(pinUserPagesFast(mm, addr + PAGE_SIZE, 1, 0, b)).toBe(1); // page 2, another call
    const e = expectMisuse('over-release', () => unpinUserFolio(m, 1, 2));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_folio: releases 2 pins of folio 1 (order 0), which holds 1');
    pinnedBy(lines, 1);
    expect(lines[2]).toMatch(CALLED_AT);
    expect(lines).toHaveLength(5); // + rule and stated-in
    expect([m.refcount[1], m.refcount[2]]).toEqual([1025, 1025]);
    unpinUserPages(m, a, 1);
    unpinUserPages(m, b, 1);
  });

  it('a large folio lists each holding call once, the first four by page', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16
    const p = new Int32Array(6);
    expect(pinUserPagesFast(mm, addr, 2, 0, p)).toBe(2); // pages 16, 17: call A
    expect(pinUserPagesFast(mm, addr + 2 * PAGE_SIZE, 1, 0, p.subarray(2))).toBe(1); // 18: B
    expect(pinUserPagesFast(mm, addr + 3 * PAGE_SIZE, 1, 0, p.subarray(3))).toBe(1); // 19: C
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 1, 0, p.subarray(4))).toBe(1); // 20: D
    expect(pinUserPagesFast(mm, addr + 5 * PAGE_SIZE, 1, 0, p.subarray(5))).toBe(1); // 21: E
    const e = expectMisuse('over-release', () => unpinUserFolio(m, 16, 7));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_folio: releases 7 pins of folio 16 (order 4), which holds 6');
    // A, B, C, D (on four consecutive source lines), each once; E is past the fourth.
    const ls = [1, 2, 3, 4].map((i) => Number(/:(\d+):\d+$/.exec(pinnedBy(lines, i))![1]));
    expect(ls).toEqual([0, 1, 2, 3].map((k) => ls[0]! + k));
    expect(lines[5]).toMatch(CALLED_AT);
    expect([m.refcount[16], m.pincount[16]]).toEqual([22, 6]);
    unpinUserPages(m, p, 6);
  });

  it('FOLL_GET references one call took on two pages: one line', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    expect(getUserPages(mm, addr + 4 * PAGE_SIZE, 2, 0, pages)).toBe(2); // pages 20, 21
    const e = expectMisuse('unpin-of-get', () => unpinUserPage(m, 20));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_page: page 20 (folio 16, order 4) holds no pin, only 2 FOLL_GET reference(s)');
    expect(lines[1]).toMatch(new RegExp(`^ {2}FOLL_GET reference taken by ${at('get_user_pages', FILE).source}$`));
    expect(lines[2]).toMatch(CALLED_AT);
    expect(m.refcount[16]).toBe(18);
    putPage(m, 20);
    putPage(m, 21);
  });
});
