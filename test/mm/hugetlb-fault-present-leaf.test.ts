/**
 * hugetlb_fault on a read-only huge leaf that is already present: a read fault leaves
 * it as it is (no hugetlb_wp, no WARN, no dirty bit), in a shared read-only mapping and
 * in a private one. Expectations worked by hand from mm/hugetlb.c `hugetlb_fault`
 * (v6.16+): only FAULT_FLAG_WRITE / FAULT_FLAG_UNSHARE on a !huge_pte_write entry go to
 * `hugetlb_wp`; otherwise the entry is made young, and dirty only for
 * FAULT_FLAG_WRITE (`huge_pte_mkdirty`). `hugetlb_no_page` maps a folio with
 * `make_huge_pte`, writable only in a VM_SHARED mapping with VM_WRITE, so read-only
 * and clean in a PROT_READ shared mapping and in a private one on a read fault. An
 * unshare fault on a shared leaf is a no-op in `hugetlb_wp`.
 */
import { describe, expect, it } from 'vitest';
import {
  PROT_READ,
  exitMmap,
  handleMmFault,
  hugetlbFault,
  leafBitsAt,
  pageAt,
  vmaLookup,
  vmstat,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, LEAF_RO, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('a read fault on a present read-only hugetlb leaf', () => {
  it('shared, PROT_READ: the leaf stays read-only as hugetlb_no_page made it, with no WARN', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m', prot: PROT_READ });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0); // hugetlb_no_page: page cache folio PFN 512
    const first = leafBitsAt(mm.pt, v);
    expect(first).toBe(LEAF_RO); // make_huge_pte: pte_wrprotect, pte_mkyoung, no pte_mkdirty
    expect(handleMmFault(mm, BASE + 8 * KIB, { write: false })).toBe(0);
    expect(pageAt(mm.pt, v + 2)).toBe(514);
    expect(leafBitsAt(mm.pt, v)).toBe(first);
    expect(m.warnings).toEqual([]);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).pgfault]).toEqual([513, 1, 2]);
    exitMmap(mm);
  });

  it('private: the new anonymous folio stays read-only and clean in the page table', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0); // a new anonymous folio, PFN 512
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect(handleMmFault(mm, BASE + 8 * KIB, { write: false })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect(m.warnings).toEqual([]);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([1, 1, 0]);
    exitMmap(mm);
  });

  it('shared, PROT_READ, an unshare fault called directly: hugetlb_wp returns at once, the leaf stays read-only', () => {
    // handle_mm_fault never passes FAULT_FLAG_UNSHARE for a shared mapping
    // (sanitize_fault_flags drops it), but hugetlb_wp checks all the same:
    // `if (vma->vm_flags & VM_MAYSHARE) { if (unlikely(unshare)) return 0; ...`.
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m', prot: PROT_READ });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(hugetlbFault(mm, vmaLookup(mm.vmas, BASE)!, v, false, true)).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect(m.warnings).toEqual([]);
    exitMmap(mm);
  });
});
