/**
 * Argument checks for the address-space functions (mmap, munmap, faults, zap, install,
 * user access): what C's types, or the VM_BUG_ONs and calling conventions of the
 * kernel functions they model, guarantee about addresses, virtual page numbers,
 * page-table slots and ranges inside a VMA. Each throws an `ArgumentError`
 * (arg-check.ts) naming the function and the parameter.
 *
 * An address that C could pass but the kernel refuses (negative, so above TASK_SIZE
 * once stored in an `unsigned long`, or simply unmapped) is not refused here: the
 * calling function returns the kernel's errno for it. Only values no C caller could
 * produce (NaN, infinities, fractions) and broken calling conventions throw. Each check
 * is a few comparisons; the message is built only on failure.
 */
import { badArgument } from './arg-check.js';
import { PAGE_SIZE } from './constants.js';
import { _PAGE_PRESENT, _PAGE_PSE, type PageTables, pmdSlot } from './page-table.js';
import type { Vma } from './vma.js';

/** `arg` is an address or byte count as C holds it: an integer (of any sign or size). */
export function checkAddress(fn: string, arg: string, addr: number): void {
  if (!Number.isInteger(addr)) badArgument(fn, arg, addr, 'an integer address');
}

/** `arg` is a C `int` or `unsigned int` flag word (mmap's prot and flags). */
export function checkIntWord(fn: string, arg: string, word: number): void {
  if ((word | 0) !== word && (word >>> 0) !== word) badArgument(fn, arg, word, 'a 32-bit integer flag word');
}

/** `arg`, when given, is a boolean (an optional field of an options object). */
export function checkOptionalBool(fn: string, arg: string, b: boolean | undefined): void {
  if (b !== undefined && typeof b !== 'boolean') badArgument(fn, arg, b, 'a boolean or undefined');
}

/** `vpn` is an integer virtual page number inside `vma` (the address a fault handler is given). */
export function checkVpnInVma(fn: string, vma: Vma, vpn: number): void {
  if (!(Number.isInteger(vpn) && vpn * PAGE_SIZE >= vma.start && vpn * PAGE_SIZE < vma.end))
    badArgument(fn, 'vpn', vpn, `a page number in the VMA's ${vma.start / PAGE_SIZE}..${vma.end / PAGE_SIZE - 1}`);
}

/**
 * [start, end) is a page-aligned byte range inside `vma` (populate_vma_page_range's
 * VM_BUG_ONs; zap_page_range_single's callers guarantee the same).
 */
export function checkRangeInVma(fn: string, vma: Vma, start: number, end: number): void {
  if (!(Number.isInteger(start) && start % PAGE_SIZE === 0 && start >= vma.start && start <= vma.end))
    badArgument(fn, 'start', start, `a page-aligned address in the VMA's ${vma.start}..${vma.end}`);
  if (!(Number.isInteger(end) && end % PAGE_SIZE === 0 && end >= start && end <= vma.end))
    badArgument(fn, 'end', end, `a page-aligned address in ${start}..${vma.end}`);
}

/** `slot` is a present entry of the mm's PTE pool (the `vmf->pte` of a write-protect fault). */
export function checkPresentPteSlot(fn: string, pt: PageTables, slot: number): void {
  const pte = pt.pte;
  if (!((slot | 0) === slot && slot >= 0 && slot < pte.nrTables * 512 && (pte.bits[slot]! & _PAGE_PRESENT) !== 0))
    badArgument(fn, 'slot', slot, 'the slot of a present PTE');
}

/**
 * `ms` is the PMD slot covering `vpn` (the `vmf->pmd` of a PMD-level fault); when
 * `leaf`, it holds a present PMD leaf (pmd_trans_huge), otherwise it is none (pmd_none).
 */
export function checkPmdSlotOf(fn: string, pt: PageTables, ms: number, vpn: number, leaf: boolean): void {
  const ok = ms >= 0 && ms === pmdSlot(pt, vpn, false);
  const b = ok ? pt.pmd.bits[ms]! : 0;
  if (!ok || (leaf ? (b & (_PAGE_PRESENT | _PAGE_PSE)) !== (_PAGE_PRESENT | _PAGE_PSE) : (b & _PAGE_PRESENT) !== 0))
    badArgument(fn, 'ms', ms, leaf ? `the slot of the present PMD leaf covering vpn ${vpn}` : `the slot of the none PMD covering vpn ${vpn}`);
}
