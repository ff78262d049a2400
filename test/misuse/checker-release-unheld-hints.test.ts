/**
 * The hint line a release-unheld PinMisuse adds under its first line (src/mm/
 * pin-release-plan.ts ReleasePlan.unheldHint, the message format of test/misuse/
 * README.md): "N earlier page(s) of this call were held" when the call named held pages
 * before the unheld one, the PFN 0 note when the page is the zero page, and nothing
 * otherwise. The misuse is the kernel's: gup_put_folio() (mm/gup.c, v6.16) on a page
 * GUP never pinned takes GUP_PIN_COUNTING_BIAS references that belong to its mappings
 * (get_user_pages_fast() kernel-doc: only the pages returned are released).
 * Layout (driver-world.ts): the buffer's order-0 pages are PFNs 1, 2.
 */
import { describe, expect, it } from 'vitest';
import { GUP_PIN_COUNTING_BIAS, pinUserPagesFast, unpinUserPage, unpinUserPages } from '../../src/index.js';
import { KIB, expectMisuse, userBuffer } from './driver-world.js';

const CALLED_AT = /^ {2}called at test\/misuse\/checker-release-unheld-hints\.test\.ts:\d+:\d+$/;
const RULE = '  rule [release-unheld]: release only pages that a GUP call returned to you, and only as many as it returned';

describe('the hint under a release-unheld first line', () => {
  it('an array GUP never wrote (all PFN 0): the zero page, with the note on zero-filled arrays', () => {
    const { m } = userBuffer(8 * KIB);
    const pages = new Int32Array(2); // handed to no GUP call
    const e = expectMisuse('release-unheld', () => unpinUserPages(m, pages, 2));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_pages: entry 0: page 0 (folio 0, order 0, the zero page) holds no pin');
    expect(lines[1]).toBe('  PFN 0 is what a zero-filled page array holds where GUP wrote nothing');
    expect(lines[2]).toMatch(CALLED_AT);
    expect(lines[3]).toBe(RULE);
    expect([e.api, e.page, e.folio]).toEqual(['unpin_user_pages', 0, 0]);
  });

  it('the first page a call names, never pinned and not PFN 0: no hint line', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1); // page 1 only
    const e = expectMisuse('release-unheld', () => unpinUserPage(m, 2));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_page: page 2 (folio 2, order 0) holds no pin');
    expect(lines[1]).toMatch(CALLED_AT);
    expect(lines[2]).toBe(RULE);
    expect(lines).toHaveLength(4); // + stated in
    expect([e.api, e.page, e.folio]).toEqual(['unpin_user_page', 2, 2]);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1 + GUP_PIN_COUNTING_BIAS, 1]); // refused: nothing moved
    unpinUserPage(m, 1);
  });
});
