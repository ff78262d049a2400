/**
 * The shared GUP walk through the page-array APIs, worked by hand from mm/gup.c
 * (v6.16+, trial tree @463ecae5): gup_fast_pmd_leaf's one grab per leaf,
 * __get_user_pages' page_increm, partial success, gup_fast_fallback's argument and
 * range checks, is_valid_gup_args' -EINVAL vs 0, and the cost counters.
 *
 * Layout notes for the expected PFNs: the allocator is next-fit from PFN 1 in
 * ZONE_NORMAL, so order-9 folios land at 512, 1024, 1536, ... and order-0 folios at
 * 1, 2, 3, ...; page tables take no PFNs.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  EINVAL,
  EOVERFLOW,
  FOLL_ANON,
  FOLL_DUMP,
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_TOUCH,
  FOLL_WRITE,
  NULL_PFN,
  TASK_SIZE_MAX,
  costDiff,
  costSnapshot,
  getUserPages,
  getUserPagesFast,
  getUserPagesRemote,
  pinUserPages,
  pinUserPagesFast,
  pinUserPagesRemote,
  putPage,
  unpinUserPages,
  userWrite,
  vmstat,
  type Mm,
  type PageArrayOut,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

type Api = (mm: Mm, start: number, nr: number, flags: number, pages: PageArrayOut | null) => number;

describe('a range starting inside a THP, over three THPs (gup_fast_pmd_leaf, __get_user_pages page_increm)', () => {
  function threeThps() {
    const w = world();
    mapAt(w.mm, BASE, 8 * MIB, { order: 9 });
    expect(userWrite(w.mm, BASE, 8 * MIB)).toBe(0);
    // One write fault per 2 MiB: THPs at PFN 512, 1024, 1536, 2048, each refcount 1 (its PMD).
    expect([512, 1024, 1536, 2048].map((f) => w.m.refcount[f])).toEqual([1, 1, 1, 1]);
    return w;
  }

  it('pin_user_pages_fast from page 100: 412 + 512 + 100 pages, one grab per PMD leaf', () => {
    const { m, mm } = threeThps();
    const pages = new Int32Array(1024);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE + 100 * 4096, 1024, FOLL_WRITE, pages)).toBe(1024);
    // pages[] gets consecutive subpages: leaf page + ((addr & ~PMD_MASK) >> PAGE_SHIFT).
    expect([pages[0], pages[411], pages[412], pages[923], pages[924], pages[1023]]).toEqual([612, 1023, 1024, 1535, 1536, 1635]);
    // FOLL_PIN on a large folio: refcount += refs and _pincount += refs (refs = pages).
    expect([m.pincount[512], m.pincount[1024], m.pincount[1536], m.pincount[2048]]).toEqual([412, 512, 100, 0]);
    expect([m.refcount[512], m.refcount[1024], m.refcount[1536]]).toEqual([413, 513, 101]);
    expect(vmstat(m).nrFollPinAcquired).toBe(1024);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({
      apiCalls: 1,
      walkRestarts: 1,
      levelsDescended: 3, // pgd, one pud table, one pmd table
      ptesVisited: 0,
      hugeLeavesVisited: 3,
      faults: 0,
      fastPathFallbacks: 0,
      refcountAtomics: 3, // try_get_folio(refs) per leaf
      pincountAtomics: 3,
      pagePointersWritten: 1024,
    });
    const mid = costSnapshot(m.cost);
    unpinUserPages(m, pages, 1024);
    // gup_folio_next groups each folio's run: three puts.
    expect(costDiff(costSnapshot(m.cost), mid)).toMatchObject({ refcountAtomics: 3, pincountAtomics: 3, pagesReleased: 1024 });
    expect([m.refcount[512], m.refcount[1024], m.refcount[1536]]).toEqual([1, 1, 1]);
  });

  it('pin_user_pages (slow path) gets the same pages with page_increm 412, 512, 100: two grabs per leaf', () => {
    const { m, mm } = threeThps();
    const pages = new Int32Array(1024);
    const before = costSnapshot(m.cost);
    expect(pinUserPages(mm, BASE + 100 * 4096, 1024, FOLL_WRITE, pages)).toBe(1024);
    expect([pages[0], pages[411], pages[412], pages[1023]]).toEqual([612, 1023, 1024, 1635]);
    expect([m.pincount[512], m.pincount[1024], m.pincount[1536]]).toEqual([412, 512, 100]);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({
      walkRestarts: 3, // one follow_page_mask per leaf
      levelsDescended: 9,
      hugeLeavesVisited: 3,
      refcountAtomics: 6, // try_grab_folio(folio, 1) then try_grab_folio(folio, page_increm - 1)
      pincountAtomics: 6,
      fastPathFallbacks: 0,
    });
    unpinUserPages(m, pages, 1024);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 1024, nrFollPinReleased: 1024 });
  });

  it('order-0 pages cost one PTE visit and one grab each on the fast path', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { populate: true });
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_WRITE, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4]);
    // try_grab_folio_fast on order 0: folio_ref_try_add then folio_ref_add of the rest of the bias.
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({
      walkRestarts: 1,
      levelsDescended: 4,
      ptesVisited: 4,
      refcountAtomics: 8,
      pincountAtomics: 0,
    });
    expect(Array.from(pages, (p) => m.refcount[p])).toEqual([1025, 1025, 1025, 1025]);
    unpinUserPages(m, pages, 4);
  });
});

describe('holes: partial success, and -EFAULT when the hole comes first (__get_user_pages, gup_fast_fallback)', () => {
  function twoMappings() {
    const w = world();
    // [BASE, +16K) and [BASE+20K, +36K) with an unmapped page between: PFNs 1..4 and 5..8.
    mapAt(w.mm, BASE, 16 * KIB, { populate: true });
    mapAt(w.mm, BASE + 20 * KIB, 16 * KIB, { populate: true });
    return w;
  }

  it.each<[string, Api]>([
    ['pin_user_pages_fast', pinUserPagesFast],
    ['pin_user_pages', pinUserPages],
    ['get_user_pages_fast', getUserPagesFast],
    ['get_user_pages', getUserPages],
  ])('%s over 9 pages stops at the hole and returns 4', (_name, api) => {
    const { m, mm } = twoMappings();
    const pages = new Int32Array(9).fill(NULL_PFN);
    expect(api(mm, BASE, 9, FOLL_WRITE, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4, -1, -1, -1, -1, -1]);
    if (api === getUserPagesFast || api === getUserPages) for (let i = 0; i < 4; i++) putPage(m, pages[i]!);
    else unpinUserPages(m, pages, 4);
    expect(Array.from({ length: 8 }, (_, i) => m.refcount[i + 1])).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('the fast path visits the hole PTE, falls back once, and the slow path finds no VMA', () => {
    const { m, mm } = twoMappings();
    const pages = new Int32Array(9);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 9, 0, pages)).toBe(4);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ ptesVisited: 5, fastPathFallbacks: 1, walkRestarts: 1 });
    unpinUserPages(m, pages, 4);
  });

  it.each<[string, Api]>([
    ['pin_user_pages_fast', pinUserPagesFast],
    ['pin_user_pages', pinUserPages],
    ['get_user_pages_fast', getUserPagesFast],
    ['get_user_pages', getUserPages],
  ])('%s starting at the hole returns -EFAULT and takes nothing', (_name, api) => {
    const { m, mm } = twoMappings();
    const pages = new Int32Array(5);
    expect(api(mm, BASE + 16 * KIB, 5, 0, pages)).toBe(-EFAULT);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
    expect(Array.from({ length: 8 }, (_, i) => m.refcount[i + 1])).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('a range running off the end of the second mapping returns what was there', () => {
    const { m, mm } = twoMappings();
    const pages = new Int32Array(6);
    expect(pinUserPagesFast(mm, BASE + 20 * KIB, 6, 0, pages)).toBe(4);
    expect(Array.from(pages.subarray(0, 4))).toEqual([5, 6, 7, 8]);
    unpinUserPages(m, pages, 4);
  });

  it('an unpopulated page inside a VMA is faulted in, not a hole', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB);
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_WRITE, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4]);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ faults: 4, fastPathFallbacks: 1 });
    unpinUserPages(m, pages, 4);
  });
});

describe('argument checks (is_valid_gup_args, gup_fast_fallback)', () => {
  // Each row: the API, the flags, whether a page array is passed, and the answer.
  it.each<[string, Api, number, boolean, number]>([
    ['pin_user_pages + FOLL_GET', pinUserPages, FOLL_GET, true, 0],
    ['pin_user_pages_fast + FOLL_GET', pinUserPagesFast, FOLL_GET, true, -EINVAL],
    ['pin_user_pages_remote + FOLL_GET', pinUserPagesRemote, FOLL_GET, true, 0],
    ['get_user_pages + FOLL_PIN (internal)', getUserPages, FOLL_PIN, true, -EINVAL],
    ['get_user_pages_remote + FOLL_TOUCH (internal)', getUserPagesRemote, FOLL_TOUCH, true, -EINVAL],
    ['pin_user_pages + FOLL_TOUCH (internal)', pinUserPages, FOLL_TOUCH, true, 0],
    ['get_user_pages_fast + FOLL_LONGTERM without PIN', getUserPagesFast, FOLL_LONGTERM, true, -EINVAL],
    ['get_user_pages + FOLL_LONGTERM without PIN', getUserPages, FOLL_LONGTERM, true, -EINVAL],
    ['pin_user_pages_fast, pages NULL', pinUserPagesFast, 0, false, -EINVAL],
    ['pin_user_pages, pages NULL', pinUserPages, 0, false, 0],
    ['get_user_pages_fast, pages NULL', getUserPagesFast, 0, false, -EINVAL],
    ['pin_user_pages_fast + LONGTERM|PCI_P2PDMA', pinUserPagesFast, FOLL_LONGTERM | FOLL_PCI_P2PDMA, true, -EINVAL],
    ['pin_user_pages + LONGTERM|PCI_P2PDMA', pinUserPages, FOLL_LONGTERM | FOLL_PCI_P2PDMA, true, 0],
    ['pin_user_pages_fast + FOLL_ANON (outside the fast mask)', pinUserPagesFast, FOLL_ANON, true, -EINVAL],
    ['get_user_pages_fast + FOLL_DUMP (outside the fast mask)', getUserPagesFast, FOLL_DUMP, true, -EINVAL],
  ])('%s -> %i with a WARN', (_name, api, flags, withPages, expected) => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { populate: true });
    const pages = withPages ? new Int32Array(4) : null;
    expect(api(mm, BASE, 4, flags, pages)).toBe(expected);
    expect(m.warnings).toHaveLength(1);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
  });

  it('get_user_pages without a page array only faults pages in: no references taken', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB);
    expect(getUserPages(mm, BASE, 4, FOLL_WRITE, null)).toBe(4);
    expect(Array.from({ length: 4 }, (_, i) => m.refcount[i + 1])).toEqual([1, 1, 1, 1]);
    expect(m.warnings).toHaveLength(0);
  });

  it('an unaligned start is rounded down, not rejected', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { populate: true });
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, BASE + 4096 + 123, 2, 0, pages)).toBe(2);
    expect(Array.from(pages)).toEqual([2, 3]);
    unpinUserPages(m, pages, 2);
    expect(pinUserPages(mm, BASE + 4095, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(1);
    unpinUserPages(m, pages, 1);
  });

  it('gup_fast_fallback: -EOVERFLOW on wrap, -EFAULT past TASK_SIZE_MAX, both before any walk', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { populate: true });
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    // 2^64 - 8192 + 3 pages wraps past 2^64.
    expect(pinUserPagesFast(mm, 2 ** 64 - 8192, 3, 0, pages)).toBe(-EOVERFLOW);
    // end = TASK_SIZE_MAX + 4096.
    expect(pinUserPagesFast(mm, TASK_SIZE_MAX - 4096, 2, 0, pages)).toBe(-EFAULT);
    // nr_pages is an int: -1 becomes 2^64 - 1 pages, so start + len wraps.
    expect(pinUserPagesFast(mm, BASE, -1, 0, pages)).toBe(-EOVERFLOW);
    expect(pinUserPagesFast(mm, BASE, 0, 0, pages)).toBe(0);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ apiCalls: 4, walkRestarts: 0 });
    // end == TASK_SIZE_MAX passes the range check; the walk then finds nothing mapped.
    expect(pinUserPagesFast(mm, TASK_SIZE_MAX - 4096, 1, 0, pages)).toBe(-EFAULT);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ walkRestarts: 1, fastPathFallbacks: 1 });
  });
});
