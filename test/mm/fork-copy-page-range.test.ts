/**
 * fork()'s page-table copy on the paths the basic fork tests do not take: an empty PUD
 * entry inside a copied VMA, page-cache pages in a private file mapping, a 1 GiB
 * hugetlb PUD leaf, a hugetlb page-cache folio in a private mapping, a PMD leaf in a
 * file VMA, and -ENOMEM when the copy a DMA-pinned exclusive page needs cannot be
 * allocated. Expectations worked by hand from kernel/fork.c `dup_mmap` and mm/memory.c
 * `copy_page_range` / `copy_pud_range` (pud_none_or_clear_bad skips), `copy_present_pte`,
 * `copy_present_page` (folio_needs_cow_for_dma), mm/huge_memory.c `copy_huge_pmd`
 * ("Skip if can be re-fill on fault": !vma_is_anonymous) and mm/hugetlb.c
 * `copy_hugetlb_page_range` (v6.16+). dup_mmap's failure path ends in exit_mmap of the
 * half-built child.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  FOLL_WRITE,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  PROT_WRITE,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  allocFolio,
  createFile,
  exitMmap,
  fileRelease,
  fork,
  installFolio,
  leafBitsAt,
  machineMms,
  mmap,
  pageAt,
  pinUserPagesFast,
  unpinUserPages,
  userRead,
  userReadTags,
  userWrite,
  vpnOf,
  type Mm,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';
import { giveBack, holdAllFree } from '../support/hold-free.js';

const RW = PROT_READ | PROT_WRITE;

describe('copy_page_range: what is copied', () => {
  it('a VMA straddling a 1 GiB boundary: the PUD entry that is none is skipped, the other copied', () => {
    const { m, mm } = world();
    mapAt(mm, BASE - 4 * KIB, 8 * KIB); // last page of PUD 0, first page of PUD 1
    expect(userWrite(mm, BASE, 4 * KIB, 6)).toBe(0); // PFN 1; the page below BASE is never touched
    const c = forked(mm);
    expect(pageAt(c.pt, vpnOf(BASE - 4 * KIB))).toBe(-1);
    expect(pageAt(c.pt, vpnOf(BASE))).toBe(1);
    expect([m.refcount[1], m.mapcount[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    exitMmap(c);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([1, 1]);
  });

  it('a private file mapping with a COWed page: its page-cache pages gain a reference and a mapping, no PageAnonExclusive change', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 8 * KIB, { backing: 'ext4' });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0); // do_read_fault: page cache PFN 1 (cache + mapping)
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB, 5)).toBe(0); // do_cow_fault: cache PFN 2, anon copy PFN 3
    expect([m.refcount[1], m.refcount[2], m.refcount[3]]).toEqual([2, 1, 1]);
    const c = forked(mm);
    // The file page: folio_get + folio_dup_file_rmap_pte; the child's PTE is read-only and old.
    expect([m.refcount[1], m.mapcount[1]]).toEqual([3, 2]);
    expect(pageAt(c.pt, vpnOf(BASE))).toBe(1);
    expect(leafBitsAt(c.pt, vpnOf(BASE))).toBe(_PAGE_PRESENT);
    // The anonymous copy is shared read-only and loses PageAnonExclusive.
    expect([m.refcount[3], m.mapcount[3], m.flags[3]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect(leafBitsAt(mm.pt, vpnOf(BASE + 4 * KIB)) & _PAGE_RW).toBe(0);
    exitMmap(c);
    expect([m.refcount[1], m.refcount[3]]).toEqual([2, 1]);
  });

  it('a private 1 GiB hugetlb page: one PUD leaf shared write-protected, the folio loses PageAnonExclusive', () => {
    // PFN 0 (the zero page) sits in the first 1 GiB block, so the first 1 GiB folio is PFN 262144.
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 1024 * MIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 8)).toBe(0);
    const f = 262144;
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(f);
    expect(m.flags[f]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    const c = forked(mm);
    expect([m.refcount[f], m.entireMapcount[f], m.flags[f]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    const parentBits = leafBitsAt(mm.pt, vpnOf(BASE));
    expect(parentBits).toBe(_PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_DIRTY);
    expect(leafBitsAt(c.pt, vpnOf(BASE))).toBe(parentBits); // hugetlb copies the entry as is
    expect(pageAt(c.pt, vpnOf(BASE) + 5)).toBe(f + 5);
    exitMmap(c);
    expect([m.refcount[f], m.entireMapcount[f]]).toEqual([1, 1]);
  });

  it('a private hugetlb mapping mapping a page-cache folio: the child maps it too, with a reference (not anonymous, nothing to un-exclude)', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 4 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 4 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 4 * MIB, length: 4 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 4 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 3)).toBe(0); // page cache folio PFN 512: 512 cache refs + the PMD
    expect(userRead(mm, BASE + 4 * MIB, 4 * KIB)).toBe(0); // private read of the cached folio: +1 ref, +1 entire map
    expect(userWrite(mm, BASE + 6 * MIB, 4 * KIB, 4)).toBe(0); // no cached folio at pgoff 512: anon folio PFN 1024
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([514, 2]);
    const c = forked(mm);
    expect(pageAt(c.pt, vpnOf(BASE))).toBe(-1); // the shared VMA has no anon_vma: not copied
    expect(pageAt(c.pt, vpnOf(BASE + 4 * MIB))).toBe(512);
    expect(leafBitsAt(c.pt, vpnOf(BASE + 4 * MIB)) & _PAGE_RW).toBe(0);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([515, 3]);
    expect([m.refcount[1024], m.entireMapcount[1024], m.flags[1024]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect(userReadTags(c, BASE + 4 * MIB, 4 * KIB)).toEqual(new Int32Array([3]));
    exitMmap(c);
    exitMmap(mm);
    fileRelease(file);
    expect(m.stat.nrFreePages).toBe(4096 - 1);
  });

  it('copy_huge_pmd skips a PMD leaf in a VMA that is not anonymous: the child refaults it from the file', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'ext4' });
    const thp = allocFolio(m, 9);
    expect(thp).toBe(512);
    // The model maps private file memory with PTEs only, so the one way to put a PMD leaf in
    // a private file VMA is installFolio (which makes the folio anonymous and gives the VMA
    // an anon_vma). copy_huge_pmd's rule looks at the VMA alone: it is not anonymous, skip.
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: true })).toBe(0);
    const c = forked(mm);
    expect(pageAt(c.pt, vpnOf(BASE))).toBe(-1);
    expect([m.refcount[thp], m.entireMapcount[thp], m.flags[thp]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, PG_ANON_EXCLUSIVE]);
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_RW).toBe(_PAGE_RW);
    exitMmap(c);
    exitMmap(mm);
    expect(m.refcount[thp]).toBe(0);
  });
});

describe('copy_page_range: -ENOMEM tears the child down', () => {
  it('a DMA-pinned exclusive page needs a copy for the child: with no free page fork fails, the parent is untouched', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 7)).toBe(0); // PFN 1
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    expect(m.refcount[1]).toBe(1025); // the mapping + GUP_PIN_COUNTING_BIAS
    const held = holdAllFree(m);
    const bitsBefore = leafBitsAt(mm.pt, vpnOf(BASE));
    const seq = mm.writeProtectSeq;
    expect(fork(mm)).toBe(-ENOMEM);
    expect(machineMms(m).size).toBe(1);
    expect(mm.writeProtectSeq).toBe(seq + 2);
    expect([m.refcount[1], m.mapcount[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([1025, 1, PG_ANON_EXCLUSIVE]);
    expect(leafBitsAt(mm.pt, vpnOf(BASE))).toBe(bitsBefore);
    // With memory back, the child gets its own copy (PFN 2, the first free page) and the parent keeps PFN 1 writable.
    giveBack(m, held);
    const c = forked(mm);
    expect(pageAt(c.pt, vpnOf(BASE))).toBe(2);
    expect(leafBitsAt(c.pt, vpnOf(BASE))).toBe(_PAGE_PRESENT | _PAGE_DIRTY | _PAGE_RW);
    expect(userReadTags(c, BASE, 4 * KIB)).toEqual(new Int32Array([7]));
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_RW).toBe(_PAGE_RW);
    unpinUserPages(m, pages, 1);
    exitMmap(c);
  });

  it('a DMA-pinned exclusive hugetlb page: no free 2 MiB block for the child\'s copy is -ENOMEM', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 9)).toBe(0); // anonymous hugetlb folio PFN 512
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    expect([m.refcount[512], m.pincount[512]]).toEqual([2, 1]);
    const held = holdAllFree(m);
    // The model has no hugetlb pool: its huge pages come from the allocator and a failure is
    // -ENOMEM (src/mm/hugetlb-fault.ts header); the kernel's alloc_hugetlb_folio says -ENOSPC.
    // What this checks is the kernel's: the half-built child is torn down, the parent untouched.
    expect(fork(mm)).toBe(-ENOMEM);
    expect(machineMms(m).size).toBe(1);
    expect([m.refcount[512], m.entireMapcount[512], m.flags[512]! & PG_ANON_EXCLUSIVE]).toEqual([2, 1, PG_ANON_EXCLUSIVE]);
    unpinUserPages(m, pages, 1);
    giveBack(m, held);
  });
});
