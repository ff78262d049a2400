/**
 * Folio migration for long-term pins: mm/migrate.c `migrate_pages` with
 * `alloc_migration_target` (MR_LONGTERM_PIN, GFP_USER: never CMA nor ZONE_MOVABLE).
 *
 * Faithful in effect: a folio migrates only if every reference it holds is accounted
 * for by its mappings and the page cache (folio_migrate_mapping's expected count: no
 * pins, no stray GET references); the new folio gets the same order, data (content
 * tags), dirty / referenced / PageAnonExclusive state, mapping kind and hugetlb type
 * (a hugetlb source's target is a hugetlb folio, `alloc_hugetlb_folio_nodemask`); every page-table
 * entry mapping the old folio in every address space now maps the new one with the same
 * permissions (remove_migration_ptes), the page cache is updated, and the old folio is
 * freed. `pgmigrate_success` / `pgmigrate_fail` count pages. Simplified: no migration
 * entries or locking (nothing runs concurrently), mappings are found by scanning page
 * tables rather than through the rmap, and the kernel's 10 retry passes collapse into
 * one (a reference that is there now is there on every retry in a single-threaded
 * model). Arguments: `folio` must be a folio's head PFN inside the memmap (a `struct
 * folio *`; a free PFN is a folio already gone); anything else is an ArgumentError.
 */
import { EAGAIN, ENOMEM } from './errno.js';
import { checkFolio } from './arg-check.js';
import { allocFolio } from './alloc.js';
import { filemapReplaceFolio, machineFiles } from './file.js';
import { folioPutRefs, folioRefAdd, folioSetHugetlb, folioTestHugetlb } from './folio.js';
import type { Machine } from './machine.js';
import { machineMms } from './mm.js';
import { PG_ALLOCATED, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_HEAD, PG_REFERENCED } from './page-flags.js';
import { _PAGE_PRESENT, _PAGE_PSE, _PAGE_SPECIAL, type PageTableLevel } from './page-table.js';
import { folioMapcount } from './rmap.js';

const KEPT_FLAGS = PG_DIRTY | PG_ANON_EXCLUSIVE | PG_REFERENCED;

/** Whether a page cache holds `folio`. */
function inPageCache(m: Machine, folio: number): boolean {
  for (const file of machineFiles(m)) if (file.kind !== 'device' && file.cache.includes(folio)) return true;
  return false;
}

function repointLeaves(level: PageTableLevel, from: number, nr: number, to: number, huge: boolean): void {
  const val = level.val;
  const bits = level.bits;
  const n = level.nrTables * 512;
  const end = from + nr;
  for (let s = 0; s < n; s++) {
    const b = bits[s]!;
    if ((b & _PAGE_PRESENT) === 0 || (b & _PAGE_SPECIAL) !== 0) continue;
    if (huge && (b & _PAGE_PSE) === 0) continue;
    const v = val[s]!;
    if (v >= from && v < end) val[s] = to + (v - from);
  }
}

/**
 * Migrates one folio out of CMA / ZONE_MOVABLE into ZONE_NORMAL. Returns 0 (migrated,
 * or already gone), -EAGAIN (references beyond the mappings and page cache: pinned or
 * held) or -ENOMEM (no target folio).
 */
export function migrateFolioLongterm(m: Machine, folio: number): number {
  checkFolio(m, 'migrateFolioLongterm', 'folio', folio);
  if ((m.flags[folio]! & (PG_ALLOCATED | PG_HEAD)) !== (PG_ALLOCATED | PG_HEAD)) return 0;
  const order = m.order[folio]!;
  const nr = 1 << order;
  const expected = folioMapcount(m, folio) + (inPageCache(m, folio) ? nr : 0);
  if (m.refcount[folio] !== expected) {
    m.stat.pgmigrateFail += nr;
    return -EAGAIN;
  }
  const copy = allocFolio(m, order, { zone: 'normal' });
  if (copy < 0) {
    m.stat.pgmigrateFail += nr;
    return -ENOMEM;
  }
  // alloc_migration_target takes a hugetlb source's target from the pool.
  if (folioTestHugetlb(m, folio)) folioSetHugetlb(m, copy);
  const { flags, mapcount, content } = m;
  for (let i = 0; i < nr; i++) {
    flags[copy + i] = flags[copy + i]! | (flags[folio + i]! & KEPT_FLAGS);
    mapcount[copy + i] = mapcount[folio + i]!;
    mapcount[folio + i] = 0;
    content[copy + i] = content[folio + i]!;
  }
  m.entireMapcount[copy] = m.entireMapcount[folio]!;
  m.entireMapcount[folio] = 0;
  m.mapping[copy] = m.mapping[folio]!;
  for (const mm of machineMms(m)) {
    repointLeaves(mm.pt.pte, folio, nr, copy, false);
    repointLeaves(mm.pt.pmd, folio, nr, copy, true);
    repointLeaves(mm.pt.pud, folio, nr, copy, true);
  }
  filemapReplaceFolio(m, folio, copy);
  // The references move with the mappings and the cache: the copy has its allocation
  // reference plus the rest, the old folio drops them all and is freed.
  if (expected > 1) folioRefAdd(m, copy, expected - 1);
  folioPutRefs(m, folio, expected);
  m.stat.pgmigrateSuccess += nr;
  return 0;
}
