/**
 * do_cow_fault: a write fault on a private file mapping copies the faulting page of the
 * page-cache folio (also when that page is not the folio's first) into a new order-0
 * anonymous page allocated as the VMA asks (here from ZONE_MOVABLE), maps it writable
 * and dirty, drops the reference __do_fault took on the cached folio, and counts one
 * copy. Expectations worked by hand from mm/memory.c `do_cow_fault` (folio_prealloc(vma,
 * addr) for the copy, __do_fault, copy_mc_user_highpage(cow_page, vmf->page, ...) where
 * vmf->page is the page at the faulting offset, finish_fault with the anonymous copy,
 * folio_put of the cache folio), `set_pte_range` (folio_add_new_anon_rmap: exclusive;
 * maybe_mkwrite(pte_mkdirty) for a write) and mm/shmem.c `shmem_fault` (an order-4
 * folio for a 64 KiB-aligned block), v6.16+. Layout: 16 MiB is PFNs 0-4095, PFN 0 the
 * zero page, so the first order-4 folio is PFN 16; 64 KiB of ZONE_MOVABLE is 4080-4095.
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  PROT_WRITE,
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
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const PRIV = BASE + MIB;

describe('do_cow_fault on a page inside a large page-cache folio', () => {
  it('copies the faulting page (index 3 of the folio) into a ZONE_MOVABLE page and counts one COW copy', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, movableBytes: 64 * KIB });
    const file = createFile(m, 'shmem', 64 * KIB, { order: 4 }) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 64 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: PRIV, length: 64 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file, zone: 'movable' })).toBe(PRIV);
    expect(userWrite(mm, BASE + 3 * 4 * KIB, 4 * KIB, 9)).toBe(0);
    expect([file.cache[0], file.cache[3], m.order[16], m.content[19]]).toEqual([16, 16, 4, 9]);
    const cacheRefs = m.refcount[16];
    expect(handleMmFault(mm, PRIV + 3 * 4 * KIB, { write: true })).toBe(0);
    const pv = vpnOf(PRIV) + 3;
    expect([pageAt(mm.pt, pv), leafBitsAt(mm.pt, pv)]).toEqual([4080, _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_RW]);
    expect(userReadTags(mm, PRIV + 3 * 4 * KIB, 4 * KIB)).toEqual(new Int32Array([9]));
    expect([m.order[4080], m.refcount[4080], m.mapcount[4080], m.flags[4080]! & PG_ANON_EXCLUSIVE]).toEqual([0, 1, 1, PG_ANON_EXCLUSIVE]);
    expect(m.refcount[16]).toBe(cacheRefs); // __do_fault's reference dropped again
    expect(vmstat(m).cowCopies).toBe(1);
    exitMmap(mm);
    fileRelease(file);
  });
});
