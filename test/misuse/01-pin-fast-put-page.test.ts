/**
 * Catalogue 01: pin_user_pages_fast() released with put_page().
 *
 * The bug class behind the Direct IO conversion to FOLL_PIN (2019-2022): code that took
 * pages with get_user_pages_fast() and dropped them with put_page() was switched to
 * pin_user_pages_fast() on the pinning side only. A pin on an order-0 page is
 * GUP_PIN_COUNTING_BIAS (1024) references, so put_page() drops 1 of the 1024 and the
 * later unpin (or the mapping's own put) frees the page under someone else.
 *
 * Rule (mm/gup.c unpin_user_page() kernel-doc, pin_user_pages.rst): pages pinned via
 * pin_user_pages*() are released via unpin_user_page() or unpin_user_pages*().
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, pinLeakReport, pinUserPagesFast, putPage, unpinUserPagesDirtyLock, type Machine, type Mm } from '../../src/index.js';
import { KIB, at, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

/** A direct-IO read into the user buffer: pin, let the device write, release. */
function dioReadWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  for (let i = 0; i < ret; i++) m.content[pages[i]!] = 42; // the device's DMA
  for (let i = 0; i < ret; i++) putPage(m, pages[i]!); // WRONG: these are pins, not references
  return ret;
}

function dioReadRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  for (let i = 0; i < ret; i++) m.content[pages[i]!] = 42;
  unpinUserPagesDirtyLock(m, pages, ret, true); // the device wrote: dirty, then unpin
  return ret;
}

describe('01 pin_user_pages_fast + put_page', () => {
  it('wrong: the first put_page on a pinned page is caught, before its count moves', () => {
    const { m, mm, addr } = userBuffer(16 * KIB); // PFNs 1..4
    const e = expectMisuse('put-page-on-pin', () => dioReadWrong(m, mm, addr, 4));
    expect(e.message.split('\n')[0]).toBe('put_page: page 1 (folio 1, order 0) is held only by FOLL_PIN pins (1)');
    expect(e.message).toMatch(at('pin_user_pages_fast', '01-pin-fast-put-page.test.ts'));
    expect(e.message).toMatch(/stated in: Documentation\/core-api\/pin_user_pages.rst/);
    expect([e.page, e.folio]).toEqual([1, 1]);
    // Page 1 still holds its mapping reference and its pin: 1 + 1024.
    expect(m.refcount[1]).toBe(1025);
    expect(releaseLeftovers(m)).toEqual({ pins: 4, gets: 0 });
  });

  it('right: unpin_user_pages_dirty_lock releases the four pins and dirties the pages', () => {
    const { m, mm, addr } = userBuffer(16 * KIB);
    expect(dioReadRight(m, mm, addr, 4)).toBe(4);
    expect(Array.from(m.refcount.subarray(1, 5))).toEqual([1, 1, 1, 1]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});
