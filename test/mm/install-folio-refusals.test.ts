/**
 * installFolio's refusals and its PUD level: a folio that is not a fresh, allocated
 * head (the zero page, a free page, one mapped already), a VM_PFNMAP VMA, a PUD request
 * for a folio that is not PUD-sized, an unaligned address, a PTE request in a hugetlb
 * VMA, a slot or page-cache offset that is taken (-EEXIST), and a 1 GiB folio in a
 * shared hugetlb mapping. installFolio stands for a fault that got exactly this folio,
 * so the accounting follows mm/hugetlb.c `hugetlb_no_page` (page cache +nr references
 * via mm/filemap.c `filemap_add_folio`, -EEXIST when the index is taken; one entire
 * mapping) and mm/memory.c `set_pte_range` (a PTE slot that is not none is never
 * overwritten), v6.16+. Every refusal leaves the folio the caller's.
 */
import { describe, expect, it } from 'vitest';
import {
  EEXIST,
  EINVAL,
  MAP_FIXED,
  MAP_SHARED,
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
  folioPut,
  installFolio,
  leafBitsAt,
  mmap,
  pageAt,
  userWrite,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

describe('installFolio refuses what no fault could have mapped', () => {
  it('-EINVAL for the zero page, a free page, a folio mapped already, a PFN map, a PUD request for a small folio, an unaligned address, PTEs in a hugetlb VMA', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 64 * KIB);
    mapAt(mm, BASE + MIB, 4 * KIB, { shared: true, backing: 'device' });
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    // The device's frame took PFN 1 at mmap (remap_pfn_range).
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // anonymous PFN 2
    const fresh = allocFolio(m, 0);
    const thp = allocFolio(m, 9);
    expect([fresh, thp]).toEqual([3, 512]);
    expect(installFolio(mm, BASE + 4 * KIB, m.zeroPfn, { writable: false })).toBe(-EINVAL);
    expect(installFolio(mm, BASE + 4 * KIB, 100, { writable: false })).toBe(-EINVAL); // free
    expect(installFolio(mm, BASE + 4 * KIB, 2, { writable: false })).toBe(-EINVAL); // anonymous already
    expect(installFolio(mm, BASE + MIB, fresh, { writable: false })).toBe(-EINVAL); // VM_PFNMAP
    expect(installFolio(mm, BASE, thp, { pud: true, writable: false })).toBe(-EINVAL); // not PUD-sized
    expect(installFolio(mm, BASE + 4 * KIB + 1, fresh, { writable: false })).toBe(-EINVAL);
    expect(installFolio(mm, BASE + 2 * MIB, fresh, { writable: false })).toBe(-EINVAL); // hugetlb wants a huge leaf
    expect(pageAt(mm.pt, v + 1)).toBe(-1);
    expect([m.refcount[fresh], m.mapcount[fresh], m.refcount[thp], m.entireMapcount[thp]]).toEqual([1, 0, 1, 0]);
    exitMmap(mm);
    folioPut(m, fresh);
    folioPut(m, thp);
  });

  it('-EEXIST for a PTE that is not none, and for a page-cache offset another mapping of the file filled', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 1
    const file = createFile(m, 'shmem', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE + MIB);
    expect(mmap(mm, { addr: BASE + 2 * MIB, length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE + 2 * MIB);
    expect(userWrite(mm, BASE + MIB, 4 * KIB, 2)).toBe(0); // page cache PFN 2 at offset 0
    const f = allocFolio(m, 0);
    expect(f).toBe(3);
    expect(installFolio(mm, BASE, f, { writable: true })).toBe(-EEXIST);
    expect(installFolio(mm, BASE + 2 * MIB, f, { writable: true })).toBe(-EEXIST);
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(pageAt(mm.pt, vpnOf(BASE + 2 * MIB))).toBe(-1);
    expect([m.refcount[f], m.mapcount[f], m.mapping[f]]).toEqual([1, 0, 0]);
    expect(m.refcount[2]).toBe(2); // cache + the one PTE
    exitMmap(mm);
    fileRelease(file);
    folioPut(m, f);
  });
});

describe('installFolio at the PUD level', () => {
  it('a 1 GiB folio in a shared 1 GiB hugetlb mapping: one PUD leaf, 2^18 cache references + the mapping; a second one is -EEXIST', () => {
    // PFN 0 (the zero page) fills the first 1 GiB block: the 1 GiB folios are PFN 262144 and 524288.
    const { m, mm } = world({ memoryBytes: 3072 * MIB });
    mapAt(mm, BASE, 1024 * MIB, { shared: true, backing: 'hugetlb-1g' });
    const f = allocFolio(m, 18);
    expect(f).toBe(262144);
    expect(installFolio(mm, BASE, f, { pud: true, writable: true })).toBe(0);
    expect(pageAt(mm.pt, v + 1000)).toBe(f + 1000);
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY | _PAGE_PSE);
    expect([m.refcount[f], m.entireMapcount[f], m.mapcount[f]]).toEqual([262144 + 1, 1, 0]);
    const f2 = allocFolio(m, 18);
    expect(f2).toBe(524288);
    expect(installFolio(mm, BASE, f2, { pud: true, writable: true })).toBe(-EEXIST);
    expect([m.refcount[f2], m.entireMapcount[f2], m.mapping[f2]]).toEqual([1, 0, 0]);
    exitMmap(mm);
    expect(m.refcount[f]).toBe(0);
    folioPut(m, f2);
  });
});
