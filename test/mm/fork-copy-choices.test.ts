/**
 * The choices fork's copy makes per entry and per VMA, each with a neighbour that must
 * not change its answer: none PTEs and special PTEs take no reference; a shared PFN
 * map keeps its parent PTE writable; a copy made for a DMA-pinned page comes from the
 * mapping's zone (hugetlb: the file's pool) and holds the parent's data; an -ENOMEM in
 * one VMA fails the whole fork even when a later VMA copies fine; and every PUD leaf of
 * a 1 GiB hugetlb VMA is copied. Expectations worked by hand from mm/memory.c
 * `copy_pte_range` (`pte_none`: skipped), `copy_present_pte` (`pte_mkclean` only `if
 * (vm_flags & VM_SHARED)`), `copy_present_ptes` (`vm_normal_page` is NULL
 * for a special PTE: the entry is copied, no folio touched; `if (is_cow_mapping(vm_flags)
 * && pte_write(pte))` write-protects), `copy_present_page` (`folio_prealloc` for the
 * VMA), mm/hugetlb.c `copy_hugetlb_page_range` (`alloc_hugetlb_folio`,
 * `copy_user_large_folio`), kernel/fork.c `dup_mmap` (`if (retval) goto loop_out`), v6.16+.
 * Machines: 64 MiB (PFNs 0..16383; with 8 MiB of ZONE_MOVABLE that zone is 14336..16383)
 * unless a test says otherwise; the allocator is next-fit from each zone's start.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  FOLL_WRITE,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  _PAGE_DIRTY,
  _PAGE_RW,
  createFile,
  exitMmap,
  fileRelease,
  fork,
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
  zoneByName,
  type Mm,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';
import { giveBack, holdAllFree } from '../support/hold-free.js';

const GIB = 1024 * MIB;
const v = vpnOf(BASE);

describe('entries that take no reference', () => {
  it('a zero-page PTE is copied as is and a none PTE is skipped: the zero page gains nothing', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 12 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 1, gives the VMA its anon_vma
    expect(userRead(mm, BASE + 4 * KIB, 4 * KIB)).toBe(0); // the zero page, special PTE
    expect(pageAt(mm.pt, v + 1)).toBe(m.zeroPfn);
    const zero = [m.refcount[m.zeroPfn], m.mapcount[m.zeroPfn]];
    const c = forked(mm);
    expect([pageAt(c.pt, v), pageAt(c.pt, v + 1), pageAt(c.pt, v + 2)]).toEqual([1, m.zeroPfn, -1]);
    expect([m.refcount[m.zeroPfn], m.mapcount[m.zeroPfn]]).toEqual(zero);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([2, 2]);
    // A private mapping's PTE keeps its dirty bit in the child (only VM_SHARED is made clean).
    expect(leafBitsAt(c.pt, v) & _PAGE_DIRTY).toBe(_PAGE_DIRTY);
    exitMmap(c);
    exitMmap(mm);
  });

  it("a shared PFN map: the driver's frame keeps its one reference and the parent PTE stays writable", () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { shared: true, backing: 'device' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const frame = pageAt(mm.pt, v);
    expect(m.refcount[frame]).toBe(1);
    const c = forked(mm);
    expect(pageAt(c.pt, v)).toBe(frame);
    expect(m.refcount[frame]).toBe(1);
    // VM_SHARED is not a COW mapping: neither PTE is write-protected.
    expect([leafBitsAt(mm.pt, v) & _PAGE_RW, leafBitsAt(c.pt, v) & _PAGE_RW]).toEqual([_PAGE_RW, _PAGE_RW]);
    exitMmap(c);
    exitMmap(mm);
  });
});

describe("the copy for a DMA-pinned exclusive page comes from the mapping's memory", () => {
  it('an anonymous page in ZONE_MOVABLE: the child\'s copy is the next movable frame, 14337', () => {
    const { m, mm } = world({ movableBytes: 8 * MIB });
    expect(zoneByName(m, 'movable').start).toBe(14336);
    mapAt(mm, BASE, 4 * KIB, { zone: 'movable' });
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(14336);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    const c = forked(mm);
    expect(pageAt(c.pt, v)).toBe(14337);
    expect(userReadTags(c, BASE, 4 * KIB)).toEqual(new Int32Array([5]));
    unpinUserPages(m, pages, 1);
    exitMmap(c);
    exitMmap(mm);
  });

  it("a hugetlb page: the copy comes from the file's zone (the pool), not the VMA's, and holds every page's data", () => {
    const { m, mm } = world({ movableBytes: 8 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB, { zone: 'movable' }) as MmFile;
    // The VMA says ZONE_NORMAL; hugetlb pages come from the file's hstate all the same.
    expect(mmap(mm, { addr: BASE, length: 2 * MIB, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE);
    expect(userWrite(mm, BASE, 4 * KIB, 6)).toBe(0);
    expect(userWrite(mm, BASE + 2 * MIB - 4 * KIB, 4 * KIB, 7)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(14336);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    const c = forked(mm);
    expect(pageAt(c.pt, v)).toBe(14848);
    const want = new Int32Array(512);
    want[0] = 6;
    want[511] = 7;
    expect(userReadTags(c, BASE, 2 * MIB)).toEqual(want);
    unpinUserPages(m, pages, 1);
    exitMmap(c);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('dup_mmap stops at the first failing VMA', () => {
  it('-ENOMEM in the first VMA fails fork though the second would copy; the second page keeps its counts', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    mapAt(mm, BASE + MIB, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 1, pinned below
    expect(userWrite(mm, BASE + MIB, 4 * KIB, 2)).toBe(0); // PFN 2
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    const held = holdAllFree(m);
    expect(fork(mm)).toBe(-ENOMEM);
    expect(machineMms(m).size).toBe(1);
    expect([m.refcount[2], m.mapcount[2]]).toEqual([1, 1]);
    giveBack(m, held);
    unpinUserPages(m, pages, 1);
    exitMmap(mm);
  });
});

describe('copy_hugetlb_page_range over 1 GiB pages', () => {
  // PFN 0 (the zero page) sits in the first 1 GiB block, so the folios are 262144 and 524288.
  it('a 2 GiB VMA: both PUD leaves are copied', () => {
    const { m, mm } = world({ memoryBytes: 3 * GIB });
    mapAt(mm, BASE, 2 * GIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(userWrite(mm, BASE + GIB, 4 * KIB, 2)).toBe(0);
    const c = forked(mm);
    expect([pageAt(c.pt, v), pageAt(c.pt, vpnOf(BASE + GIB))]).toEqual([262144, 524288]);
    expect([m.refcount[262144], m.refcount[524288]]).toEqual([2, 2]);
    exitMmap(c);
    exitMmap(mm);
  });

  it('a DMA-pinned 1 GiB page with no free 1 GiB block for the copy: fork is -ENOMEM', () => {
    const { m, mm } = world({ memoryBytes: 2 * GIB });
    mapAt(mm, BASE, GIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // 262144: the only free 1 GiB block
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    expect(fork(mm)).toBe(-ENOMEM);
    expect(machineMms(m).size).toBe(1);
    expect([m.refcount[262144], m.entireMapcount[262144]]).toEqual([2, 1]);
    unpinUserPages(m, pages, 1);
    exitMmap(mm);
  });
});
