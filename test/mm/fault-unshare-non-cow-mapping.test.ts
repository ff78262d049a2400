/**
 * FAULT_FLAG_UNSHARE on a mapping that is not COW (a shared one): sanitize_fault_flags
 * drops the flag and the fault goes on as an ordinary read fault, with no WARN and no
 * SIGSEGV. Expectations worked by hand from mm/memory.c `sanitize_fault_flags`
 * ("FAULT_FLAG_UNSHARE only applies to COW mappings. Let's just treat it like an
 * ordinary read-fault otherwise": `*flags &= ~FAULT_FLAG_UNSHARE`), `handle_mm_fault`
 * (mm_account_fault counts it), `do_read_fault` / `finish_fault` (a shared shmem page
 * is mapped writable on a read fault, no dirty tracking) and `handle_pte_fault` (a read
 * fault on a present PTE changes nothing), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  PG_DIRTY,
  _PAGE_ACCESSED,
  _PAGE_PRESENT,
  _PAGE_RW,
  exitMmap,
  handleMmFault,
  leafBitsAt,
  pageAt,
  vmstat,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('sanitize_fault_flags on a shared mapping', () => {
  it('an unshare fault on a none PTE is a read fault: the page-cache page is mapped, no WARN, not counted as an unshare', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { shared: true });
    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0);
    // shmem_fault allocates PFN 1 into the page cache (1 ref), the PTE takes another.
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([1, _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW]);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([2, 1]);
    expect(m.warnings).toEqual([]);
    expect([vmstat(m).pgfault, vmstat(m).unshareFaults, m.cost.faults]).toEqual([1, 0, 1]);
    exitMmap(mm);
  });

  it('an unshare fault on a present PTE changes nothing', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { shared: true });
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([1, _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW]);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([2, 1]);
    expect(m.warnings).toEqual([]);
    expect([vmstat(m).pgfault, vmstat(m).unshareFaults]).toEqual([2, 0]);
    exitMmap(mm);
  });

  it('an unshare fault on a present read-only PTE of a shared ext4 mapping: still read-only and clean, the folio not dirtied', () => {
    // Dirty tracking maps the page-cache page read-only on a read fault; with the flag
    // dropped, the unshare fault is that read fault again and never reaches do_wp_page,
    // whose shared branch would make the PTE writable and dirty.
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { shared: true, backing: 'ext4' });
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_ACCESSED);
    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0);
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_ACCESSED);
    expect(m.flags[pageAt(mm.pt, v)]! & PG_DIRTY).toBe(0);
    expect(vmstat(m).unshareFaults).toBe(0);
    exitMmap(mm);
  });
});
