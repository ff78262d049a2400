/**
 * Which folio order an anonymous write fault at the PTE level takes (the model's
 * `alloc_anon_folio` order choice), where the mTHP order must be refused: the aligned
 * block reaches past the VMA, a PTE of the block is already populated, or the VMA's order
 * is PMD_ORDER (the PTE level never maps a PMD-order folio); and a read fault on a present
 * read-only PTE, which does not go to do_wp_page. Kernel: mm/memory.c `alloc_anon_folio`
 * (`thp_vma_allowable_orders(vma, vma->vm_flags, TVA_IN_PF, BIT(PMD_ORDER) - 1)`: orders
 * below PMD_ORDER only; `thp_vma_suitable_orders`: the aligned range inside the VMA;
 * `pte_range_none`: every PTE of the block none), `handle_pte_fault` (do_wp_page only for
 * FAULT_FLAG_WRITE or FAULT_FLAG_UNSHARE on a !pte_write entry), v6.16+. The allocator is
 * next-fit from PFN 1.
 */
import { describe, expect, it } from 'vitest';
import {
  PMD_ORDER,
  _PAGE_RW,
  exitMmap,
  handleMmFault,
  leafBitsAt,
  munmap,
  pageAt,
  userRead,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('the mTHP order refused at the PTE level', () => {
  it('a 16 KiB VMA with order 4: the 64 KiB block reaches past it, so one order-0 page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { order: 4 });
    expect(handleMmFault(mm, BASE + 4 * KIB, { write: true })).toBe(0);
    const page = pageAt(mm.pt, v + 1);
    expect([page, m.order[page]]).toEqual([1, 0]);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 2)]).toEqual([-1, -1]);
    exitMmap(mm);
  });

  it('an order-4 block whose first PTE maps the zero page: the write takes one order-0 page, the zero page stays', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 64 * KIB, { order: 4 });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(m.zeroPfn);
    expect(handleMmFault(mm, BASE + 4 * KIB, { write: true })).toBe(0);
    const page = pageAt(mm.pt, v + 1);
    expect([page, m.order[page]]).toEqual([1, 0]);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 2)]).toEqual([m.zeroPfn, -1]);
    exitMmap(mm);
  });

  it('a PMD-order VMA over a PTE table an earlier mapping left: no PMD, and one order-0 page, not 512 PTEs of a THP', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0); // PFN 1, and the PTE table
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0); // the table stays (no free_pgtables)
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    // PFN 1 was freed at munmap; next-fit goes on from PFN 2.
    const page = pageAt(mm.pt, v);
    expect([page, m.order[page]]).toEqual([2, 0]);
    expect(pageAt(mm.pt, v + 1)).toBe(-1);
    exitMmap(mm);
  });
});

describe('a read fault on a present read-only PTE', () => {
  it('after fork: the shared anonymous page stays read-only in both, no copy', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0); // PFN 1
    const child = forked(mm);
    expect(leafBitsAt(mm.pt, v) & _PAGE_RW).toBe(0);
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v) & _PAGE_RW, m.refcount[1]]).toEqual([1, 0, 2]);
    expect(m.stat.cowCopies).toBe(0);
    exitMmap(child);
    exitMmap(mm);
  });
});
