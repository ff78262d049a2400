/**
 * mmap(2) on the paths the address-space tests leave: MAP_HUGETLB with MAP_HUGE_1GB and
 * with a hugetlbfs file, MAP_SHARED | MAP_ANONYMOUS ignoring the offset, the address
 * hint (taken when it is free, else the top-down search), no gap big enough, MAP_FIXED
 * with no address, a hugetlbfs offset that is not huge-page aligned, MAP_NORESERVE,
 * the sharing-type and MAP_GROWSDOWN checks for files, and a device mapping larger than
 * the device or than memory. Expectations worked by hand from mm/mmap.c
 * `ksys_mmap_pgoff` (hstate_sizelog, ALIGN to the huge page size), `do_mmap` (the
 * switch on flags & MAP_TYPE for a file; `pgoff = 0` for MAP_SHARED anonymous memory;
 * MAP_NORESERVE -> VM_NORESERVE), `generic_get_unmapped_area_topdown` (the hint, then
 * vm_unmapped_area, -ENOMEM), fs/hugetlbfs/inode.c `hugetlbfs_file_mmap` (-EINVAL for
 * an unaligned vm_pgoff) and mm/memory.c `remap_pfn_range`, v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  EINVAL,
  ENOMEM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_HUGE_1GB,
  MAP_HUGETLB,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MMAP_BASE,
  PROT_READ,
  PROT_WRITE,
  PUD_ORDER,
  PMD_ORDER,
  VM_HUGETLB,
  VM_NORESERVE,
  createFile,
  fileRelease,
  mmap,
  vmaLookup,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const GIB = 1024 * MIB;
/** include/uapi/asm-generic/mman-common.h */
const MAP_NORESERVE = 0x4000;
const MAP_GROWSDOWN = 0x0100;

describe('MAP_HUGETLB', () => {
  it('MAP_ANONYMOUS | MAP_HUGE_1GB: a 1 GiB hugetlb VMA, the length rounded up to 1 GiB, placed on a 1 GiB boundary', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    const addr = mmap(mm, { length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB });
    expect(addr).toBe(MMAP_BASE - GIB);
    const vma = vmaLookup(mm.vmas, addr)!;
    expect([vma.end - vma.start, vma.hugeOrder, vma.flags & VM_HUGETLB]).toEqual([GIB, PUD_ORDER, VM_HUGETLB]);
  });

  it('with a hugetlbfs file the flag is accepted and the file decides the page size', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED | MAP_HUGETLB, file })).toBe(BASE);
    const vma = vmaLookup(mm.vmas, BASE)!;
    expect([vma.end - vma.start, vma.hugeOrder]).toEqual([2 * MIB, PMD_ORDER]);
    expect(file.users).toBe(2);
    fileRelease(file);
  });

  it('a hugetlbfs offset that is not a multiple of the huge page size is -EINVAL', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 4 * MIB) as MmFile;
    expect(mmap(mm, { length: 2 * MIB, prot: RW, flags: MAP_SHARED, file, offset: 4 * KIB })).toBe(-EINVAL);
    expect([mm.vmas.length, file.users]).toEqual([0, 1]);
    fileRelease(file);
  });
});

describe('offsets and VM flags', () => {
  it('MAP_SHARED | MAP_ANONYMOUS ignores the offset (pgoff 0); a shmem file mapping keeps it', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: BASE, length: 8 * KIB, prot: RW, flags: MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, backing: 'shmem', offset: 4 * KIB })).toBe(BASE);
    expect(vmaLookup(mm.vmas, BASE)!.pgoff).toBe(0);
    expect(mmap(mm, { addr: BASE + MIB, length: 8 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, backing: 'shmem', offset: 4 * KIB })).toBe(BASE + MIB);
    expect(vmaLookup(mm.vmas, BASE + MIB)!.pgoff).toBe(1);
  });

  it('MAP_NORESERVE sets VM_NORESERVE', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED })).toBe(BASE + MIB);
    expect(vmaLookup(mm.vmas, BASE)!.flags & VM_NORESERVE).toBe(VM_NORESERVE);
    expect(vmaLookup(mm.vmas, BASE + MIB)!.flags & VM_NORESERVE).toBe(0);
  });

  it('a file: MAP_SHARED_VALIDATE with legacy flags only is accepted, sharing type 0 and MAP_GROWSDOWN are -EINVAL', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: RW, flags: MAP_SHARED_VALIDATE | MAP_FIXED, backing: 'ext4' })).toBe(BASE);
    expect(vmaLookup(mm.vmas, BASE)!.file!.kind).toBe('ext4');
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_FIXED, backing: 'ext4' })).toBe(-EINVAL);
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN, backing: 'ext4' })).toBe(-EINVAL);
    expect(mm.vmas.length).toBe(1);
  });
});

describe('placement (get_unmapped_area, top-down)', () => {
  it('a free, aligned hint is taken; an overlapping one falls back to the highest gap below MMAP_BASE', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    const anon = MAP_PRIVATE | MAP_ANONYMOUS;
    expect(mmap(mm, { addr: BASE, length: 8 * KIB, prot: RW, flags: anon })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 4 * KIB, length: 8 * KIB, prot: RW, flags: anon })).toBe(MMAP_BASE - 8 * KIB);
  });

  it('no gap big enough is -ENOMEM', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { length: MMAP_BASE, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS })).toBe(-ENOMEM);
    expect(mm.vmas.length).toBe(0);
  });

  it('MAP_FIXED with no address is address 0, below mmap_min_addr (the model answers -ENOMEM, see README)', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED })).toBe(-ENOMEM);
    expect(mm.vmas.length).toBe(0);
  });
});

describe('device (VM_PFNMAP) mappings', () => {
  it('a mapping larger than the device file is -EINVAL, and the file keeps only its own user', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'device', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 8 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(-EINVAL);
    expect([mm.vmas.length, file.users, m.refcount[1]]).toEqual([0, 1, 1]);
    fileRelease(file);
    expect(m.refcount[1]).toBe(0);
  });

  it('a device larger than free memory is -ENOMEM, and the frames taken on the way are given back', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const free = m.stat.nrFreePages;
    expect(mmap(mm, { addr: BASE, length: 32 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, backing: 'device' })).toBe(-ENOMEM);
    expect(mm.vmas.length).toBe(0);
    expect(m.stat.nrFreePages).toBe(free);
  });
});
