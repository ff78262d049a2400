/**
 * The proposed callee of options (2) and (3):
 *
 *   long pin_user_bvecs(unsigned long start, size_t len, unsigned int gup_flags,
 *                       struct bio_vec *bvecs, unsigned int max_bvecs, size_t *done);
 *
 * Not in any kernel. Built on mm/gup.c's pin_user_pages_fast path exactly:
 * is_valid_gup_args(..., FOLL_PIN) (-EINVAL on bad flags), then gup_fast_fallback over
 * DIV_ROUND_UP(offset_in_page(start) + len, PAGE_SIZE) pages with a BvecSink in place
 * of the page array, so pins, faults, COW unsharing, long-term migration, range checks
 * (-EOVERFLOW, -EFAULT) and partial results are the kernel's. Returns the bvecs written,
 * with *done = bytes they cover; a short *done means the array filled (return ==
 * max_bvecs) or the walk stopped early on an error that the next call from
 * start + *done returns. -errno means nothing is pinned. Each call is one API call and
 * one walk from the top of the page tables (counted by the walk itself).
 *
 * Model-only argument: `merge` selects the policy the comparison studies (a kernel
 * function would implement one).
 *
 * Arguments, as the GUP entry points take them (gup-arg-types.ts): a FOLL_* bit no
 * flag defines is refused like an internal one (WARN, -EINVAL); a negative `start` is
 * the wrapped address, -EFAULT. ArgumentError, before anything is counted or pinned,
 * for a `start` or `len` C's types rule out (NaN, fractional; `len` a `size_t` the model
 * holds exactly), a `gupFlags` outside `unsigned int`, a `maxBvecs` outside
 * `unsigned int` or beyond the array's capacity (the callee would write past it), or an
 * unknown `merge`.
 */
import { PAGE_SIZE, divRoundUp } from '../mm/constants.js';
import { EINVAL } from '../mm/errno.js';
import { KernelBug } from '../mm/bug.js';
import { FOLL_PIN } from '../mm/foll-flags.js';
import type { Mm } from '../mm/mm.js';
import { gupFastFallback } from '../gup/gup-fast-fallback.js';
import { isValidGupArgs } from '../gup/is-valid-gup-args.js';
import type { BvecArray } from '../block/bio-vec.js';
import { BvecSink } from './bvec-sink.js';
import type { MergePolicy } from './pin-strategy.js';
import { MERGE_POLICIES } from './strategy-enums.js';
import { badArgument, checkGupFlagsWord, checkOneOf } from '../mm/arg-check.js';
import { checkSizeT, checkUnsignedInt } from '../block/block-arg-check.js';
import { checkUlongArg } from '../gup/gup-arg-types.js';

/** The `size_t *done` out-parameter. */
export interface BvecsDone {
  done: number;
}

/** `offset_in_page()` of an unsigned long held in a JS number (negative = above 2^63). */
export function userOffsetInPage(start: number): number {
  checkUlongArg('userOffsetInPage', 'start', start);
  return offsetOf(start);
}

function offsetOf(start: number): number {
  const r = start % PAGE_SIZE;
  return r < 0 ? r + PAGE_SIZE : r;
}

/**
 * One walk for what is left of the sink's request: gup_fast_fallback from
 * start + sink.done over the pages the remaining bytes touch. `gupFlags` must already
 * hold FOLL_PIN. Returns the walk's result: pages taken (0 if the sink was full at once)
 * or -errno with nothing taken. Used by every bvec callee; counts no API call.
 */
export function bvecSinkWalk(mm: Mm, start: number, gupFlags: number, sink: BvecSink): number {
  checkUlongArg('bvecSinkWalk', 'start', start);
  checkGupFlagsWord('bvecSinkWalk', gupFlags);
  if ((gupFlags & FOLL_PIN) === 0) badArgument('bvecSinkWalk', 'gupFlags', gupFlags, 'a FOLL_* word holding FOLL_PIN');
  return sinkWalk(mm, start, gupFlags, sink);
}

function sinkWalk(mm: Mm, start: number, gupFlags: number, sink: BvecSink): number {
  const pos = start + sink.done;
  const nrPages = divRoundUp(offsetOf(pos) + (sink.len - sink.done), PAGE_SIZE);
  const before = sink.pages;
  sink.beginWalk();
  const ret = gupFastFallback(mm, pos, nrPages, gupFlags, sink);
  // The walk and the sink must agree on what is held (a mismatch would leak pins).
  if (ret < 0 ? sink.pages !== before : sink.pages - before !== ret)
    throw new KernelBug(`bvec walk returned ${ret} but the sink holds ${sink.pages - before} new pages`);
  return ret;
}

/**
 * `pin_user_bvecs(start, len, gup_flags, bvecs, max_bvecs, done)` on `mm`: bvecs
 * written into `bvecs[0..)` (at most maxBvecs), or -errno with nothing pinned. len 0 or
 * max_bvecs 0 returns 0 with nothing done.
 */
export function pinUserBvecs(
  mm: Mm,
  start: number,
  len: number,
  gupFlags: number,
  bvecs: BvecArray,
  maxBvecs: number,
  out: BvecsDone,
  merge: MergePolicy = 'folio',
): number {
  const fn = 'pinUserBvecs';
  checkUlongArg(fn, 'start', start);
  checkSizeT(fn, 'len', len);
  checkGupFlagsWord(fn, gupFlags);
  checkUnsignedInt(fn, 'maxBvecs', maxBvecs);
  if (maxBvecs > bvecs.capacity) badArgument(fn, 'maxBvecs', maxBvecs, `at most the array's ${bvecs.capacity} entries`);
  checkOneOf(fn, 'merge', merge, MERGE_POLICIES);
  const m = mm.m;
  m.cost.apiCalls++;
  out.done = 0;
  const flags = isValidGupArgs(m, true, null, gupFlags, FOLL_PIN);
  if (flags < 0) return -EINVAL;
  if (len === 0 || maxBvecs === 0) return 0;
  const sink = new BvecSink(m, bvecs, maxBvecs, offsetOf(start), len, merge);
  const ret = sinkWalk(mm, start, flags, sink);
  if (ret < 0) return ret;
  out.done = sink.done;
  return sink.nr;
}
