/**
 * munmap over PMD-level entries the anonymous THP tests do not reach: a partial munmap
 * of a shared shmem THP (a file PMD is zapped, not split into PTEs, and the rest of
 * the mapping refaults with PTEs from the page cache), a range whose first PMD entry is
 * none, and split_huge_pmd where there is nothing to split. Expectations worked by hand
 * from mm/huge_memory.c `__split_huge_pmd_locked` (!vma_is_anonymous: clear the PMD,
 * folio_remove_rmap_pmd, folio_put; no-op unless the PMD is a leaf; VM_BUG_ON for a
 * hugetlb VMA is the hugetlb code's own path), mm/memory.c `zap_pmd_range` (pmd_none:
 * next) and `finish_fault`, v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  KernelBug,
  PMD_ORDER,
  _PAGE_PSE,
  exitMmap,
  leafBitsAt,
  munmap,
  pageAt,
  splitHugePmd,
  userRead,
  userReadTags,
  userWrite,
  vmaLookup,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('munmap of part of a shared shmem THP', () => {
  it('the PMD is zapped (the page cache keeps the folio); the rest of the mapping refaults one PTE at a time', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, order: PMD_ORDER });
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB, 9)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([513, 1]);
    expect(munmap(mm, BASE + 2 * MIB - 4 * KIB, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(-1);
    expect([m.refcount[512], m.entireMapcount[512], m.mapcount[512]]).toEqual([512, 0, 0]);
    // The VMA is one page short of 2 MiB now: no PMD, and the folio no longer fits whole.
    expect(userReadTags(mm, BASE + 4 * KIB, 4 * KIB)).toEqual(new Int32Array([9]));
    expect(pageAt(mm.pt, v + 1)).toBe(513);
    expect(leafBitsAt(mm.pt, v + 1) & _PAGE_PSE).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(-1);
    expect([m.refcount[512], m.mapcount[513]]).toEqual([513, 1]);
    exitMmap(mm);
    expect(m.refcount[512]).toBe(0);
  });
});

describe('zap and split where there is nothing at the PMD level', () => {
  it('munmap of a range whose first 2 MiB was never touched frees only what the second maps', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * MIB);
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 1)).toBe(0); // PFN 1
    expect(munmap(mm, BASE, 4 * MIB)).toBe(0);
    expect(m.refcount[1]).toBe(0);
    expect(m.stat.nrFreePages).toBe(4096 - 1);
  });

  it('split_huge_pmd: no-op without a PMD table or with a PTE table; a hugetlb VMA is a kernel bug', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB);
    const vma = vmaLookup(mm.vmas, BASE)!;
    splitHugePmd(mm, vma, v);
    expect(pageAt(mm.pt, v)).toBe(-1);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const bits = leafBitsAt(mm.pt, v);
    splitHugePmd(mm, vma, v);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v), m.refcount[1], m.mapcount[1]]).toEqual([1, bits, 1, 1]);
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userRead(mm, BASE + 2 * MIB, 4 * KIB)).toBe(0);
    expect(() => splitHugePmd(mm, vmaLookup(mm.vmas, BASE + 2 * MIB)!, v + 512)).toThrow(KernelBug);
    expect(() => splitHugePmd(mm, vmaLookup(mm.vmas, BASE + 2 * MIB)!, v + 512)).toThrow(/split_huge_pmd on a hugetlb VMA at vpn/);
    expect(pageAt(mm.pt, v + 512)).toBe(512);
    exitMmap(mm);
  });
});
