/**
 * Virtual memory areas: `struct vm_area_struct` and the lookups and predicates of
 * include/linux/mm.h and mm/mmap.c / mm/vma.c that GUP uses: `vma_lookup`, `find_vma`,
 * `vma_is_anonymous`, `vma_is_fsdax`, `vma_needs_dirty_tracking`,
 * `is_vm_hugetlb_page`, and VMA splitting.
 *
 * Faithful for those predicates. Simplified: VMAs live in a sorted array (the kernel
 * uses a maple tree), are never merged, and carry the model's per-mapping policy (the
 * anonymous folio order, the zone and placement new folios come from) beside the
 * kernel's fields. `pgoff` is the file page offset of `start` (for anonymous VMAs the
 * kernel stores start >> PAGE_SHIFT; the model does the same).
 *
 * Arguments: a lookup address is any integer an unsigned long holds (callers pass the
 * wrapped value of a negative start, 2^64 - 4096 for -4096, which is exact as a
 * double); a negative one is what C's unsigned long makes of it too. Either is above
 * every VMA, so find_vma and vma_lookup answer null. NaN, a fraction, a number past
 * 2^64, and a split point that is not a page-aligned address strictly inside the VMA
 * (aligned to the huge page size on hugetlb), throw an ArgumentError (arg-check.ts)
 * before the VMA array changes.
 */
import { PAGE_SIZE } from './constants.js';
import { badArgument } from './arg-check.js';
import type { ZoneName } from './machine.js';
import type { Placement } from './alloc.js';
import type { MmFile } from './file.js';
import { fileGet } from './file.js';
import { VM_HUGETLB, isSharedWritable } from './vm-flags.js';

/** A mapping: [start, end) in bytes, page aligned. */
export interface Vma {
  start: number;
  end: number;
  /** VM_* flags. */
  flags: number;
  /** The mapped file (shmem for MAP_SHARED|MAP_ANONYMOUS); null for private anonymous memory. */
  readonly file: MmFile | null;
  /** File page offset of `start` (anonymous: start / PAGE_SIZE). */
  pgoff: number;
  /** Folio order for anonymous faults: 0, an mTHP order 1..8, or PMD_ORDER (THP). */
  readonly order: number;
  /** Zone anonymous folios are allocated from. */
  readonly zone: ZoneName;
  /** Allocator placement for anonymous folios. */
  readonly placement: Placement;
  /** hugetlb page order (PMD_ORDER or PUD_ORDER), 0 for other mappings. */
  readonly hugeOrder: number;
  /** `vma->anon_vma != NULL`: the VMA has had anonymous pages (fork copies its page tables). */
  anonVma: boolean;
}

/** `vma_is_anonymous(vma)`: no vm_ops, i.e. private anonymous memory. */
export function vmaIsAnonymous(vma: Vma): boolean {
  return vma.file === null;
}

/** `is_vm_hugetlb_page(vma)`. */
export function isVmHugetlbPage(vma: Vma): boolean {
  return (vma.flags & VM_HUGETLB) !== 0;
}

/** `vma_is_fsdax(vma)`. */
export function vmaIsFsdax(vma: Vma): boolean {
  return vma.file !== null && vma.file.kind === 'fsdax';
}

/** `vma_is_shmem(vma)`. */
export function vmaIsShmem(vma: Vma): boolean {
  return vma.file !== null && vma.file.kind === 'shmem';
}

/**
 * `vma_needs_dirty_tracking(vma)`: shared writable mappings of a file system that
 * writes back or wants write notification (ext4-like, fsdax). shmem and hugetlbfs do not.
 */
export function vmaNeedsDirtyTracking(vma: Vma): boolean {
  if (!isSharedWritable(vma.flags)) return false;
  const kind = vma.file?.kind;
  return kind === 'ext4' || kind === 'fsdax';
}

/** `linear_page_index(vma, addr)` on a virtual page number. */
export function vmaPgoff(vma: Vma, vpn: number): number {
  if (!(Number.isSafeInteger(vpn) && vpn >= 0)) badArgument('vmaPgoff', 'vpn', vpn, 'a non-negative safe integer');
  return vma.pgoff + (vpn - vma.start / PAGE_SIZE);
}

const UNSIGNED_LONG = 'an integer in -2^63..2^64-1 (an unsigned long, a negative one as C wraps it)';

/** An integer an unsigned long (or a long converted to one) holds; past 2^53 only exactly representable ones. */
function isUnsignedLong(addr: number): boolean {
  return Number.isInteger(addr) && addr >= -(2 ** 63) && addr < 2 ** 64;
}

/** Index of the first VMA whose end is above `addr` (vmas.length if none). */
function firstEndingAbove(vmas: readonly Vma[], addr: number): number {
  let lo = 0;
  let hi = vmas.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (vmas[mid]!.end > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `find_vma(mm, addr)`: the first VMA ending above addr, or null. */
export function findVma(vmas: readonly Vma[], addr: number): Vma | null {
  if (!isUnsignedLong(addr)) badArgument('findVma', 'addr', addr, UNSIGNED_LONG);
  if (addr < 0) return null;
  return vmas[firstEndingAbove(vmas, addr)] ?? null;
}

/** `vma_lookup(mm, addr)`: the VMA containing addr, or null. */
export function vmaLookup(vmas: readonly Vma[], addr: number): Vma | null {
  if (!isUnsignedLong(addr)) badArgument('vmaLookup', 'addr', addr, UNSIGNED_LONG);
  if (addr < 0) return null;
  const v = vmas[firstEndingAbove(vmas, addr)];
  return v !== undefined && v.start <= addr ? v : null;
}

/** Inserts a VMA keeping the array sorted (the caller made sure it overlaps nothing). */
export function insertVma(vmas: Vma[], vma: Vma): void {
  vmas.splice(firstEndingAbove(vmas, vma.start), 0, vma);
}

/**
 * `split_vma(vmi, vma, addr, new_below=0)`: cuts `vma` at `addr`; the upper part becomes
 * a new VMA (taking a file reference), inserted after it. Returns the upper part.
 */
export function splitVma(vmas: Vma[], vma: Vma, addr: number): Vma {
  const unit = PAGE_SIZE * 2 ** vma.hugeOrder;
  if (!(Number.isSafeInteger(addr) && addr > vma.start && addr < vma.end && addr % unit === 0))
    badArgument('splitVma', 'addr', addr, `an address inside ${vma.start}..${vma.end} aligned to ${unit}`);
  const at = vmas.indexOf(vma);
  if (at < 0) badArgument('splitVma', 'vma', vma, 'one of vmas');
  const upper: Vma = { ...vma, start: addr, pgoff: vma.pgoff + (addr - vma.start) / PAGE_SIZE };
  vma.end = addr;
  if (vma.file !== null) fileGet(vma.file);
  vmas.splice(at + 1, 0, upper);
  return upper;
}
