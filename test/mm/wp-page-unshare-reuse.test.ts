/**
 * An unshare fault (FAULT_FLAG_UNSHARE) on a reusable anonymous page: do_wp_page marks
 * the page exclusive and returns with the PTE untouched (still read-only); only a later
 * write fault makes it writable, and reuses the page in place. Expectations worked by
 * hand from mm/memory.c `do_wp_page` (v6.16+: `if (unlikely(unshare)) { pte_unmap_unlock;
 * return 0; }` before `wp_page_reuse`), `wp_can_reuse_anon_folio` (refcount 1 is
 * reusable) and `copy_present_pte` (fork clears PageAnonExclusive and write-protects).
 */
import { describe, expect, it } from 'vitest';
import {
  _PAGE_DIRTY,
  _PAGE_RW,
  PG_ANON_EXCLUSIVE,
  exitMmap,
  handleMmFault,
  leafBitsAt,
  pageAt,
  userReadTags,
  vmstat,
  userWrite,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('do_wp_page with FAULT_FLAG_UNSHARE on a page it can reuse', () => {
  it('marks the page exclusive and leaves the PTE read-only; the next write reuses it writable', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // PFN 1
    const child = forked(mm);
    exitMmap(child);
    // After the child is gone: refcount 1, one mapping, not exclusive, PTE read-only.
    expect([m.refcount[1], m.mapcount[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, 0]);
    const bits = leafBitsAt(mm.pt, v);
    expect(bits & _PAGE_RW).toBe(0);

    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0);
    // Reused, not copied: same page, now exclusive; the PTE is exactly as it was.
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(leafBitsAt(mm.pt, v)).toBe(bits);
    expect([m.refcount[1], m.mapcount[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, PG_ANON_EXCLUSIVE]);
    expect(vmstat(m)).toMatchObject({ unshareFaults: 1, cowCopies: 0, folioAllocs: 1 });

    // A write fault now finds PageAnonExclusive: wp_page_reuse makes it writable and dirty.
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(leafBitsAt(mm.pt, v) & (_PAGE_RW | _PAGE_DIRTY)).toBe(_PAGE_RW | _PAGE_DIRTY);
    expect(vmstat(m)).toMatchObject({ unshareFaults: 1, cowCopies: 0, folioAllocs: 1 });
    expect(userReadTags(mm, BASE, 4 * KIB)).toEqual(new Int32Array([5]));
  });
});
