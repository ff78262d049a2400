/**
 * Walking a bvec array (include/linux/bvec.h): `struct bvec_iter`, the multi-page
 * (`mp_bvec_iter_*`) and single-page (`bvec_iter_*`) views, `bvec_iter_advance`,
 * `bvec_iter_advance_single`, `for_each_bvec`, `for_each_mp_bvec`, `BVEC_ITER_ALL_INIT`,
 * and `struct bvec_iter_all` with `bvec_advance` (the step of bio_for_each_segment_all).
 *
 * Faithful to B (>= v6.16) with T's field name: the in-bvec offset is `offset`
 * (`bi_offset` in T and linux-next 7.3, `bi_bvec_done` in released kernels; same
 * meaning). Over-advance WARNs once, zeroes `size` and returns false. `for_each_bvec`
 * uses `bvec_iter_advance_single`, so a zero-length bvec gives one 0-byte step and is
 * then skipped. Reading past the end of the array (an iterator whose `size` exceeds the
 * bytes the array holds) is out-of-bounds memory in C; the model throws a KernelBug.
 * Arguments: `bytes` is an `unsigned int` and a bvec index must lie inside the array,
 * else ArgumentError (the iterator objects themselves are the caller's state).
 */
import { PAGE_SIZE } from '../mm/constants.js';
import type { WarnSink } from '../mm/bug.js';
import { KernelBug } from '../mm/bug.js';
import type { BioVec, BvecArray } from './bio-vec.js';
import { UINT_MAX } from './bio-vec.js';
import { warnOnOnce } from '../mm/bug.js';
import { checkBvecIndex, checkUnsignedInt } from './block-arg-check.js';

/** `struct bvec_iter`: a position in a bvec array. */
export class BvecIter {
  /** `bi_sector`: device address in 512-byte sectors (only the bio wrappers move it). */
  sector = 0;
  /** `bi_size`: bytes remaining. */
  size = 0;
  /** `bi_idx`: index of the current bvec. */
  idx = 0;
  /** `bi_offset` (`bi_bvec_done` before 7.3): bytes already consumed in the current bvec. */
  offset = 0;
}

/** Copies `src` into `dst` (C struct assignment) and returns `dst`. */
export function bvecIterCopy(dst: BvecIter, src: BvecIter): BvecIter {
  dst.sector = src.sector;
  dst.size = src.size;
  dst.idx = src.idx;
  dst.offset = src.offset;
  return dst;
}

/** `BVEC_ITER_ALL_INIT`: sector 0, size UINT_MAX, idx 0, offset 0 (into `out` if given). */
export function bvecIterAllInit(out?: BvecIter): BvecIter {
  const it = out ?? new BvecIter();
  it.sector = 0;
  it.size = UINT_MAX;
  it.idx = 0;
  it.offset = 0;
  return it;
}

function checkIdx(bvs: BvecArray, idx: number): void {
  if (idx >= bvs.capacity) throw new KernelBug(`bvec iterator reads entry ${idx} past the end of a ${bvs.capacity}-entry bvec array`);
}

/** `mp_bvec_iter_page(bvec, iter)`: `bv_page` of the current bvec. */
export function mpBvecIterPage(bvs: BvecArray, it: BvecIter): number {
  checkIdx(bvs, it.idx);
  return bvs.page[it.idx]!;
}

/** `mp_bvec_iter_len(bvec, iter)`: min(`bi_size`, bytes left in the current bvec). */
export function mpBvecIterLen(bvs: BvecArray, it: BvecIter): number {
  checkIdx(bvs, it.idx);
  return Math.min(it.size, bvs.len[it.idx]! - it.offset);
}

/** `mp_bvec_iter_offset(bvec, iter)`: `bv_offset + bi_offset`; may be >= PAGE_SIZE. */
export function mpBvecIterOffset(bvs: BvecArray, it: BvecIter): number {
  checkIdx(bvs, it.idx);
  return bvs.offset[it.idx]! + it.offset;
}

/** `mp_bvec_iter_page_idx(bvec, iter)`: mp offset / PAGE_SIZE. */
export function mpBvecIterPageIdx(bvs: BvecArray, it: BvecIter): number {
  return Math.floor(mpBvecIterOffset(bvs, it) / PAGE_SIZE);
}

/** `bvec_iter_offset(bvec, iter)`: mp offset % PAGE_SIZE. */
export function bvecIterOffset(bvs: BvecArray, it: BvecIter): number {
  return mpBvecIterOffset(bvs, it) % PAGE_SIZE;
}

/** `bvec_iter_len(bvec, iter)`: min(mp len, PAGE_SIZE - single-page offset). */
export function bvecIterLen(bvs: BvecArray, it: BvecIter): number {
  return Math.min(mpBvecIterLen(bvs, it), PAGE_SIZE - bvecIterOffset(bvs, it));
}

/** `bvec_iter_page(bvec, iter)`: `bv_page` + mp page index. */
export function bvecIterPage(bvs: BvecArray, it: BvecIter): number {
  return mpBvecIterPage(bvs, it) + mpBvecIterPageIdx(bvs, it);
}

/** `mp_bvec_iter_bvec(bvec, iter)`: the multi-page view, written into `out`. */
export function mpBvecIterBvec(bvs: BvecArray, it: BvecIter, out: BioVec): BioVec {
  out.page = mpBvecIterPage(bvs, it);
  out.len = mpBvecIterLen(bvs, it);
  out.offset = mpBvecIterOffset(bvs, it);
  return out;
}

/** `bvec_iter_bvec(bvec, iter)`: the single-page view, written into `out`. */
export function bvecIterBvec(bvs: BvecArray, it: BvecIter, out: BioVec): BioVec {
  const mpOffset = mpBvecIterOffset(bvs, it);
  const offset = mpOffset % PAGE_SIZE;
  out.page = bvs.page[it.idx]! + Math.floor(mpOffset / PAGE_SIZE);
  out.len = Math.min(mpBvecIterLen(bvs, it), PAGE_SIZE - offset);
  out.offset = offset;
  return out;
}

/**
 * `bvec_iter_advance(bv, iter, bytes)`: moves `bytes` on. If `bytes` > `size`: WARN
 * once ("Attempted to advance past end of bvec iter"), `size` = 0, returns false (idx
 * and offset unchanged). Otherwise steps over every bvec the bytes reach the end of.
 */
export function bvecIterAdvance(sink: WarnSink, bvs: BvecArray, it: BvecIter, bytes: number): boolean {
  checkUnsignedInt('bvecIterAdvance', 'bytes', bytes);
  if (warnOnOnce(sink, bytes > it.size, 'Attempted to advance past end of bvec iter')) {
    it.size = 0;
    return false;
  }
  const len = bvs.len;
  let idx = it.idx;
  it.size -= bytes;
  bytes += it.offset;
  while (bytes !== 0) {
    checkIdx(bvs, idx);
    if (bytes < len[idx]!) break;
    bytes -= len[idx]!;
    idx++;
  }
  it.idx = idx;
  it.offset = bytes;
  return true;
}

/**
 * `bvec_iter_advance_single(bv, iter, bytes)`: `bytes` must stay within the current
 * bvec; reaching its end moves to the next one with offset 0.
 */
export function bvecIterAdvanceSingle(bvs: BvecArray, it: BvecIter, bytes: number): void {
  checkUnsignedInt('bvecIterAdvanceSingle', 'bytes', bytes);
  advanceSingle(bvs, it, bytes);
}

function advanceSingle(bvs: BvecArray, it: BvecIter, bytes: number): void {
  let done = it.offset + bytes;
  checkIdx(bvs, it.idx);
  if (done === bvs.len[it.idx]) {
    done = 0;
    it.idx++;
  }
  it.offset = done;
  it.size -= bytes;
}

/** Callback of the zero-allocation loops: one view per call. */
export type BvecFn = (page: number, len: number, offset: number) => void;

/**
 * `for_each_bvec(bvl, bvs, iter, start)`: calls `fn` with each single-page view.
 * `start` is copied (left unchanged); pass `scratch` to allocate nothing.
 */
export function forEachBvecFn(bvs: BvecArray, start: BvecIter, fn: BvecFn, scratch?: BvecIter): void {
  const it = bvecIterCopy(scratch ?? new BvecIter(), start);
  while (it.size !== 0) {
    const mpOffset = mpBvecIterOffset(bvs, it);
    const offset = mpOffset % PAGE_SIZE;
    const len = Math.min(Math.min(it.size, bvs.len[it.idx]! - it.offset), PAGE_SIZE - offset);
    fn(bvs.page[it.idx]! + Math.floor(mpOffset / PAGE_SIZE), len, offset);
    advanceSingle(bvs, it, len);
  }
}

/** `for_each_mp_bvec(bvl, bvs, iter, start)`: calls `fn` with each multi-page view. */
export function forEachMpBvecFn(bvs: BvecArray, start: BvecIter, fn: BvecFn, scratch?: BvecIter): void {
  const it = bvecIterCopy(scratch ?? new BvecIter(), start);
  while (it.size !== 0) {
    const len = mpBvecIterLen(bvs, it);
    fn(bvs.page[it.idx]!, len, bvs.offset[it.idx]! + it.offset);
    advanceSingle(bvs, it, len);
  }
}

/** `for_each_bvec` as an iterable of fresh single-page views. */
export function forEachBvec(bvs: BvecArray, start: BvecIter): BioVec[] {
  const out: BioVec[] = [];
  forEachBvecFn(bvs, start, (page, len, offset) => out.push({ page, len, offset }));
  return out;
}

/** `for_each_mp_bvec` as an iterable of fresh multi-page views. */
export function forEachMpBvec(bvs: BvecArray, start: BvecIter): BioVec[] {
  const out: BioVec[] = [];
  forEachMpBvecFn(bvs, start, (page, len, offset) => out.push({ page, len, offset }));
  return out;
}

/** `struct bvec_iter_all`: `bv` (the current single-page segment), `idx`, `done`. */
export class BvecIterAll {
  readonly bv: BioVec = { page: -1, len: 0, offset: 0 };
  idx = 0;
  done = 0;
}

/**
 * `bvec_advance(bvec, iter_all)`: the next single-page segment of `bvs[i]`. The first
 * step starts at `bv_page + (bv_offset >> PAGE_SHIFT)`, offset `bv_offset & ~PAGE_MASK`;
 * later steps take the next page at offset 0. When the bvec is used up, `idx` moves on
 * and `done` returns to 0.
 */
export function bvecAdvance(bvs: BvecArray, i: number, all: BvecIterAll): void {
  checkBvecIndex('bvecAdvance', 'i', bvs, i);
  const bv = all.bv;
  if (all.done !== 0) {
    bv.page++;
    bv.offset = 0;
  } else {
    bv.page = bvs.page[i]! + Math.floor(bvs.offset[i]! / PAGE_SIZE);
    bv.offset = bvs.offset[i]! % PAGE_SIZE;
  }
  bv.len = Math.min(PAGE_SIZE - bv.offset, bvs.len[i]! - all.done);
  all.done += bv.len;
  if (all.done === bvs.len[i]) {
    all.idx++;
    all.done = 0;
  }
}
