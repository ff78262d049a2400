/**
 * What an iov_iter spans, without moving it (lib/iov_iter.c in T): `iov_iter_alignment`
 * (with `iov_iter_alignment_iovec`, `iov_iter_alignment_bvec`) and `iov_iter_npages`
 * (with `iov_npages`, `bvec_npages`).
 *
 * Faithful for UBUF, IOVEC, KVEC, BVEC and DISCARD, quirks included: the IOVEC/KVEC
 * alignment skips empty segments but the BVEC one does not (an empty bvec still ORs in
 * its offset); `bvec_npages` counts DIV_ROUND_UP(offset, PAGE_SIZE) for an empty bvec
 * with a non-zero offset, `iov_npages` skips empty segments; both stop early only when
 * the count passes `maxpages` and then return `maxpages`. The BVEC accumulator is an
 * `unsigned` (32 bits) in C and is truncated here the same way; the IOVEC one is an
 * `unsigned long` (64 bits), which the model ORs in two 32-bit halves because
 * JavaScript bitwise operators are 32-bit. The do-while loops of the alignment helpers
 * read the current segment even when `count` is 0; past the end of the array that is
 * out-of-bounds memory in C and a KernelBug here. `maxpages` is a C `int`; a
 * negative or fractional one (no errno: the kernel would hand it back as the count) is
 * an ArgumentError.
 */
import { PAGE_SIZE, divRoundUp } from '../mm/constants.js';
import { KernelBug } from '../mm/bug.js';
import { checkCount } from '../mm/arg-check.js';
import type { IovIter } from './iov-iter.js';
import { ITER_BVEC, ITER_DISCARD, ITER_IOVEC, ITER_KVEC, ITER_UBUF } from './iov-iter.js';

const TWO_32 = 2 ** 32;

/** `a | b` for non-negative integers below 2^53 (C `unsigned long` OR). */
function orUnsignedLong(a: number, b: number): number {
  const hi = (Math.floor(a / TWO_32) | Math.floor(b / TWO_32)) >>> 0;
  const lo = ((a >>> 0) | (b >>> 0)) >>> 0;
  return hi * TWO_32 + lo;
}

function segmentPastEnd(i: IovIter, k: number): KernelBug {
  return new KernelBug(`iov_iter reads segment ${k} past the end of a ${i.iterType === ITER_BVEC ? i.bvec!.capacity : i.iov.length}-entry array`);
}

function alignmentIovec(i: IovIter): number {
  const iov = i.iov;
  let res = 0;
  let size = i.count;
  let skip = i.iovOffset;
  let k = i.seg;
  do {
    if (k >= iov.length) throw segmentPastEnd(i, k);
    const seg = iov[k]!;
    let len = seg.len - skip;
    if (len !== 0) {
      res = orUnsignedLong(res, seg.base + skip);
      if (len > size) len = size;
      res = orUnsignedLong(res, len);
      size -= len;
    }
    k++;
    skip = 0;
  } while (size !== 0);
  return res;
}

function alignmentBvec(i: IovIter): number {
  const bv = i.bvec!;
  let res = 0;
  let size = i.count;
  let skip = i.iovOffset;
  let k = i.seg;
  do {
    if (k >= bv.capacity) throw segmentPastEnd(i, k);
    let len = bv.len[k]! - skip;
    res = (res | (bv.offset[k]! + skip)) >>> 0;
    if (len > size) len = size;
    res = (res | len) >>> 0;
    k++;
    size -= len;
    skip = 0;
  } while (size !== 0);
  return res;
}

/**
 * `iov_iter_alignment(i)`: the OR of every segment's start address and length over
 * the bytes left (UBUF: `(ubuf + iov_offset) | count`, 0 when empty); DISCARD 0.
 * Callers test it against an alignment mask.
 */
export function iovIterAlignment(i: IovIter): number {
  switch (i.iterType) {
    case ITER_UBUF:
      return i.count !== 0 ? orUnsignedLong(i.ubuf + i.iovOffset, i.count) : 0;
    case ITER_IOVEC:
    case ITER_KVEC:
      return alignmentIovec(i);
    case ITER_BVEC:
      return alignmentBvec(i);
    case ITER_DISCARD:
      return 0;
    default:
      throw new KernelBug(`iov_iter_alignment: iterator type ${i.iterType} is not modelled`);
  }
}

function iovNpages(i: IovIter, maxpages: number): number {
  const iov = i.iov;
  let skip = i.iovOffset;
  let size = i.count;
  let npages = 0;
  for (let k = i.seg; size !== 0; skip = 0, k++) {
    if (k >= iov.length) throw segmentPastEnd(i, k);
    const seg = iov[k]!;
    const offs = (seg.base + skip) % PAGE_SIZE;
    const len = Math.min(seg.len - skip, size);
    if (len !== 0) {
      size -= len;
      npages += divRoundUp(offs + len, PAGE_SIZE);
      if (npages > maxpages) return maxpages;
    }
  }
  return npages;
}

function bvecNpages(i: IovIter, maxpages: number): number {
  const bv = i.bvec!;
  let skip = i.iovOffset;
  let size = i.count;
  let npages = 0;
  for (let k = i.seg; size !== 0; skip = 0, k++) {
    if (k >= bv.capacity) throw segmentPastEnd(i, k);
    const offs = (bv.offset[k]! + skip) % PAGE_SIZE;
    const len = Math.min(bv.len[k]! - skip, size);
    size -= len;
    npages += divRoundUp(offs + len, PAGE_SIZE);
    if (npages > maxpages) return maxpages;
  }
  return npages;
}

/**
 * `iov_iter_npages(i, maxpages)`: pages the bytes left touch, counted per segment (a
 * page shared by two segments counts twice), at most `maxpages`; 0 when empty and for
 * DISCARD.
 */
export function iovIterNpages(i: IovIter, maxpages: number): number {
  checkCount('iovIterNpages', 'maxpages', maxpages);
  if (i.count === 0) return 0;
  switch (i.iterType) {
    case ITER_UBUF:
      return Math.min(divRoundUp(((i.ubuf + i.iovOffset) % PAGE_SIZE) + i.count, PAGE_SIZE), maxpages);
    case ITER_IOVEC:
    case ITER_KVEC:
      return iovNpages(i, maxpages);
    case ITER_BVEC:
      return bvecNpages(i, maxpages);
    case ITER_DISCARD:
      return 0;
    default:
      throw new KernelBug(`iov_iter_npages: iterator type ${i.iterType} is not modelled`);
  }
}
