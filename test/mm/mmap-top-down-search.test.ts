/**
 * mmap(2) without MAP_FIXED: where the top-down search puts a mapping, and the address
 * hint. Checks the exact-fit gap, the lowest gap at mmap_min_addr, VMAs above
 * mmap_base (outside the search), a hint of 0 (no hint), a hint exactly at
 * mmap_min_addr and at the top of the address space, and MAP_FIXED_NOREPLACE between
 * two neighbours that touch it. Expectations worked by hand from v6.16+:
 * mm/mmap.c `do_mmap` (round_hint_to_min; find_vma_intersection for
 * MAP_FIXED_NOREPLACE), arch/x86/kernel/sys_x86_64.c `arch_get_unmapped_area_topdown`
 * (`if (addr)`, mmap_address_hint_valid: `TASK_SIZE - len < addr` is invalid;
 * high_limit = mmap_base) and mm/vma.c `unmapped_area_topdown` (the highest gap that
 * holds the length; low_limit raised to mmap_min_addr).
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  MMAP_BASE,
  MMAP_MIN_ADDR,
  PROT_READ,
  PROT_WRITE,
  TASK_SIZE_MAX,
  mmap,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('top-down search (unmapped_area_topdown)', () => {
  it('a gap exactly the mapping\'s length is taken: its start is the lower neighbour\'s end', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, MMAP_BASE - 4 * KIB, 4 * KIB, { prot: PROT_READ });
    mapAt(mm, MMAP_BASE - 12 * KIB, 4 * KIB, { prot: PROT_READ });
    // The highest gap is [MMAP_BASE - 8 KiB, MMAP_BASE - 4 KiB): 4 KiB, enough.
    expect(mmap(mm, { length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_BASE - 8 * KIB);
    expect(mm.vmas.map((v) => v.start)).toEqual([MMAP_BASE - 12 * KIB, MMAP_BASE - 8 * KIB, MMAP_BASE - 4 * KIB]);
  });

  it('the lowest gap starts at mmap_min_addr and may be used to its first byte', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    // Read-only: no commit charge, so the kernel would make this mapping too.
    mapAt(mm, MMAP_MIN_ADDR + 4 * KIB, MMAP_BASE - MMAP_MIN_ADDR - 4 * KIB, { prot: PROT_READ });
    expect(mmap(mm, { length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_MIN_ADDR);
    expect(mm.vmas.length).toBe(2);
  });

  it('a VMA above mmap_base does not move the search: it starts below mmap_base', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, MMAP_BASE + MIB, 4 * KIB, { prot: PROT_READ });
    expect(mmap(mm, { length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_BASE - 4 * KIB);
  });
});

describe('the address hint', () => {
  it('a hint of 0 is no hint, though [0, len) is free: the search decides', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: 0, length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_BASE - 4 * KIB);
  });

  it('a free hint exactly at mmap_min_addr is taken', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: MMAP_MIN_ADDR, length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_MIN_ADDR);
  });

  it('a hint ending exactly at TASK_SIZE is taken; one page higher it is invalid and the search decides', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: TASK_SIZE_MAX - 4 * KIB, length: 4 * KIB, prot: RW, flags: ANON })).toBe(TASK_SIZE_MAX - 4 * KIB);
    expect(mmap(mm, { addr: TASK_SIZE_MAX, length: 4 * KIB, prot: RW, flags: ANON })).toBe(MMAP_BASE - 4 * KIB);
    expect(mm.vmas.map((v) => v.start)).toEqual([MMAP_BASE - 4 * KIB, TASK_SIZE_MAX - 4 * KIB]);
  });
});

describe('MAP_FIXED_NOREPLACE (find_vma_intersection)', () => {
  it('neighbours that end at the start and begin at the end do not intersect', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { prot: PROT_READ });
    mapAt(mm, BASE + 8 * KIB, 4 * KIB, { prot: PROT_READ });
    expect(mmap(mm, { addr: BASE + 4 * KIB, length: 4 * KIB, prot: RW, flags: ANON | MAP_FIXED_NOREPLACE })).toBe(BASE + 4 * KIB);
    expect(mm.vmas.map((v) => [v.start - BASE, v.end - BASE])).toEqual([[0, 4 * KIB], [4 * KIB, 8 * KIB], [8 * KIB, 12 * KIB]]);
  });
});
