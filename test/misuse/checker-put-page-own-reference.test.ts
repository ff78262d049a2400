/**
 * put_page on references the caller took itself (folio_get / get_page), not GUP: legal
 * in the kernel (include/linux/mm.h put_page -> folio_put, v6.16: any reference the
 * caller holds), and not the pin checker's to judge (src/mm/pin-release-plan.ts
 * ReleasePlan.none: "put_page on a reference GUP never handed out"). Such a put is not
 * recorded either: a second one is no double release, and GUP's reference count stays
 * as it was.
 */
import { describe, expect, it } from 'vitest';
import { folioGet, getUserPages, pinLeakReport, putPage } from '../../src/index.js';
import { KIB, userBuffer } from './driver-world.js';

describe('put_page of the caller\'s own references', () => {
  it('get_page twice, put_page twice on a page GUP never handed out: accepted, nothing recorded', () => {
    const { m } = userBuffer(4 * KIB); // PFN 1, mapped once
    folioGet(m, 1);
    folioGet(m, 1);
    expect(m.refcount[1]).toBe(3);
    putPage(m, 1);
    putPage(m, 1); // not a double release: the caller held two references
    expect(m.refcount[1]).toBe(1);
    expect(m.checker!.folioGets[1]).toBe(0);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('an own reference put while GUP holds none leaves a later FOLL_GET reference counted', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    folioGet(m, 1);
    putPage(m, 1); // the caller's own
    const pages = new Int32Array(1);
    expect(getUserPages(mm, addr, 1, 0, pages)).toBe(1);
    expect(m.refcount[1]).toBe(2);
    expect(m.checker!.folioGets[1]).toBe(1); // GUP's one reference, nothing taken off before it
    putPage(m, 1);
    expect(m.checker!.folioGets[1]).toBe(0);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});
