/**
 * MAP_HUGETLB on a hugetlbfs file descriptor (a `backing` of 'hugetlb-2m' or
 * 'hugetlb-1g' without MAP_ANONYMOUS): the file's huge page size decides the length
 * and alignment; MAP_HUGE_1GB / MAP_HUGE_2MB size bits are read only for anonymous
 * memory. Expectations worked by hand from v6.16+ mm/mmap.c `ksys_mmap_pgoff`
 * (`is_file_hugepages(file)`: len = ALIGN(len, huge_page_size(hstate_file(file)));
 * hstate_sizelog only in the MAP_ANONYMOUS branch) and fs/hugetlbfs/inode.c
 * `hugetlb_get_unmapped_area` (aligned to the huge page size).
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_HUGE_1GB,
  MAP_HUGETLB,
  MAP_SHARED,
  MMAP_BASE,
  PMD_ORDER,
  PROT_READ,
  PROT_WRITE,
  PUD_ORDER,
  VM_HUGETLB,
  mmap,
  vmaLookup,
} from '../../src/index.js';
import { KIB, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const GIB = 1024 * MIB;

describe('MAP_HUGETLB with a hugetlbfs file', () => {
  it('a 1 GiB-page file without size bits: a 1 GiB VMA on a 1 GiB boundary', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    const addr = mmap(mm, { length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_HUGETLB, backing: 'hugetlb-1g' });
    expect(addr).toBe(MMAP_BASE - GIB);
    const vma = vmaLookup(mm.vmas, addr)!;
    expect([vma.end - vma.start, vma.hugeOrder, vma.flags & VM_HUGETLB, vma.file!.order]).toEqual([GIB, PUD_ORDER, VM_HUGETLB, PUD_ORDER]);
  });

  it('a 2 MiB-page file with MAP_HUGE_1GB: the size bits are ignored, a 2 MiB VMA', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    const addr = mmap(mm, { length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_HUGETLB | MAP_HUGE_1GB, backing: 'hugetlb-2m' });
    expect(addr).toBe(MMAP_BASE - 2 * MIB);
    const vma = vmaLookup(mm.vmas, addr)!;
    expect([vma.end - vma.start, vma.hugeOrder, vma.file!.order]).toEqual([2 * MIB, PMD_ORDER, PMD_ORDER]);
  });
});
