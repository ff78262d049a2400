/**
 * Page tables that map nothing, left where an earlier, smaller mapping was. The kernel's
 * mm/mmap.c `free_pgtables` frees them at munmap (v6.16+); the model keeps table pages
 * until exit, so `clearDeadTable` detaches such a table when a huge leaf is to go in its
 * place, and leaves alone a table that still maps anything. installFolio with `pmd` or
 * `pud` then maps where the kernel would have found a none entry, and still answers
 * -EEXIST where a PTE below is live (mm/memory.c `set_pte_range` and the huge fault
 * paths never overwrite an entry that is not none).
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  EEXIST,
  PGD_LEVEL,
  PMD_LEVEL,
  PMD_ORDER,
  PTE_LEVEL,
  PUD_LEVEL,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  allocFolio,
  clearDeadTable,
  exitMmap,
  folioPut,
  installFolio,
  leafBitsAt,
  munmap,
  pageAt,
  pmdSlot,
  pudSlot,
  userWrite,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);
const TABLE = _PAGE_PRESENT | _PAGE_RW;
const HUGE_RW = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY | _PAGE_PSE;

describe('clearDeadTable', () => {
  it('keeps a PMD entry whose PTE table maps a page and the PUD entry above it; clears both once munmap emptied the PTE', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const ps = pmdSlot(mm.pt, v, false);
    const us = pudSlot(mm.pt, v, false);
    expect(clearDeadTable(mm.pt, PMD_LEVEL, ps)).toBe(false);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(false);
    expect([mm.pt.pmd.bits[ps], mm.pt.pud.bits[us], pageAt(mm.pt, v)]).toEqual([TABLE, TABLE, 1]);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    expect(mm.pt.pmd.bits[ps]).toBe(TABLE); // the empty PTE table is still hooked in
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(true);
    expect([mm.pt.pud.bits[us], mm.pt.pud.val[us]]).toEqual([0, 0]);
    expect(pmdSlot(mm.pt, v, false)).toBe(-1);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(true); // none stays none
  });

  it('keeps a PMD leaf and the PUD entry over it; after munmap the PMD entry is none and the PUD table entry dead', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const ps = pmdSlot(mm.pt, v, false);
    const us = pudSlot(mm.pt, v, false);
    expect(mm.pt.pmd.bits[ps]! & _PAGE_PSE).toBe(_PAGE_PSE);
    expect(clearDeadTable(mm.pt, PMD_LEVEL, ps)).toBe(false);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(false);
    expect(pageAt(mm.pt, v + 3)).toBe(515);
    expect(munmap(mm, BASE, 2 * MIB)).toBe(0);
    expect(m.refcount[512]).toBe(0);
    expect(clearDeadTable(mm.pt, PMD_LEVEL, ps)).toBe(true);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(true);
    expect(mm.pt.pud.bits[us]).toBe(0);
  });

  it('keeps a PUD entry whose PMD table points to a PTE table with one live PTE among dead ones', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    mapAt(mm, BASE + 4 * MIB, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(userWrite(mm, BASE + 4 * MIB, 4 * KIB, 2)).toBe(0);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    const us = pudSlot(mm.pt, v, false);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(false);
    expect(clearDeadTable(mm.pt, PMD_LEVEL, pmdSlot(mm.pt, v, false))).toBe(true); // the first PTE table is dead
    expect(pageAt(mm.pt, vpnOf(BASE + 4 * MIB))).toBe(2);
    exitMmap(mm);
  });

  it('keeps a PUD leaf', () => {
    const { mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 1024 * MIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const us = pudSlot(mm.pt, v, false);
    expect(clearDeadTable(mm.pt, PUD_LEVEL, us)).toBe(false);
    expect(pageAt(mm.pt, v)).toBe(262144);
    exitMmap(mm);
  });

  it('refuses a level other than PMD or PUD and a slot outside the tables allocated', () => {
    const { mm } = world();
    // One PUD table and one PMD table once an address has a PMD slot.
    const ps = pmdSlot(mm.pt, v, true);
    const us = pudSlot(mm.pt, v, false);
    for (const level of [PTE_LEVEL, PGD_LEVEL, 1.5, Number.NaN, -1])
      expect(() => clearDeadTable(mm.pt, level, ps), String(level)).toThrow(ArgumentError);
    for (const slot of [-1, 512, 0.5, Number.NaN])
      expect(() => clearDeadTable(mm.pt, PMD_LEVEL, slot), String(slot)).toThrow(ArgumentError);
    expect(() => clearDeadTable(mm.pt, PUD_LEVEL, 512)).toThrow(/clearDeadTable: slot .*0\.\.511/);
    expect([mm.pt.pud.bits[us], mm.pt.pmd.bits[ps]]).toEqual([TABLE, 0]);
    expect(clearDeadTable(mm.pt, PMD_LEVEL, 511)).toBe(true);
  });
});

describe('installFolio where a smaller mapping used to be', () => {
  it('a PMD leaf over the empty PTE table a 4 KiB mapping left behind', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    mapAt(mm, BASE, 2 * MIB);
    const thp = allocFolio(m, PMD_ORDER);
    expect(thp).toBe(512); // PFN 0, the zero page, keeps the first 2 MiB block
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: true })).toBe(0);
    expect(pageAt(mm.pt, v + 7)).toBe(519);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RW);
    expect([m.refcount[thp], m.entireMapcount[thp]]).toEqual([1, 1]);
    exitMmap(mm);
    expect(m.refcount[thp]).toBe(0);
  });

  it('-EEXIST while a PTE of that table still maps a page, leaving the page and the folio as they were', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB);
    expect(userWrite(mm, BASE + 8 * KIB, 4 * KIB, 1)).toBe(0); // PFN 1 at v + 2
    const thp = allocFolio(m, PMD_ORDER);
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: true })).toBe(-EEXIST);
    expect([pageAt(mm.pt, v + 2), pageAt(mm.pt, v)]).toEqual([1, -1]);
    expect([m.refcount[thp], m.entireMapcount[thp], m.refcount[1]]).toEqual([1, 0, 1]);
    exitMmap(mm);
    folioPut(m, thp);
  });

  it('a PUD leaf over the PMD and PTE tables a 4 KiB mapping left behind', () => {
    // PFN 0 (the zero page) fills the first 1 GiB block: the 1 GiB folio is PFN 262144.
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    mapAt(mm, BASE, 1024 * MIB, { shared: true, backing: 'hugetlb-1g' });
    const f = allocFolio(m, 18);
    expect(f).toBe(262144);
    expect(installFolio(mm, BASE, f, { pud: true, writable: true })).toBe(0);
    expect(pageAt(mm.pt, v + 1000)).toBe(f + 1000);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RW);
    // hugetlb_no_page: 2^18 page-cache references + the mapping's one.
    expect([m.refcount[f], m.entireMapcount[f]]).toEqual([262144 + 1, 1]);
    exitMmap(mm);
    expect(m.refcount[f]).toBe(0);
  });
});
