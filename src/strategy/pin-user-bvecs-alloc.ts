/**
 * The proposed callee of option (1), the callee allocates:
 *
 *   long pin_user_bvecs_alloc(unsigned long start, size_t len, unsigned int gup_flags,
 *                             struct bio_vec **bvecs, size_t *done);  // kvfree(*bvecs)
 *   long pin_user_bvec_list(unsigned long start, size_t len, unsigned int gup_flags,
 *                           struct bvec_list *list, size_t *done);  // bvec_list_destroy()
 *
 * Not in any kernel. Same walk and semantics as pin_user_bvecs (pin-user-bvecs.ts):
 * is_valid_gup_args(FOLL_PIN), gup_fast_fallback over a BvecSink, partial results; the
 * range is checked (gup_fast_fallback's -EOVERFLOW / -EFAULT and flag mask) before
 * anything is allocated. Returns the bvecs written with *done = bytes covered, or
 * -errno with nothing pinned and nothing allocated. A short *done means the walk stopped
 * on an error, or an allocation after the first failed (the errno is then lost, as a
 * GUP partial result loses it; calling again from start + *done reports it).
 *
 * How the callee sizes its array (SizingVariant):
 * - 'worst-case': DIV_ROUND_UP(offset_in_page(start) + len, PAGE_SIZE) bvecs, one walk.
 * - 'grow': GROW_INITIAL_BVECS (capped at the worst case), doubled (capped likewise)
 *   whenever full. GUP-fast runs with IRQs off and kvmalloc may sleep, so the walk
 *   stops when the array is full, the callee allocates, copies (bytesCopied), frees the
 *   old array and walks again from where it stopped: each growth is a walk restart.
 * - 'count-first': a counting walk (count-bvecs.ts: no references taken), one
 *   allocation of that many, then the pinning walk. The count is an upper bound in a
 *   single-threaded model; if the page tables changed in between (a concurrent fault or
 *   munmap in a real kernel) the fill would run out, WARN, and fall back to growing.
 * - 'chunked': a list of chunks (bvec-chunk.ts, rlist's 512-byte chunk by default),
 *   the first allocated before the walk, the others inside the walk as the sink fills
 *   (a GFP_NOWAIT slab allocation), so nothing is copied and the walk never restarts.
 * Every allocation failure before the first walk is -ENOMEM with nothing pinned.
 *
 * Arguments as pin_user_bvecs (pin-user-bvecs.ts): an undefined FOLL_* bit is a WARN
 * and -EINVAL like an internal one; `start`/`len` that C's types rule out, a `gupFlags`
 * outside `unsigned int`, an unknown `sizing` or `merge`, or a `chunkEntries` that is
 * not an integer in 1..INT_MAX for 'chunked' (a model parameter, no errno) are an
 * ArgumentError before anything is counted, allocated or pinned.
 */
import { PAGE_SIZE, SIZEOF_BIO_VEC, divRoundUp } from '../mm/constants.js';
import { EINVAL } from '../mm/errno.js';
import { KernelBug, warn, warnOn } from '../mm/bug.js';
import { FOLL_PIN } from '../mm/foll-flags.js';
import type { Mm } from '../mm/mm.js';
import { kmalloc, kvfree, type KAlloc } from '../mm/slab.js';
import { GUP_FAST_FLAGS, isValidGupArgs } from '../gup/is-valid-gup-args.js';
import { gupFastRangeCheck } from '../gup/gup-range.js';
import { BvecArray } from '../block/bio-vec.js';
import { BvecSink } from './bvec-sink.js';
import { BVEC_CHUNK_DEFAULT_ENTRIES, bvecChunkBytes, bvecChunkUsedBytes } from './bvec-chunk.js';
import { countBvecs } from './count-bvecs.js';
import { kvmallocArray } from '../mm/slab.js';
import { bvecSinkWalk, userOffsetInPage } from './pin-user-bvecs.js';
import type { MergePolicy, SizingVariant } from './pin-strategy.js';
import { MERGE_POLICIES, SIZING_VARIANTS } from './strategy-enums.js';
import { checkGupFlagsWord, checkInt, checkOneOf } from '../mm/arg-check.js';
import { INT_MAX } from '../mm/constants.js';
import { checkSizeT } from '../block/block-arg-check.js';
import { checkUlongArg } from '../gup/gup-arg-types.js';

/** First array of the 'grow' sizing: 16 bvecs, a 256-byte kmalloc. */
export const GROW_INITIAL_BVECS = 16;

/** What the callee hands back: the array (or the chunk list's entries) and its allocations. */
export interface CalleeBvecs {
  /** `*bvecs`: the entries (for 'chunked', chunk k holds entries [k * chunkEntries, ...)). */
  bvecs: BvecArray | null;
  /** Bvecs written. */
  nr: number;
  /** `*done`: bytes they cover. */
  done: number;
  /** The one array, or the chunks in list order; the caller frees them all. */
  allocs: KAlloc[];
  /** Bvecs per chunk ('chunked'), 0 for a flat array. */
  chunkEntries: number;
}

/** An empty result to pass as `out`. */
export function calleeBvecs(): CalleeBvecs {
  return { bvecs: null, nr: 0, done: 0, allocs: [], chunkEntries: 0 };
}

/** Bytes of allocation `k` of `out` holding bvecs: for the caller's kvfree. */
export function calleeBvecsUsedBytes(out: CalleeBvecs, k: number): number {
  checkInt('calleeBvecsUsedBytes', 'k', k, 0, out.allocs.length - 1);
  return usedBytes(out, k);
}

function usedBytes(out: CalleeBvecs, k: number): number {
  if (out.chunkEntries === 0) return out.nr * SIZEOF_BIO_VEC;
  return bvecChunkUsedBytes(k, out.nr, out.chunkEntries);
}

/** Frees what `out` holds (nothing of it pinned any more), booking used bytes. */
function freeAll(mm: Mm, out: CalleeBvecs): void {
  for (let k = 0; k < out.allocs.length; k++) kvfree(mm.m, out.allocs[k]!, usedBytes(out, k));
  out.allocs = [];
  out.bvecs = null;
  out.nr = 0;
}

/**
 * `pin_user_bvecs_alloc()` / `pin_user_bvec_list()` on `mm` with the given sizing.
 * Fills `out`; returns out.nr, or -errno with `out` empty.
 */
export function pinUserBvecsAlloc(
  mm: Mm,
  start: number,
  len: number,
  gupFlags: number,
  out: CalleeBvecs,
  sizing: SizingVariant,
  merge: MergePolicy = 'folio',
  chunkEntries: number = BVEC_CHUNK_DEFAULT_ENTRIES,
): number {
  const fn = 'pinUserBvecsAlloc';
  checkUlongArg(fn, 'start', start);
  checkSizeT(fn, 'len', len);
  checkGupFlagsWord(fn, gupFlags);
  checkOneOf(fn, 'sizing', sizing, SIZING_VARIANTS);
  checkOneOf(fn, 'merge', merge, MERGE_POLICIES);
  if (sizing === 'chunked') checkInt(fn, 'chunkEntries', chunkEntries, 1, INT_MAX);
  const m = mm.m;
  m.cost.apiCalls++;
  out.bvecs = null;
  out.nr = 0;
  out.done = 0;
  out.allocs = [];
  out.chunkEntries = sizing === 'chunked' ? chunkEntries : 0;
  const flags = isValidGupArgs(m, true, null, gupFlags, FOLL_PIN);
  if (flags < 0) return -EINVAL;
  if (warnOn(m, (flags & ~GUP_FAST_FLAGS) !== 0, 'gup_fast_fallback: flags outside the fast path mask')) return -EINVAL;
  if (len === 0) return 0;
  const off = userOffsetInPage(start);
  const worst = divRoundUp(off + len, PAGE_SIZE);
  const err = gupFastRangeCheck(start - off, worst);
  if (err !== 0) return err;

  let cap: number;
  let sink: BvecSink;
  if (sizing === 'chunked') {
    const first = kmalloc(m, bvecChunkBytes(chunkEntries));
    if (typeof first === 'number') return first;
    cap = chunkEntries;
    sink = new BvecSink(m, new BvecArray(cap), cap, off, len, merge, chunkEntries);
    sink.chunks.push(first);
    out.allocs = sink.chunks;
  } else {
    if (sizing === 'worst-case') cap = worst;
    else if (sizing === 'grow') cap = Math.min(GROW_INITIAL_BVECS, worst);
    else cap = countBvecs(mm, start, flags | FOLL_PIN, new BvecSink(m, null, Infinity, off, len, merge));
    const a = kvmallocArray(m, cap, SIZEOF_BIO_VEC);
    if (typeof a === 'number') return a;
    out.allocs = [a];
    sink = new BvecSink(m, new BvecArray(cap), cap, off, len, merge);
  }

  for (;;) {
    const ret = bvecSinkWalk(mm, start, flags, sink);
    if (ret < 0 && sink.pages === 0) {
      freeAll(mm, out);
      return ret;
    }
    if (sink.done === len || !sink.full || sizing === 'chunked') break;
    // A flat array is full with bytes left: grow it and walk again from where it stopped.
    if (sizing === 'worst-case') throw new KernelBug('pin_user_bvecs_alloc: a worst-case array filled up');
    if (sizing === 'count-first') warn(m, 'pin_user_bvecs_alloc: the count fell short; growing');
    const bigger = Math.min(cap * 2, worst);
    const a = kvmallocArray(m, bigger, SIZEOF_BIO_VEC);
    if (typeof a === 'number') break;
    const old = sink.bvs!;
    const grown = new BvecArray(bigger);
    grown.page.set(old.page.subarray(0, sink.nr));
    grown.len.set(old.len.subarray(0, sink.nr));
    grown.offset.set(old.offset.subarray(0, sink.nr));
    m.cost.bytesCopied += sink.nr * SIZEOF_BIO_VEC;
    kvfree(m, out.allocs[0]!, cap * SIZEOF_BIO_VEC);
    out.allocs = [a];
    sink.bvs = grown;
    sink.limit = bigger;
    cap = bigger;
  }
  if (sink.pages === 0) {
    freeAll(mm, out);
    return sink.allocError !== 0 ? sink.allocError : 0;
  }
  out.bvecs = sink.bvs;
  out.nr = sink.nr;
  out.done = sink.done;
  return sink.nr;
}
