/**
 * Catalogue 10: a long-lived DMA buffer in CMA "pinned" with get_user_pages_fast().
 *
 * An RDMA-style driver registers a user buffer that a device writes for as long as the
 * registration lives, but takes it with FOLL_GET (get_user_pages_fast()). Two bugs in
 * one: plain references do not mark the pages as DMA-pinned (folio_maybe_dma_pinned()
 * stays false, so writeback and reclaim treat them as ordinary pages while the device
 * writes), and nothing migrates the buffer out of CMA, so the CMA area stays blocked
 * for as long as the registration does (a FOLL_LONGTERM pin would have migrated it
 * first). Writing the data is where the checker sees it: the driver dirties pages it
 * holds only by FOLL_GET.
 *
 * Rules: pin_user_pages.rst CASE 5 (pin, write to the page's data, unpin: FOLL_PIN;
 * get_user_pages + write + put_page is INCORRECT) and CASE 2 (RDMA: FOLL_PIN |
 * FOLL_LONGTERM).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_LONGTERM,
  FOLL_WRITE,
  folioMaybeDmaPinned,
  getUserPagesFast,
  pfnZone,
  pinUserPagesFast,
  putPage,
  setPageDirtyLock,
  unpinUserPagesDirtyLock,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

function registerAndCompleteWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = getUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages); // WRONG: FOLL_GET for DMA
  if (ret < 0) return ret;
  for (let i = 0; i < ret; i++) m.content[pages[i]!] = 42; // the device writes
  for (let i = 0; i < ret; i++) setPageDirtyLock(m, pages[i]!);
  for (let i = 0; i < ret; i++) putPage(m, pages[i]!);
  return ret;
}

function registerAndCompleteRight(m: Machine, mm: Mm, addr: number, nrPages: number, seen: Int32Array): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_LONGTERM | FOLL_WRITE, pages);
  if (ret < 0) return ret;
  seen.set(pages);
  for (let i = 0; i < ret; i++) m.content[pages[i]!] = 42;
  unpinUserPagesDirtyLock(m, pages, ret, true);
  return ret;
}

describe('10 long-term DMA into CMA with FOLL_GET', () => {
  it('wrong: dirtying a CMA page held only by FOLL_GET is caught', () => {
    const { m, mm, addr } = userBuffer(8 * KIB, { zone: 'cma' }); // PFNs 14336, 14337 (CMA)
    const e = expectMisuse('dirty-get', () => registerAndCompleteWrong(m, mm, addr, 2));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('set_page_dirty_lock: page 14336 (folio 14336, order 0) is held only by FOLL_GET reference(s)');
    expect(lines[1]).toMatch(new RegExp(`^ {2}FOLL_GET reference taken by ${at('get_user_pages_fast', '10-cma-get-longterm.test.ts').source}$`));
    expect(lines[2]).toMatch(/not long-term pinnable .*pin_user_pages\*\(FOLL_LONGTERM\), which migrates it first/);
    expect(pfnZone(m, 14336).name).toBe('cma');
    expect(folioMaybeDmaPinned(m, 14336)).toBe(false); // nobody can tell the device is writing
    expect(releaseLeftovers(m)).toEqual({ pins: 0, gets: 2 });
  });

  it('right: pin_user_pages_fast(FOLL_LONGTERM) migrates the buffer to ZONE_NORMAL first', () => {
    const { m, mm, addr } = userBuffer(8 * KIB, { zone: 'cma' });
    const seen = new Int32Array(2);
    expect(registerAndCompleteRight(m, mm, addr, 2, seen)).toBe(2);
    expect(Array.from(seen)).toEqual([1, 2]); // the copies, allocated next-fit in ZONE_NORMAL
    expect(pfnZone(m, 1).name).toBe('normal');
    expect([m.content[1], m.content[2]]).toEqual([42, 42]);
  });
});
