/**
 * do_mmap rounds an address hint (no MAP_FIXED) before the search looks at it: down to
 * a page boundary, and a nonzero hint below mmap_min_addr up to mmap_min_addr; for
 * hugetlb, up to the huge page size; the rounded hint is then taken if it is free. Expectations worked by hand from v6.16+
 * mm/mmap.c `do_mmap` (`if (!(flags & MAP_FIXED)) addr = round_hint_to_min(addr)`),
 * mm/internal.h `round_hint_to_min` (hint &= PAGE_MASK; a nonzero hint below
 * mmap_min_addr becomes PAGE_ALIGN(mmap_min_addr)), fs/hugetlbfs/inode.c
 * `hugetlb_get_unmapped_area` (a nonzero hint is rounded up: ALIGN(addr,
 * huge_page_size(h))) and arch/x86/kernel/sys_x86_64.c `arch_get_unmapped_area_topdown`
 * (a valid, free hint is returned).
 */
import { describe, expect, it } from 'vitest';
import { MAP_ANONYMOUS, MAP_HUGETLB, MAP_PRIVATE, MMAP_BASE, MMAP_MIN_ADDR, PROT_READ, PROT_WRITE, mmap, vmaLookup } from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('round_hint_to_min', () => {
  it('a hint inside a page is rounded down to the page: BASE + 100 maps at BASE', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: BASE + 100, length: 8 * KIB, prot: RW, flags: ANON })).toBe(BASE);
    const vma = vmaLookup(mm.vmas, BASE)!;
    expect([vma.start, vma.end]).toEqual([BASE, BASE + 8 * KIB]);
  });

  it('a nonzero hint below mmap_min_addr becomes mmap_min_addr: 4 KiB + 5 maps at 0x10000', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: 4 * KIB + 5, length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_MIN_ADDR);
    expect(mm.vmas.map((v) => [v.start, v.end])).toEqual([[MMAP_MIN_ADDR, MMAP_MIN_ADDR + 4 * KIB]]);
  });

  it('a hint of 1 rounds down to 0, which is no hint: the search decides', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: 1, length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_BASE - 4 * KIB);
  });

  it('a hugetlb hint (2 MiB pages) 4 KiB past a boundary is rounded up to the next huge page and taken there', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: BASE + 4 * KIB, length: 2 * MIB, prot: RW, flags: ANON | MAP_HUGETLB })).toBe(BASE + 2 * MIB);
    const vma = vmaLookup(mm.vmas, BASE + 2 * MIB)!;
    expect([vma.start, vma.end]).toEqual([BASE + 2 * MIB, BASE + 4 * MIB]);
  });

  it('a negative hint is an address above TASK_SIZE (unsigned long): not valid, the search decides', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: -4 * KIB, length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_BASE - 4 * KIB);
  });
});
