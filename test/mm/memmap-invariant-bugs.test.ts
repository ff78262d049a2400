/**
 * The memmap's broken-invariant checks (the model's VM_BUG_ON / bad-page reports):
 * freeing the zero page, a page that is not a folio head, a pinned, PMD-mapped or
 * PTE-mapped folio; folio_put below zero; rmap removal below zero. Each throws a
 * KernelBug and changes nothing. The kernel's counterparts: mm/page_alloc.c
 * `free_page_is_bad` / `bad_page` ("nonzero mapcount", "nonzero _refcount"),
 * include/linux/mm.h `folio_put_testzero` (VM_BUG_ON_FOLIO on a zero refcount),
 * mm/rmap.c `__folio_remove_rmap` (mapcount underflow), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  KernelBug,
  PMD_ORDER,
  allocFolio,
  folioPut,
  folioPutRefs,
  folioRemoveRmapEntire,
  folioRemoveRmapPtes,
  freeFolio,
  pageAt,
  pinUserPagesFast,
  unpinUserPages,
  userWrite,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

function bug(f: () => unknown, text: RegExp): void {
  expect(f).toThrow(KernelBug);
  expect(f).toThrow(text);
}

describe('freeFolio refuses a folio that is still in use', () => {
  it('the zero page, a tail page, a pinned THP, a PMD-mapped THP, a PTE-mapped page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    bug(() => freeFolio(m, m.zeroPfn), /^freeing the reserved zero page 0$/);
    const pair = allocFolio(m, 1);
    expect(pair).toBe(2);
    bug(() => freeFolio(m, 3), /^freeing 3, which is not a folio head$/);
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // THP PFN 512, PMD-mapped
    bug(() => freeFolio(m, 512), /^freeing folio 512 while PMD\/PUD-mapped$/);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    bug(() => freeFolio(m, 512), /^freeing folio 512 with pincount 1$/);
    unpinUserPages(m, pages, 1);
    mapAt(mm, BASE + 2 * MIB, 4 * KIB);
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 2)).toBe(0); // next-fit after the THP: PFN 1024
    expect(pageAt(mm.pt, vpnOf(BASE + 2 * MIB))).toBe(1024);
    bug(() => freeFolio(m, 1024), /^freeing folio 1024: page 1024 is still mapped$/);
    expect([m.refcount[1024], m.mapcount[1024], m.refcount[512], m.entireMapcount[512], m.refcount[2]]).toEqual([1, 1, 1, 1, 1]);
    folioPut(m, pair);
  });
});

describe('counts below zero', () => {
  it('folio_put_refs past zero, and removing rmaps that were never added', () => {
    const { m } = world({ memoryBytes: 16 * MIB });
    const f = allocFolio(m, 0);
    bug(() => folioPutRefs(m, f, 2), new RegExp(`^folio_put: refcount underflow on folio ${f} \\(1 - 2\\)$`));
    bug(() => folioRemoveRmapPtes(m, f, 1), new RegExp(`^folio_remove_rmap_ptes: page ${f} mapcount underflow$`));
    bug(() => folioRemoveRmapEntire(m, f), new RegExp(`^folio_remove_rmap_pmd: folio ${f} entire mapcount underflow$`));
    expect([m.refcount[f], m.mapcount[f], m.entireMapcount[f]]).toEqual([1, 0, 0]);
    folioPut(m, f);
    expect(m.refcount[f]).toBe(0);
  });
});
