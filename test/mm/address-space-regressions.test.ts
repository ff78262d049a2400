/**
 * Regressions for two bugs the model-based test (test/model) found in src/mm, each
 * reduced to its smallest sequence and written as the kernel behaves.
 */
import { describe, expect, it } from 'vitest';
import {
  EINVAL,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  exitMmap,
  handleMmFault,
  mmap,
  pageAt,
  userWrite,
  vpnOf,
} from '../../src/index.js';
import { BASE, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;

describe('address-space regressions found by the model-based test', () => {
  // The page tables are never freed at munmap (src/mm/page-table.ts, a documented
  // simplification; the kernel's free_pgtables frees them), so a PMD entry can still
  // point to an empty PTE table when a hugetlb mapping is placed there. hugetlb_fault
  // (src/mm/hugetlb-fault.ts) then takes that table entry for a present huge leaf: the
  // write fault "succeeds" without mapping anything (and sets _PAGE_DIRTY on the table
  // entry). A user access then throws "fault made no progress", and pin_user_pages()
  // on the address never returns (__get_user_pages retries the fault forever).
  // In the kernel the fault maps the huge page (mm/hugetlb.c hugetlb_no_page).
  it('a hugetlb fault where an order-0 mapping left a PTE table maps the huge page', () => {
    const { mm } = world();
    const at = BASE; // 2 MiB aligned
    expect(mmap(mm, { addr: at, length: 4096, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED })).toBe(at);
    expect(userWrite(mm, at, 4096)).toBe(0);
    expect(mmap(mm, { addr: at, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, backing: 'hugetlb-2m' })).toBe(at);
    try {
      expect(handleMmFault(mm, at, { write: true })).toBe(0);
      expect(pageAt(mm.pt, vpnOf(at))).toBeGreaterThanOrEqual(0);
    } finally {
      exitMmap(mm);
    }
  });

  // mmap(MAP_FIXED) over a hugetlb mapping with a range that ends inside a huge page
  // must fail: the unmap it starts with cannot split the hugetlb VMA there
  // (mm/vma.c __mmap_setup returns vms_gather_munmap_vmas()'s error, which is
  // __split_vma's may_split: mm/hugetlb.c hugetlb_vm_op_split, -EINVAL), and the old
  // mapping stays. src/mm/mmap.ts ignores munmap()'s -EINVAL and inserts the new VMA
  // on top of the old one: two overlapping VMAs.
  it('mmap(MAP_FIXED) cutting a hugetlb page is -EINVAL and keeps the hugetlb mapping', () => {
    const { mm } = world();
    const at = BASE;
    expect(mmap(mm, { addr: at, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, backing: 'hugetlb-2m' })).toBe(at);
    try {
      expect(mmap(mm, { addr: at, length: 4096, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED })).toBe(-EINVAL);
      expect(mm.vmas.map((v) => [v.start, v.end])).toEqual([[at, at + 2 * MIB]]);
    } finally {
      exitMmap(mm);
    }
  });
});
