/**
 * FOLL_* flags: `enum` in include/linux/mm_types.h (public, since ~v6.3) and the
 * internal ones in mm/internal.h. Faithful: names and values are the current kernel's
 * (the pre-6.3 `#define` values differed; the model has only the current ones).
 */
import { badArgument } from './arg-check.js';

/** `FOLL_WRITE`: check the PTE is writable, break COW if needed. */
export const FOLL_WRITE = 1 << 0;
/** `FOLL_GET`: take a plain folio reference per page; release with put_page(). */
export const FOLL_GET = 1 << 1;
/** `FOLL_DUMP`: give an error on hole if it would be zero. */
export const FOLL_DUMP = 1 << 2;
/** `FOLL_FORCE`: ptrace-style override of VMA permissions (COW mappings only). */
export const FOLL_FORCE = 1 << 3;
/** `FOLL_NOWAIT`: if a disk transfer is needed, start the I/O and return without waiting. */
export const FOLL_NOWAIT = 1 << 4;
/** `FOLL_NOFAULT`: fail rather than fault pages in. */
export const FOLL_NOFAULT = 1 << 5;
/** `FOLL_HWPOISON`: return -EHWPOISON on a poisoned page. */
export const FOLL_HWPOISON = 1 << 6;
/** `FOLL_ANON`: refuse non-anonymous VMAs. */
export const FOLL_ANON = 1 << 7;
/** `FOLL_LONGTERM`: the pin is long-lived; requires FOLL_PIN. */
export const FOLL_LONGTERM = 1 << 8;
/** `FOLL_SPLIT_PMD`: split a huge PMD before returning its pages. */
export const FOLL_SPLIT_PMD = 1 << 9;
/** `FOLL_PCI_P2PDMA`: allow returning PCI P2PDMA pages. */
export const FOLL_PCI_P2PDMA = 1 << 10;
/** `FOLL_INTERRUPTIBLE`: allow the fault to be interrupted by any signal. */
export const FOLL_INTERRUPTIBLE = 1 << 11;
/** `FOLL_HONOR_NUMA_FAULT`: honour NUMA hinting faults. */
export const FOLL_HONOR_NUMA_FAULT = 1 << 12;

/** `FOLL_TOUCH` (internal): mark the page accessed. */
export const FOLL_TOUCH = 1 << 16;
/** `FOLL_TRIED` (internal): a retry after a fault. */
export const FOLL_TRIED = 1 << 17;
/** `FOLL_REMOTE` (internal): the target is not current->mm. */
export const FOLL_REMOTE = 1 << 18;
/** `FOLL_PIN` (internal): DMA pin; set only by the pin_user_pages*() wrappers. */
export const FOLL_PIN = 1 << 19;
/** `FOLL_FAST_ONLY` (internal): no fallback to the slow path. */
export const FOLL_FAST_ONLY = 1 << 20;
/** `FOLL_UNLOCKABLE` (internal): the mmap_lock may be dropped. */
export const FOLL_UNLOCKABLE = 1 << 21;
/** `FOLL_MADV_POPULATE` (internal): called from MADV_POPULATE_(READ|WRITE). */
export const FOLL_MADV_POPULATE = 1 << 22;

/** `INTERNAL_GUP_FLAGS`: the flags callers must never pass. */
export const INTERNAL_GUP_FLAGS =
  FOLL_TOUCH | FOLL_TRIED | FOLL_REMOTE | FOLL_PIN | FOLL_FAST_ONLY | FOLL_UNLOCKABLE | FOLL_MADV_POPULATE;

/** Every FOLL_* flag by its kernel name, for parsing and printing. */
export const FOLL_FLAGS: Readonly<Record<string, number>> = {
  FOLL_WRITE,
  FOLL_GET,
  FOLL_DUMP,
  FOLL_FORCE,
  FOLL_NOWAIT,
  FOLL_NOFAULT,
  FOLL_HWPOISON,
  FOLL_ANON,
  FOLL_LONGTERM,
  FOLL_SPLIT_PMD,
  FOLL_PCI_P2PDMA,
  FOLL_INTERRUPTIBLE,
  FOLL_HONOR_NUMA_FAULT,
  FOLL_TOUCH,
  FOLL_TRIED,
  FOLL_REMOTE,
  FOLL_PIN,
  FOLL_FAST_ONLY,
  FOLL_UNLOCKABLE,
  FOLL_MADV_POPULATE,
};

/** The OR of every defined flag; anything outside it is an unknown flag. */
export const FOLL_ALL_DEFINED = Object.values(FOLL_FLAGS).reduce((a, b) => a | b, 0);

/**
 * `FOLL_WRITE|FOLL_PIN` style rendering of a flag word, lowest bit first; bits no flag
 * defines are shown in hex (this renders refused words too). Takes a 32-bit word,
 * signed or not (`gup_flags & ~mask` is negative in JavaScript when bit 31 is set, the
 * same bits as C's `unsigned int`); NaN, a fraction or a wider number throws an ArgumentError.
 */
export function follFlagsToString(flags: number): string {
  if ((flags | 0) !== flags && (flags >>> 0) !== flags)
    badArgument('follFlagsToString', 'flags', flags, 'a 32-bit FOLL_* word');
  const names: string[] = [];
  for (const [name, bit] of Object.entries(FOLL_FLAGS)) if ((flags & bit) !== 0) names.push(name);
  const unknown = flags & ~FOLL_ALL_DEFINED;
  if (unknown !== 0) names.push(`0x${(unknown >>> 0).toString(16)}`);
  return names.length === 0 ? '0' : names.join('|');
}
