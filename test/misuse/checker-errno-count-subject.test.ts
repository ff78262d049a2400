/**
 * The errno-count PinMisuse in full (src/mm/pin-release-plan.ts checkErrnoCount, the
 * message format of test/misuse/README.md): it names no page and no folio (page and
 * folio -1: a count, not a page, is wrong) and its second line tells the driver what to
 * do. The kernel's side: unpin_user_pages() and unpin_folios() (mm/gup.c, v6.16)
 * WARN_ON(IS_ERR_VALUE(npages)) and return without releasing anything.
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, pinUserPagesFast, unpinFolios, unpinUserPages } from '../../src/index.js';
import { BASE, KIB, MIB, expectMisuse, userBuffer } from './driver-world.js';

const ADVICE = "  check the GUP call's result first: if (ret < 0) return ret; ... unpin exactly ret pages";

describe('errno-count: a -errno passed as the count', () => {
  for (const [api, release] of [
    ['unpin_user_pages', unpinUserPages],
    ['unpin_folios', unpinFolios],
  ] as const) {
    it(`${api}: no page, no folio, and the advice line`, () => {
      const { m, mm } = userBuffer(8 * KIB);
      const pages = new Int32Array(2);
      const ret = pinUserPagesFast(mm, BASE + MIB, 2, 0, pages); // no VMA there
      expect(ret).toBe(-EFAULT);
      const e = expectMisuse('errno-count', () => release(m, pages, ret));
      const lines = e.message.split('\n');
      expect(lines[0]).toBe(
        `${api}: the count is -14 (-EFAULT), an error a GUP call returned: nothing is released and every pin it was meant to drop leaks`,
      );
      expect(lines[1]).toBe(ADVICE);
      expect([e.api, e.page, e.folio]).toEqual([api, -1, -1]);
      expect(m.warnings).toEqual([]);
    });
  }
});
