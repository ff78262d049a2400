/**
 * Catalogue 08: pages marked dirty after they were unpinned.
 *
 * A read into user memory must dirty the pages the device wrote, or reclaim may drop
 * the data. Doing it after unpin_user_pages() dirties pages the driver no longer holds:
 * a page the process unmapped meanwhile is already free.
 *
 * Rule (mm/gup.c unpin_user_pages_dirty_lock() kernel-doc): dirty, then unpin; "hand
 * code it: set_page_dirty_lock(), unpin_user_page()", or let
 * unpin_user_pages_dirty_lock(pages, n, true) do both.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  folioTestDirty,
  pinUserPagesFast,
  setPageDirtyLock,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

function readWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  for (let i = 0; i < ret; i++) m.content[pages[i]!] = 42; // the device's DMA
  unpinUserPages(m, pages, ret);
  for (let i = 0; i < ret; i++) setPageDirtyLock(m, pages[i]!); // WRONG: the pins are gone
  return ret;
}

function readRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  for (let i = 0; i < ret; i++) m.content[pages[i]!] = 42;
  unpinUserPagesDirtyLock(m, pages, ret, true);
  return ret;
}

describe('08 dirtying after unpin', () => {
  it('wrong: set_page_dirty_lock on the first unpinned page is caught', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const e = expectMisuse('dirty-after-unpin', () => readWrong(m, mm, addr, 2));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^set_page_dirty_lock: page 1 \(folio 1, order 0\) holds no pin: its pin was released by /);
    expect(first).toMatch(at('unpin_user_pages', '08-dirty-after-unpin.test.ts'));
    expect(folioTestDirty(m, 1)).toBe(false);
  });

  it('right: unpin_user_pages_dirty_lock dirties, then unpins', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    expect(readRight(m, mm, addr, 2)).toBe(2);
    expect([folioTestDirty(m, 1), folioTestDirty(m, 2)]).toEqual([true, true]);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
