/**
 * unpin_folios() with one folio in several runs of its array: the kernel (mm/gup.c
 * unpin_folios, v6.11+) calls gup_put_folio(folios[i], j - i, FOLL_PIN) once per run of
 * identical entries, so a folio named in two runs loses the pins of both. The checker
 * counts what the earlier runs of the same call took (src/mm/pin-release-plan.ts
 * ReleasePlan.folio): a later run asking for more than is left is over-release, named by
 * its entries, with no page (the call names folios) and nothing released.
 * Layout (driver-world.ts): the buffer's order-0 pages are PFNs 1, 2.
 */
import { describe, expect, it } from 'vitest';
import { GUP_PIN_COUNTING_BIAS, pinUserPagesFast, unpinFolios } from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'checker-unpin-folios-runs.test.ts';
const BIAS = GUP_PIN_COUNTING_BIAS;

describe('unpin_folios naming a folio in two runs', () => {
  it('[1, 2, 1, 1] with two pins on folio 1: the run at entries 2..3 finds one left', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, 0, pages)).toBe(2); // pages 1, 2
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1); // page 1 again
    expect([m.refcount[1], m.refcount[2]]).toEqual([1 + 2 * BIAS, 1 + BIAS]);
    const e = expectMisuse('over-release', () => unpinFolios(m, [1, 2, 1, 1], 4));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_folios: entries 2..3: releases 2 pins of folio 1 (order 0), which holds 1');
    expect(lines[1]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`));
    expect([e.api, e.page, e.folio]).toEqual(['unpin_folios', -1, 1]);
    // Refused before the first run was put.
    expect([m.refcount[1], m.refcount[2]]).toEqual([1 + 2 * BIAS, 1 + BIAS]);
    unpinFolios(m, [1, 2, 1], 3); // two runs of folio 1, one pin each: balances
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
