/**
 * Where GUP-fast stops, seen from outside: get_user_pages_fast_only returns exactly the
 * prefix the lockless walk took, and gup_fast_fallback counts a hand-over to the slow
 * path in `fastPathFallbacks`. mm/gup.c (v6.16+): gup_fast_pmd_leaf/gup_fast_pud_leaf
 * return 0 for a write through a read-only leaf (`!pmd_access_permitted(orig, flags &
 * FOLL_WRITE)`), gup_fast_pte_range stops at a read-only PTE the same way, and a walk
 * that covered its range takes every leaf in turn. A sink with no room stops the walk
 * and the call returns what it took, with no slow path (the model's sinks: the
 * proposals' fixed arrays).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_PIN,
  FOLL_WRITE,
  PageArraySink,
  costDiff,
  costSnapshot,
  getUserPagesFastOnly,
  gupFastFallback,
  releasePages,
  unpinUserPages,
  userWrite,
  exitMmap,
  type GupSink,
  type Machine,
} from '../../src/index.js';
import { BASE, MIB, forked, mapAt, world } from '../support/mm-layout.js';

/** A page-array sink that grants at most `cap` pages in all. */
class CapSink implements GupSink {
  readonly inner: PageArraySink;
  constructor(
    m: Machine,
    readonly pages: Int32Array,
    readonly cap: number,
  ) {
    this.inner = new PageArraySink(m, pages);
  }
  room(folio: number, page: number, nr: number): number {
    return Math.min(nr, this.cap - this.inner.nr);
  }
  add(folio: number, page: number, nr: number): void {
    this.inner.add(folio, page, nr);
  }
  rollback(gupFlags: number, keep: number): void {
    this.inner.rollback(gupFlags, keep);
  }
}

describe('a write through a read-only leaf: GUP-fast takes nothing there', () => {
  it('a PMD THP write-protected by fork: FOLL_WRITE takes 0 pages, a read takes all 512', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB)).toBe(0);
    const child = forked(mm);
    const pages = new Int32Array(512);
    expect(getUserPagesFastOnly(mm, BASE, 512, FOLL_WRITE, pages)).toBe(0);
    expect(getUserPagesFastOnly(mm, BASE + 4096, 511, 0, pages)).toBe(511);
    releasePages(m, pages, 511);
    exitMmap(child);
    exitMmap(mm);
  });

  it('order-0 pages write-protected by fork: FOLL_WRITE stops at the first PTE', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 64 * 1024);
    expect(userWrite(mm, BASE, 64 * 1024)).toBe(0);
    const child = forked(mm);
    const pages = new Int32Array(16);
    expect(getUserPagesFastOnly(mm, BASE, 16, FOLL_WRITE, pages)).toBe(0);
    expect(getUserPagesFastOnly(mm, BASE, 16, 0, pages)).toBe(16);
    releasePages(m, pages, 16);
    exitMmap(child);
    exitMmap(mm);
  });
});

describe('a range of several leaves: each is taken in turn, no fallback', () => {
  it('two PMD THPs: 1024 pages from the fast path, two leaves visited', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 4 * MIB)).toBe(0);
    const pages = new Int32Array(1024);
    const before = costSnapshot(m.cost);
    expect(getUserPagesFastOnly(mm, BASE, 1024, FOLL_WRITE, pages)).toBe(1024);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ hugeLeavesVisited: 2, fastPathFallbacks: 0, faults: 0 });
    releasePages(m, pages, 1024);
  });

  it('two 1 GiB hugetlb pages: both PUD leaves, 2^19 pages, one grab each', () => {
    const { m, mm } = world({ memoryBytes: 3072 * MIB });
    mapAt(mm, BASE, 2048 * MIB, { shared: true, backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4096)).toBe(0);
    expect(userWrite(mm, BASE + 1024 * MIB, 4096)).toBe(0);
    const nr = 2 * 262144;
    const pages = new Int32Array(nr);
    const before = costSnapshot(m.cost);
    expect(gupFastFallback(mm, BASE, nr, FOLL_PIN | FOLL_WRITE, new PageArraySink(m, pages))).toBe(nr);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ hugeLeavesVisited: 2, fastPathFallbacks: 0, faults: 0, refcountAtomics: 2 });
    unpinUserPages(m, pages, nr);
    exitMmap(mm);
  });
});

describe('a sink with no room stops the walk: what was taken is returned, no slow path', () => {
  it('at a PMD leaf: 100 of 512 granted, then the next room() is 0', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB)).toBe(0);
    const pages = new Int32Array(512);
    const before = costSnapshot(m.cost);
    expect(gupFastFallback(mm, BASE, 512, FOLL_PIN, new CapSink(m, pages, 100))).toBe(100);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ fastPathFallbacks: 0, faults: 0 });
    expect(m.pincount[pages[0]!]).toBe(100);
    unpinUserPages(m, pages, 100);
  });

  it('at a PMD leaf with no room at all: 0, no slow path', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB)).toBe(0);
    const before = costSnapshot(m.cost);
    expect(gupFastFallback(mm, BASE, 512, FOLL_PIN, new CapSink(m, new Int32Array(512), 0))).toBe(0);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ fastPathFallbacks: 0, faults: 0, refcountAtomics: 0 });
  });

  it('at a PTE: 3 order-0 pages, then no room', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 64 * 1024);
    expect(userWrite(mm, BASE, 64 * 1024)).toBe(0);
    const pages = new Int32Array(16);
    const before = costSnapshot(m.cost);
    expect(gupFastFallback(mm, BASE, 16, FOLL_PIN, new CapSink(m, pages, 3))).toBe(3);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ fastPathFallbacks: 0, faults: 0 });
    unpinUserPages(m, pages, 3);
  });
});
