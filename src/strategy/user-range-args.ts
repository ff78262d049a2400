/**
 * The argument rules the proposed callees share with the GUP entry points they are
 * built on (mm/gup.c pin_user_pages_fast, v6.16+): `start` is an `unsigned long`
 * (a negative JavaScript value is the wrapped address above TASK_SIZE_MAX, answered
 * -EFAULT by gup_fast_fallback's range check), and a FOLL_* bit no flag defines is
 * refused with a WARN and -EINVAL, as is_valid_gup_args refuses internal flags.
 *
 * Not kernel code: the callees are proposals. A `start` that is NaN, fractional or
 * beyond what an `unsigned long` (or its two's-complement reading) can hold is an
 * ArgumentError.
 */
import { badArgument, hasUndefinedFollFlag } from '../mm/arg-check.js';
import { warnOn } from '../mm/bug.js';
import type { Machine } from '../mm/machine.js';

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/** `start` is an `unsigned long` (or a negative number standing for one above 2^63). */
export function checkUserStart(fn: string, start: number): void {
  if (!(Number.isInteger(start) && start >= -TWO_63 && start < TWO_64))
    badArgument(fn, 'start', start, 'an unsigned long address (an integer in -2^63..2^64-1)');
}

/**
 * is_valid_gup_args' answer to a caller flag outside every FOLL_* definition: WARN and
 * refuse (the caller returns -EINVAL). Returns true when refused.
 */
export function refuseUndefinedFollFlags(m: Machine, gupFlags: number): boolean {
  return warnOn(m, hasUndefinedFollFlag(gupFlags), 'is_valid_gup_args: undefined FOLL_* flag from the caller');
}
