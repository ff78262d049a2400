/**
 * How many pages one file fault maps from a large shmem page-cache folio: the whole
 * folio when it lies inside the VMA and inside one PTE table with every PTE of its range
 * none, else the faulting page alone; the PTE bits (read-only / writable / dirty), the
 * references (one per PTE) and the per-page mapcounts that go with it. Each case is one
 * direct handle_mm_fault, so what a single fault maps is visible.
 * Expectations worked by hand from mm/memory.c `finish_fault` (v6.11+: for shmem, when
 * nr_pages > 1, the checks vma_off < idx, vma_off + (nr_pages - idx) > vma_pages,
 * pte_off < idx, pte_off + (nr_pages - idx) > PTRS_PER_PTE and !pte_range_none fall
 * back to one page; then folio_ref_add(folio, nr_pages - 1) and set_pte_range),
 * `set_pte_range` (maybe_mkwrite(pte_mkdirty()) on a write; a shared shmem mapping's
 * vm_page_prot is writable, no dirty tracking), `folio_add_file_rmap_ptes`,
 * mm/shmem.c `shmem_fault` (the folio comes with one reference) and mm/filemap.c
 * `filemap_add_folio` (the page cache holds nr references), v6.16.
 *
 * Layout: BASE is 1 GiB aligned, so its PTE index is 0 and BASE + 2 MiB starts the
 * next PTE table. The allocator is next-fit from PFN 1: the first order-4 folio is
 * PFN 16, the second PFN 32.
 */
import { describe, expect, it } from 'vitest';
import {
  PAGE_SIZE,
  PG_DIRTY,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  createFile,
  exitMmap,
  fileRelease,
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  vmstat,
  vpnOf,
  type Mm,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const PAGE = PAGE_SIZE;
const READ_BITS = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW;

/** The PFN mapped at each of `n` pages from `addr` (-1 where nothing is). */
function pfns(mm: Mm, addr: number, n: number): number[] {
  const v = vpnOf(addr);
  return Array.from({ length: n }, (_, i) => pageAt(mm.pt, v + i));
}

/** The leaf bits at each of `n` pages from `addr`. */
function bitsOf(mm: Mm, addr: number, n: number): number[] {
  const v = vpnOf(addr);
  return Array.from({ length: n }, (_, i) => leafBitsAt(mm.pt, v + i));
}

function range(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

function fill<T>(n: number, x: T): T[] {
  return Array.from({ length: n }, () => x);
}

/** A shared mapping of an order-4 (64 KiB folio) shmem file of `bytes`. */
function sharedShmem(mm: Mm, addr: number, bytes: number, length: number, offset = 0): MmFile {
  const file = createFile(mm.m, 'shmem', bytes, { order: 4 }) as MmFile;
  mapAt(mm, addr, length, { shared: true, file, offset });
  return file;
}

describe('finish_fault maps the whole folio when it fits', () => {
  it('a read fault in the middle of a folio that fills the VMA maps all 16 pages, writable and clean', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = sharedShmem(mm, BASE, 64 * KIB, 64 * KIB);
    // vma_off = idx = pte_off = 5; 5 + 11 = 16 pages of VMA; 5 + 11 <= 512.
    expect(handleMmFault(mm, BASE + 5 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, BASE, 17)).toEqual([...range(16, 16), -1]);
    expect(bitsOf(mm, BASE, 16)).toEqual(fill(16, READ_BITS));
    // 16 from the page cache, 1 from shmem_fault, 15 from folio_ref_add.
    expect(m.refcount[16]).toBe(32);
    expect(Array.from(m.mapcount.subarray(16, 32))).toEqual(fill(16, 1));
    expect(m.flags[16]! & PG_DIRTY).toBe(0);
    expect(vmstat(m).pgfault).toBe(1);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a write fault maps all 16 pages writable and dirty and dirties the folio', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = sharedShmem(mm, BASE, 64 * KIB, 64 * KIB);
    expect(handleMmFault(mm, BASE + 9 * PAGE, { write: true })).toBe(0);
    expect(pfns(mm, BASE, 16)).toEqual(range(16, 16));
    expect(bitsOf(mm, BASE, 16)).toEqual(fill(16, READ_BITS | _PAGE_DIRTY));
    expect(m.refcount[16]).toBe(32);
    expect(m.flags[16]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a folio whose last page is the last PTE of a table is mapped whole', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const a = BASE + 2 * MIB - 64 * KIB; // PTE indices 496..511
    const file = sharedShmem(mm, a, 64 * KIB, 64 * KIB);
    // pte_off = 499, idx = 3: 499 + 13 = 512 = PTRS_PER_PTE, which still fits.
    expect(handleMmFault(mm, a + 3 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, a, 16)).toEqual(range(16, 16));
    expect(m.refcount[16]).toBe(32);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a PTE mapped just after the folio\'s range does not stop the whole mapping', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = sharedShmem(mm, BASE, 128 * KIB, 128 * KIB);
    // File pages 16..31 first: PFN 16, mapped at BASE + 64 KiB.
    expect(handleMmFault(mm, BASE + 16 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, BASE, 32)).toEqual([...fill(16, -1), ...range(16, 16)]);
    // Then pages 0..15: PFN 32; pte_range_none looks at exactly its 16 PTEs.
    expect(handleMmFault(mm, BASE + 3 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, BASE, 32)).toEqual([...range(32, 16), ...range(16, 16)]);
    expect([m.refcount[16], m.refcount[32]]).toEqual([32, 32]);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('finish_fault maps only the faulting page when the folio does not fit', () => {
  it('the VMA starts inside the folio (mmap offset 12 KiB): one page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    // File pages 3..15 at BASE + 12 KiB: PTE indices 3..15 match the folio's pages.
    const file = sharedShmem(mm, BASE + 12 * KIB, 64 * KIB, 52 * KIB, 12 * KIB);
    // vma_off = 0 < idx = 3 (pte_off = 3 would allow it).
    expect(handleMmFault(mm, BASE + 12 * KIB, { write: false })).toBe(0);
    expect(pfns(mm, BASE, 16)).toEqual([-1, -1, -1, 19, ...fill(12, -1)]);
    expect(leafBitsAt(mm.pt, vpnOf(BASE + 12 * KIB))).toBe(READ_BITS);
    expect(m.refcount[16]).toBe(17);
    expect(Array.from(m.mapcount.subarray(16, 32))).toEqual([0, 0, 0, 1, ...fill(12, 0)]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('the VMA ends inside the folio (40 KiB of a 64 KiB folio): one page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = sharedShmem(mm, BASE, 64 * KIB, 40 * KIB);
    // vma_off = 2, idx = 2: 2 + 14 > 10 VMA pages.
    expect(handleMmFault(mm, BASE + 2 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, BASE, 16)).toEqual([-1, -1, 18, ...fill(13, -1)]);
    expect(m.refcount[16]).toBe(17);
    exitMmap(mm);
    fileRelease(file);
  });

  // A 128 KiB file mapped 96 KiB below a PTE-table boundary: file pages 0..15 (PTE
  // indices 488..503) fit one table, pages 16..31 straddle it (504..511, then 0..7 of
  // the next table). The first fault, on the folio that fits, maps it whole.
  const a = BASE + 2 * MIB - 96 * KIB;

  it('a folio crossing a PTE-table boundary, faulted below it: one page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = sharedShmem(mm, a, 128 * KIB, 128 * KIB);
    expect(handleMmFault(mm, a + 3 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, a, 16)).toEqual(range(16, 16));
    // PFN 32, idx = 0, pte_off = 504: 504 + 16 > 512.
    expect(handleMmFault(mm, a + 16 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, a + 16 * PAGE, 16)).toEqual([32, ...fill(15, -1)]);
    expect([m.refcount[16], m.refcount[32]]).toEqual([32, 17]);
    expect(Array.from(m.mapcount.subarray(32, 48))).toEqual([1, ...fill(15, 0)]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a folio crossing a PTE-table boundary, faulted above it: one page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = sharedShmem(mm, a, 128 * KIB, 128 * KIB);
    expect(handleMmFault(mm, a + 3 * PAGE, { write: false })).toBe(0);
    // PFN 32, idx = 10, pte_off = 2 < idx (vma_off = 26 and 2 + 6 <= 512 would allow it).
    expect(handleMmFault(mm, a + 26 * PAGE, { write: false })).toBe(0);
    expect(pfns(mm, a + 16 * PAGE, 16)).toEqual([...fill(10, -1), 42, ...fill(5, -1)]);
    expect([m.refcount[16], m.refcount[32]]).toEqual([32, 17]);
    expect(Array.from(m.mapcount.subarray(32, 48))).toEqual([...fill(10, 0), 1, ...fill(5, 0)]);
    exitMmap(mm);
    fileRelease(file);
  });
});
