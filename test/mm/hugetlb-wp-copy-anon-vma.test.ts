/**
 * A hugetlb COW copy gives the VMA its anon_vma, so fork copies its huge page table
 * entries: a private mapping of a hugetlbfs file whose only anonymous page came from
 * hugetlb_wp (a write after a read of the cached folio) is copied into the child, which
 * then sees the written data. Expectations worked by hand from mm/hugetlb.c
 * `hugetlb_no_page` (a cached folio is mapped read-only with no anon_vma),
 * `hugetlb_wp` (`__vmf_anon_prepare` before the copy) and `copy_hugetlb_page_range`
 * (an anonymous folio: one more reference and entire mapping, PageAnonExclusive
 * cleared, both entries write-protected), and mm/memory.c `vma_needs_copy`
 * (`src_vma->anon_vma` means copy), v6.16+.
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
  _PAGE_PSE,
  createFile,
  exitMmap,
  fileRelease,
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  userReadTags,
  userWrite,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

describe('fork after the first anonymous page of a hugetlb VMA came from hugetlb_wp', () => {
  it('read (cached folio), write (copy, PFN 1024), fork: the child maps the copy, both read-only', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 2 * MIB, length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 2 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // page-cache folio PFN 512
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: false })).toBe(0); // PFN 512 read-only: no anon_vma yet
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 7)).toBe(0); // hugetlb_wp: the copy, PFN 1024
    expect(pageAt(mm.pt, v + 512)).toBe(1024);
    const child = forked(mm);
    expect(pageAt(child.pt, v + 512)).toBe(1024);
    const RO = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_DIRTY;
    expect([leafBitsAt(mm.pt, v + 512), leafBitsAt(child.pt, v + 512)]).toEqual([RO, RO]);
    expect([m.refcount[1024], m.entireMapcount[1024], m.flags[1024]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect(userReadTags(child, BASE + 2 * MIB, 4 * KIB)).toEqual(new Int32Array([7]));
    // The shared VMA has no anon_vma: the child gets no entry there and faults it in later.
    expect(pageAt(child.pt, v)).toBe(-1);
    exitMmap(child);
    expect([m.refcount[1024], m.entireMapcount[1024]]).toEqual([1, 1]);
    exitMmap(mm);
    fileRelease(file);
  });
});
