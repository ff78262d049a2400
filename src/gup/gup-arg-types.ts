/**
 * The C types of the GUP layer's arguments, as checks: `unsigned long start` and
 * `nr_pages`, `int nr_pages` of the fast variants, the `unsigned int gup_flags` word,
 * `int refs` of the grab and put primitives, and a `struct page **` long enough for
 * the count. Not kernel code: C's types make these checks unnecessary there.
 *
 * A negative number passed as an unsigned long is accepted, because C converts a
 * `long` to the `unsigned long` the kernel then refuses (start above TASK_SIZE_MAX,
 * a wrap): gup-range.ts reduces it modulo 2^64. NaN, fractions and numbers outside
 * every C value of the type throw an ArgumentError. The predicates are integer
 * comparisons; the messages are built only on failure.
 */
import { badArgument, checkFlags, checkFolio, checkInt, checkPfn } from '../mm/arg-check.js';
import { INT_MAX } from '../mm/constants.js';
import { FOLL_ALL_DEFINED } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';

/** `INT_MIN`: the smallest `int`. */
export const INT_MIN = -INT_MAX - 1;

const LONG_MIN = -(2 ** 63);
const ULONG_LIMIT = 2 ** 64;

/** True for a value C can pass as an `unsigned long`: an integer in -2^63..2^64-1 (negatives wrap). */
export function isUlongArg(n: number): boolean {
  return Number.isInteger(n) && n >= LONG_MIN && n < ULONG_LIMIT;
}

/** `arg` is a value C can pass as an `unsigned long` (a `long` converts, so -1 is 2^64 - 1). */
export function checkUlongArg(fn: string, arg: string, n: number): void {
  if (!isUlongArg(n)) badArgument(fn, arg, n, 'an integer in -2^63..2^64-1 (an unsigned long)');
}

/** The virtual page numbers of the walk's stages: `start >> PAGE_SHIFT` of an unsigned long. */
const VPN_LIMIT = 2 ** 52;

/**
 * `arg` is a virtual page number as the walk's stages take it: an integer in 0..2^52
 * (2^52 itself is what vpnOfStart rounds the top of the address space to).
 */
export function checkVpnArg(fn: string, arg: string, vpn: number): void {
  if (!(Number.isInteger(vpn) && vpn >= 0 && vpn <= VPN_LIMIT)) badArgument(fn, arg, vpn, 'a virtual page number in 0..2^52');
}

/** `arg` is a page count as the walk's stages take it: nr_pages already unsigned, 0..2^64. */
export function checkPageCountArg(fn: string, arg: string, n: number): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= ULONG_LIMIT)) badArgument(fn, arg, n, 'an integer in 0..2^64 (an unsigned page count)');
}

/** `arg` is a C `int`. */
export function checkIntArg(fn: string, arg: string, n: number): void {
  checkInt(fn, arg, n, INT_MIN, INT_MAX);
}

/** True for a FOLL_* word with no bit the kernel leaves undefined (an unsigned 32-bit integer). */
export function isFollWord(gupFlags: number): boolean {
  return (gupFlags >>> 0) === gupFlags && (gupFlags & ~FOLL_ALL_DEFINED) === 0;
}

/** True for an `int refs` of at least `min` (the grab and put primitives' count). */
export function isRefs(refs: number, min: number): boolean {
  return (refs | 0) === refs && refs >= min;
}

/**
 * `gupFlags` of a function below the API (the primitives, the walk's stages): no
 * is_valid_gup_args stands before them, so an undefined bit is an ArgumentError.
 */
export function checkFollWord(fn: string, gupFlags: number): void {
  checkFlags(fn, 'gupFlags', gupFlags, FOLL_ALL_DEFINED);
}

/**
 * The diagnosis behind a grab or put primitive's one-line test, called only when that
 * test failed: names the first bad argument. `x` is a page (`isFolio` false) or a
 * folio's head PFN; refs must lie in minRefs..INT_MAX. The flags come last, so when
 * the others pass they are the culprit.
 */
export function refuseRefs(
  m: Machine,
  fn: string,
  arg: string,
  x: number,
  isFolio: boolean,
  refs: number,
  minRefs: number,
  gupFlags: number,
): never {
  if (isFolio) checkFolio(m, fn, arg, x);
  else checkPfn(m, fn, arg, x);
  checkInt(fn, 'refs', refs, minRefs, INT_MAX);
  return badArgument(fn, 'gupFlags', gupFlags, `a flag word within 0x${FOLL_ALL_DEFINED.toString(16)}`);
}

/**
 * A `struct page **` the call will write or read `nr` entries of: shorter is a buffer
 * overflow in C. `nr` is the count as the kernel sees it (already unsigned).
 */
export function checkPageArrayRoom(fn: string, arg: string, pages: ArrayLike<number>, nr: number): void {
  if (nr > pages.length) badArgument(fn, `${arg}.length`, pages.length, `at least ${nr}, the count the call uses`);
}
