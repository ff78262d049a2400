/**
 * The leaf hugetlb_no_page installs when a fault instantiates a page: in a shared
 * mapping with VM_WRITE it is writable, dirty and young at once, read fault or write
 * fault, so a later write or FOLL_WRITE pin takes no further fault; in a shared PROT_READ
 * mapping it is read-only and clean; in a private mapping a read fault maps it read-only.
 * Expectations worked by hand from mm/hugetlb.c (mainline):
 *
 *   new_pte = make_huge_pte(vma, folio, vma->vm_flags & VM_SHARED);   (hugetlb_no_page)
 *
 *   static pte_t make_huge_pte(struct vm_area_struct *vma, struct folio *folio, bool try_mkwrite)
 *   {
 *   	pte_t entry = folio_mk_pte(folio, vma->vm_page_prot);
 *   	...
 *   	if (try_mkwrite && (vma->vm_flags & VM_WRITE)) {
 *   		entry = pte_mkwrite_novma(pte_mkdirty(entry));
 *   	} else {
 *   		entry = pte_wrprotect(entry);
 *   	}
 *   	entry = pte_mkyoung(entry);
 *
 * (before v6.13: `make_huge_pte(vma, page, (vma->vm_flags & VM_WRITE) && (vma->vm_flags &
 * VM_SHARED))`, the same rule), and `hugetlb_add_to_page_cache`, which ends in
 * `folio_mark_dirty(folio)` for every folio it adds. `hugetlb_fault` on a present leaf
 * goes to `hugetlb_wp` only for FAULT_FLAG_WRITE / FAULT_FLAG_UNSHARE on a
 * !huge_pte_write entry, so a writable leaf takes a write with no fault.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  PG_DIRTY,
  PROT_READ,
  exitMmap,
  handleMmFault,
  leafBitsAt,
  pageAt,
  pinUserPages,
  unpinUserPages,
  userWrite,
  vpnOf,
  type Backing,
} from '../../src/index.js';
import { BASE, KIB, LEAF_RO, LEAF_RW, MIB, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;
const v = vpnOf(BASE);

interface Size {
  readonly name: string;
  readonly backing: Backing;
  readonly bytes: number;
  readonly memoryBytes: number;
  /** The folio the first fault allocates: next-fit from PFN 1, naturally aligned. */
  readonly pfn: number;
}

const SIZES: readonly Size[] = [
  // 2 MiB = 512 pages: PFNs 1..511 cannot hold an aligned order-9 folio, so 512.
  { name: '2 MiB', backing: 'hugetlb-2m', bytes: 2 * MIB, memoryBytes: 16 * MIB, pfn: 512 },
  // 1 GiB = 262144 pages: PFN 0 (the zero page) sits in the first block, so 262144, the
  // only other 1 GiB block of a 2 GiB machine.
  { name: '1 GiB', backing: 'hugetlb-1g', bytes: GIB, memoryBytes: 2 * GIB, pfn: 262144 },
];

describe.each(SIZES)('hugetlb_no_page in a shared PROT_READ|PROT_WRITE mapping ($name)', (s) => {
  for (const write of [false, true]) {
    it(`a ${write ? 'write' : 'read'} fault maps the new page-cache folio writable, dirty and young in one fault`, () => {
      const { m, mm } = world({ memoryBytes: s.memoryBytes });
      mapAt(mm, BASE, s.bytes, { shared: true, backing: s.backing });
      expect(handleMmFault(mm, BASE, { write })).toBe(0);
      expect(m.cost.faults).toBe(1);
      expect(pageAt(mm.pt, v)).toBe(s.pfn);
      expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
      expect(m.flags[s.pfn]! & PG_DIRTY).toBe(PG_DIRTY); // hugetlb_add_to_page_cache
      exitMmap(mm);
    });
  }

  it('after a read fault, a userWrite takes no further fault', () => {
    const { m, mm } = world({ memoryBytes: s.memoryBytes });
    mapAt(mm, BASE, s.bytes, { shared: true, backing: s.backing });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB, 7)).toBe(0);
    expect(m.cost.faults).toBe(1);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    exitMmap(mm);
  });

  it('after a read fault, a FOLL_WRITE pin takes no further fault', () => {
    const { m, mm } = world({ memoryBytes: s.memoryBytes });
    mapAt(mm, BASE, s.bytes, { shared: true, backing: s.backing });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    const pages = new Int32Array(1);
    expect(pinUserPages(mm, BASE + 4 * KIB, 1, FOLL_WRITE, pages)).toBe(1);
    expect(pages[0]).toBe(s.pfn + 1);
    expect(m.cost.faults).toBe(1);
    unpinUserPages(m, pages, 1);
    exitMmap(mm);
  });
});

describe('hugetlb_no_page where make_huge_pte write-protects (2 MiB)', () => {
  it('a shared PROT_READ mapping: a read fault maps the folio read-only and clean', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m', prot: PROT_READ });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(m.cost.faults).toBe(1);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    // The folio is dirty all the same: hugetlb_add_to_page_cache does not look at the PTE.
    expect(m.flags[512]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
  });

  it('a shared PROT_READ 1 GiB mapping: read-only and clean as well', () => {
    const { mm } = world({ memoryBytes: 2 * GIB });
    mapAt(mm, BASE, GIB, { shared: true, backing: 'hugetlb-1g', prot: PROT_READ });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(262144);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    exitMmap(mm);
  });

  it('a private mapping: a read fault maps the new anonymous folio read-only, clean and not dirtied', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RO);
    expect(m.flags[512]! & PG_DIRTY).toBe(0);
    exitMmap(mm);
  });
});
