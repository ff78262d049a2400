/**
 * The page-table calls of src/mm/page-table.ts at their edges: a new mm has its PGD and
 * nothing else (mm_alloc_pgd); looking up a slot or a leaf where no table is allocates
 * nothing and answers -1; pte_alloc under a PUD leaf is refused without a table; the
 * dead-table sweep keeps a PUD entry whose PMD table holds a THP; and each argument
 * check's full text. The model's slot arithmetic is its own (four pools of 512-entry
 * tables, src/mm/page-table.ts header); the kernel rules it follows are mm/memory.c
 * `__pte_alloc` / `__pmd_alloc` (a table only under a none entry), `pmd_none_or_clear_bad`
 * and `free_pgtables` (only tables that map nothing go), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  PGD_PAGES,
  PMD_ORDER,
  PUD_LEVEL,
  PageTableLevel,
  _PAGE_PSE,
  clearDeadTable,
  createMm,
  exitMmap,
  findLeaf,
  leafBitsAt,
  leafLevel,
  munmap,
  pageAt,
  pteSlot,
  pudSlot,
  userWrite,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';
import { newMachine } from '../support/machines.js';
import { thrownBy } from '../support/refused.js';

const GIB = 1024 * MIB;

describe('tables that are not there', () => {
  it('a new mm has its PGD table and nothing below it', () => {
    const mm = createMm(newMachine());
    expect([mm.pt.pgd.nrTables, mm.pt.pud.nrTables, mm.pt.pmd.nrTables, mm.pt.pte.nrTables]).toEqual([1, 0, 0, 0]);
    exitMmap(mm);
  });

  it('pudSlot and findLeaf under a none PGD entry: -1, and no PUD table is allocated', () => {
    const mm = createMm(newMachine());
    expect(pudSlot(mm.pt, vpnOf(BASE), false)).toBe(-1);
    expect(findLeaf(mm.pt, vpnOf(BASE))).toBe(-1);
    expect(findLeaf(mm.pt, PGD_PAGES * 3)).toBe(-1);
    expect(mm.pt.pud.nrTables).toBe(0);
    exitMmap(mm);
  });

  it('pteSlot with alloc under a 1 GiB PUD leaf: -1, no PTE table allocated', () => {
    const { mm } = world({ memoryBytes: 2 * GIB });
    mapAt(mm, BASE, GIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(leafLevel(findLeaf(mm.pt, vpnOf(BASE)))).toBe(PUD_LEVEL);
    const tables = mm.pt.pte.nrTables;
    expect(pteSlot(mm.pt, vpnOf(BASE) + 7, true)).toBe(-1);
    expect(mm.pt.pte.nrTables).toBe(tables);
    exitMmap(mm);
  });
});

describe('clearDeadTable', () => {
  it('a PUD entry whose PMD table holds a THP leaf is not dead, even when the PTE table numbered like the THP maps nothing', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    // The first free 2 MiB block: PFN 0 (the zero page) holds the one at 0.
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(512);
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_PSE).toBe(_PAGE_PSE);
    // 513 PTE tables in another 1 GiB region, emptied by munmap (the model keeps table
    // pages until exit): PTE table 512 exists and maps nothing. Reading the THP's PFN as a
    // table number would find it empty.
    const far = BASE + GIB;
    mapAt(mm, far, 513 * 2 * MIB);
    for (let r = 0; r < 513; r++) expect(userWrite(mm, far + r * 2 * MIB, 4 * KIB, 2)).toBe(0);
    expect(mm.pt.pte.nrTables).toBe(513); // the THP took none (no deposited table in the model)
    expect(munmap(mm, far, 513 * 2 * MIB)).toBe(0);
    const us = pudSlot(mm.pt, vpnOf(BASE), false);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(false);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(512);
    expect(m.refcount[512]).toBe(1);
    exitMmap(mm);
  });
});

describe('argument-check texts', () => {
  it('name the function, the argument, what it must be and what it got', () => {
    const mm = createMm(newMachine());
    const rows: readonly [() => unknown, string][] = [
      [() => findLeaf(mm.pt, -1), 'findLeaf: vpn must be a virtual page number in 0..68719476735, got -1'],
      [() => new PageTableLevel(-1), 'PageTableLevel: initialTables must be an integer in 0..1048575, got -1'],
      [() => mm.pt.level(4), 'PageTables.level: l must be a level in 0..3, got 4'],
      [() => clearDeadTable(mm.pt, 0, 0), 'clearDeadTable: level must be PMD_LEVEL or PUD_LEVEL, got 0'],
      [() => leafLevel(-1), 'leafLevel: leaf must be a findLeaf result >= 0 (a leaf was found), got -1'],
    ];
    for (const [run, message] of rows) {
      const e = thrownBy(run);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toBe(message);
    }
    exitMmap(mm);
  });
});
