/**
 * The C integer arithmetic of GUP's arguments: `unsigned long start`, `unsigned long`
 * or `int nr_pages`, and gup_fast_fallback's range checks (`untagged_addr(start) &
 * PAGE_MASK`, `check_add_overflow(start, nr_pages << PAGE_SHIFT, &end)`,
 * `end > TASK_SIZE_MAX`).
 *
 * Faithful: values are reduced modulo 2^64 as the C types are (a negative int
 * nr_pages becomes a huge unsigned long). JavaScript numbers are exact only up to
 * 2^53, which covers every user address; larger values (wrapped negatives) only ever
 * need to compare as "too large", which they do. The fast path's check works in BigInt
 * on the exact value of the double, so a negative start (a wrapped long) is reduced
 * exactly before `& PAGE_MASK`.
 *
 * Arguments: any value C can pass as an unsigned long (gup-arg-types.ts); NaN,
 * fractions and values outside -2^63..2^64-1 are an ArgumentError.
 */
import { PAGE_SIZE, TASK_SIZE_MAX } from '../mm/constants.js';
import { EFAULT, EOVERFLOW } from '../mm/errno.js';
import { checkUlongArg } from './gup-arg-types.js';

const TWO_64 = 2 ** 64;

/** `start` as an unsigned long, page number of `start & PAGE_MASK`. */
export function vpnOfStart(start: number): number {
  checkUlongArg('vpnOfStart', 'start', start);
  const s = start < 0 ? start + TWO_64 : start;
  return Math.floor(s / PAGE_SIZE);
}

/** `nr_pages` as an unsigned long. */
export function slowNrPages(nrPages: number): number {
  checkUlongArg('slowNrPages', 'nrPages', nrPages);
  return nrPages < 0 ? nrPages + TWO_64 : nrPages;
}

const MASK64 = (1n << 64n) - 1n;
const PAGE_MASK = ~BigInt(PAGE_SIZE - 1);

/**
 * gup_fast_fallback's range check on `start` and `nr_pages`: `start & PAGE_MASK`
 * (a start already page-aligned is unchanged), then 0, or -EOVERFLOW when start +
 * (nr_pages << PAGE_SHIFT) wraps 2^64, or -EFAULT when the end is above TASK_SIZE_MAX.
 */
export function gupFastRangeCheck(start: number, nrPages: number): number {
  checkUlongArg('gupFastRangeCheck', 'start', start);
  checkUlongArg('gupFastRangeCheck', 'nrPages', nrPages);
  const first = BigInt.asUintN(64, BigInt(start)) & PAGE_MASK;
  const len = (BigInt.asUintN(64, BigInt(nrPages)) << 12n) & MASK64;
  const end = first + len;
  if (end > MASK64) return -EOVERFLOW;
  if (end > BigInt(TASK_SIZE_MAX)) return -EFAULT;
  return 0;
}
