/**
 * zapVma's walk down the page tables: it skips what is not there, reads each level's
 * table from the entry above, and unmaps only the slots of its own range. Each test
 * keeps a mapping the walk must not touch next to the one it zaps, so a walk that
 * wandered into another table would show. Expectations worked by hand from mm/memory.c
 * `unmap_page_range` (`pgd_none_or_clear_bad`: next; no table is allocated on the way),
 * `zap_pud_range` / `zap_pmd_range` (`pmd_none`: next), `zap_pte_range` (`pte_none`:
 * next; `zap_present_ptes` batches only present PTEs mapping consecutive pages of one
 * folio), mm/hugetlb.c `__unmap_hugepage_range` (`BUG_ON(start & ~huge_page_mask(h))`,
 * the same for end) and mm/huge_memory.c `__split_huge_pmd_locked` (a file PMD is
 * cleared, leaving no PTE table to walk), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  KernelBug,
  PMD_ORDER,
  exitMmap,
  munmap,
  pageAt,
  userRead,
  userWrite,
  vmaLookup,
  vpnOf,
  zapVma,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;
const v = vpnOf(BASE);

describe('levels that are not there are skipped, not allocated or borrowed', () => {
  it('a range with no PUD table under its PGD entry: nothing allocated', () => {
    const { mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    expect(mm.pt.pud.nrTables).toBe(0);
    expect(munmap(mm, BASE, 8 * KIB)).toBe(0);
    expect(mm.pt.pud.nrTables).toBe(0);
  });

  it('an empty PUD entry beside a populated one: the other 1 GiB keeps its page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    mapAt(mm, BASE + GIB, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const page = pageAt(mm.pt, v);
    expect(munmap(mm, BASE + GIB, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(page);
    expect([m.refcount[page], m.mapcount[page]]).toEqual([1, 1]);
    exitMmap(mm);
  });

  it('an empty PMD entry beside a populated one: the other 2 MiB keeps its page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const page = pageAt(mm.pt, v);
    expect(munmap(mm, BASE + 2 * MIB, 2 * MIB)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(page);
    expect([m.refcount[page], m.mapcount[page]]).toEqual([1, 1]);
    exitMmap(mm);
  });
});

describe('each level is read from the entry above it', () => {
  it('a mapping in the first PUD slot (below 1 GiB) is unmapped and freed', () => {
    const { m, mm } = world();
    const low = 256 * MIB;
    mapAt(mm, low, 4 * KIB);
    const free = m.stat.nrFreePages;
    expect(userWrite(mm, low, 4 * KIB, 1)).toBe(0);
    const page = pageAt(mm.pt, vpnOf(low));
    expect(munmap(mm, low, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(low))).toBe(-1);
    expect(m.refcount[page]).toBe(0);
    expect(m.stat.nrFreePages).toBe(free);
  });

  it('a mapping under the second PMD table is unmapped and freed; the first keeps its page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    mapAt(mm, BASE + GIB, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const free = m.stat.nrFreePages;
    expect(userWrite(mm, BASE + GIB, 4 * KIB, 2)).toBe(0);
    expect(mm.pt.pmd.nrTables).toBe(2);
    const page = pageAt(mm.pt, vpnOf(BASE + GIB));
    expect(munmap(mm, BASE + GIB, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE + GIB))).toBe(-1);
    expect(m.refcount[page]).toBe(0);
    expect(m.stat.nrFreePages).toBe(free);
    expect(pageAt(mm.pt, v)).toBeGreaterThan(0);
    exitMmap(mm);
  });

  it('a file THP split by a partial munmap leaves no PTE table: the PTE table numbered like the folio is not walked', () => {
    // The cleared PMD entry still holds the folio's PFN (512). Anonymous pages in 513
    // separate 2 MiB regions make PTE tables 0..512; the last page of the last region
    // sits in slot 511 of table 512, the slot the munmapped page would have used.
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    const anon = 4 * GIB;
    mapAt(mm, anon, 513 * 2 * MIB);
    for (let r = 0; r < 513; r++) expect(userWrite(mm, anon + r * 2 * MIB + 2 * MIB - 4 * KIB, 4 * KIB, r)).toBe(0);
    expect(mm.pt.pte.nrTables).toBe(513);
    const last = vpnOf(anon + 513 * 2 * MIB - 4 * KIB);
    const page = pageAt(mm.pt, last);
    expect(munmap(mm, BASE + 2 * MIB - 4 * KIB, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, last)).toBe(page);
    expect([m.refcount[page], m.mapcount[page]]).toEqual([1, 1]);
    exitMmap(mm);
  });
});

describe('a 1 GiB hugetlb leaf is zapped whole or not at all', () => {
  it('a range that covers only part of the PUD leaf is a kernel bug, and nothing is unmapped', () => {
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, GIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const vma = vmaLookup(mm.vmas, BASE)!;
    const folio = pageAt(mm.pt, v);
    expect(() => zapVma(mm, vma, BASE, BASE + 2 * MIB)).toThrow(KernelBug);
    expect(() => zapVma(mm, vma, BASE, BASE + 2 * MIB)).toThrow(`zap of a partial PUD leaf at vpn ${v}`);
    expect(() => zapVma(mm, vma, BASE + 2 * MIB, BASE + GIB)).toThrow(`zap of a partial PUD leaf at vpn ${v + 512}`);
    expect(pageAt(mm.pt, v)).toBe(folio);
    expect([m.refcount[folio], m.entireMapcount[folio]]).toEqual([1, 1]);
    exitMmap(mm);
  });
});

describe('zap_pte_range over special PTEs and a folio mapped with a hole', () => {
  it('zero-page PTEs: a range starting at the second leaves the first mapped', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 12 * KIB);
    expect(userRead(mm, BASE, 12 * KIB)).toBe(0);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 2)]).toEqual([m.zeroPfn, m.zeroPfn]);
    expect(munmap(mm, BASE + 4 * KIB, 4 * KIB)).toBe(0);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 1), pageAt(mm.pt, v + 2)]).toEqual([m.zeroPfn, -1, m.zeroPfn]);
    exitMmap(mm);
  });

  it('an order-2 folio whose third PTE was zapped: a later zap puts one reference per PTE still present', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { order: 2 });
    expect(userWrite(mm, BASE, 16 * KIB, 1)).toBe(0);
    const folio = pageAt(mm.pt, v);
    expect([pageAt(mm.pt, v + 3), m.order[folio], m.refcount[folio]]).toEqual([folio + 3, 2, 4]);
    const vma = vmaLookup(mm.vmas, BASE)!;
    zapVma(mm, vma, BASE + 8 * KIB, BASE + 12 * KIB);
    expect([m.refcount[folio], m.mapcount[folio + 2]]).toEqual([3, 0]);
    // Slot 2 is none now; the zap from slot 1 batches nothing across it.
    zapVma(mm, vma, BASE + 4 * KIB, BASE + 16 * KIB);
    expect([m.refcount[folio], m.mapcount[folio], m.mapcount[folio + 1], m.mapcount[folio + 3]]).toEqual([1, 1, 0, 0]);
    expect(pageAt(mm.pt, v)).toBe(folio);
    // And from slot 0, over three none slots: one reference for the one PTE.
    zapVma(mm, vma, BASE, BASE + 16 * KIB);
    expect(m.refcount[folio]).toBe(0);
    exitMmap(mm);
  });
});
