/**
 * Per-page flag bits and per-folio mapping kinds, stored in the memmap's typed arrays.
 *
 * Models a subset of `enum pageflags` (include/linux/page-flags.h), the hugetlb page
 * type (`PGTY_hugetlb`, kept as one more bit on the head page) and the folio mapping
 * types that GUP cares about (`folio_test_anon`, shmem, hugetlbfs page cache, fsdax,
 * device memory). Simplified: one bit per concept, no PG_lru/locked/writeback, since
 * GUP's pin arithmetic does not read them. Being a hugetlb folio and what maps it are
 * separate, as in the kernel: a private hugetlb mapping's folio is anonymous
 * (MAPPING_ANON) and hugetlb (PG_HUGETLB) at once.
 */

/** The page belongs to an allocated folio (clear means the page is free). */
export const PG_ALLOCATED = 1 << 0;
/** `PG_head`: the first page of a folio. */
export const PG_HEAD = 1 << 1;
/** `PG_dirty` (folio flag, on the head page). */
export const PG_DIRTY = 1 << 2;
/** `PageAnonExclusive` (per page): this anonymous page is mapped by one mm only. */
export const PG_ANON_EXCLUSIVE = 1 << 3;
/** `PG_reserved`: the shared zero page. */
export const PG_RESERVED = 1 << 4;
/** `PG_referenced` (folio flag): set by GUP-fast's folio_set_referenced. */
export const PG_REFERENCED = 1 << 5;
/** `PG_hwpoison`: a memory error hit this page. */
export const PG_HWPOISON = 1 << 6;
/**
 * The hugetlb page type (include/linux/page-flags.h `PGTY_hugetlb` in the head page's
 * `page_type`, `FOLIO_TYPE_OPS(hugetlb, hugetlb)`), on the head page only: set when
 * the hugetlb pool hands a folio out (mm/hugetlb.c `init_new_hugetlb_folio` ->
 * `__folio_set_hugetlb`), whatever then maps it, and cleared when the folio goes back
 * to the allocator (`__update_and_free_hugetlb_folio` -> `__folio_clear_hugetlb`; the
 * model's freeFolio clears every flag). `folio_test_hugetlb` reads it.
 */
export const PG_HUGETLB = 1 << 7;

/** What backs a folio (folio->mapping's kind). */
export const MAPPING_NONE = 0;
/** `folio_test_anon`: anonymous memory. */
export const MAPPING_ANON = 1;
/** Page cache of a writeback-tracked file system (ext4-like; vma_needs_dirty_tracking). */
export const MAPPING_FILE = 2;
/** shmem / memfd page cache (exempt from dirty tracking). */
export const MAPPING_SHMEM = 3;
/**
 * hugetlbfs page cache (a shared hugetlb mapping's folio). Not `folio_test_hugetlb`:
 * that is PG_HUGETLB, also set on the anonymous folios of private hugetlb mappings.
 */
export const MAPPING_HUGETLB = 4;
/** fsdax device memory (`folio_is_fsdax`): never long-term pinnable. */
export const MAPPING_FSDAX = 5;
/** Device-coherent memory (`folio_is_device_coherent`): never long-term pinnable. */
export const MAPPING_DEVICE_COHERENT = 6;
/** PCI peer-to-peer DMA memory (`folio_is_pci_p2pdma`): needs FOLL_PCI_P2PDMA. */
export const MAPPING_P2PDMA = 7;

/** Mapping kind names, for reports and traces. */
export const MAPPING_NAMES: readonly string[] = [
  'none',
  'anon',
  'file',
  'shmem',
  'hugetlb',
  'fsdax',
  'device-coherent',
  'p2pdma',
];
