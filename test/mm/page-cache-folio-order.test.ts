/**
 * What order of folio a page-cache miss allocates: hugetlbfs files default to 2 MiB
 * pages; a large-folio file falls back to an order-0 folio when a page of the aligned
 * block is cached already; an allocation failure is -ENOMEM. Expectations from
 * fs/hugetlbfs/inode.c (the default hstate is HPAGE_PMD_ORDER on x86-64), mm/filemap.c
 * `filemap_add_folio` (a folio cannot cover an index that is already populated, so the
 * large block is not usable) and `__filemap_get_folio` (-ENOMEM when the allocation
 * fails; the model has no smaller retry here, see src/mm/file.ts), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  MAP_FIXED,
  MAP_SHARED,
  PMD_ORDER,
  PROT_READ,
  PROT_WRITE,
  allocFolio,
  createFile,
  exitMmap,
  fileRelease,
  filemapGetFolio,
  folioPut,
  installFolio,
  mmap,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';
import { holdAllFree } from '../support/hold-free.js';

const RW = PROT_READ | PROT_WRITE;

describe('page-cache folio order', () => {
  it('a hugetlbfs file without an order uses 2 MiB pages', () => {
    const { m } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 4 * KIB) as MmFile;
    expect([file.order, file.nrPages]).toEqual([PMD_ORDER, 512]);
    fileRelease(file);
  });

  it('an order-4 shmem file whose block has one page cached: the miss next to it gets an order-0 folio', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 64 * KIB, { order: 4 }) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 64 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    const one = allocFolio(m, 0);
    expect(one).toBe(1);
    expect(installFolio(mm, BASE + 4 * KIB, one, { writable: true })).toBe(0); // cached at offset 1
    const f = filemapGetFolio(file, 0, true);
    expect(f).toBe(2);
    expect([m.order[f], m.refcount[f], file.cache[0]]).toEqual([0, 2, 2]); // cache + ours
    folioPut(m, f);
    exitMmap(mm);
    fileRelease(file);
    expect(m.stat.nrFreePages).toBe(4096 - 1);
  });

  it('no free memory: -ENOMEM and nothing cached', () => {
    const { m } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 4 * KIB) as MmFile;
    const held = holdAllFree(m);
    expect(filemapGetFolio(file, 0, true)).toBe(-ENOMEM);
    expect(file.cache[0]).toBe(-1);
    for (const f of held) folioPut(m, f);
    fileRelease(file);
  });
});
