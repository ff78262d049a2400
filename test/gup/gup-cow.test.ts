/**
 * COW and GUP, worked from mm/internal.h gup_must_unshare, mm/memory.c do_wp_page /
 * wp_page_copy (FAULT_FLAG_UNSHARE), copy_present_pte (fork) and mm/gup.c (v6.16+):
 * the zero page under short-term and long-term pins, R/O pins after fork (the
 * COW-vs-GUP problem that unsharing fixes), R/O FOLL_GET that does not unshare, and
 * fork after a pin (folio_needs_cow_for_dma copies for the child).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_LONGTERM,
  FOLL_WRITE,
  PG_ANON_EXCLUSIVE,
  _PAGE_RW,
  costDiff,
  costSnapshot,
  exitMmap,
  getUserPagesFast,
  leafBitsAt,
  pageAt,
  pinUserPages,
  pinUserPagesFast,
  putPage,
  unpinUserPages,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type Mm,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

describe('the zero page (do_anonymous_page maps it special; try_grab_folio never pins it)', () => {
  it('a short-term R/O pin returns the zero page without pinning it; GUP-fast falls back on the special PTE', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB);
    expect(userReadTags(mm, BASE, 16 * KIB)).toEqual(new Int32Array(4));
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 4, 0, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([0, 0, 0, 0]);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ fastPathFallbacks: 1, faults: 0 });
    expect(m.refcount[0]).toBe(1);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
    unpinUserPages(m, pages, 4); // unpin of the zero page is a no-op too
    expect(vmstat(m).nrFollPinReleased).toBe(0);
  });

  it('a R/O FOLL_GET takes real references on the zero page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { populate: false });
    expect(userReadTags(mm, BASE, 16 * KIB)).toEqual(new Int32Array(4));
    const pages = new Int32Array(4);
    expect(getUserPagesFast(mm, BASE, 4, 0, pages)).toBe(4);
    expect(m.refcount[0]).toBe(5);
    for (const p of pages) putPage(m, p);
    expect(m.refcount[0]).toBe(1);
  });

  it('a long-term R/O pin unshares: each zero page is replaced by an exclusive, read-only, zeroed page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB);
    expect(userReadTags(mm, BASE, 16 * KIB)).toEqual(new Int32Array(4));
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4]);
    expect(vmstat(m)).toMatchObject({ unshareFaults: 4, cowCopies: 0, nrFollPinAcquired: 4 });
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ faults: 4, fastPathFallbacks: 1 });
    for (let i = 0; i < 4; i++) {
      expect(pageAt(mm.pt, vpnOf(BASE) + i)).toBe(i + 1);
      expect(leafBitsAt(mm.pt, vpnOf(BASE) + i) & _PAGE_RW).toBe(0); // unshare maps read-only
      expect(m.flags[i + 1]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    }
    // The process writing later reuses the exclusive page: the pin sees the write.
    expect(userWrite(mm, BASE, 4096, 42)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(1);
    expect(m.content[pages[0]!]).toBe(42);
    unpinUserPages(m, pages, 4);
  });
});

describe('R/O pins after fork (gup_must_unshare on a shared anonymous page)', () => {
  function forkedWorld() {
    const w = world();
    mapAt(w.mm, BASE, 4 * KIB);
    expect(userWrite(w.mm, BASE, 4096, 7)).toBe(0); // PFN 1, exclusive, content 7
    const child = forked(w.mm);
    // fork: both map PFN 1 read-only, it is no longer exclusive, refcount 2.
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(1);
    expect(w.m.refcount[1]).toBe(2);
    expect(w.m.flags[1]! & PG_ANON_EXCLUSIVE).toBe(0);
    expect(leafBitsAt(w.mm.pt, vpnOf(BASE)) & _PAGE_RW).toBe(0);
    return { ...w, child };
  }

  it.each([
    ['pin_user_pages_fast', pinUserPagesFast],
    ['pin_user_pages', pinUserPages],
  ])('%s R/O in the parent: the parent gets an exclusive copy, the child keeps the old page', (_n, pin) => {
    const { m, mm, child } = forkedWorld();
    const pages = new Int32Array(1);
    expect(pin(mm, BASE, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(2); // wp_page_copy: refcount 2 means not reusable
    expect(vmstat(m)).toMatchObject({ unshareFaults: 1, cowCopies: 0 });
    expect(m.content[2]).toBe(7);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(2);
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(1);
    expect(m.refcount[1]).toBe(1);
    // Child writes: its page is now only its own, so do_wp_page reuses it in place.
    expect(userWrite(child, BASE, 4096, 8)).toBe(0);
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(1);
    // Parent writes: reuses its exclusive pinned page; the pin sees the parent's data.
    expect(userWrite(mm, BASE, 4096, 9)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(2);
    expect([m.content[pages[0]!], m.content[1]]).toEqual([9, 8]);
    unpinUserPages(m, pages, 1);
    exitMmap(child);
  });

  it('R/O FOLL_GET does not unshare: it holds the shared page, and the parent\'s next write leaves it behind', () => {
    const { m, mm, child } = forkedWorld();
    const pages = new Int32Array(1);
    expect(getUserPagesFast(mm, BASE, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(1);
    expect(vmstat(m).unshareFaults).toBe(0);
    expect(userWrite(mm, BASE, 4096, 9)).toBe(0);
    // The parent COWed onto PFN 2; the page GUP returned no longer is what the parent sees.
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(2);
    expect([m.content[pages[0]!], m.content[2]]).toEqual([7, 9]);
    putPage(m, pages[0]!);
    exitMmap(child);
  });

  it('a R/O pin after the child exited reuses the page (refcount 1): no copy', () => {
    const { m, mm, child } = forkedWorld();
    exitMmap(child);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(1);
    expect(m.flags[1]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(vmstat(m)).toMatchObject({ unshareFaults: 1, folioAllocs: 1 });
    unpinUserPages(m, pages, 1);
  });

  it('a PMD-mapped THP after fork: R/O pin splits the PMD and copies just the pinned page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB, 3)).toBe(0); // THP at PFN 512
    const child = forked(mm);
    expect(m.refcount[512]).toBe(2); // two PMD mappings
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE + 5 * 4096, 1, 0, pages)).toBe(1);
    // do_huge_pmd_wp_page: not exclusive, refcount 2 -> split; then wp_page_copy of page 5
    // into the next free PFN after the THP (next-fit: 1024).
    expect(pages[0]).toBe(1024);
    expect(m.content[1024]).toBe(3);
    // Parent: 511 PTEs into the THP (refs) + the child's PMD (1) = 512.
    expect(m.refcount[512]).toBe(512);
    expect(m.entireMapcount[512]).toBe(1);
    unpinUserPages(m, pages, 1);
    exitMmap(child);
  });
});

describe('hugetlb and fork (copy_hugetlb_page_range, hugetlb_wp with FAULT_FLAG_UNSHARE)', () => {
  it('a R/O pin of a private hugetlb page shared with a child copies the whole 2 MiB page, read-only', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 2 * MIB, 6)).toBe(0); // anonymous hugetlb folio at PFN 512
    const child = forked(mm);
    expect([m.refcount[512], m.entireMapcount[512], m.flags[512]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    const pages = new Int32Array(512);
    expect(pinUserPagesFast(mm, BASE, 512, 0, pages)).toBe(512);
    expect([pages[0], pages[511]]).toEqual([1024, 1535]);
    expect(m.content[1300]).toBe(6);
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_RW).toBe(0);
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(512);
    // GUP-fast pinned 512 pages of the shared folio, then gup_must_unshare made it let go.
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 1024, nrFollPinReleased: 512, unshareFaults: 1 });
    unpinUserPages(m, pages, 512);
    exitMmap(child);
  });

  it('fork after pinning a private hugetlb page gives the child its own copy', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 2 * MIB, 6)).toBe(0);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    const child = forked(mm);
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(1024);
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_RW).toBe(_PAGE_RW);
    expect(m.flags[512]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    unpinUserPages(m, pages, 1);
    exitMmap(child);
  });
});

describe('fork after a pin (copy_present_pte / folio_needs_cow_for_dma)', () => {
  it('a pinned exclusive page is copied for the child; the parent keeps it writable and exclusive', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    expect(userWrite(mm, BASE, 8 * KIB, 5)).toBe(0); // PFNs 1, 2
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    expect(mm.hasPinned).toBe(true);
    const child = forked(mm);
    // Page 0 (pinned): the child got PFN 3, a copy; page 1 (not pinned): shared, write-protected.
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(3);
    expect(m.content[3]).toBe(5);
    expect(pageAt(child.pt, vpnOf(BASE) + 1)).toBe(2);
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_RW).toBe(_PAGE_RW);
    expect(leafBitsAt(mm.pt, vpnOf(BASE) + 1) & _PAGE_RW).toBe(0);
    expect(m.flags[1]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    // The device writes into the pinned page; the parent sees it, the child does not.
    m.content[1] = 6;
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([6]));
    expect(userReadTags(child, BASE, 4096)).toEqual(new Int32Array([5]));
    unpinUserPages(m, pages, 1);
    exitMmap(child);
  });

  it('a pinned PMD-mapped THP is split in the parent and every page copied for the child', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB)).toBe(0);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    const child = forked(mm);
    // 512 new order-0 pages for the child, next-fit after the THP: PFN 1024..1535.
    expect(pageAt(child.pt, vpnOf(BASE))).toBe(1024);
    expect(pageAt(child.pt, vpnOf(BASE) + 511)).toBe(1535);
    expect(m.entireMapcount[512]).toBe(0);
    expect(m.refcount[512]).toBe(512 + 1); // 512 PTE mappings in the parent + 1 pin
    unpinUserPages(m, pages, 1);
    exitMmap(child);
  });
});
