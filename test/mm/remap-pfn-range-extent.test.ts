/**
 * A device mapping (remap_pfn_range at mmap time) maps exactly the VMA's pages: a
 * device larger than the mapping leaves the page after the VMA unmapped. Expectations
 * worked by hand from v6.16+ mm/memory.c `remap_pfn_range` (called on vm_start with
 * vm_end - vm_start bytes, one special PTE per page).
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_FIXED,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  _PAGE_ACCESSED,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SPECIAL,
  createFile,
  exitMmap,
  fileRelease,
  leafBitsAt,
  mmap,
  pageAt,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

describe('remap_pfn_range', () => {
  it('one page of a two-page device: the first page is a special PTE, the next is not mapped', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'device', 8 * KIB) as MmFile; // frames: PFNs 1 and 2
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    const v = vpnOf(BASE);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([1, _PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_RW]);
    expect([pageAt(mm.pt, v + 1), leafBitsAt(mm.pt, v + 1)]).toEqual([-1, 0]);
    exitMmap(mm);
    fileRelease(file);
  });
});
