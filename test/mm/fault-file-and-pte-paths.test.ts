/**
 * handle_mm_fault's PTE-level and file paths the address-space tests leave: a fault in
 * a VM_PFNMAP range, a read fault on a PTE that is present already, a file fault past
 * the end of the file, do_cow_fault without memory for the copy, and a large
 * page-cache folio that cannot be mapped whole because a PTE in its range is taken.
 * Expectations worked by hand from mm/memory.c `handle_mm_fault` (mm_account_fault
 * counts every fault), `do_fault` (VM_PFNMAP ranges are populated at mmap: a fault
 * there is SIGBUS), `handle_pte_fault` (a present PTE that allows the access: only
 * young/dirty bits), `do_cow_fault` (VM_FAULT_OOM when the copy cannot be allocated;
 * the page cache keeps its folio), `filemap_fault` (SIGBUS past i_size) and
 * `finish_fault` (a folio whose PTE range is not none is mapped one page at a time;
 * the model's rule, see src/mm/fault.ts), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  ENOMEM,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  PROT_WRITE,
  _PAGE_ACCESSED,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SPECIAL,
  createFile,
  exitMmap,
  fileRelease,
  folioPut,
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  userRead,
  userWrite,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';
import { holdAllFree } from '../support/hold-free.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

describe('faults that find nothing to do or nothing to map', () => {
  it('a VM_PFNMAP range: SIGBUS (-EFAULT), counted as a fault, the PTE untouched', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { shared: true, backing: 'device' });
    const bits = leafBitsAt(mm.pt, v);
    expect(bits).toBe(_PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_RW);
    expect(handleMmFault(mm, BASE, { write: true })).toBe(-EFAULT);
    expect(leafBitsAt(mm.pt, v)).toBe(bits);
    expect([vmstat(m).pgfault, m.cost.faults]).toEqual([1, 1]);
    exitMmap(mm);
  });

  it('a read fault on a present PTE changes nothing', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 3)).toBe(0);
    const bits = leafBitsAt(mm.pt, v);
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([1, bits]);
    expect([m.refcount[1], m.mapcount[1], m.stat.folioAllocs]).toEqual([1, 1, 1]);
    exitMmap(mm);
  });

  it('a file page past the end of the file: SIGBUS (-EFAULT), nothing cached', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 8 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE);
    expect(userRead(mm, BASE + 4 * KIB, 4 * KIB)).toBe(-EFAULT);
    expect(handleMmFault(mm, BASE + 4 * KIB, { write: true })).toBe(-EFAULT);
    expect(pageAt(mm.pt, v + 1)).toBe(-1);
    expect(m.stat.folioAllocs).toBe(0);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('do_cow_fault without memory for the copy', () => {
  it('-ENOMEM; the page-cache folio keeps exactly its references, the PTE stays none', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + MIB);
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0); // page cache PFN 1: cache + the shared PTE
    expect(m.refcount[1]).toBe(2);
    const held = holdAllFree(m);
    expect(handleMmFault(mm, BASE + MIB, { write: true })).toBe(-ENOMEM);
    expect(pageAt(mm.pt, vpnOf(BASE + MIB))).toBe(-1);
    expect([m.refcount[1], m.mapcount[1], vmstat(m).cowCopies]).toEqual([2, 1, 0]);
    for (const f of held) folioPut(m, f);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('finish_fault with a large page-cache folio', () => {
  it('a COWed PTE inside the folio\'s range: the next read fault maps only its own page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 64 * KIB, { backing: 'shmem', order: 4 });
    // do_cow_fault: the page cache gets the order-4 folio PFN 16, the copy is anonymous.
    expect(userWrite(mm, BASE, 4 * KIB, 7)).toBe(0);
    const copy = pageAt(mm.pt, v);
    expect(m.flags[copy]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect([m.order[16], m.refcount[16]]).toEqual([4, 16]);
    expect(userRead(mm, BASE + 4 * KIB, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v + 1)).toBe(17);
    expect(leafBitsAt(mm.pt, v + 1)).toBe(_PAGE_PRESENT | _PAGE_ACCESSED); // private: read-only
    expect(pageAt(mm.pt, v + 2)).toBe(-1);
    expect([m.refcount[16], m.mapcount[16], m.mapcount[17], m.mapcount[18]]).toEqual([17, 0, 1, 0]);
    exitMmap(mm);
  });
});

