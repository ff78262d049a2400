/**
 * Page and folio geometry, as on x86-64 with 4 KiB pages and 4-level page tables.
 *
 * Models: `PAGE_SHIFT`, `PAGE_SIZE`, `PMD_ORDER`, `PUD_ORDER` (include/linux/pgtable.h,
 * arch/x86/include/asm/page_types.h), `MAX_PAGE_ORDER` (include/linux/mmzone.h),
 * `GUP_PIN_COUNTING_BIAS` (include/linux/mm.h), `TASK_SIZE_MAX`
 * (arch/x86/include/asm/page_64.h). Faithful: the values are the kernel's.
 *
 * Addresses reach 2^47, beyond JavaScript's 32-bit bitwise operators, so address
 * arithmetic uses division and multiplication; PFNs stay below 2^31 and use bitwise ops.
 * The arithmetic helpers take what C's `unsigned long` holds: a NaN, a fraction or a
 * negative number throws an ArgumentError (a negative address would wrap above 2^53 in
 * C, which no model address reaches).
 */
import { badArgument } from './arg-check.js';

/** `PAGE_SHIFT`: log2 of the base page size. */
export const PAGE_SHIFT = 12;
/** `PAGE_SIZE`: 4096 bytes. */
export const PAGE_SIZE = 4096;
/** `PMD_ORDER`: a PMD leaf maps 2^9 pages (2 MiB). */
export const PMD_ORDER = 9;
/** `PUD_ORDER`: a PUD leaf maps 2^18 pages (1 GiB). */
export const PUD_ORDER = 18;
/** `HPAGE_PMD_NR`: pages in a PMD leaf. */
export const HPAGE_PMD_NR = 1 << PMD_ORDER;
/** `HPAGE_PUD_NR`: pages in a PUD leaf. */
export const HPAGE_PUD_NR = 1 << PUD_ORDER;
/** `PMD_SIZE`: 2 MiB. */
export const PMD_SIZE = PAGE_SIZE * HPAGE_PMD_NR;
/** `PUD_SIZE`: 1 GiB. */
export const PUD_SIZE = PAGE_SIZE * HPAGE_PUD_NR;
/** The largest folio order the model supports: a PUD-sized folio (1 GiB hugetlb). */
export const MAX_FOLIO_ORDER = PUD_ORDER;
/**
 * `MAX_PAGE_ORDER` (include/linux/mmzone.h, x86-64 default): the largest block the buddy
 * allocator hands out (4 MiB). The model's allocFolio goes up to MAX_FOLIO_ORDER, as the
 * kernel's gigantic hugetlb pages come from alloc_contig_range rather than the buddy lists.
 */
export const MAX_PAGE_ORDER = 10;
/** `GUP_PIN_COUNTING_BIAS`: refcount added per pin on a folio without a pincount. */
export const GUP_PIN_COUNTING_BIAS = 1024;
/** `TASK_SIZE_MAX` for x86-64 4-level paging: 2^47 - PAGE_SIZE. */
export const TASK_SIZE_MAX = 0x7ffffffff000;
/** `INT_MAX`: the largest `int`, the bound of the kernel's int counts and of kvmalloc sizes. */
export const INT_MAX = 0x7fffffff;
/** `sizeof(struct bio_vec)` on 64-bit. */
export const SIZEOF_BIO_VEC = 16;
/** `sizeof(struct page *)` on 64-bit. */
export const SIZEOF_POINTER = 8;

const UNSIGNED_LONG = 'a non-negative safe integer';

/** `PAGE_ALIGN_DOWN(addr)` (addr & PAGE_MASK) for addresses beyond 32 bits. */
export function pageAlignDown(addr: number): number {
  if (!(Number.isSafeInteger(addr) && addr >= 0)) badArgument('pageAlignDown', 'addr', addr, UNSIGNED_LONG);
  return addr - (addr % PAGE_SIZE);
}

/** `offset_in_page(addr)`. */
export function offsetInPage(addr: number): number {
  if (!(Number.isSafeInteger(addr) && addr >= 0)) badArgument('offsetInPage', 'addr', addr, UNSIGNED_LONG);
  return addr % PAGE_SIZE;
}

/**
 * `DIV_ROUND_UP(n, d)` on unsigned operands. A zero divisor (C's division by zero)
 * throws an ArgumentError, as do NaN, fractions and negative numbers.
 */
export function divRoundUp(n: number, d: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) badArgument('divRoundUp', 'n', n, UNSIGNED_LONG);
  if (!(Number.isSafeInteger(d) && d > 0)) badArgument('divRoundUp', 'd', d, 'a positive safe integer');
  return Math.floor((n + d - 1) / d);
}

/**
 * A NULL `struct page *` / `struct folio *` in a PFN array. PFN 0 is a real page
 * (the zero page), so the model uses -1.
 */
export const NULL_PFN = -1;
