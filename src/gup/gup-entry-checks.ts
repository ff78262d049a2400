/**
 * The front of every page-array GUP entry point (get_user_pages*, pin_user_pages*):
 * the checks C's types would have made, then mm/gup.c `is_valid_gup_args` with the
 * wrapper's flags, then the page array's length, in the order a C caller would see
 * the answers.
 *
 * 1. ArgumentError for values no C caller can pass: `start` must be an unsigned long
 *    (an integer in -2^63..2^64-1; a negative one wraps above TASK_SIZE_MAX and gets
 *    the kernel's -EFAULT or -EOVERFLOW later), `nrPages` an unsigned long for the slow
 *    entries and an `int` for the _fast ones (get_user_pages_fast, _fast_only and
 *    pin_user_pages_fast take `int nr_pages`), `gupFlags` an unsigned 32-bit word.
 * 2. is_valid_gup_args: its WARN and refusal (the caller answers -EINVAL or 0).
 * 3. A `pages` array shorter than the count the call would fill is a buffer overflow
 *    in C: an ArgumentError before anything is pinned. For the _fast entries only if
 *    the call would get past gup_fast_fallback's flag mask and range check: a C caller
 *    with a short array still gets -EINVAL, -EOVERFLOW or -EFAULT there, and a
 *    negative `int nr_pages` always does (sign-extended, it wraps or ends above
 *    TASK_SIZE_MAX).
 *
 * Each entry counts one API call, refused or not (step 1 aside: no call was made).
 */
import { checkGupFlagsWord } from '../mm/arg-check.js';
import type { Mm } from '../mm/mm.js';
import { checkIntArg, checkPageArrayRoom, checkUlongArg } from './gup-arg-types.js';
import { gupFastRangeCheck, slowNrPages } from './gup-range.js';
import { GUP_FAST_FLAGS, isValidGupArgs } from './is-valid-gup-args.js';
import type { PageArrayOut } from './page-array-sink.js';

/**
 * Steps 1-3 for a slow entry (unsigned long nr_pages): the flags to walk with, or -1
 * when is_valid_gup_args refused them. `fn` is the exported function's name.
 */
export function slowEntryFlags(
  fn: string,
  mm: Mm,
  start: number,
  nrPages: number,
  gupFlags: number,
  pages: PageArrayOut | null,
  toSet: number,
): number {
  checkUlongArg(fn, 'start', start);
  checkUlongArg(fn, 'nrPages', nrPages);
  checkGupFlagsWord(fn, gupFlags);
  const flags = isValidGupArgs(mm.m, pages !== null, null, gupFlags, toSet);
  if (flags >= 0 && pages !== null) checkPageArrayRoom(fn, 'pages', pages, slowNrPages(nrPages));
  mm.m.cost.apiCalls++;
  return flags;
}

/** Steps 1-3 for a _fast entry (int nr_pages): the flags for gup_fast_fallback, or -1. */
export function fastEntryFlags(
  fn: string,
  mm: Mm,
  start: number,
  nrPages: number,
  gupFlags: number,
  pages: PageArrayOut | null,
  toSet: number,
): number {
  checkUlongArg(fn, 'start', start);
  checkIntArg(fn, 'nrPages', nrPages);
  checkGupFlagsWord(fn, gupFlags);
  const flags = isValidGupArgs(mm.m, pages !== null, null, gupFlags, toSet);
  if (
    flags >= 0 &&
    pages !== null &&
    nrPages > pages.length &&
    (flags & ~GUP_FAST_FLAGS) === 0 &&
    gupFastRangeCheck(start, nrPages) === 0
  )
    checkPageArrayRoom(fn, 'pages', pages, nrPages);
  mm.m.cost.apiCalls++;
  return flags;
}
