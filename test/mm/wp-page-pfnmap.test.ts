/**
 * do_wp_page on the special PTEs of a PFN map (remap_pfn_range: no struct page for GUP
 * or rmap). A private mapping is copied: wp_page_copy has no source page, so
 * __wp_page_copy_user copies "from the original user address", i.e. the device's data,
 * into a new exclusive anonymous page; the device frame keeps only its driver's
 * reference. A shared mapping goes to wp_pfn_shared, which makes the PTE dirty (and
 * writable only with VM_WRITE) without touching any struct page, so the frame is not
 * dirtied. Expectations worked by hand from mm/memory.c `do_wp_page`, `wp_page_copy`,
 * `__wp_page_copy_user`, `wp_pfn_shared` and `wp_page_reuse`, v6.16. The model's
 * handleMmFault refuses VM_PFNMAP faults (a documented simplification in
 * src/mm/fault.ts), so these tests call doWpPage as handle_pte_fault would.
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
  _PAGE_RW,
  _PAGE_SPECIAL,
  createFile,
  doWpPage,
  exitMmap,
  fileRelease,
  folioTestDirty,
  leafBitsAt,
  mmap,
  pageAt,
  pteSlot,
  userReadTags,
  userWrite,
  vmaLookup,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

const SHARED = BASE;
const PRIVATE = BASE + 2 * MIB;

describe('do_wp_page on a PFN map', () => {
  it('private: the copy holds the device\'s data; the frame keeps its driver reference only', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'device', 4 * KIB) as MmFile; // frame: PFN 1, the driver's reference
    const rw = PROT_READ | PROT_WRITE;
    expect(mmap(mm, { addr: SHARED, length: 4 * KIB, prot: rw, flags: MAP_SHARED | MAP_FIXED, file })).toBe(SHARED);
    expect(mmap(mm, { addr: PRIVATE, length: 4 * KIB, prot: rw, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(PRIVATE);
    expect(userWrite(mm, SHARED, 4 * KIB, 7)).toBe(0); // the device's data, through the shared mapping
    const v = vpnOf(PRIVATE);
    // remap_pfn_range: a private writable mapping is a COW mapping, its PTE read-only.
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([1, _PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED]);

    expect(doWpPage(mm, vmaLookup(mm.vmas, PRIVATE)!, pteSlot(mm.pt, v, false), false)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(2); // the new anonymous page, next after the frame
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_RW);
    expect(m.content[2]).toBe(7);
    expect([m.refcount[2], m.mapcount[2], m.flags[2]! & PG_ANON_EXCLUSIVE]).toEqual([1, 1, PG_ANON_EXCLUSIVE]);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([1, 0]);
    expect(vmstat(m).cowCopies).toBe(1);
    // The device and the private copy are separate from now on.
    expect(userWrite(mm, SHARED, 4 * KIB, 8)).toBe(0);
    expect([userReadTags(mm, PRIVATE, 4 * KIB), userReadTags(mm, SHARED, 4 * KIB)]).toEqual([new Int32Array([7]), new Int32Array([8])]);
    exitMmap(mm);
    fileRelease(file);
    expect([m.refcount[1], m.refcount[2]]).toEqual([0, 0]);
  });

  it('shared, without VM_WRITE: wp_pfn_shared dirties the PTE, not the frame, and leaves it read-only', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'device', 4 * KIB) as MmFile; // PFN 1
    expect(mmap(mm, { addr: SHARED, length: 4 * KIB, prot: PROT_READ, flags: MAP_SHARED | MAP_FIXED, file })).toBe(SHARED);
    const v = vpnOf(SHARED);
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED);
    expect(doWpPage(mm, vmaLookup(mm.vmas, SHARED)!, pteSlot(mm.pt, v, false), false)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(leafBitsAt(mm.pt, v)).toBe(_PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_DIRTY);
    expect(folioTestDirty(m, 1)).toBe(false);
    expect([m.refcount[1], m.mapcount[1], vmstat(m).cowCopies]).toEqual([1, 0, 0]);
    exitMmap(mm);
    fileRelease(file);
  });
});
