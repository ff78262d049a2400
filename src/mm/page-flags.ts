/**
 * Per-page flag bits and per-folio mapping kinds, stored in the memmap's typed arrays.
 *
 * Models a subset of `enum pageflags` (include/linux/page-flags.h) and the folio
 * mapping types that GUP cares about (`folio_test_anon`, shmem, hugetlb, fsdax,
 * device memory). Simplified: one bit per concept, no PG_lru/locked/writeback, since
 * GUP's pin arithmetic does not read them.
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

/** What backs a folio (folio->mapping's kind). */
export const MAPPING_NONE = 0;
/** `folio_test_anon`: anonymous memory. */
export const MAPPING_ANON = 1;
/** Page cache of a writeback-tracked file system (ext4-like; vma_needs_dirty_tracking). */
export const MAPPING_FILE = 2;
/** shmem / memfd page cache (exempt from dirty tracking). */
export const MAPPING_SHMEM = 3;
/** hugetlbfs (`folio_test_hugetlb`). */
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
