/**
 * do_anonymous_page when the mapping's mTHP order cannot be allocated: alloc_anon_folio
 * falls back to one order-0 folio, from the same zone and placement the VMA asks for,
 * mapped at the faulting address alone; with order 0 already there is no second try.
 * Expectations worked by hand from mm/memory.c `alloc_anon_folio` (each suitable order
 * is tried with vma_alloc_folio; on failure `fallback: return folio_prealloc(vma->vm_mm,
 * vma, vmf->address, true)`, one order-0 allocation with the same gfp and policy; an
 * order-0-only VMA goes straight to that fallback) and `do_anonymous_page` (VM_FAULT_OOM
 * when it fails; nr_pages = folio_nr_pages, a writable dirty exclusive PTE per page),
 * v6.16+. The VMA's zone and placement stand for its gfp mask and memory policy
 * (src/mm/mmap.ts). Layout: 16 MiB is PFNs 0-4095; 64 KiB of ZONE_MOVABLE is 4080-4095.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  PROT_WRITE,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  allocFolio,
  exitMmap,
  folioPut,
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  vmstat,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';
import { holdAllFree } from '../support/hold-free.js';

const v = vpnOf(BASE);
const ANON_RW = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_RW;

describe('alloc_anon_folio falls back to order 0', () => {
  it('an order-4 VMA in ZONE_MOVABLE with no free aligned 16-page block: one order-0 page from ZONE_MOVABLE at the fault address', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, movableBytes: 64 * KIB });
    const held = holdAllFree(m, 0, { zone: 'movable' });
    expect(held).toHaveLength(16);
    folioPut(m, 4085); // one free page in the zone, no free order-4 block anywhere in it
    mapAt(mm, BASE, 64 * KIB, { order: 4, zone: 'movable' });
    expect(handleMmFault(mm, BASE + 2 * 4 * KIB, { write: true })).toBe(0);
    expect([pageAt(mm.pt, v + 2), leafBitsAt(mm.pt, v + 2)]).toEqual([4085, ANON_RW]);
    expect([m.order[4085], m.refcount[4085], m.mapcount[4085], m.flags[4085]! & PG_ANON_EXCLUSIVE]).toEqual([0, 1, 1, PG_ANON_EXCLUSIVE]);
    for (const i of [0, 1, 3, 15]) expect(pageAt(mm.pt, v + i)).toBe(-1);
    expect(vmstat(m).folioAllocs).toBe(17);
    exitMmap(mm);
    for (const f of held) if (f !== 4085) folioPut(m, f);
  });

  it('no page left in the zone at all: -ENOMEM, nothing mapped', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, movableBytes: 64 * KIB });
    const held = holdAllFree(m, 0, { zone: 'movable' });
    mapAt(mm, BASE, 64 * KIB, { order: 4, zone: 'movable' });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(-ENOMEM);
    expect([pageAt(mm.pt, v), vmstat(m).folioAllocs]).toEqual([-1, 16]);
    exitMmap(mm);
    for (const f of held) folioPut(m, f);
  });
});

describe('an order-0 VMA tries the allocator once', () => {
  it('a failed fault moves the scattered placement\'s seeded sequence exactly as one failed order-0 allocation does', () => {
    // Two machines with the same seed and the same history, except that one takes the
    // failed fault where the other makes one failed scattered order-0 allocation: their
    // next scattered allocation must land on the same page.
    const next: number[] = [];
    for (const viaFault of [true, false]) {
      const { m, mm } = world({ memoryBytes: 16 * MIB, seed: 7 });
      expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, placement: 'scattered' })).toBe(BASE);
      const held = holdAllFree(m, 0, { zone: 'normal' });
      if (viaFault) expect(handleMmFault(mm, BASE, { write: true })).toBe(-ENOMEM);
      else expect(allocFolio(m, 0, { placement: 'scattered' })).toBe(-ENOMEM);
      for (const f of held) folioPut(m, f);
      const f = allocFolio(m, 0, { placement: 'scattered' });
      next.push(f);
      folioPut(m, f);
      exitMmap(mm);
    }
    expect(next[0]).toBeGreaterThan(0);
    expect(next[0]).toBe(next[1]);
  });
});
