/**
 * A folio-named release of a folio that is already free (its last pin went with an
 * earlier unpin, after munmap dropped the mapping's reference: mm/memory.c
 * zap_pte_range, mm/gup.c gup_put_folio -> folio_put_refs, v6.16). The release plan does
 * not judge a free folio (src/mm/pin-release-plan.ts ReleasePlan.folio: a use after
 * free); the pin count check of gup_put_folio (src/mm/pin-checker.ts PinChecker.put)
 * stops it as over-release, past the pins held (none), before the model touches the
 * free folio's counts.
 * Layout (driver-world.ts): the buffer's order-0 pages are PFNs 1, 2.
 */
import { describe, expect, it } from 'vitest';
import { munmap, pageAllocated, pinUserPagesFast, unpinUserFolio, unpinUserPages } from '../../src/index.js';
import { KIB, expectMisuse, userBuffer } from './driver-world.js';

describe('unpin_user_folio on a freed folio', () => {
  it('is stopped by gup_put_folio\'s count check, not called a page that holds no pin', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, 0, pages)).toBe(2);
    expect(munmap(mm, addr, 8 * KIB)).toBe(0);
    unpinUserPages(m, pages, 2); // the last references: both pages are freed
    expect(pageAllocated(m, 1)).toBe(false);
    const e = expectMisuse('over-release', () => unpinUserFolio(m, 1, 1));
    expect(e.message.split('\n')[0]).toBe('gup_put_folio: releases 1 pins of folio 1 (order 0), which holds 0');
    expect([e.api, e.page, e.folio]).toEqual(['gup_put_folio', 1, 1]);
    expect([pageAllocated(m, 1), m.refcount[1]]).toEqual([false, 0]);
  });
});
