/**
 * Argument checks for the C integer types of the block layer's prototypes (bvec.h,
 * bio.h, uio.h): `unsigned int` lengths and offsets, `unsigned short` vector counts,
 * indexes into a bvec array, and `struct page *` arguments of functions that have no
 * machine to look the page up in. They complete src/mm/arg-check.ts, which they use.
 *
 * Each is one or two integer comparisons; the message is built only on failure. A
 * value a C caller could have passed keeps the kernel's answer at the call site (a
 * WARN, an errno, a BUG); these refuse only what C's types rule out.
 */
import { NULL_PFN } from '../mm/constants.js';
import { badArgument } from '../mm/arg-check.js';
import type { BvecArray } from './bio-vec.js';

/** `USHRT_MAX`: the largest `unsigned short` (bi_max_vecs, bi_vcnt, nr_vecs). */
export const USHRT_MAX = 0xffff;

/** `arg` is an `unsigned int`: an integer in 0..UINT_MAX (`>>> 0` is exactly that test). */
export function checkUnsignedInt(fn: string, arg: string, n: number): void {
  if ((n >>> 0) !== n) badArgument(fn, arg, n, 'an unsigned int (an integer in 0..4294967295)');
}

/** `arg` is an `unsigned short`: an integer in 0..USHRT_MAX. */
export function checkUnsignedShort(fn: string, arg: string, n: number): void {
  if (!((n >>> 0) === n && n <= USHRT_MAX)) badArgument(fn, arg, n, 'an unsigned short (an integer in 0..65535)');
}

/** `arg` indexes an entry of `bvs` (`&bv[i]` inside the array). */
export function checkBvecIndex(fn: string, arg: string, bvs: BvecArray, i: number): void {
  if (!((i >>> 0) === i && i < bvs.capacity)) badArgument(fn, arg, i, `an index in 0..${bvs.capacity - 1}`);
}

/**
 * `arg` is a `struct page *` where no machine is at hand: NULL_PFN or a non-negative
 * 32-bit PFN (what a bvec array's Int32Array can store without truncating it).
 */
export function checkPageOrNull(fn: string, arg: string, page: number): void {
  if (!((page | 0) === page && page >= NULL_PFN)) badArgument(fn, arg, page, 'a PFN (a non-negative 32-bit integer) or NULL_PFN');
}

/** As `checkPageOrNull`, without NULL (the callee dereferences the page). */
export function checkPageNumber(fn: string, arg: string, page: number): void {
  if (!((page | 0) === page && page >= 0)) badArgument(fn, arg, page, 'a PFN (a non-negative 32-bit integer)');
}

/**
 * `arg` is a byte count in a `size_t` the model holds exactly: a non-negative safe
 * integer. (A negative value would be a wrapped 2^64 - n, which a JavaScript number
 * cannot hold exactly.)
 */
export function checkSizeT(fn: string, arg: string, n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) badArgument(fn, arg, n, 'a size_t (a non-negative safe integer)');
}
