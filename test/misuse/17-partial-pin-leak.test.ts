/**
 * Catalogue 17: a partial pin treated as a failure and leaked.
 *
 * pin_user_pages_fast() pinned 3 of the 4 pages asked for (the 4th has no VMA). The
 * driver treats anything short as an error and returns -EFAULT, forgetting that the 3
 * pages it did get are pinned and now belong to it. Nothing fails at once: the pins
 * simply stay, and nr_foll_pin_acquired runs ahead of nr_foll_pin_released for good.
 * The checker's leak report (printed by every test's end-of-test check) names the
 * pages and the call that pinned them.
 *
 * Rule (mm/gup.c get_user_pages_fast() kernel-doc: "This may be fewer than the number
 * requested"): a partial result is pinned; unpin it before giving up.
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, FOLL_WRITE, pinLeakReport, pinUserPagesFast, unpinUserPages, type Machine, type Mm } from '../../src/index.js';
import { KIB, at, releaseLeftovers, userBuffer } from './driver-world.js';

function pinAllOrNothingWrong(mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  if (ret !== nrPages) return -EFAULT; // WRONG: ret pages stay pinned
  return ret;
}

function pinAllOrNothingRight(m: Machine, mm: Mm, addr: number, nrPages: number, pages: Int32Array): number {
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  if (ret !== nrPages) {
    unpinUserPages(m, pages, ret);
    return -EFAULT;
  }
  return ret;
}

describe('17 partial pin leaked on the error path', () => {
  it('wrong: the leak report lists the three pinned pages and the call', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1..3, then no VMA
    expect(pinAllOrNothingWrong(mm, addr, 4)).toBe(-EFAULT);
    const report = pinLeakReport(m.checker!);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatch(/^3 pin\(s\) taken by pin_user_pages_fast\(\) at test\/misuse\/17-partial-pin-leak\.test\.ts:\d+:\d+ on mm \d+: pages 1-3 \(folios 1-3\)$/);
    expect(report[0]).toMatch(at('pin_user_pages_fast', '17-partial-pin-leak.test.ts'));
    expect(m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased).toBe(3);
    expect(releaseLeftovers(m)).toEqual({ pins: 3, gets: 0 });
  });

  it('right: the partial result is unpinned before -EFAULT', () => {
    const { m, mm, addr } = userBuffer(12 * KIB);
    const pages = new Int32Array(4);
    expect(pinAllOrNothingRight(m, mm, addr, 4, pages)).toBe(-EFAULT);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});
