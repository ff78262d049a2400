/**
 * The fast entry: mm/gup.c `gup_fast_fallback`, behind get_user_pages_fast,
 * get_user_pages_fast_only and pin_user_pages_fast.
 *
 * Faithful (v6.16+): flags outside the fast path's mask -> WARN and -EINVAL; FOLL_PIN
 * sets MMF_HAS_PINNED; start is rounded down to a page (never rejected); a range that
 * wraps -> -EOVERFLOW, one ending above TASK_SIZE_MAX -> -EFAULT; GUP-fast takes a
 * prefix; if that was everything, or FOLL_FAST_ONLY, return it; otherwise the slow path
 * (__gup_longterm_locked with FOLL_TOUCH | FOLL_UNLOCKABLE) takes the rest from the first
 * page not taken, and an error there returns the prefix if there is one (the caller
 * must release exactly those pages) and the error otherwise. nr_pages == 0 returns 0:
 * the current kernel has no explicit test and would walk an empty range with its
 * do-while loops; the model follows the kernel-doc ("If nr_pages is 0 or negative,
 * returns 0" for 0). A walk stopped by its sink returns at once, without the slow path.
 *
 * Arguments: `start` and `nrPages` are unsigned longs (a negative value wraps, and the
 * range check answers it: a negative start is above TASK_SIZE_MAX, a negative count
 * wraps start + len or ends above it); NaN, fractions and values no unsigned long
 * holds are an ArgumentError, as is a `gupFlags` that is no unsigned 32-bit word
 * (undefined bits fall outside the fast path's mask: WARN and -EINVAL, as above).
 * Simplified: a count of 2^53 pages or more, or a negative one, that passes the range
 * check (its byte length wraps to a small one) is an ArgumentError rather than the
 * kernel's walk over a wrapped range: the model's counts are exact only below 2^53.
 */
import { badArgument, checkGupFlagsWord } from '../mm/arg-check.js';
import { PAGE_SIZE } from '../mm/constants.js';
import { EINVAL } from '../mm/errno.js';
import { warnOn } from '../mm/bug.js';
import { FOLL_FAST_ONLY, FOLL_PIN, FOLL_TOUCH, FOLL_UNLOCKABLE } from '../mm/foll-flags.js';
import type { Mm } from '../mm/mm.js';
import { gupFast } from './gup-fast.js';
import { checkUlongArg } from './gup-arg-types.js';
import { gupFastRangeCheck } from './gup-range.js';
import type { GupSink } from './gup-sink.js';
import { GupWalk } from './gup-walk.js';
import { gupLongtermLockedWalk } from './gup-longterm-locked.js';
import { GUP_FAST_FLAGS } from './is-valid-gup-args.js';

/**
 * `gup_fast_fallback(start, nr_pages, gup_flags, pages)` over a sink, on `mm` (the
 * kernel uses current->mm). `gupFlags` must already hold FOLL_PIN or FOLL_GET, as the
 * API wrappers set them. Returns the pages taken or -errno, as the kernel does. Does
 * not count an API call.
 */
export function gupFastFallback(mm: Mm, start: number, nrPages: number, gupFlags: number, sink: GupSink): number {
  checkUlongArg('gupFastFallback', 'start', start);
  checkUlongArg('gupFastFallback', 'nrPages', nrPages);
  checkGupFlagsWord('gupFastFallback', gupFlags);
  if (warnOn(mm.m, (gupFlags & ~GUP_FAST_FLAGS) !== 0, 'gup_fast_fallback: flags outside the fast path mask')) return -EINVAL;
  const err = gupFastRangeCheck(start, nrPages);
  if (err === 0 && !(Number.isSafeInteger(nrPages) && nrPages >= 0))
    badArgument('gupFastFallback', 'nrPages', nrPages, 'a count below 2^53 once the range check passes');
  if ((gupFlags & FOLL_PIN) !== 0) mm.hasPinned = true;
  if (err !== 0) return err;
  if (nrPages === 0) return 0;
  // The range check passed, so start lies in 0..TASK_SIZE_MAX.
  const aligned = start - (start % PAGE_SIZE);
  const vpn = aligned / PAGE_SIZE;
  const w = new GupWalk(mm, gupFlags, sink, true);
  const nrPinned = gupFast(w, vpn, vpn + nrPages);
  if (nrPinned === nrPages || (gupFlags & FOLL_FAST_ONLY) !== 0 || w.sinkFull) return nrPinned;
  mm.m.cost.fastPathFallbacks++;
  w.flags = gupFlags | FOLL_TOUCH | FOLL_UNLOCKABLE;
  const ret = gupLongtermLockedWalk(w, vpn + nrPinned, nrPages - nrPinned, nrPinned);
  if (ret < 0) return nrPinned !== 0 ? nrPinned : ret;
  return ret + nrPinned;
}
