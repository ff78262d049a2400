/**
 * An unshare fault on a hugetlb page shared with a forked child: hugetlb_wp copies it
 * (the folio is mapped twice, so it cannot be reused) into a new exclusive anonymous
 * page mapped read-only, and the copy is not a copy-on-write (cowCopies counts write
 * faults' copies, src/mm/vmstat.ts) but an unshare. Expectations worked by hand from
 * mm/hugetlb.c `hugetlb_fault` (FAULT_FLAG_UNSHARE on a !huge_pte_write entry goes to
 * `hugetlb_wp`) and `hugetlb_wp` (reuse only for an anonymous folio with
 * folio_mapcount 1; otherwise `make_huge_pte(vma, new_folio, !unshare)`,
 * `hugetlb_remove_rmap` and a reference dropped on the old folio), and
 * `copy_hugetlb_page_range` (fork write-protects both entries and clears
 * PageAnonExclusive), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  PG_ANON_EXCLUSIVE,
  _PAGE_ACCESSED,
  _PAGE_PRESENT,
  _PAGE_PSE,
  exitMmap,
  handleMmFault,
  leafBitsAt,
  pageAt,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('hugetlb_wp for FAULT_FLAG_UNSHARE on a page mapped twice', () => {
  it('the child gets a read-only exclusive copy (PFN 1024); no COW is counted', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 3)).toBe(0); // a new anonymous folio, PFN 512
    const child = forked(mm);
    expect([m.refcount[512], m.entireMapcount[512], m.flags[512]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect(handleMmFault(child, BASE, { unshare: true })).toBe(0);
    expect(pageAt(child.pt, v)).toBe(1024);
    expect(leafBitsAt(child.pt, v)).toBe(_PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED);
    expect([m.refcount[1024], m.entireMapcount[1024], m.flags[1024]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, PG_ANON_EXCLUSIVE]);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([1, 1]);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect([vmstat(m).unshareFaults, vmstat(m).cowCopies]).toEqual([1, 0]);
    expect(userReadTags(child, BASE, 4 * KIB)).toEqual(new Int32Array([3]));
    exitMmap(child);
    exitMmap(mm);
  });
});
