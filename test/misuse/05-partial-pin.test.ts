/**
 * Catalogue 05: releasing the number of pages asked for instead of the number pinned.
 *
 * pin_user_pages_fast() may pin fewer pages than asked (kernel-doc: "Returns number of
 * pages pinned. This may be fewer than the number requested"): here the buffer is 3
 * pages long and the driver asks for 4, so GUP-fast pins 3 and the slow path stops at
 * the missing VMA (-EFAULT), which gup_fast_fallback turns into the partial result 3.
 * The driver then releases 4 entries. The 4th was never written: in the kernel it is
 * whatever the array held (a stale page of an earlier I/O, or garbage); here the array
 * is zero-filled, so it is PFN 0, the zero page.
 *
 * Rule: release exactly the pages the GUP call returned.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, pinUserPagesFast, unpinUserPages, type Machine, type Mm } from '../../src/index.js';
import { KIB, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';

function pinRangeWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  // ... DMA into pages[0..ret) ...
  unpinUserPages(m, pages, nrPages); // WRONG: ret pages were pinned, not nrPages
  return ret;
}

function pinRangeRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  // ... DMA into pages[0..ret) ...
  unpinUserPages(m, pages, ret);
  return ret;
}

describe('05 partial pin released as if complete', () => {
  it('wrong: entry 3, never written, is caught; nothing is released', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1..3, then no VMA
    const e = expectMisuse('release-unheld', () => pinRangeWrong(m, mm, addr, 4));
    expect(e.message.split('\n').slice(0, 2)).toEqual([
      'unpin_user_pages: entry 3: page 0 (folio 0, order 0, the zero page) holds no pin',
      '  3 earlier page(s) of this call were held: was the count larger than what the GUP call returned?',
    ]);
    expect(releaseLeftovers(m)).toEqual({ pins: 3, gets: 0 });
  });

  it('right: the three pinned pages are released', () => {
    const { m, mm, addr } = userBuffer(12 * KIB);
    expect(pinRangeRight(m, mm, addr, 4)).toBe(3);
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1, 1, 1]);
  });
});
