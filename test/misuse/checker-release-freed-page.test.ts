/**
 * A page-named release of a page whose folio is already free: its last pin went with an
 * earlier unpin, after munmap dropped the mapping's reference (mm/memory.c
 * zap_pte_range, mm/gup.c unpin_user_page -> gup_put_folio -> folio_put_refs, v6.16).
 * The release plan does not judge a free folio (src/mm/pin-release-plan.ts
 * ReleasePlan.page: a use after free); what reports it is the pin count check of
 * gup_put_folio (src/mm/pin-checker.ts PinChecker.put) for a pin, and for a FOLL_GET
 * reference the model's BUG in folio_put (include/linux/page_ref.h put_page_testzero:
 * `VM_BUG_ON_PAGE(page_ref_count(page) == 0)`), before the model touches the free folio.
 * Layout (driver-world.ts): the buffer's order-0 pages are PFNs 1, 2.
 */
import { describe, expect, it } from 'vitest';
import { KernelBug, getUserPagesFast, munmap, pageAllocated, pinUserPagesFast, putPage, unpinUserPage, unpinUserPages } from '../../src/index.js';
import { KIB, expectMisuse, userBuffer } from './driver-world.js';

describe('unpin_user_page on a freed page', () => {
  it("is stopped by gup_put_folio's count check", () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, 0, pages)).toBe(2);
    expect(munmap(mm, addr, 8 * KIB)).toBe(0);
    unpinUserPages(m, pages, 2);
    expect(pageAllocated(m, 2)).toBe(false);
    const e = expectMisuse('over-release', () => unpinUserPage(m, 2));
    expect(e.message.split('\n')[0]).toBe('gup_put_folio: releases 1 pins of folio 2 (order 0), which holds 0');
    expect([e.api, e.page, e.folio]).toEqual(['gup_put_folio', 2, 2]);
    expect([pageAllocated(m, 2), m.refcount[2]]).toEqual([false, 0]);
  });
});

describe('put_page on a freed page', () => {
  it("is the model's BUG for a use after free (VM_BUG_ON_PAGE in put_page_testzero)", () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    const pages = new Int32Array(2);
    expect(getUserPagesFast(mm, addr, 2, 0, pages)).toBe(2);
    expect(munmap(mm, addr, 8 * KIB)).toBe(0);
    putPage(m, 1);
    putPage(m, 2);
    expect(pageAllocated(m, 2)).toBe(false);
    expect(() => putPage(m, 2)).toThrow(KernelBug);
    expect(() => putPage(m, 2)).toThrow('folio_put: use after free of folio 2 (refcount 0)');
    expect([pageAllocated(m, 2), m.refcount[2]]).toEqual([false, 0]);
  });
});
