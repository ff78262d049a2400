/**
 * Argument checks of the exported GUP entry points: mm/gup.c `is_valid_gup_args`, and
 * the flag mask of `gup_fast_fallback`.
 *
 * Faithful (v6.16+): each rejection is a WARN_ON_ONCE; internal flags from a caller,
 * FOLL_GET with FOLL_PIN, FOLL_LONGTERM without FOLL_PIN, GET or PIN without a page
 * array, and FOLL_LONGTERM with FOLL_PCI_P2PDMA are refused. The callers turn a refusal
 * into -EINVAL (get_user_pages*, *_fast) or 0 (pin_user_pages, _remote, _unlocked).
 *
 * Model difference: a bit no FOLL_* flag defines is refused like an internal flag
 * (the same WARN, the same -EINVAL or 0). The kernel tests only INTERNAL_GUP_FLAGS:
 * an undefined bit passes the slow entries unnoticed (gup_fast_fallback's mask refuses
 * it on the fast ones); the model refuses it so that a typo in a flag word cannot pass
 * silently.
 *
 * Arguments C's types guarantee (ArgumentError): `gupFlags` and `toSet` unsigned 32-bit
 * words (toSet within the defined flags), `hasPages` a boolean, `locked` null or an int.
 */
import { checkBool, checkFlags, checkGupFlagsWord, hasUndefinedFollFlag } from '../mm/arg-check.js';
import { warnOn } from '../mm/bug.js';
import {
  FOLL_FAST_ONLY,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_HONOR_NUMA_FAULT,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_UNLOCKABLE,
  FOLL_WRITE,
  FOLL_ALL_DEFINED,
  INTERNAL_GUP_FLAGS,
} from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { checkIntArg } from './gup-arg-types.js';

/** The flags gup_fast_fallback accepts; anything else is a WARN and -EINVAL. */
export const GUP_FAST_FLAGS =
  FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET | FOLL_FAST_ONLY | FOLL_NOFAULT | FOLL_PCI_P2PDMA | FOLL_HONOR_NUMA_FAULT;

/**
 * `is_valid_gup_args(pages, locked, &gup_flags, to_set)`: returns the flags with
 * `toSet` (and FOLL_UNLOCKABLE when `locked` is given) added, or -1 when the arguments
 * are invalid. `hasPages` says whether a page array was passed; `locked` is the
 * caller's *locked, or null for a NULL pointer.
 */
export function isValidGupArgs(m: Machine, hasPages: boolean, locked: number | null, gupFlags: number, toSet: number): number {
  checkBool('isValidGupArgs', 'hasPages', hasPages);
  if (locked !== null) checkIntArg('isValidGupArgs', 'locked', locked);
  checkGupFlagsWord('isValidGupArgs', gupFlags);
  checkFlags('isValidGupArgs', 'toSet', toSet, FOLL_ALL_DEFINED);
  if (warnOn(m, (gupFlags & INTERNAL_GUP_FLAGS) !== 0, 'is_valid_gup_args: internal FOLL_* flag from the caller')) return -1;
  if (warnOn(m, hasUndefinedFollFlag(gupFlags), 'is_valid_gup_args: a FOLL_* bit the kernel does not define (refused by the model only)'))
    return -1;
  let flags = gupFlags | toSet;
  if (locked !== null) {
    if (warnOn(m, locked !== 1, 'is_valid_gup_args: *locked != 1')) return -1;
    flags |= FOLL_UNLOCKABLE;
  }
  if (warnOn(m, (flags & (FOLL_PIN | FOLL_GET)) === (FOLL_PIN | FOLL_GET), 'is_valid_gup_args: FOLL_GET and FOLL_PIN'))
    return -1;
  if (warnOn(m, (flags & FOLL_PIN) === 0 && (flags & FOLL_LONGTERM) !== 0, 'is_valid_gup_args: FOLL_LONGTERM without FOLL_PIN'))
    return -1;
  if (warnOn(m, (flags & (FOLL_GET | FOLL_PIN)) !== 0 && !hasPages, 'is_valid_gup_args: FOLL_GET/FOLL_PIN without pages'))
    return -1;
  if (warnOn(m, (flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_PCI_P2PDMA) !== 0, 'is_valid_gup_args: FOLL_LONGTERM with FOLL_PCI_P2PDMA'))
    return -1;
  return flags;
}
