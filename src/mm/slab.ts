/**
 * The kernel allocator as the proposals' output arrays see it: `kmalloc`, `kvmalloc`,
 * `kvmalloc_array`, `kfree` / `kvfree` (mm/slub.c, mm/util.c, include/linux/slab.h).
 *
 * Faithful for x86-64 sizes: kmalloc caches of 8 B to 8 KiB (powers of two plus the 96
 * and 192 byte caches; KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1), larger kmalloc requests go
 * to the page allocator rounded up to a power-of-two number of pages (kmalloc_large).
 * kvmalloc of up to a page is kmalloc; above the slab limit the model takes the vmalloc
 * fallback, rounded up to whole pages. Simplified: the kernel first tries kmalloc_large
 * with __GFP_NORETRY and uses vmalloc only if that fails; the model assumes the failure
 * (memory that has been running a while is fragmented), so large arrays cost what
 * vmalloc costs. No memory is taken from the machine's memmap: only the cost counters
 * change. `kvmalloc_array` returns NULL (-ENOMEM here) on multiplication overflow.
 */
import { INT_MAX, PAGE_SIZE } from './constants.js';
import { ENOMEM } from './errno.js';
import type { Machine } from './machine.js';
import { warnOnOnce } from './bug.js';

/** `KMALLOC_MAX_CACHE_SIZE`: the largest slab cache (8 KiB with 4 KiB pages). */
export const KMALLOC_MAX_CACHE_SIZE = 2 * PAGE_SIZE;

/** Which allocator served a request. */
export type AllocKind = 'kmalloc' | 'kmalloc-large' | 'vmalloc';

/** A live allocation: what was asked and what the allocator gave. */
export interface KAlloc {
  readonly asked: number;
  readonly given: number;
  readonly kind: AllocKind;
}

/** The kmalloc size class serving `size` bytes (`kmalloc_size_roundup`), up to 8 KiB. */
export function kmallocSizeClass(size: number): number {
  if (size <= 8) return 8;
  if (size <= 96 && size > 64) return 96;
  if (size <= 192 && size > 128) return 192;
  let c = 16;
  while (c < size) c *= 2;
  return c;
}

function pagesRoundUpPow2(size: number): number {
  let pages = 1;
  while (pages * PAGE_SIZE < size) pages *= 2;
  return pages * PAGE_SIZE;
}

const injected = new WeakMap<Machine, number>();

/**
 * Makes the `nth` next allocation on `m` (1 = the very next) fail with -ENOMEM, as
 * the kernel's fault injection (failslab) would. 0 cancels.
 */
export function injectAllocFailure(m: Machine, nth: number): void {
  if (nth <= 0) injected.delete(m);
  else injected.set(m, nth);
}

function injectedFailure(m: Machine): boolean {
  const n = injected.get(m);
  if (n === undefined) return false;
  if (n === 1) {
    injected.delete(m);
    return true;
  }
  injected.set(m, n - 1);
  return false;
}

function account(m: Machine, asked: number, given: number, kind: AllocKind): KAlloc {
  m.cost.allocations++;
  m.cost.bytesAsked += asked;
  m.cost.bytesGiven += given;
  return { asked, given, kind };
}

/** `kmalloc(size)`: a KAlloc, or -ENOMEM (size 0 is ZERO_SIZE_PTR: given 0). */
export function kmalloc(m: Machine, size: number): KAlloc | number {
  if (injectedFailure(m)) return -ENOMEM;
  if (size === 0) return account(m, 0, 0, 'kmalloc');
  if (size <= KMALLOC_MAX_CACHE_SIZE) return account(m, size, kmallocSizeClass(size), 'kmalloc');
  return account(m, size, pagesRoundUpPow2(size), 'kmalloc-large');
}


/**
 * `kvmalloc(size)`: kmalloc up to the slab limit, vmalloc (whole pages) above it. A
 * request above INT_MAX bytes is refused before any allocator is tried, as
 * `__kvmalloc_node_noprof` does ("Don't even allow crazy sizes": WARN_ON_ONCE, NULL).
 */
export function kvmalloc(m: Machine, size: number): KAlloc | number {
  if (size > INT_MAX) {
    warnOnOnce(m, true, 'kvmalloc: size above INT_MAX');
    return -ENOMEM;
  }
  if (size <= KMALLOC_MAX_CACHE_SIZE) return kmalloc(m, size);
  if (injectedFailure(m)) return -ENOMEM;
  return account(m, size, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE, 'vmalloc');
}

/** `kvmalloc_array(n, size)`: -ENOMEM when n * size overflows SIZE_MAX (2^64). */
export function kvmallocArray(m: Machine, n: number, size: number): KAlloc | number {
  if (n * size >= 2 ** 64) return -ENOMEM;
  return kvmalloc(m, n * size);
}

/**
 * `kvfree(p)` / `kfree(p)`: frees, and books `given - usedBytes` as bytes never used.
 */
export function kvfree(m: Machine, a: KAlloc, usedBytes: number): void {
  m.cost.frees++;
  m.cost.bytesUnused += Math.max(0, a.given - usedBytes);
}
