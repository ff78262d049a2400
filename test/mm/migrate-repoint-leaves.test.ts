/**
 * Long-term migration repoints leaf entries only: after migrateFolioLongterm moves a
 * folio, every PTE / PMD / PUD *leaf* that mapped it maps the copy, while a PMD or PUD
 * entry that points to a lower page table is left alone even when that table's index
 * happens to equal the old folio's PFN. Kernel: mm/migrate.c remove_migration_ptes ->
 * remove_migration_pte (rmap_walk visits only the mappings of the old folio: PTE leaves
 * and, via remove_migration_pmd, PMD leaves; a table pointer is never one of them),
 * v6.16+.
 *
 * Machine: 16 MiB with all but 8 KiB in CMA, so ZONE_NORMAL is PFNs 0..1 (PFN 0 is the
 * zero page), CMA starts at PFN 2 and the migration target is PFN 1, the only free
 * normal page. Page tables are numbered per level from 0 in the order they are
 * allocated, so a small CMA PFN such as 2 equals the index of an mm's third table.
 */
import { describe, expect, it } from 'vitest';
import { migrateFolioLongterm, pageAt, userReadTags, userWrite, vmstat, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;

function tinyNormalZone() {
  return world({ memoryBytes: 16 * MIB, cmaBytes: 16 * MIB - 8 * KIB });
}

describe('migrateFolioLongterm repoints leaves, never table pointers', () => {
  it('a PMD entry pointing to PTE table 2 survives migrating the folio at PFN 2', () => {
    const { m, mm } = tinyNormalZone();
    // Three 2 MiB regions of one PMD table: PTE tables 0, 1, 2; CMA pages 2, 3, 4.
    mapAt(mm, BASE, 4 * KIB, { zone: 'cma' });
    mapAt(mm, BASE + 2 * MIB, 4 * KIB, { zone: 'cma' });
    mapAt(mm, BASE + 4 * MIB, 4 * KIB, { zone: 'cma' });
    expect(userWrite(mm, BASE, 4096, 7)).toBe(0);
    expect(userWrite(mm, BASE + 2 * MIB, 4096, 8)).toBe(0);
    expect(userWrite(mm, BASE + 4 * MIB, 4096, 9)).toBe(0);
    expect(mm.pt.pte.nrTables).toBe(3);
    expect([BASE, BASE + 2 * MIB, BASE + 4 * MIB].map((a) => pageAt(mm.pt, vpnOf(a)))).toEqual([2, 3, 4]);

    expect(migrateFolioLongterm(m, 2)).toBe(0);
    // Only the leaf that mapped PFN 2 changed; the third region still reaches PTE table 2.
    expect([BASE, BASE + 2 * MIB, BASE + 4 * MIB].map((a) => pageAt(mm.pt, vpnOf(a)))).toEqual([1, 3, 4]);
    expect(userReadTags(mm, BASE + 4 * MIB, 4096)).toEqual(new Int32Array([9]));
    expect(userReadTags(mm, BASE + 2 * MIB, 4096)).toEqual(new Int32Array([8]));
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([7]));
    expect(vmstat(m)).toMatchObject({ pgmigrateSuccess: 1, pgmigrateFail: 0 });
  });

  it('a PUD entry pointing to PMD table 2 survives migrating the folio at PFN 2', () => {
    const { m, mm } = tinyNormalZone();
    // Three 1 GiB regions: PMD tables 0, 1, 2. The 4 KiB page at BASE is PFN 2 (PTE
    // table 0); the other two are PMD-mapped THPs (no PTE table) at PFNs 512 and 1024.
    mapAt(mm, BASE, 4 * KIB, { zone: 'cma' });
    mapAt(mm, BASE + GIB, 2 * MIB, { zone: 'cma', order: 9 });
    mapAt(mm, BASE + 2 * GIB, 2 * MIB, { zone: 'cma', order: 9 });
    expect(userWrite(mm, BASE, 4096, 7)).toBe(0);
    expect(userWrite(mm, BASE + GIB, 2 * MIB, 8)).toBe(0);
    expect(userWrite(mm, BASE + 2 * GIB, 2 * MIB, 9)).toBe(0);
    expect([mm.pt.pmd.nrTables, mm.pt.pte.nrTables]).toEqual([3, 1]);
    expect([BASE, BASE + GIB, BASE + 2 * GIB].map((a) => pageAt(mm.pt, vpnOf(a)))).toEqual([2, 512, 1024]);

    expect(migrateFolioLongterm(m, 2)).toBe(0);
    expect([BASE, BASE + GIB, BASE + 2 * GIB].map((a) => pageAt(mm.pt, vpnOf(a)))).toEqual([1, 512, 1024]);
    expect(userReadTags(mm, BASE + 2 * GIB, 4096)).toEqual(new Int32Array([9]));
    expect(userReadTags(mm, BASE + GIB, 4096)).toEqual(new Int32Array([8]));
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([7]));
    expect(m.entireMapcount[1024]).toBe(1);
    expect(vmstat(m)).toMatchObject({ pgmigrateSuccess: 1, pgmigrateFail: 0 });
  });
});
