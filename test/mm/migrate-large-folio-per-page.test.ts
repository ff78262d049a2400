/**
 * Long-term migration of a PTE-mapped large anonymous folio, page by page: every page
 * of the copy is an allocated page of the new folio (its tail pages are in use, so an
 * exact-range allocation over them is -EBUSY), and PageAnonExclusive is kept per page:
 * each page of the copy is exclusive exactly when the page at the same offset of the
 * old folio was. Kernel: mm/migrate.c alloc_migration_target (a whole folio of the
 * same order; mm/page_alloc.c alloc_contig_range refuses a range with allocated pages,
 * -EBUSY); mm/rmap.c try_to_migrate_one records
 * `anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(subpage)` in each
 * page's migration entry, and mm/migrate.c remove_migration_pte maps page `idx` of the
 * new folio with RMAP_EXCLUSIVE when that entry was writable / readable-exclusive
 * (folio_add_anon_rmap_pte sets PageAnonExclusive on that page), v6.16+.
 *
 * Machine: 16 MiB with 8 MiB of CMA (PFNs 2048..4095). An order-2 (16 KiB mTHP)
 * mapping in CMA faults in one folio at PFN 2048, its four pages PTE-mapped; the copy
 * is the first order-2-aligned free range of ZONE_NORMAL, PFNs 4..7 (next-fit from 1).
 */
import { describe, expect, it } from 'vitest';
import { EBUSY, allocFolio, folioPut, migrateFolioLongterm, pageAnonExclusive, pageAt, userReadTags, userWrite, vmstat, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const CMA = 2048;

describe('migrateFolioLongterm of an mTHP, page by page', () => {
  it('every page exclusive before: every page of the copy exclusive after', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, cmaBytes: 8 * MIB });
    mapAt(mm, BASE, 16 * KIB, { zone: 'cma', order: 2 });
    [1, 2, 3, 4].forEach((t, i) => expect(userWrite(mm, BASE + i * 4096, 4096, t)).toBe(0));
    expect([0, 1, 2, 3].map((i) => pageAt(mm.pt, vpnOf(BASE) + i))).toEqual([CMA, CMA + 1, CMA + 2, CMA + 3]);
    expect([0, 1, 2, 3].map((i) => pageAnonExclusive(m, CMA + i))).toEqual([true, true, true, true]);

    expect(migrateFolioLongterm(m, CMA)).toBe(0);
    expect([0, 1, 2, 3].map((i) => pageAt(mm.pt, vpnOf(BASE) + i))).toEqual([4, 5, 6, 7]);
    expect([4, 5, 6, 7].map((p) => pageAnonExclusive(m, p))).toEqual([true, true, true, true]);
    // The free pages below the copy gained nothing.
    expect([1, 2, 3].map((p) => pageAnonExclusive(m, p))).toEqual([false, false, false]);
    expect(userReadTags(mm, BASE, 16 * KIB)).toEqual(new Int32Array([1, 2, 3, 4]));
    expect(vmstat(m)).toMatchObject({ pgmigrateSuccess: 4, pgmigrateFail: 0 });
  });

  it('the pages of the copy are all in use: an exact-range allocation over any of them is -EBUSY', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, cmaBytes: 8 * MIB });
    mapAt(mm, BASE, 16 * KIB, { zone: 'cma', order: 2 });
    expect(userWrite(mm, BASE, 16 * KIB, 6)).toBe(0);
    expect(migrateFolioLongterm(m, CMA)).toBe(0);
    expect([4, 5, 6, 7].map((pfn) => allocFolio(m, 0, { pfn }))).toEqual([-EBUSY, -EBUSY, -EBUSY, -EBUSY]);
    // The old folio's pages are free again: PFN 2049, a former tail, can be allocated.
    const f = allocFolio(m, 0, { pfn: CMA + 1 });
    expect(f).toBe(CMA + 1);
    folioPut(m, f);
  });
});
