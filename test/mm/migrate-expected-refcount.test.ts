/**
 * When long-term migration moves a folio: only if every reference it holds is one of
 * its mappings or, for a page-cache folio, the page cache's. Anything else (a pin, a
 * driver's reference) is -EAGAIN with the folio left where it is and pgmigrate_fail
 * counting its pages; a page cache that does not hold the folio adds nothing to the
 * count. Kernel: mm/migrate.c folio_migrate_mapping (`folio_ref_count(folio) !=
 * expected_count` -> -EAGAIN, expected from folio_expected_ref_count: the mapcount plus
 * folio_nr_pages when the folio is in a page cache, folio->mapping), migrate_pages_batch
 * (count_vm_events(PGMIGRATE_FAIL, nr_failed_pages)); a remap_pfn_range frame is not
 * on an LRU and holds the driver's reference, so migrate_pages cannot move it either.
 * The model's documented contract (src/mm/migrate.ts): 0, -EAGAIN or -ENOMEM, v6.16+.
 *
 * Machine: 16 MiB with 8 MiB of CMA (PFNs 2048..4095); ZONE_NORMAL allocations are
 * next-fit from PFN 1, CMA ones from 2048.
 */
import { describe, expect, it } from 'vitest';
import { EAGAIN, folioTestHugetlb, migrateFolioLongterm, pageAt, pinUserPages, unpinUserPages, userReadTags, userWrite, vmstat, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const CMA = 2048;

function cmaWorld() {
  return world({ memoryBytes: 16 * MIB, cmaBytes: 8 * MIB });
}

describe('migrateFolioLongterm: the expected reference count', () => {
  it('an anonymous folio migrates while an unrelated file has a page cache: that cache adds nothing', () => {
    const { m, mm } = cmaWorld();
    mapAt(mm, BASE + MIB, 4 * KIB, { backing: 'ext4' });
    expect(userReadTags(mm, BASE + MIB, 4096)).toEqual(new Int32Array([0])); // page-cache folio at PFN 1
    mapAt(mm, BASE, 4 * KIB, { zone: 'cma' });
    expect(userWrite(mm, BASE, 4096, 5)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(CMA);
    expect(m.refcount[CMA]).toBe(1); // its one mapping

    expect(migrateFolioLongterm(m, CMA)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(2);
    expect([m.refcount[2], m.mapcount[2], m.content[2]]).toEqual([1, 1, 5]);
    expect(folioTestHugetlb(m, 2)).toBe(false); // only a hugetlb source's target is hugetlb
    expect(m.refcount[1]).toBe(2); // the ext4 folio: page cache + mapping, untouched
    expect(vmstat(m)).toMatchObject({ pgmigrateSuccess: 1, pgmigrateFail: 0 });
  });

  it('a device frame (remap_pfn_range) holds the driver\'s reference: -EAGAIN, nothing moves', () => {
    const { m, mm } = cmaWorld();
    mapAt(mm, BASE, 4 * KIB, { shared: true, backing: 'device' }); // the driver's frame: PFN 1
    const frame = pageAt(mm.pt, vpnOf(BASE));
    expect(frame).toBe(1);
    expect([m.refcount[frame], m.mapcount[frame]]).toEqual([1, 0]); // special PTE: no mapcount

    expect(migrateFolioLongterm(m, frame)).toBe(-EAGAIN);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(1);
    expect(m.refcount[frame]).toBe(1);
    expect(vmstat(m)).toMatchObject({ pgmigrateSuccess: 0, pgmigrateFail: 1 });
  });

  it('a pinned CMA page: -EAGAIN, still mapped in CMA, one page counted as failed', () => {
    const { m, mm } = cmaWorld();
    mapAt(mm, BASE, 4 * KIB, { zone: 'cma' });
    expect(userWrite(mm, BASE, 4096, 3)).toBe(0);
    const pages = new Int32Array(1);
    expect(pinUserPages(mm, BASE, 1, 0, pages)).toBe(1); // short-term: stays in CMA
    expect(pages[0]).toBe(CMA);

    const ret = migrateFolioLongterm(m, CMA);
    expect(ret).toBe(-EAGAIN);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(CMA);
    expect(m.content[CMA]).toBe(3);
    expect(vmstat(m)).toMatchObject({ pgmigrateSuccess: 0, pgmigrateFail: 1 });
    unpinUserPages(m, pages, 1);
  });
});
