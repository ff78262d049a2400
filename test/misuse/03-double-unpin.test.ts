/**
 * Catalogue 03: a pin released twice (error path and completion both unpin).
 *
 * A driver unpins in its error path and again in its common exit path. The second
 * unpin_user_pages() drops pins that are not there: on an order-0 page it takes 1024
 * references away from the mapping, which frees the page while the process still maps
 * it; on a large folio it underflows _pincount (VM_BUG_ON) or eats another caller's pin.
 *
 * Rule (mm/gup.c unpin_user_page(), gup_put_folio()): each pin is released exactly once.
 */
import { describe, expect, it } from 'vitest';
import { EIO, FOLL_WRITE, pinLeakReport, pinUserPagesFast, unpinUserPages, type Machine, type Mm } from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

function submit(deviceFails: boolean): number {
  return deviceFails ? -EIO : 0;
}

function writeToDeviceWrong(m: Machine, mm: Mm, addr: number, nrPages: number, deviceFails: boolean): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, 0, pages);
  if (ret < 0) return ret;
  const err = submit(deviceFails);
  if (err < 0) unpinUserPages(m, pages, ret); // error path releases...
  unpinUserPages(m, pages, ret); // WRONG: ...and so does the common exit
  return err < 0 ? err : ret;
}

function writeToDeviceRight(m: Machine, mm: Mm, addr: number, nrPages: number, deviceFails: boolean): number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, 0, pages);
  if (ret < 0) return ret;
  const err = submit(deviceFails);
  unpinUserPages(m, pages, ret); // one release, whatever happened
  return err < 0 ? err : ret;
}

describe('03 double unpin', () => {
  it('wrong: the second unpin_user_pages is caught, naming the first', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1..3
    const e = expectMisuse('double-release', () => writeToDeviceWrong(m, mm, addr, 3, true));
    const [first, ...rest] = e.message.split('\n');
    expect(first).toMatch(/^unpin_user_pages: entry 0: page 1 \(folio 1, order 0\) holds no pin: its pin was already released by /);
    expect(first).toMatch(at('unpin_user_pages', '03-double-unpin.test.ts'));
    expect(rest.join('\n')).toMatch(/rule \[double-release\]: each pin and each reference is released exactly once/);
    // Nothing moved: the pages keep their mapping reference.
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1, 1, 1]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('right: one release on both paths', () => {
    const { m, mm, addr } = userBuffer(12 * KIB);
    expect(writeToDeviceRight(m, mm, addr, 3, true)).toBe(-EIO);
    expect(writeToDeviceRight(m, mm, addr, 3, false)).toBe(3);
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1, 1, 1]);
  });
});
