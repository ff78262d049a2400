/**
 * set_page_dirty_lock / folio_mark_dirty_lock and the holds on the page: a pin is what
 * allows dirtying, even when FOLL_GET references are held on the same page too; a page
 * held only by a FOLL_GET reference on long-term pinnable memory is reported with its
 * one holder and nothing else (no CMA/ZONE_MOVABLE advice). The rule is
 * Documentation/core-api/pin_user_pages.rst CASE 5 (pin, write, then
 * unpin_user_pages_dirty_lock); the return values are mm/page-writeback.c
 * `folio_mark_dirty` (true when the folio was clean) and mm/folio-compat.c
 * `set_page_dirty_lock`, v6.16; the report's lines are the pin checker's documented
 * contract (src/mm/folio-mark-dirty-lock.ts, src/mm/pin-checker.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  folioMarkDirtyLock,
  folioTestDirty,
  getUserPagesFast,
  pinUserPagesFast,
  putPage,
  setPageDirtyLock,
  unpinUserPages,
} from '../../src/index.js';
import { expectMisuse, userBuffer } from '../misuse/driver-world.js';
import { KIB } from '../support/mm-layout.js';

describe('dirtying a page held by a pin and by FOLL_GET references', () => {
  it('the pin allows it: set_page_dirty_lock 1 then 0, folio_mark_dirty_lock false', () => {
    const { m, mm, addr } = userBuffer(4 * KIB); // PFN 1, clean
    const got = new Int32Array(1);
    const pinned = new Int32Array(1);
    expect(getUserPagesFast(mm, addr, 1, FOLL_WRITE, got)).toBe(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pinned)).toBe(1);
    expect([got[0], pinned[0]]).toEqual([1, 1]);
    expect(setPageDirtyLock(m, 1)).toBe(1);
    expect(setPageDirtyLock(m, 1)).toBe(0);
    expect(folioMarkDirtyLock(m, 1)).toBe(false);
    expect(folioTestDirty(m, 1)).toBe(true);
    unpinUserPages(m, pinned, 1);
    putPage(m, 1);
  });
});

describe('dirtying a page held only by a FOLL_GET reference', () => {
  it('ZONE_NORMAL: dirty-get with exactly the page, its one holder and the call site', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const got = new Int32Array(1);
    expect(getUserPagesFast(mm, addr, 1, FOLL_WRITE, got)).toBe(1);
    const e = expectMisuse('dirty-get', () => setPageDirtyLock(m, 1));
    expect([e.api, e.page, e.folio]).toEqual(['set_page_dirty_lock', 1, 1]);
    expect(e.details).toHaveLength(3);
    expect(e.details[0]).toBe('page 1 (folio 1, order 0) is held only by FOLL_GET reference(s)');
    expect(e.details[1]).toMatch(/^FOLL_GET reference taken by /);
    expect(e.details[2]).toMatch(/^called at /);
    expect(folioTestDirty(m, 1)).toBe(false);
    putPage(m, 1);
  });
});
