/**
 * The page tables split_huge_pmd touches: with no page table covering the address it
 * is a no-op that allocates none (split_huge_pmd_address finds no PMD via mm_find_pmd
 * and returns), and a split fills exactly the HPAGE_PMD_NR entries of the one new PTE
 * table, so a PTE table allocated later starts empty (pte_alloc hands out a zeroed
 * table). Expectations worked by hand from mm/huge_memory.c `split_huge_pmd_address`,
 * `__split_huge_pmd_locked` (the `for (i = 0, addr = haddr; i < HPAGE_PMD_NR; ...)`
 * loop) and mm/rmap.c `mm_find_pmd`, v6.16.
 */
import { describe, expect, it } from 'vitest';
import { exitMmap, leafBitsAt, munmap, pageAt, splitHugePmd, userWrite, vmaLookup, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('split_huge_pmd and page-table allocation', () => {
  it('no page table covers the address: nothing is split and no table is allocated', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: 9 }); // never faulted: no PUD, PMD or PTE table below the PGD
    const tables = () => [mm.pt.pud.nrTables, mm.pt.pmd.nrTables, mm.pt.pte.nrTables];
    const before = tables();
    splitHugePmd(mm, vmaLookup(mm.vmas, BASE)!, v + 5);
    expect(tables()).toEqual(before);
    expect([pageAt(mm.pt, v + 5), leafBitsAt(mm.pt, v + 5)]).toEqual([-1, 0]);
  });

  it('after a split, the next PTE table allocated holds only the PTE its fault installs', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    mapAt(mm, BASE + 2 * MIB, 2 * MIB); // order 0: PTE-mapped
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PMD-mapped THP at PFN 512
    expect(pageAt(mm.pt, v)).toBe(512);
    const pteTables = mm.pt.pte.nrTables;
    // munmap of the THP's last page: zap_pmd_range splits the PMD into a new PTE table.
    expect(munmap(mm, BASE + 2 * MIB - 4 * KIB, 4 * KIB)).toBe(0);
    expect(mm.pt.pte.nrTables).toBe(pteTables + 1);
    expect([pageAt(mm.pt, v + 510), pageAt(mm.pt, v + 511)]).toEqual([512 + 510, -1]);
    // Page 1 of the next 2 MiB: its fault allocates the next PTE table.
    const w = vpnOf(BASE + 2 * MIB);
    expect(userWrite(mm, BASE + 2 * MIB + 4 * KIB, 4 * KIB, 2)).toBe(0);
    expect(mm.pt.pte.nrTables).toBe(pteTables + 2);
    expect(pageAt(mm.pt, w + 1)).toBe(1024); // next-fit: the page after the THP (PFNs 512..1023)
    for (const i of [0, 2, 511]) expect([pageAt(mm.pt, w + i), leafBitsAt(mm.pt, w + i)]).toEqual([-1, 0]);
    // The THP: 511 PTE mappings, one reference each; the unmapped last page has none.
    expect([m.refcount[512], m.entireMapcount[512], m.mapcount[512], m.mapcount[512 + 511]]).toEqual([511, 0, 1, 0]);
    exitMmap(mm);
  });
});
