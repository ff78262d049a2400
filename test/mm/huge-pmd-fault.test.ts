/**
 * PMD-level faults outside hugetlb: when a THP cannot be had (no free 2 MiB block, a
 * small page-cache folio, a block past the end of the file), write and unshare faults on
 * a read-only anonymous PMD (reused when PageAnonExclusive or the only reference), a
 * write fault on a write-notify shared file PMD, faults on a PMD leaf that already
 * allows the access, and VM_NOHUGEPAGE. Expectations worked by hand from mm/memory.c
 * `__handle_mm_fault`, `create_huge_pmd`, `wp_huge_pmd`, `finish_fault` / `do_set_pmd`
 * (a folio that is not PMD-sized is VM_FAULT_FALLBACK), mm/huge_memory.c
 * `do_huge_pmd_anonymous_page` (fallback when the THP allocation fails),
 * `do_huge_pmd_wp_page` (PageAnonExclusive or folio_ref_count == 1: reuse; an unshare
 * stops there), `huge_pmd_set_accessed`, `__thp_vma_allowable_orders` (VM_NOHUGEPAGE)
 * and mm/shmem.c `shmem_fault` (SIGBUS past i_size), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  MAP_FIXED,
  MAP_SHARED,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PMD_ORDER,
  PROT_READ,
  PROT_WRITE,
  VM_NOHUGEPAGE,
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
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  pmdMappable,
  userRead,
  userWrite,
  vmaLookup,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);
const HUGE_RO = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_DIRTY;

describe('no PMD-sized folio: the fault falls back to the PTE level', () => {
  it('anonymous THP policy with no free 2 MiB block: one order-0 page, no thp_fault_alloc', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    // One page in each 2 MiB block but the first (which holds the zero page).
    const blockers = [512, 1024, 1536, 2048, 2560, 3072, 3584].map((pfn) => allocFolio(m, 0, { pfn }));
    expect(blockers).toEqual([512, 1024, 1536, 2048, 2560, 3072, 3584]);
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE + 8 * KIB, 4 * KIB, 4)).toBe(0);
    expect(pageAt(mm.pt, v + 2)).toBe(1);
    expect(leafBitsAt(mm.pt, v + 2)).toBe(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_RW);
    expect(pageAt(mm.pt, v)).toBe(-1); // the rest of the block stays unpopulated
    expect([m.refcount[1], m.mapcount[1], m.order[1]]).toEqual([1, 1, 0]);
    expect(vmstat(m).thpFaultAlloc).toBe(0);
    exitMmap(mm);
    for (const b of blockers) folioPut(m, b);
  });

  it('shared shmem THP block cut by the end of the file: do_set_pmd declines the small folio, one PTE maps it', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 2 * MIB + 4 * KIB, { order: PMD_ORDER }) as MmFile;
    expect(file.nrPages).toBe(513);
    expect(mmap(mm, { addr: BASE, length: 4 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    // pgoff 512's block 512..1023 sticks out of the file: the page cache gets an order-0 folio (PFN 1).
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 2)).toBe(0);
    expect(pageAt(mm.pt, v + 512)).toBe(1);
    expect(leafBitsAt(mm.pt, v + 512) & _PAGE_PSE).toBe(0);
    expect([m.refcount[1], m.mapcount[1], m.order[1], m.flags[1]! & PG_DIRTY]).toEqual([2, 1, 0, PG_DIRTY]); // cache + PTE
    expect(m.stat.nrFreePages).toBe(4096 - 2);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a PMD-mappable block wholly past the end of the file: SIGBUS (-EFAULT), nothing allocated', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 4 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    const free = m.stat.nrFreePages;
    expect(handleMmFault(mm, BASE + 2 * MIB + 4 * KIB, { write: false })).toBe(-EFAULT);
    expect(userRead(mm, BASE + 2 * MIB, 4 * KIB)).toBe(-EFAULT);
    expect(m.stat.nrFreePages).toBe(free);
    expect(vmstat(m).pgfault).toBe(2);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('wp_huge_pmd on an anonymous PMD leaf', () => {
  it('without VM_WRITE: an unshare of the exclusive THP changes nothing; a FOLL_FORCE-style write dirties it but cannot make it writable', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER, prot: PROT_READ });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0); // use_zero_page = 0: a THP, PFN 512, read-only
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RO);
    expect(m.flags[512]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(handleMmFault(mm, BASE + 4 * KIB, { unshare: true })).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RO);
    expect(vmstat(m).unshareFaults).toBe(1);
    expect(handleMmFault(mm, BASE + 4 * KIB, { write: true })).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RO); // maybe_pmd_mkwrite: no VM_WRITE, no _PAGE_RW
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([1, 1, 0]);
    exitMmap(mm);
  });

  it('after the fork child exits: not PageAnonExclusive but the only reference, so the write reuses the THP', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 512
    const c = forked(mm);
    expect([m.refcount[512], m.entireMapcount[512], m.flags[512]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    exitMmap(c);
    expect(m.refcount[512]).toBe(1);
    expect(leafBitsAt(mm.pt, v) & _PAGE_RW).toBe(0);
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB, 2)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RO | _PAGE_RW);
    expect([m.refcount[512], m.entireMapcount[512], m.flags[512]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, PG_ANON_EXCLUSIVE]);
    expect(vmstat(m).cowCopies).toBe(0);
    exitMmap(mm);
  });
});

describe('faults on a PMD leaf that allows the access (huge_pmd_set_accessed)', () => {
  it('a read leaves the leaf as is; a write to a writable leaf keeps it, dirty and young', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const bits = leafBitsAt(mm.pt, v);
    expect(bits).toBe(HUGE_RO | _PAGE_RW);
    expect(handleMmFault(mm, BASE + 12 * KIB, { write: false })).toBe(0);
    expect(handleMmFault(mm, BASE + 12 * KIB, { write: true })).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(bits);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).thpFaultAlloc]).toEqual([1, 1, 1]);
    exitMmap(mm);
  });
});

describe('a shared ext4 THP (write notify)', () => {
  it('a read fault maps the PMD read-only and clean; the write fault makes the same PMD writable and dirties the folio', () => {
    // The kernel splits the PMD in wp_huge_pmd (ext4 has no huge_fault) and do_shared_fault
    // maps the PMD-sized folio again through do_set_pmd, writable and dirty: the same end state.
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'ext4', order: PMD_ORDER });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED);
    expect(m.flags[512]! & PG_DIRTY).toBe(0);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([513, 1]); // 512 cache refs + the PMD
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB, 3)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(HUGE_RO | _PAGE_RW);
    expect(m.flags[512]! & PG_DIRTY).toBe(PG_DIRTY);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([513, 1, 0]);
    exitMmap(mm);
  });
});

describe('pmdMappable (thp_vma_allowable_order)', () => {
  it('VM_NOHUGEPAGE forbids a PMD leaf where the VMA would otherwise allow one', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    const vma = vmaLookup(mm.vmas, BASE)!;
    expect(pmdMappable(vma, v + 7)).toBe(true);
    expect(pmdMappable({ ...vma, flags: vma.flags | VM_NOHUGEPAGE }, v + 7)).toBe(false);
  });
});
