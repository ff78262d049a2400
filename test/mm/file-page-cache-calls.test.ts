/**
 * The page-cache calls of src/mm/file.ts, one property each: a device file's frames
 * come from the file's zone; truncation (the last fileRelease) leaves every cache slot
 * empty and gives back the cache's references; filemapAddFolio refuses a misaligned
 * index; filemapReplaceFolio says whether any cache held the folio; a hugetlbfs block
 * that is partly cached by a small folio cannot get a huge page; and each argument
 * check's full text. Kernel behaviour cited per test (mm/filemap.c, mm/truncate.c,
 * v6.16+); the machine is 64 MiB (PFNs 0..16383), the allocator next-fit from PFN 1.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  EINVAL,
  ENOMEM,
  HPAGE_PMD_NR,
  allocFolio,
  createFile,
  fileRelease,
  filemapAddFolio,
  filemapGetFolio,
  filemapReplaceFolio,
  folioPut,
  folioPutRefs,
  folioRefAdd,
  type Machine,
  type MmFile,
  zoneByName,
} from '../../src/index.js';
import { KIB, MIB } from '../support/mm-layout.js';
import { newMachine } from '../support/machines.js';
import { thrownBy } from '../support/refused.js';

function file(m: Machine, ...args: Parameters<typeof createFile> extends [Machine, ...infer R] ? R : never): MmFile {
  const f = createFile(m, ...args);
  if (typeof f === 'number') throw new Error(`createFile: ${f}`);
  return f;
}

describe("a device file's frames", () => {
  it('come from the zone the file names: 4 MiB of CMA is the top 1024 frames, 15360..16383', () => {
    const m = newMachine({ cmaBytes: 4 * MIB });
    const cma = zoneByName(m, 'cma');
    expect([cma.start, cma.end]).toEqual([15360, 16384]);
    const dev = file(m, 'device', 8 * KIB, { zone: 'cma' });
    expect(Array.from(dev.cache)).toEqual([15360, 15361]);
    fileRelease(dev);
    expect([m.refcount[15360], m.refcount[15361]]).toEqual([0, 0]);
  });

  it('are order 0 whatever order the caller asks for: the driver maps single frames', () => {
    const m = newMachine();
    const dev = file(m, 'device', 8 * KIB, { order: 2 });
    expect(dev.order).toBe(0);
    expect(Array.from(dev.cache).map((f) => m.order[f])).toEqual([0, 0]);
    fileRelease(dev);
  });
});

describe('truncate_inode_pages at the last fileRelease', () => {
  // The page cache holds one reference per page of each folio (v5.17+); truncation
  // deletes every entry from the xarray and drops those references.
  it('an ext4 file of order-2 folios: every slot is empty afterwards, the folio free', () => {
    const m = newMachine();
    const f = file(m, 'ext4', 32 * KIB, { order: 2 });
    const folio = filemapGetFolio(f, 5, true);
    // pgoff 5 lies in the order-2 block 4..7; the first free order-2 block is PFN 4.
    expect(folio).toBe(4);
    expect(Array.from(f.cache)).toEqual([-1, -1, -1, -1, 4, 4, 4, 4]);
    expect(m.refcount[4]).toBe(5);
    folioPut(m, folio);
    fileRelease(f);
    expect(Array.from(f.cache)).toEqual([-1, -1, -1, -1, -1, -1, -1, -1]);
    expect(m.refcount[4]).toBe(0);
  });
});

describe('filemap_add_folio', () => {
  it('an order-2 folio at index 1 is refused with -EINVAL; nothing is cached, no reference taken', () => {
    // The kernel has no such answer: __filemap_add_folio VM_BUG_ONs an index that is
    // not a multiple of folio_nr_pages. The model returns its documented -EINVAL.
    const m = newMachine();
    const f = file(m, 'shmem', 32 * KIB);
    const folio = allocFolio(m, 2);
    expect(filemapAddFolio(f, folio, 1)).toBe(-EINVAL);
    expect(Array.from(f.cache)).toEqual([-1, -1, -1, -1, -1, -1, -1, -1]);
    expect(m.refcount[folio]).toBe(1);
    expect(filemapAddFolio(f, folio, 4)).toBe(0);
    expect(m.refcount[folio]).toBe(5);
    folioPut(m, folio);
    fileRelease(f);
    expect(m.refcount[folio]).toBe(0);
  });

  it('a hugetlbfs block already holding a small folio cannot take a huge page: the fault path gets -ENOMEM', () => {
    // A state the kernel never builds (hugetlbfs caches only huge folios); the model's
    // answer is the one hugetlb_no_page gives when no huge page can be had.
    const m = newMachine();
    const f = file(m, 'hugetlbfs', 2 * MIB);
    const small = allocFolio(m, 0);
    expect(filemapAddFolio(f, small, 1)).toBe(0);
    expect(filemapGetFolio(f, 0, true)).toBe(-ENOMEM);
    expect(Array.from(f.cache.subarray(0, 3))).toEqual([-1, small, -1]);
    expect(f.cache.length).toBe(HPAGE_PMD_NR);
    folioPut(m, small);
    fileRelease(f);
    expect(m.refcount[small]).toBe(0);
  });
});

describe('filemapReplaceFolio (folio migration: __folio_migrate_mapping)', () => {
  it('replaces the folio in every slot of the cache holding it and answers true; a folio no cache holds is false', () => {
    const m = newMachine();
    const other = file(m, 'shmem', 8 * KIB);
    const f = file(m, 'shmem', 16 * KIB, { order: 1 });
    const folio = filemapGetFolio(f, 2, true);
    const copy = allocFolio(m, 1);
    const stray = allocFolio(m, 0);
    expect(filemapReplaceFolio(m, stray, copy)).toBe(false);
    expect(filemapReplaceFolio(m, folio, copy)).toBe(true);
    expect(Array.from(f.cache)).toEqual([-1, -1, copy, copy]);
    expect(Array.from(other.cache)).toEqual([-1, -1]);
    // The cache's two references move with it, as __folio_migrate_mapping moves them.
    folioRefAdd(m, copy, 2);
    folioPutRefs(m, folio, 2);
    folioPut(m, folio);
    folioPut(m, copy);
    expect([m.refcount[folio], m.refcount[copy]]).toEqual([0, 2]);
    fileRelease(f);
    fileRelease(other);
    folioPut(m, stray);
    expect([m.refcount[folio], m.refcount[copy], m.refcount[stray]]).toEqual([0, 0, 0]);
  });
});

describe('argument-check texts', () => {
  it('name the function, the argument, what it must be and what it got', () => {
    const m = newMachine();
    const f = file(m, 'shmem', 8 * KIB);
    const rows: readonly [() => unknown, string][] = [
      [() => createFile(m, 'shmem', 1.5), 'createFile: bytes must be a safe integer, got 1.5'],
      [() => createFile(m, 'shmem', 4096, { order: 0.5 }), 'createFile: opts.order must be an integer, got 0.5'],
      [() => filemapGetFolio(f, 0.5, true), 'filemapGetFolio: pgoff must be an integer, got 0.5'],
      [() => filemapAddFolio(f, 0, 0.5), 'filemapAddFolio: index must be an integer, got 0.5'],
    ];
    for (const [run, message] of rows) {
      const e = thrownBy(run);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toBe(message);
    }
    fileRelease(f);
  });
});
