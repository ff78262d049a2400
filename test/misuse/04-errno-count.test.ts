/**
 * Catalogue 04: a -errno from pin_user_pages_fast() passed to unpin_user_pages().
 *
 * The error path releases "ret" pages without checking that ret is a count. The kernel
 * guards against exactly this: unpin_user_pages() WARNs on IS_ERR_VALUE(npages) and
 * returns without releasing anything ("More likely, gup/pup returned a hard -ERRNO
 * error to the caller, who erroneously passed it here"). Whatever the driver meant to
 * release stays pinned.
 *
 * Rule: check the result first; unpin exactly the number of pages returned.
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, FOLL_WRITE, pinUserPagesFast, unpinUserPages, type Machine, type Mm } from '../../src/index.js';
import { BASE, KIB, MIB, expectMisuse, userBuffer } from './driver-world.js';

function pinAndReleaseWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  // ... use the pages ...
  unpinUserPages(m, pages, ret); // WRONG: ret may be -errno
  return ret;
}

function pinAndReleaseRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  // ... use the pages ...
  unpinUserPages(m, pages, ret);
  return ret;
}

describe('04 unpin_user_pages with a -errno count', () => {
  it('wrong: the -EFAULT of an unmapped address reaches unpin_user_pages and is caught', () => {
    const { m, mm } = userBuffer(8 * KIB);
    const unmapped = BASE + MIB; // no VMA there: -EFAULT
    const e = expectMisuse('errno-count', () => pinAndReleaseWrong(m, mm, unmapped, 2));
    expect(e.message.split('\n')[0]).toBe(
      'unpin_user_pages: the count is -14 (-EFAULT), an error a GUP call returned: nothing is released and every pin it was meant to drop leaks',
    );
    expect(e.message).toMatch(/stated in: mm\/gup.c unpin_user_pages\(\)/);
    expect(m.warnings).toEqual([]); // caught before the kernel's WARN
  });

  it('right: the error is returned, a mapped buffer is pinned and released', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    expect(pinAndReleaseRight(m, mm, BASE + MIB, 2)).toBe(-EFAULT);
    expect(pinAndReleaseRight(m, mm, addr, 2)).toBe(2);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
