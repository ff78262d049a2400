/**
 * VMA flags: `VM_*` of include/linux/mm.h, and the predicates GUP and the fault
 * handler read: `is_cow_mapping`, `vma_is_shared_writable`.
 *
 * Faithful: values are the kernel's (64-bit). Flags above VM_NOHUGEPAGE are not
 * modelled (VM_MERGEABLE would not fit a signed 32-bit bitwise operation).
 *
 * Arguments: the predicates take a word of defined VM_* bits and throw an ArgumentError
 * (arg-check.ts) for NaN, a fraction, a negative number or an undefined bit (which is
 * how a PROT_* or MAP_* word passed by mistake often shows). `vmFlagsToString` renders
 * undefined bits in hex instead, so it can print a bad word.
 */
import { badArgument, checkFlags } from './arg-check.js';

export const VM_NONE = 0x0;
/** `VM_READ`. */
export const VM_READ = 0x1;
/** `VM_WRITE`. */
export const VM_WRITE = 0x2;
/** `VM_EXEC`. */
export const VM_EXEC = 0x4;
/** `VM_SHARED`. */
export const VM_SHARED = 0x8;
/** `VM_MAYREAD`. */
export const VM_MAYREAD = 0x10;
/** `VM_MAYWRITE`. */
export const VM_MAYWRITE = 0x20;
/** `VM_MAYEXEC`. */
export const VM_MAYEXEC = 0x40;
/** `VM_MAYSHARE`. */
export const VM_MAYSHARE = 0x80;
/** `VM_GROWSDOWN`. */
export const VM_GROWSDOWN = 0x100;
/** `VM_PFNMAP`: page frames without struct page semantics (remap_pfn_range). */
export const VM_PFNMAP = 0x400;
/** `VM_LOCKED`. */
export const VM_LOCKED = 0x2000;
/** `VM_IO`: memory-mapped I/O. */
export const VM_IO = 0x4000;
/** `VM_DONTCOPY`. */
export const VM_DONTCOPY = 0x20000;
/** `VM_DONTEXPAND`. */
export const VM_DONTEXPAND = 0x40000;
/** `VM_ACCOUNT`. */
export const VM_ACCOUNT = 0x100000;
/** `VM_NORESERVE`. */
export const VM_NORESERVE = 0x200000;
/** `VM_HUGETLB`: a hugetlbfs mapping. */
export const VM_HUGETLB = 0x400000;
/** `VM_DONTDUMP`. */
export const VM_DONTDUMP = 0x4000000;
/** `VM_MIXEDMAP`. */
export const VM_MIXEDMAP = 0x10000000;
/** `VM_HUGEPAGE` (MADV_HUGEPAGE). */
export const VM_HUGEPAGE = 0x20000000;
/** `VM_NOHUGEPAGE` (MADV_NOHUGEPAGE). */
export const VM_NOHUGEPAGE = 0x40000000;

/** The OR of every VM_* flag the model defines. */
export const VM_ALL_DEFINED =
  VM_READ | VM_WRITE | VM_EXEC | VM_SHARED | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_MAYSHARE | VM_GROWSDOWN |
  VM_PFNMAP | VM_LOCKED | VM_IO | VM_DONTCOPY | VM_DONTEXPAND | VM_ACCOUNT | VM_NORESERVE | VM_HUGETLB |
  VM_DONTDUMP | VM_MIXEDMAP | VM_HUGEPAGE | VM_NOHUGEPAGE;

/** `is_cow_mapping(flags)`: private and may become writable. */
export function isCowMapping(vmFlags: number): boolean {
  checkFlags('isCowMapping', 'vmFlags', vmFlags, VM_ALL_DEFINED);
  return (vmFlags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/** `vma_is_shared_writable` on flags: VM_SHARED and VM_WRITE both set. */
export function isSharedWritable(vmFlags: number): boolean {
  checkFlags('isSharedWritable', 'vmFlags', vmFlags, VM_ALL_DEFINED);
  return (vmFlags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED);
}

const NAMES: ReadonlyArray<readonly [string, number]> = [
  ['VM_READ', VM_READ],
  ['VM_WRITE', VM_WRITE],
  ['VM_EXEC', VM_EXEC],
  ['VM_SHARED', VM_SHARED],
  ['VM_MAYREAD', VM_MAYREAD],
  ['VM_MAYWRITE', VM_MAYWRITE],
  ['VM_MAYEXEC', VM_MAYEXEC],
  ['VM_MAYSHARE', VM_MAYSHARE],
  ['VM_GROWSDOWN', VM_GROWSDOWN],
  ['VM_PFNMAP', VM_PFNMAP],
  ['VM_LOCKED', VM_LOCKED],
  ['VM_IO', VM_IO],
  ['VM_DONTCOPY', VM_DONTCOPY],
  ['VM_DONTEXPAND', VM_DONTEXPAND],
  ['VM_ACCOUNT', VM_ACCOUNT],
  ['VM_NORESERVE', VM_NORESERVE],
  ['VM_HUGETLB', VM_HUGETLB],
  ['VM_DONTDUMP', VM_DONTDUMP],
  ['VM_MIXEDMAP', VM_MIXEDMAP],
  ['VM_HUGEPAGE', VM_HUGEPAGE],
  ['VM_NOHUGEPAGE', VM_NOHUGEPAGE],
];

/**
 * `VM_READ|VM_WRITE|...` rendering, for traces and test names; bits no VM_* flag here
 * defines are shown in hex. Throws an ArgumentError for anything but an unsigned 32-bit integer.
 */
export function vmFlagsToString(vmFlags: number): string {
  if ((vmFlags >>> 0) !== vmFlags) badArgument('vmFlagsToString', 'vmFlags', vmFlags, 'an unsigned 32-bit VM_* word');
  const out: string[] = [];
  for (const [name, bit] of NAMES) if ((vmFlags & bit) !== 0) out.push(name);
  const unknown = vmFlags & ~VM_ALL_DEFINED;
  if (unknown !== 0) out.push(`0x${(unknown >>> 0).toString(16)}`);
  return out.length === 0 ? 'VM_NONE' : out.join('|');
}
