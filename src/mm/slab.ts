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
 *
 * A kmalloc above KMALLOC_MAX_SIZE (4 MiB: a MAX_PAGE_ORDER block) fails as the page
 * allocator fails it: `__alloc_pages_noprof`'s `WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER)`
 * and NULL, before fault injection is consulted, so it does not use up an injected
 * failure.
 *
 * Arguments are `size_t`s. NaN or a fraction throws an ArgumentError (arg-check.ts)
 * before anything is counted. Any integer a size_t holds is an answerable request, and a
 * negative one is what C's unsigned wrap makes of it: a size above KMALLOC_MAX_SIZE for
 * kmalloc, above INT_MAX for kvmalloc (refused with its WARN_ON_ONCE and -ENOMEM), or an
 * overflow in kvmalloc_array (computed exactly there).
 */
import { INT_MAX, MAX_PAGE_ORDER, PAGE_SIZE } from './constants.js';
import { ENOMEM } from './errno.js';
import type { Machine } from './machine.js';
import { warnOnOnce } from './bug.js';
import { badArgument, checkCount, checkUnsignedLong } from './arg-check.js';

/** `KMALLOC_MAX_CACHE_SIZE`: the largest slab cache (8 KiB with 4 KiB pages). */
export const KMALLOC_MAX_CACHE_SIZE = 2 * PAGE_SIZE;

/** `KMALLOC_MAX_SIZE`: the largest kmalloc, one MAX_PAGE_ORDER block (4 MiB). */
export const KMALLOC_MAX_SIZE = PAGE_SIZE << MAX_PAGE_ORDER;

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
  checkUnsignedLong('kmallocSizeClass', 'size', size);
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

const SIZE_T = 'an integer in -2^63..2^64-1 (a size_t; a negative one as C wraps it)';

/** An integer a size_t (or a signed long converted to one) can hold; past 2^53 only exactly representable ones. */
function isSizeT(n: number): boolean {
  return Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 64;
}

const injected = new WeakMap<Machine, number>();

/**
 * Makes the `nth` next allocation on `m` (1 = the very next) fail with -ENOMEM, as
 * the kernel's fault injection (failslab) would. 0 cancels. `nth` is an integer in
 * 0..INT_MAX; anything else throws an ArgumentError.
 */
export function injectAllocFailure(m: Machine, nth: number): void {
  checkCount('injectAllocFailure', 'nth', nth);
  if (nth === 0) injected.delete(m);
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

/**
 * `kmalloc(size)`: a KAlloc, or -ENOMEM (size 0 is ZERO_SIZE_PTR: given 0). A size
 * above KMALLOC_MAX_SIZE, a negative one included, warns once and is -ENOMEM.
 */
export function kmalloc(m: Machine, size: number): KAlloc | number {
  if (!isSizeT(size)) badArgument('kmalloc', 'size', size, SIZE_T);
  if (size > KMALLOC_MAX_SIZE || size < 0) {
    warnOnOnce(m, true, 'kmalloc: order above MAX_PAGE_ORDER');
    return -ENOMEM;
  }
  if (injectedFailure(m)) return -ENOMEM;
  if (size === 0) return account(m, 0, 0, 'kmalloc');
  if (size <= KMALLOC_MAX_CACHE_SIZE) return account(m, size, kmallocSizeClass(size), 'kmalloc');
  return account(m, size, pagesRoundUpPow2(size), 'kmalloc-large');
}

/**
 * `kvmalloc(size)`: kmalloc up to the slab limit, vmalloc (whole pages) above it. A
 * request above INT_MAX bytes is refused before any allocator is tried, as
 * `__kvmalloc_node_noprof` does ("Don't even allow crazy sizes": WARN_ON_ONCE, NULL);
 * so is a negative size, which is above INT_MAX as a `size_t`.
 */
export function kvmalloc(m: Machine, size: number): KAlloc | number {
  if (!isSizeT(size)) badArgument('kvmalloc', 'size', size, SIZE_T);
  if (size > INT_MAX || size < 0) {
    warnOnOnce(m, true, 'kvmalloc: size above INT_MAX');
    return -ENOMEM;
  }
  if (size <= KMALLOC_MAX_CACHE_SIZE) return kmalloc(m, size);
  if (injectedFailure(m)) return -ENOMEM;
  return account(m, size, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE, 'vmalloc');
}

const SIZE_T_MASK = (1n << 64n) - 1n;

/**
 * `kvmalloc_array(n, size)`: -ENOMEM when n * size overflows SIZE_MAX
 * (`check_mul_overflow` in kvmalloc_array_node_noprof, include/linux/slab.h), else
 * kvmalloc(n * size). Negative operands are taken as C's size_t would hold them; a
 * product beyond INT_MAX is computed exactly, so the overflow test is exact too.
 */
export function kvmallocArray(m: Machine, n: number, size: number): KAlloc | number {
  if (!isSizeT(n)) badArgument('kvmallocArray', 'n', n, SIZE_T);
  if (!isSizeT(size)) badArgument('kvmallocArray', 'size', size, SIZE_T);
  const bytes = n * size;
  if (n >= 0 && size >= 0 && bytes <= INT_MAX) return kvmalloc(m, bytes);
  const exact = (BigInt(n) & SIZE_T_MASK) * (BigInt(size) & SIZE_T_MASK);
  if (exact > SIZE_T_MASK) return -ENOMEM;
  // No overflow: a product above INT_MAX meets kvmalloc's WARN; a wrapped n times 0 is 0.
  return kvmalloc(m, exact > BigInt(INT_MAX) ? INT_MAX + 1 : Number(exact));
}

/**
 * `kvfree(p)` / `kfree(p)`: frees, and books `given - usedBytes` as bytes never used.
 * `usedBytes` is an integer in 0..a.given: a caller that wrote more than it was given
 * overflowed its buffer, which throws an ArgumentError.
 */
export function kvfree(m: Machine, a: KAlloc, usedBytes: number): void {
  if (!(Number.isSafeInteger(usedBytes) && usedBytes >= 0 && usedBytes <= a.given))
    badArgument('kvfree', 'usedBytes', usedBytes, `an integer in 0..${a.given} (the bytes the allocation gave)`);
  m.cost.frees++;
  m.cost.bytesUnused += a.given - usedBytes;
}
