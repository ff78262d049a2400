/**
 * hugetlb faults: a fault on a leaf that already allows the access, a private mapping
 * over a hugetlbfs file with a cached folio (mapped read-only, copied on write), SIGBUS
 * past the end of the file, a write without VM_WRITE (the FOLL_FORCE WARN), a write
 * fault on a read-only shared leaf, an unshare of an exclusive anonymous hugetlb page,
 * and a 1 GiB page where a smaller mapping once left page tables. Expectations worked
 * by hand from mm/hugetlb.c `hugetlb_fault`, `hugetlb_no_page` (private: the cached
 * folio if any, else a new anonymous one; FAULT_FLAG_WRITE on a private mapping goes on
 * to hugetlb_wp; SIGBUS past i_size), `hugetlb_wp` (WARN_ON_ONCE and SIGSEGV without
 * VM_WRITE; VM_MAYSHARE: set_huge_ptep_writable; an anonymous folio mapped once is
 * reused, unshare leaving it read-only; otherwise a copy) and mm/mmap.c
 * `free_pgtables` (munmap frees the page tables under the range), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  PROT_WRITE,
  allocFolio,
  createFile,
  exitMmap,
  fileRelease,
  handleMmFault,
  installFolio,
  leafBitsAt,
  mmap,
  munmap,
  pageAt,
  userRead,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, LEAF_RO, LEAF_RW, MIB, mapAt, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

describe('hugetlb_fault on a present leaf', () => {
  it('a read, and a write to a writable shared leaf, leave the leaf and the counts as they are', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    expect(handleMmFault(mm, BASE + 8 * KIB, { write: false })).toBe(0);
    expect(handleMmFault(mm, BASE + 8 * KIB, { write: true })).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([513, 1]);
    expect(vmstat(m).pgfault).toBe(3);
    exitMmap(mm);
  });
});

describe('private mappings of a hugetlbfs file', () => {
  it('a read maps the cached folio read-only; a write fault copies it into an anonymous page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 2 * MIB, length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 2 * MIB);
    expect(mmap(mm, { addr: BASE + 4 * MIB, length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 4 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // page cache folio PFN 512
    expect(userRead(mm, BASE + 2 * MIB, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v + 512)).toBe(512);
    expect(leafBitsAt(mm.pt, v + 512)).toBe(LEAF_RO);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([514, 2]);
    // A write fault with nothing mapped: hugetlb_no_page maps the cached folio, hugetlb_wp copies it (PFN 1024).
    expect(userWrite(mm, BASE + 4 * MIB + 4 * KIB, 4 * KIB, 6)).toBe(0);
    expect(pageAt(mm.pt, v + 1024)).toBe(1024);
    expect(leafBitsAt(mm.pt, v + 1024)).toBe(LEAF_RW);
    expect([m.refcount[1024], m.entireMapcount[1024], m.flags[1024]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, PG_ANON_EXCLUSIVE]);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([514, 2]);
    expect(userReadTags(mm, BASE + 4 * MIB, 8 * KIB)).toEqual(new Int32Array([5, 6]));
    expect(vmstat(m).cowCopies).toBe(1);
    exitMmap(mm);
    fileRelease(file);
    expect(m.stat.nrFreePages).toBe(4096 - 1);
  });

  it('past the end of the file: SIGBUS (-EFAULT) for shared and private mappings alike', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 4 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 4 * MIB, length: 4 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 4 * MIB);
    const free = m.stat.nrFreePages;
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: true })).toBe(-EFAULT);
    expect(handleMmFault(mm, BASE + 6 * MIB, { write: false })).toBe(-EFAULT);
    expect(pageAt(mm.pt, v + 512)).toBe(-1);
    expect(pageAt(mm.pt, v + 1536)).toBe(-1);
    expect(m.stat.nrFreePages).toBe(free);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('hugetlb_wp', () => {
  it('a write fault without VM_WRITE (FOLL_FORCE) WARNs and is SIGSEGV; the page stays mapped read-only', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m', prot: PROT_READ });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(-EFAULT);
    expect(m.warnings).toEqual(['hugetlb_wp: FOLL_FORCE-style write fault on a hugetlb mapping']);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([1, 1]);
    exitMmap(mm);
  });

  it('a write fault on a read-only leaf of a shared mapping makes it writable and dirty in place', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    const f = allocFolio(m, 9);
    expect(f).toBe(512);
    expect(installFolio(mm, BASE, f, { pmd: true, writable: false })).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([513, 1, 0]);
    exitMmap(mm);
  });

  it('an unshare of an exclusive anonymous hugetlb page mapped once keeps it, read-only', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0); // a new anonymous folio, read-only on a read fault
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect([m.refcount[512], m.flags[512]! & PG_ANON_EXCLUSIVE]).toEqual([1, PG_ANON_EXCLUSIVE]);
    expect([vmstat(m).unshareFaults, vmstat(m).cowCopies]).toEqual([1, 0]);
    exitMmap(mm);
  });
});

describe('a huge page where a smaller mapping used to be (free_pgtables)', () => {
  it('2 MiB hugetlb over the PTE table a 4 KiB mapping left behind', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    exitMmap(mm);
    expect(m.stat.nrFreePages).toBe(4096 - 1);
  });

  it('1 GiB hugetlb over the PMD table (and the PTE table under it) a 4 KiB mapping left behind', () => {
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    mapAt(mm, BASE, 1024 * MIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0);
    expect(pageAt(mm.pt, v + 3)).toBe(262144 + 3);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    expect([m.refcount[262144], m.entireMapcount[262144]]).toEqual([1, 1]);
    exitMmap(mm);
  });

  it('1 GiB hugetlb over the empty PMD table a 2 MiB hugetlb mapping left behind', () => {
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(munmap(mm, BASE, 2 * MIB)).toBe(0);
    mapAt(mm, BASE, 1024 * MIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(262144);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    exitMmap(mm);
    expect(m.stat.nrFreePages).toBe(524288 - 1);
  });
});
