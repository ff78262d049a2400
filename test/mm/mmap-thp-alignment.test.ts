/**
 * Where mmap(2) puts a mapping that may hold PMD-sized folios (thp_get_unmapped_area),
 * and where it does not align. The model aligns a mapping of 2 MiB or more whose folio
 * policy (or page-cache folio order) is PMD_ORDER and whose file offset is 2 MiB
 * aligned (src/mm/mmap.ts header); the cases here are ones where that agrees with the
 * kernel. Expectations worked by hand from v6.16+ mm/huge_memory.c
 * `__thp_get_unmapped_area` (len_pad = len + PMD_SIZE; a mapping that does not cover a
 * whole aligned PMD of the file is not aligned; `ret == addr` keeps a hint; top-down
 * with off_sub == 0 returns ret + size), ext4's .get_unmapped_area =
 * thp_get_unmapped_area, and mm/mmap.c `__get_unmapped_area` (anonymous memory is
 * aligned only for a length that is a multiple of PMD_SIZE).
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  MMAP_BASE,
  PMD_ORDER,
  PROT_READ,
  PROT_WRITE,
  createFile,
  fileRelease,
  mmap,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;

describe('thp_get_unmapped_area for a file with PMD-sized page-cache folios', () => {
  it('3 MiB at offset 0: padded search at MMAP_BASE - 5 MiB, moved up by off_sub = 1 MiB to MMAP_BASE - 4 MiB', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 4 * MIB, { order: PMD_ORDER }) as MmFile;
    expect(mmap(mm, { length: 3 * MIB, prot: RW, flags: MAP_SHARED, file })).toBe(MMAP_BASE - 4 * MIB);
    fileRelease(file);
  });

  it('3 MiB at offset 2 MiB, a nonzero multiple of PMD_SIZE: aligned as at offset 0, off_sub = (2 MiB - ret) mod 2 MiB = 1 MiB', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 6 * MIB, { order: PMD_ORDER }) as MmFile;
    expect(mmap(mm, { length: 3 * MIB, prot: RW, flags: MAP_SHARED, file, offset: 2 * MIB })).toBe(MMAP_BASE - 4 * MIB);
    fileRelease(file);
  });

  it('3 MiB at offset 4 KiB covers no whole aligned PMD of the file (3 MiB + 4 KiB - 2 MiB < 2 MiB): not aligned', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 4 * MIB, { order: PMD_ORDER }) as MmFile;
    expect(mmap(mm, { length: 3 * MIB, prot: RW, flags: MAP_SHARED, file, offset: 4 * KIB })).toBe(MMAP_BASE - 3 * MIB);
    fileRelease(file);
  });

  it('a hint off a 2 MiB boundary whose padded length does not fit is dropped: the aligned top-down answer', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    // [BASE + 4 KiB, + 2 MiB) is free, [BASE + 4 KiB, + 4 MiB) is not.
    mapAt(mm, BASE + 4 * KIB + 2 * MIB, 4 * KIB, { prot: PROT_READ });
    // len_pad 4 MiB lands at MMAP_BASE - 4 MiB, off_sub 0, so ret + PMD_SIZE.
    expect(mmap(mm, { addr: BASE + 4 * KIB, length: 2 * MIB, prot: RW, flags: MAP_SHARED, file })).toBe(MMAP_BASE - 2 * MIB);
    fileRelease(file);
  });
});

describe('no alignment', () => {
  it('private anonymous memory of 3 MiB, base-page policy: not a multiple of PMD_SIZE, so just below MMAP_BASE', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { length: 3 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS, order: 0 })).toBe(MMAP_BASE - 3 * MIB);
  });
});
