/**
 * Reverse-map accounting: mm/rmap.c `folio_add_new_anon_rmap`,
 * `folio_add_anon_rmap_ptes`, `folio_add_file_rmap_ptes`, `folio_add_*_rmap_pmd/pud`,
 * `folio_remove_rmap_ptes/pmd/pud`, and the PageAnonExclusive rules of
 * include/linux/page-flags.h.
 *
 * Faithful for what GUP and COW read: per-page PTE mapcounts, the folio's entire
 * mapcount for PMD/PUD mappings, the anon mapping kind, and PageAnonExclusive, which a
 * PTE-mapped page carries itself while a PMD/PUD-mapped folio (THP, hugetlb) carries it
 * on its head page (RMAP_LEVEL_PMD sets only the first page; a PMD split copies it to
 * every page). Simplified: no anon_vma tree (the model finds mappings by scanning page
 * tables, see migrate.ts), no large-folio mapcount or mm_id bookkeeping, no NR_*_MAPPED
 * counters. These helpers touch no reference count: callers add or drop references
 * exactly where the kernel does.
 *
 * Arguments: the kernel's `__folio_rmap_sanity_checks` (include/linux/rmap.h) insists
 * that nr_pages > 0 and that page and page + nr_pages - 1 both lie in the folio
 * (VM_WARN_ON under CONFIG_DEBUG_VM). The model makes those the argument checks, with
 * the integer PFN and head-PFN checks C's types give: a bad call throws an
 * ArgumentError (arg-check.ts) before any mapcount changes, instead of corrupting the
 * counts of a neighbouring folio.
 */
import type { Machine } from './machine.js';
import { MAPPING_ANON, PG_ANON_EXCLUSIVE } from './page-flags.js';
import { KernelBug } from './bug.js';
import { badArgument, checkBool, checkFolio, checkPfn } from './arg-check.js';

/** `page` is a PFN and [page, page + nr) lies inside page's folio, nr >= 1. */
function checkPtes(m: Machine, fn: string, page: number, nr: number): void {
  checkPfn(m, fn, 'page', page);
  const order = m.order[page]!;
  const end = (page & ~((1 << order) - 1)) + (1 << order);
  if (!((nr | 0) === nr && nr >= 1 && nr <= end - page))
    badArgument(fn, 'nr', nr, `a page count in 1..${end - page} (the pages from ${page} to the end of its folio)`);
}

/**
 * `folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE)` for pages
 * [page, page + nr) mapped by PTEs: the folio becomes anonymous and each page exclusive.
 */
export function folioAddNewAnonRmapPtes(m: Machine, folio: number, page: number, nr: number): void {
  checkFolio(m, 'folioAddNewAnonRmapPtes', 'folio', folio);
  checkPtes(m, 'folioAddNewAnonRmapPtes', page, nr);
  if ((page & ~((1 << m.order[page]!) - 1)) !== folio)
    badArgument('folioAddNewAnonRmapPtes', 'page', page, `a page of folio ${folio}`);
  m.mapping[folio] = MAPPING_ANON;
  const flags = m.flags;
  const mapcount = m.mapcount;
  for (let p = page; p < page + nr; p++) {
    mapcount[p] = mapcount[p]! + 1;
    flags[p] = flags[p]! | PG_ANON_EXCLUSIVE;
  }
}

/** `folio_add_new_anon_rmap` for a PMD or PUD mapping: exclusive marked on the head. */
export function folioAddNewAnonRmapEntire(m: Machine, folio: number): void {
  checkFolio(m, 'folioAddNewAnonRmapEntire', 'folio', folio);
  m.mapping[folio] = MAPPING_ANON;
  m.entireMapcount[folio] = m.entireMapcount[folio]! + 1;
  m.flags[folio] = m.flags[folio]! | PG_ANON_EXCLUSIVE;
}

/**
 * `folio_add_anon_rmap_ptes(folio, page, nr, vma, addr, flags)`: more PTE mappings of an
 * anon folio, marking each page exclusive when `exclusive` (RMAP_EXCLUSIVE).
 */
export function folioAddAnonRmapPtes(m: Machine, page: number, nr: number, exclusive: boolean): void {
  checkPtes(m, 'folioAddAnonRmapPtes', page, nr);
  checkBool('folioAddAnonRmapPtes', 'exclusive', exclusive);
  const flags = m.flags;
  const mapcount = m.mapcount;
  for (let p = page; p < page + nr; p++) {
    mapcount[p] = mapcount[p]! + 1;
    if (exclusive) flags[p] = flags[p]! | PG_ANON_EXCLUSIVE;
  }
}

/** `folio_add_file_rmap_ptes` (and the mapcount half of `folio_dup_file_rmap_ptes`). */
export function folioAddFileRmapPtes(m: Machine, page: number, nr: number): void {
  checkPtes(m, 'folioAddFileRmapPtes', page, nr);
  const mapcount = m.mapcount;
  for (let p = page; p < page + nr; p++) mapcount[p] = mapcount[p]! + 1;
}

/** `folio_add_file_rmap_pmd/pud` and the dup of any PMD/PUD mapping: entire mapcount + 1. */
export function folioAddRmapEntire(m: Machine, folio: number): void {
  checkFolio(m, 'folioAddRmapEntire', 'folio', folio);
  m.entireMapcount[folio] = m.entireMapcount[folio]! + 1;
}

/** `folio_remove_rmap_ptes(folio, page, nr, vma)`. */
export function folioRemoveRmapPtes(m: Machine, page: number, nr: number): void {
  checkPtes(m, 'folioRemoveRmapPtes', page, nr);
  const mapcount = m.mapcount;
  for (let p = page; p < page + nr; p++) {
    const c = mapcount[p]! - 1;
    if (c < 0) throw new KernelBug(`folio_remove_rmap_ptes: page ${p} mapcount underflow`);
    mapcount[p] = c;
  }
}

/** `folio_remove_rmap_pmd/pud`. */
export function folioRemoveRmapEntire(m: Machine, folio: number): void {
  checkFolio(m, 'folioRemoveRmapEntire', 'folio', folio);
  const c = m.entireMapcount[folio]! - 1;
  if (c < 0) throw new KernelBug(`folio_remove_rmap_pmd: folio ${folio} entire mapcount underflow`);
  m.entireMapcount[folio] = c;
}

/** `folio_mapcount(folio)`: PTE mappings of every page plus PMD/PUD mappings. */
export function folioMapcount(m: Machine, folio: number): number {
  checkFolio(m, 'folioMapcount', 'folio', folio);
  const nr = 1 << m.order[folio]!;
  let total = m.entireMapcount[folio]!;
  const mapcount = m.mapcount;
  for (let p = folio; p < folio + nr; p++) total += mapcount[p]!;
  return total;
}

/**
 * `PageAnonExclusive(page)` as GUP asks it: for a page mapped by a PMD/PUD leaf, the
 * caller passes the head page (gup_fast_pmd_leaf uses &folio->page, follow_huge_pmd the
 * pmd_page), so one test serves both.
 */
export function pageAnonExclusive(m: Machine, page: number): boolean {
  checkPfn(m, 'pageAnonExclusive', 'page', page);
  return (m.flags[page]! & PG_ANON_EXCLUSIVE) !== 0;
}

/** `SetPageAnonExclusive(page)`. */
export function setPageAnonExclusive(m: Machine, page: number): void {
  checkPfn(m, 'setPageAnonExclusive', 'page', page);
  m.flags[page] = m.flags[page]! | PG_ANON_EXCLUSIVE;
}

/** `ClearPageAnonExclusive(page)`. */
export function clearPageAnonExclusive(m: Machine, page: number): void {
  checkPfn(m, 'clearPageAnonExclusive', 'page', page);
  m.flags[page] = m.flags[page]! & ~PG_ANON_EXCLUSIVE;
}
