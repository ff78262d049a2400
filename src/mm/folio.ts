/**
 * Folio accessors and reference counting (include/linux/mm.h, page_ref.h, page-flags.h).
 *
 * Models: `page_folio`, `folio_page`, `folio_page_idx`, `folio_nr_pages`, `folio_size`,
 * `folio_order`, `folio_next`, `folio_ref_count`, `folio_has_pincount`,
 * `folio_maybe_dma_pinned`, `folio_test_large`, `folio_test_dirty`, `folio_mark_dirty`,
 * `folio_test_anon`, `folio_test_hugetlb` / `__folio_set_hugetlb` (a page type, read
 * from PG_HUGETLB, not from the mapping kind), `is_zero_folio`, `folio_get`,
 * `folio_put`, `folio_put_refs`, `folio_ref_add`, `folio_is_longterm_pinnable`. Faithful for 64-bit: `folio_has_pincount` is
 * `folio_test_large` (order >= 1); on 32-bit since v6.15 order-1 folios use the bias
 * instead, which the model does not offer.
 *
 * These are the hot-path primitives, called per folio from the GUP walk and the
 * release loops: no allocation, and one O(1) argument check each, the part of a C
 * pointer's type a number lacks. A `folio` is an integer head PFN inside the memmap
 * (the order is stored on every page, so a tail page is caught by one mask); a `page`
 * is an integer PFN inside the memmap; `n`, `nr` and `refs` are non-negative `int`s,
 * and `folio_page(folio, n)` / `folio_page_idx(folio, page)` stay inside the folio.
 * Anything else throws an ArgumentError (arg-check.ts) before any state changes.
 * Freed folios (refcount 0) are still accepted by the read-only accessors, since the
 * model reads freed memmap entries as the kernel reads freed struct pages; taking or
 * dropping a reference on one is a KernelBug (use after free), as before.
 */
import { GUP_PIN_COUNTING_BIAS, PAGE_SIZE } from './constants.js';
import type { Machine } from './machine.js';
import { pfnZone } from './machine.js';
import {
  PG_ALLOCATED,
  PG_DIRTY,
  PG_HUGETLB,
  MAPPING_ANON,
  MAPPING_DEVICE_COHERENT,
  MAPPING_FSDAX,
  MAPPING_P2PDMA,
} from './page-flags.js';
import { KernelBug } from './bug.js';
import { freeFolio } from './alloc.js';
import { badArgument, checkFolio, checkPfn } from './arg-check.js';

/** `page_folio(page)`: the head PFN of the folio containing `page`. */
export function pageFolio(m: Machine, page: number): number {
  checkPfn(m, 'pageFolio', 'page', page);
  return page & ~((1 << m.order[page]!) - 1);
}

/** `folio_page(folio, n)`: the n-th page of the folio (n in 0..folio_nr_pages - 1). */
export function folioPage(m: Machine, folio: number, n: number): number {
  checkFolio(m, 'folioPage', 'folio', folio);
  if (!((n | 0) === n && n >= 0 && n < 1 << m.order[folio]!))
    badArgument('folioPage', 'n', n, `a page index in 0..${(1 << m.order[folio]!) - 1}`);
  return folio + n;
}

/** `folio_page_idx(folio, page)`: the index of `page` within `folio` (a page of that folio). */
export function folioPageIdx(m: Machine, folio: number, page: number): number {
  checkFolio(m, 'folioPageIdx', 'folio', folio);
  const idx = page - folio;
  if (!((idx | 0) === idx && idx >= 0 && idx < 1 << m.order[folio]!))
    badArgument('folioPageIdx', 'page', page, `a page of folio ${folio} (${folio}..${folio + (1 << m.order[folio]!) - 1})`);
  return idx;
}

/** `folio_order(folio)`. */
export function folioOrder(m: Machine, folio: number): number {
  checkFolio(m, 'folioOrder', 'folio', folio);
  return m.order[folio]!;
}

/** `folio_nr_pages(folio)`. */
export function folioNrPages(m: Machine, folio: number): number {
  checkFolio(m, 'folioNrPages', 'folio', folio);
  return 1 << m.order[folio]!;
}

/** `folio_size(folio)` in bytes. */
export function folioSize(m: Machine, folio: number): number {
  checkFolio(m, 'folioSize', 'folio', folio);
  return (1 << m.order[folio]!) * PAGE_SIZE;
}

/** `folio_next(folio)`: the folio starting at the page after this one ends (memmap arithmetic). */
export function folioNext(m: Machine, folio: number): number {
  checkFolio(m, 'folioNext', 'folio', folio);
  return folio + (1 << m.order[folio]!);
}

/** `folio_ref_count(folio)`. */
export function folioRefCount(m: Machine, folio: number): number {
  checkFolio(m, 'folioRefCount', 'folio', folio);
  return m.refcount[folio]!;
}

/** The folio's `_pincount` (0 for folios without one). */
export function folioPincount(m: Machine, folio: number): number {
  checkFolio(m, 'folioPincount', 'folio', folio);
  return m.pincount[folio]!;
}

/** `folio_has_pincount(folio)`: on 64-bit, every large folio has one. */
export function folioHasPincount(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioHasPincount', 'folio', folio);
  return m.order[folio]! > 0;
}

/** `folio_test_large(folio)`: order >= 1. */
export function folioTestLarge(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioTestLarge', 'folio', folio);
  return m.order[folio]! > 0;
}

/**
 * `folio_maybe_dma_pinned(folio)`: exact for large folios (`_pincount > 0`); fuzzy for
 * order 0, where any refcount >= GUP_PIN_COUNTING_BIAS reads as pinned (1024 plain
 * references are a false positive; false always means "not pinned").
 */
export function folioMaybeDmaPinned(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioMaybeDmaPinned', 'folio', folio);
  if (m.order[folio]! > 0) return m.pincount[folio]! > 0;
  return m.refcount[folio]! >>> 0 >= GUP_PIN_COUNTING_BIAS;
}

/** `folio_test_dirty(folio)`. */
export function folioTestDirty(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioTestDirty', 'folio', folio);
  return (m.flags[folio]! & PG_DIRTY) !== 0;
}

/** `folio_mark_dirty(folio)`: returns true if the folio was clean before. */
export function folioMarkDirty(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioMarkDirty', 'folio', folio);
  const f = m.flags[folio]!;
  if ((f & PG_DIRTY) !== 0) return false;
  m.flags[folio] = f | PG_DIRTY;
  return true;
}

/** `folio_test_anon(folio)`. */
export function folioTestAnon(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioTestAnon', 'folio', folio);
  return m.mapping[folio] === MAPPING_ANON;
}

/**
 * `folio_test_hugetlb(folio)`: the hugetlb page type (PG_HUGETLB on the head page),
 * true for every folio the hugetlb pool handed out, hugetlbfs page cache and the
 * anonymous folios of private hugetlb mappings alike; the mapping kind plays no part.
 */
export function folioTestHugetlb(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioTestHugetlb', 'folio', folio);
  return (m.flags[folio]! & PG_HUGETLB) !== 0;
}

/**
 * `__folio_set_hugetlb(folio)` as mm/hugetlb.c `init_new_hugetlb_folio` calls it: makes
 * a folio the model's allocator just returned a hugetlb folio, before anything maps it.
 * The model has no hugetlb pool, so every site where the kernel would take a folio from
 * the pool (hugetlb faults and copies, the hugetlbfs page cache, fork's and migration's
 * copies, installFolio into a hugetlb VMA) calls this on its allocFolio result. freeFolio
 * clears the type with every other flag (`__update_and_free_hugetlb_folio`).
 */
export function folioSetHugetlb(m: Machine, folio: number): void {
  checkFolio(m, 'folioSetHugetlb', 'folio', folio);
  m.flags[folio] = m.flags[folio]! | PG_HUGETLB;
}

/** `folio_is_pci_p2pdma(folio)`. */
export function folioIsPciP2pdma(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioIsPciP2pdma', 'folio', folio);
  return m.mapping[folio] === MAPPING_P2PDMA;
}

/** `is_zero_folio(folio)`: the shared zero page. */
export function isZeroFolio(m: Machine, folio: number): boolean {
  checkFolio(m, 'isZeroFolio', 'folio', folio);
  return folio === m.zeroPfn;
}

/** Whether `pfn` is part of an allocated folio (not free memory). */
export function pageAllocated(m: Machine, pfn: number): boolean {
  checkPfn(m, 'pageAllocated', 'pfn', pfn);
  return (m.flags[pfn]! & PG_ALLOCATED) !== 0;
}

/**
 * `folio_is_longterm_pinnable(folio)`: false for CMA, ZONE_MOVABLE, fsdax and
 * device-coherent folios; the zero folio is always pinnable.
 */
export function folioIsLongtermPinnable(m: Machine, folio: number): boolean {
  checkFolio(m, 'folioIsLongtermPinnable', 'folio', folio);
  const zone = pfnZone(m, folio).name;
  if (zone === 'cma') return false;
  if (folio === m.zeroPfn) return true;
  const kind = m.mapping[folio];
  if (kind === MAPPING_DEVICE_COHERENT || kind === MAPPING_FSDAX) return false;
  return zone !== 'movable';
}

function assertLive(m: Machine, folio: number, what: string): void {
  if ((m.flags[folio]! & PG_ALLOCATED) === 0 || m.refcount[folio]! <= 0) useAfterFree(m, folio, what);
}

function useAfterFree(m: Machine, folio: number, what: string): never {
  throw new KernelBug(`${what}: use after free of folio ${folio} (refcount ${m.refcount[folio]})`);
}

function refAdd(m: Machine, folio: number, nr: number): void {
  assertLive(m, folio, 'folio_ref_add');
  m.refcount[folio] = m.refcount[folio]! + nr;
  m.cost.refcountAtomics++;
}

/** `folio_ref_add(folio, nr)`: one atomic; `nr` is an `int` >= 0. VM_BUG_ON on a free folio. */
export function folioRefAdd(m: Machine, folio: number, nr: number): void {
  checkFolio(m, 'folioRefAdd', 'folio', folio);
  if (!((nr | 0) === nr && nr >= 0)) badArgument('folioRefAdd', 'nr', nr, 'an integer in 0..2147483647');
  refAdd(m, folio, nr);
}

/** `folio_get(folio)`: one more reference. */
export function folioGet(m: Machine, folio: number): void {
  checkFolio(m, 'folioGet', 'folio', folio);
  refAdd(m, folio, 1);
}

function putRefs(m: Machine, folio: number, refs: number): void {
  assertLive(m, folio, 'folio_put');
  const left = m.refcount[folio]! - refs;
  m.cost.refcountAtomics++;
  if (left < 0)
    throw new KernelBug(`folio_put: refcount underflow on folio ${folio} (${m.refcount[folio]} - ${refs})`);
  if (left === 0 && m.checker !== null) m.checker.freeing(folio);
  m.refcount[folio] = left;
  if (left === 0) freeFolio(m, folio);
}

/**
 * `folio_put_refs(folio, refs)`: drops `refs` references (an `int` >= 0) and frees the
 * folio when the count reaches zero. One atomic. Throws KernelBug on underflow or use
 * after free.
 */
export function folioPutRefs(m: Machine, folio: number, refs: number): void {
  checkFolio(m, 'folioPutRefs', 'folio', folio);
  if (!((refs | 0) === refs && refs >= 0)) badArgument('folioPutRefs', 'refs', refs, 'an integer in 0..2147483647');
  putRefs(m, folio, refs);
}

/** `folio_put(folio)`. */
export function folioPut(m: Machine, folio: number): void {
  checkFolio(m, 'folioPut', 'folio', folio);
  putRefs(m, folio, 1);
}
