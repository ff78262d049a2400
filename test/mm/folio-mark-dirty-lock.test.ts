/**
 * folio_mark_dirty_lock / set_page_dirty_lock under the pin checker: allowed while the
 * caller holds a pin (and on a page it never took through GUP), refused on a page held
 * only by a FOLL_GET reference, on one whose FOLL_GET reference was already put, and
 * on a folio freed since its pin was dropped. The return values are
 * mm/page-writeback.c `folio_mark_dirty` (true when the folio was clean; anonymous
 * faults do not dirty the folio) and mm/folio-compat.c `set_page_dirty_lock`; the
 * rules are Documentation/core-api/pin_user_pages.rst CASE 5 and the
 * unpin_user_pages_dirty_lock() kernel-doc (dirty, then unpin).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  munmap,
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

describe('dirtying a page the caller may dirty', () => {
  it('a pinned page: folio_mark_dirty_lock says clean once, then dirty; set_page_dirty_lock 1, then 0', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2, clean anonymous pages
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages)).toBe(2);
    expect(folioMarkDirtyLock(m, 1)).toBe(true);
    expect(folioMarkDirtyLock(m, 1)).toBe(false);
    expect(setPageDirtyLock(m, 2)).toBe(1);
    expect(setPageDirtyLock(m, 2)).toBe(0);
    expect([folioTestDirty(m, 1), folioTestDirty(m, 2)]).toEqual([true, true]);
    unpinUserPages(m, pages, 2);
  });

  it('a page no GUP call ever took: nothing to check, the folio is dirtied', () => {
    const { m } = userBuffer(4 * KIB);
    expect(setPageDirtyLock(m, 1)).toBe(1);
    expect(folioTestDirty(m, 1)).toBe(true);
  });
});

describe('dirtying a page the caller may not dirty', () => {
  it('held only by a FOLL_GET reference on long-term pinnable memory: dirty-get, without the CMA advice', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(getUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    const e = expectMisuse('dirty-get', () => folioMarkDirtyLock(m, 1));
    expect(e.message.split('\n')[0]).toMatch(/^folio_mark_dirty_lock: page 1 \(folio 1, order 0\) is held only by FOLL_GET reference\(s\)/);
    expect(e.message).not.toMatch(/not long-term pinnable/);
    expect(folioTestDirty(m, 1)).toBe(false);
    putPage(m, 1);
  });

  it('after its FOLL_GET reference was put: dirty-after-unpin names the reference', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(getUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    putPage(m, 1);
    const e = expectMisuse('dirty-after-unpin', () => setPageDirtyLock(m, 1));
    expect(e.message.split('\n')[0]).toMatch(/^set_page_dirty_lock: page 1 \(folio 1, order 0\) holds no pin: its reference was released by /);
    expect(folioTestDirty(m, 1)).toBe(false);
  });

  it('a folio freed after the unpin (the process unmapped it meanwhile): use after free', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    expect(munmap(mm, addr, 4 * KIB)).toBe(0); // the pin alone keeps PFN 1
    unpinUserPages(m, pages, 1); // last reference: freed
    expect(m.refcount[1]).toBe(0);
    const e = expectMisuse('dirty-after-unpin', () => setPageDirtyLock(m, 1));
    expect(e.message).toMatch(/is free: the pins on it are gone \(use after free\)/);
  });
});
