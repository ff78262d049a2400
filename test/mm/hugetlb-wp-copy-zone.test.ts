/**
 * Where hugetlb_wp's copy comes from: the same place as the huge page hugetlb_no_page
 * maps, so a hugetlbfs file whose pages come from ZONE_MOVABLE gets its private copies
 * there too, not from a default zone. Expectations worked by hand from mm/hugetlb.c
 * `hugetlb_wp` and `hugetlb_no_page` (v6.16+: both take the folio from
 * `alloc_hugetlb_folio(vma, address, ...)`, whose gfp mask and node policy come from
 * the hstate and the VMA alone) and the model's next-fit allocator (a zone's first
 * folio is at its start).
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  createFile,
  exitMmap,
  fileRelease,
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  pfnZone,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);
// 16 MiB = 4096 page frames; the top 4 MiB are ZONE_MOVABLE: PFNs 3072..4095, two 2 MiB pages.
const MOVABLE_START = 3072;

describe('hugetlb_wp allocates the copy where the file\'s huge pages come from', () => {
  it('a write to a private mapping of a cached ZONE_MOVABLE folio: the copy is the second ZONE_MOVABLE huge page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, movableBytes: 4 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB, { zone: 'movable' }) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 2 * MIB, length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 2 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // the page-cache folio
    expect(pageAt(mm.pt, v)).toBe(MOVABLE_START);
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: false })).toBe(0); // the cached folio, read-only
    expect(pageAt(mm.pt, v + 512)).toBe(MOVABLE_START);
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 6)).toBe(0); // hugetlb_wp copies it
    expect(pageAt(mm.pt, v + 512)).toBe(MOVABLE_START + 512);
    expect(pfnZone(m, MOVABLE_START + 512).name).toBe('movable');
    expect(leafBitsAt(mm.pt, v + 512)).toBe(_PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY);
    expect([m.refcount[MOVABLE_START + 512], m.entireMapcount[MOVABLE_START + 512], vmstat(m).cowCopies]).toEqual([1, 1, 1]);
    expect(userReadTags(mm, BASE, 4 * KIB)).toEqual(new Int32Array([5]));
    expect(userReadTags(mm, BASE + 2 * MIB, 4 * KIB)).toEqual(new Int32Array([6]));
    exitMmap(mm);
    fileRelease(file);
  });
});
