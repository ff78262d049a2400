/**
 * mmap(2) flags and protections: include/uapi/asm-generic/mman-common.h and
 * linux/mman.h, plus the prot/flag to vm_flags translation of mm/mmap.c
 * (`calc_vm_prot_bits`, `calc_vm_flag_bits`).
 *
 * Faithful: values are the x86-64 uapi values. Only the flags the model implements
 * are listed; others are rejected by mmap() with -EINVAL (see mmap.ts).
 */
import { VM_EXEC, VM_READ, VM_WRITE } from './vm-flags.js';
import { badArgument } from './arg-check.js';

/** `PROT_NONE`. */
export const PROT_NONE = 0x0;
/** `PROT_READ`. */
export const PROT_READ = 0x1;
/** `PROT_WRITE`. */
export const PROT_WRITE = 0x2;
/** `PROT_EXEC`. */
export const PROT_EXEC = 0x4;

/** `MAP_SHARED`. */
export const MAP_SHARED = 0x01;
/** `MAP_PRIVATE`. */
export const MAP_PRIVATE = 0x02;
/** `MAP_SHARED_VALIDATE`. */
export const MAP_SHARED_VALIDATE = 0x03;
/** `MAP_TYPE`: the mask of the sharing type. */
export const MAP_TYPE = 0x0f;
/** `MAP_FIXED`. */
export const MAP_FIXED = 0x10;
/** `MAP_ANONYMOUS`. */
export const MAP_ANONYMOUS = 0x20;
/** `MAP_POPULATE`: prefault (populate_vma_page_range). */
export const MAP_POPULATE = 0x8000;
/** `MAP_HUGETLB`: anonymous hugetlbfs mapping. */
export const MAP_HUGETLB = 0x40000;
/** `MAP_FIXED_NOREPLACE`. */
export const MAP_FIXED_NOREPLACE = 0x100000;
/** `MAP_HUGE_SHIFT`: log2 of the huge page size sits at bits 26..31. */
export const MAP_HUGE_SHIFT = 26;
/** `MAP_HUGE_2MB`. */
export const MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
/** `MAP_HUGE_1GB`. */
export const MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;
/** `MAP_HUGE_MASK`. */
export const MAP_HUGE_MASK = 0x3f;

/**
 * `calc_vm_prot_bits(prot)`: PROT_* to VM_READ / VM_WRITE / VM_EXEC. Other bits are
 * ignored, as the kernel ignores them here. Takes a 32-bit word, signed or not (mmap's
 * `int prot`); NaN, a fraction or a wider number throws an ArgumentError.
 */
export function calcVmProtBits(prot: number): number {
  if ((prot | 0) !== prot && (prot >>> 0) !== prot) badArgument('calcVmProtBits', 'prot', prot, 'a 32-bit PROT_* word');
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}
