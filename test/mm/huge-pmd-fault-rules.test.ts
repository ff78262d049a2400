/**
 * PMD-level faults outside hugetlb, one rule per case. Expectations worked by hand from
 * mm/huge_memory.c `__thp_vma_allowable_orders` / `thp_vma_suitable_order` (which file
 * VMAs may have a PMD: shared, PMD-order page cache, the file offset 2 MiB aligned with
 * the address; hugetlbfs has its own fault path), mm/memory.c `do_set_pmd` (the PMD gets
 * `vm_page_prot`, writable at once where no write notification is wanted; a write fault
 * makes it dirty and dirties the folio; the folio is looked up at the offset of the
 * block's first page), `wp_huge_pmd` (a private file VMA: split and fall back) and
 * mm/huge_memory.c `do_huge_pmd_wp_page` (a PageAnonExclusive head is reused whatever
 * its refcount; an unshare stops there, read-only), v6.16+.
 * Layout: PFN 0 is the zero page, so the first PMD-order folio is PFN 512.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  FAULT_FALLBACK,
  MAPPING_ANON,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PMD_ORDER,
  _PAGE_DIRTY,
  _PAGE_PSE,
  _PAGE_RW,
  allocFolio,
  createFile,
  createHugePmd,
  exitMmap,
  fileRelease,
  handleMmFault,
  installFolio,
  leafBitsAt,
  pageAt,
  pinUserPagesFast,
  pmdMappable,
  pmdSlot,
  unpinUserPages,
  userRead,
  userReadTags,
  userWrite,
  vmaLookup,
  vmstat,
  vpnOf,
  wpHugePmd,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('pmdMappable for file VMAs', () => {
  it('only a shared mapping of a PMD-order page cache, not hugetlbfs, at a 2 MiB-aligned offset', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const thpFile = createFile(m, 'shmem', 4 * MIB, { order: PMD_ORDER }) as MmFile;
    const smallFile = createFile(m, 'shmem', 4 * MIB) as MmFile;
    const hugeFile = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    mapAt(mm, BASE, 2 * MIB, { shared: true, file: thpFile });
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { file: thpFile });
    mapAt(mm, BASE + 4 * MIB, 2 * MIB, { shared: true, file: smallFile });
    mapAt(mm, BASE + 6 * MIB, 2 * MIB, { shared: true, file: hugeFile });
    mapAt(mm, BASE + 8 * MIB, 2 * MIB, { shared: true, file: thpFile, offset: 4 * KIB });
    const at = (addr: number) => pmdMappable(vmaLookup(mm.vmas, addr)!, vpnOf(addr));
    expect([0, 2, 4, 6, 8].map((mib) => at(BASE + mib * MIB))).toEqual([true, false, false, false, false]);
    expect(() => pmdMappable(vmaLookup(mm.vmas, BASE)!, 1.5)).toThrow('pmdMappable: vpn must be an integer page number, got 1.5');
    exitMmap(mm);
    for (const f of [thpFile, smallFile, hugeFile]) fileRelease(f);
  });
});

describe('do_set_pmd for a shared page-cache THP', () => {
  it('shmem: a read fault maps it writable and clean; a write fault on the next block maps it dirty and dirties the folio', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 4 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 4 * MIB, { shared: true, file });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect([leafBitsAt(mm.pt, v) & (_PAGE_PSE | _PAGE_RW | _PAGE_DIRTY), m.flags[512]! & PG_DIRTY]).toEqual([_PAGE_PSE | _PAGE_RW, 0]);
    // The fault alone, without the store that would set the dirty bit as hardware does.
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: true })).toBe(0);
    expect(pageAt(mm.pt, v + 512)).toBe(1024);
    expect([leafBitsAt(mm.pt, v + 512) & (_PAGE_PSE | _PAGE_RW | _PAGE_DIRTY), m.flags[1024]! & PG_DIRTY]).toEqual([
      _PAGE_PSE | _PAGE_RW | _PAGE_DIRTY,
      PG_DIRTY,
    ]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('ext4 (write notification): a read fault maps it read-only; the write fault after it makes it writable and dirty', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 2 * MIB, { shared: true, file });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0);
    expect(leafBitsAt(mm.pt, v) & (_PAGE_PSE | _PAGE_RW | _PAGE_DIRTY)).toBe(_PAGE_PSE);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v) & (_PAGE_PSE | _PAGE_RW | _PAGE_DIRTY)]).toEqual([512, _PAGE_PSE | _PAGE_RW | _PAGE_DIRTY]);
    expect(m.flags[512]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a fault in the middle of a block maps the folio at the offset of the block, not of the faulting page', () => {
    const { m, mm } = world({ memoryBytes: 32 * MIB });
    const file = createFile(m, 'shmem', 6 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 6 * MIB, { shared: true, file });
    expect(userWrite(mm, BASE + 3 * MIB, 4 * KIB, 5)).toBe(0);
    expect(userReadTags(mm, BASE + 5 * MIB, 4 * KIB)).toEqual(new Int32Array([0]));
    expect(userReadTags(mm, BASE + 3 * MIB, 4 * KIB)).toEqual(new Int32Array([5]));
    expect(pageAt(mm.pt, vpnOf(BASE + 3 * MIB))).toBe(pageAt(mm.pt, v + 512)! + 256);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a block wholly past the end of the file: create_huge_pmd answers -EFAULT itself', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 4 * MIB, { shared: true, file });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0); // the PMD table
    const vma = vmaLookup(mm.vmas, BASE)!;
    const ms = pmdSlot(mm.pt, v + 512, false);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(createHugePmd(mm, vma, ms, v + 512, false)).toBe(-EFAULT);
    expect(pageAt(mm.pt, v + 512)).toBe(-1);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('wp_huge_pmd', () => {
  it('an exclusive anonymous THP mapped read-only: unshare keeps it read-only; a write reuses it though a pin holds it', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    const thp = allocFolio(m, PMD_ORDER);
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: false })).toBe(0);
    expect(m.flags[thp]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0);
    expect(leafBitsAt(mm.pt, v) & (_PAGE_PSE | _PAGE_RW)).toBe(_PAGE_PSE);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, 0, pages)).toBe(1);
    expect(m.refcount[thp]).toBe(2);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v) & (_PAGE_PSE | _PAGE_RW | _PAGE_DIRTY)]).toEqual([thp, _PAGE_PSE | _PAGE_RW | _PAGE_DIRTY]);
    expect(vmstat(m).cowCopies).toBe(0);
    unpinUserPages(m, pages, 1);
    exitMmap(mm);
  });

  it('a PMD in a private file VMA (installFolio): wp_huge_pmd splits it and falls back to the PTE level', () => {
    // Only installFolio puts a PMD leaf in a private file VMA, and it makes the folio
    // anonymous; the split then gives it PTEs, as an anonymous THP's split does (in the
    // kernel a PMD's folio and its VMA are always of the same kind).
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 2 * MIB) as MmFile;
    mapAt(mm, BASE, 2 * MIB, { file });
    const thp = allocFolio(m, PMD_ORDER);
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: false })).toBe(0);
    const vma = vmaLookup(mm.vmas, BASE)!;
    expect(wpHugePmd(mm, vma, pmdSlot(mm.pt, v, false), v, false)).toBe(FAULT_FALLBACK);
    expect([pageAt(mm.pt, v + 7), leafBitsAt(mm.pt, v + 7) & (_PAGE_PSE | _PAGE_RW)]).toEqual([thp + 7, 0]);
    expect([m.refcount[thp], m.entireMapcount[thp], m.mapcount[thp + 7], m.flags[thp]! & PG_DIRTY]).toEqual([512, 0, 1, 0]);
    expect(m.mapping[thp]).toBe(MAPPING_ANON);
    exitMmap(mm);
    fileRelease(file);
  });
});
