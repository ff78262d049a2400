/**
 * A hugetlb fault where an earlier, smaller mapping left an empty page table clears
 * that table at the level of the huge page and nowhere else: a live table at the same
 * slot index one level up or down (another part of the address space) stays, with
 * what it maps. The kernel's mm/mmap.c `free_pgtables` freed the empty table at munmap
 * (v6.16+), so mm/hugetlb.c `hugetlb_fault` finds a none PMD (2 MiB) or PUD (1 GiB)
 * entry through `huge_pte_alloc` and `hugetlb_no_page` maps the huge page there; the
 * other mapping is not touched. The slot numbers are the model's (tables numbered in
 * allocation order); each test first checks the coincidence it relies on.
 */
import { describe, expect, it } from 'vitest';
import {
  exitMmap,
  leafBitsAt,
  munmap,
  pageAt,
  pmdSlot,
  pudSlot,
  userReadTags,
  userWrite,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, LEAF_RW, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('the dead table is cleared at the huge page\'s own level', () => {
  it('2 MiB: the PMD slot of the dead PTE table has the number of the live PUD slot above', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 1, live
    mapAt(mm, BASE + 2 * MIB, 4 * KIB);
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 2)).toBe(0); // PFN 2
    expect(munmap(mm, BASE + 2 * MIB, 4 * KIB)).toBe(0); // its PTE table is empty now
    expect(pmdSlot(mm.pt, v + 512, false)).toBe(pudSlot(mm.pt, v, false));
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 3)).toBe(0);
    expect([pageAt(mm.pt, v + 512), leafBitsAt(mm.pt, v + 512)]).toEqual([512, LEAF_RW]);
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(userReadTags(mm, BASE, 4 * KIB)).toEqual(new Int32Array([1]));
    expect([m.refcount[512], m.entireMapcount[512], m.refcount[1], m.mapcount[1]]).toEqual([1, 1, 1, 1]);
    exitMmap(mm);
  });

  it('1 GiB: the PUD slot of the dead PMD table has the number of a live PMD slot elsewhere', () => {
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    const far = BASE + 1024 * MIB + 2 * MIB; // the next GiB: its PMD table is the first one made
    mapAt(mm, far, 4 * KIB);
    expect(userWrite(mm, far, 4 * KIB, 1)).toBe(0); // PFN 1, live
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0); // PFN 2
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0); // its PMD and PTE tables map nothing now
    expect(pudSlot(mm.pt, v, false)).toBe(pmdSlot(mm.pt, vpnOf(far), false));
    mapAt(mm, BASE, 1024 * MIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 3)).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([262144, LEAF_RW]);
    expect(pageAt(mm.pt, vpnOf(far))).toBe(1);
    expect(userReadTags(mm, far, 4 * KIB)).toEqual(new Int32Array([1]));
    expect([m.refcount[262144], m.entireMapcount[262144], m.refcount[1], m.mapcount[1]]).toEqual([1, 1, 1, 1]);
    exitMmap(mm);
  });
});
