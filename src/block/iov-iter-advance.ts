/**
 * Moving an iov_iter (lib/iov_iter.c in T): `iov_iter_advance` (with
 * `iov_iter_iovec_advance`, `iov_iter_bvec_advance`) and `iov_iter_revert`.
 *
 * Faithful for UBUF, IOVEC, KVEC, BVEC and DISCARD: advance clamps to `count`; the
 * array types do nothing on an empty iterator and skip every segment the new position
 * reaches the end of (so zero-length segments after the position are skipped too);
 * revert WARNs and does nothing beyond MAX_RW_COUNT, only adds to `count` for DISCARD,
 * and reverting past the start of a UBUF iterator is the kernel's BUG(). Walking back
 * before the first segment of an array reads before it in C: KernelBug. A `size` or
 * `unroll` that is not a `size_t` the model holds exactly (a non-negative safe integer)
 * is an ArgumentError; a large one keeps the kernel's answer (clamp, or WARN).
 */
import type { WarnSink } from '../mm/bug.js';
import { KernelBug, warnOn } from '../mm/bug.js';
import type { IovIter } from './iov-iter.js';
import { ITER_BVEC, ITER_DISCARD, ITER_IOVEC, ITER_KVEC, ITER_UBUF, MAX_RW_COUNT } from './iov-iter.js';
import { checkSizeT } from './block-arg-check.js';

function iovecAdvance(i: IovIter, size: number): void {
  if (i.count === 0) return;
  i.count -= size;
  size += i.iovOffset;
  const iov = i.iov;
  const end = i.seg + i.nrSegs;
  let k = i.seg;
  for (; k < end; k++) {
    const len = iov[k]!.len;
    if (size < len) break;
    size -= len;
  }
  i.iovOffset = size;
  i.nrSegs -= k - i.seg;
  i.seg = k;
}

function bvecAdvance(i: IovIter, size: number): void {
  if (i.count === 0) return;
  i.count -= size;
  size += i.iovOffset;
  const len = i.bvec!.len;
  const end = i.seg + i.nrSegs;
  let k = i.seg;
  for (; k < end; k++) {
    if (size < len[k]!) break;
    size -= len[k]!;
  }
  i.iovOffset = size;
  i.nrSegs -= k - i.seg;
  i.seg = k;
}

/** `iov_iter_advance(i, size)`: consumes `size` bytes (at most `count`). */
export function iovIterAdvance(i: IovIter, size: number): void {
  checkSizeT('iovIterAdvance', 'size', size);
  if (i.count < size) size = i.count;
  switch (i.iterType) {
    case ITER_UBUF:
      i.iovOffset += size;
      i.count -= size;
      return;
    case ITER_IOVEC:
    case ITER_KVEC:
      iovecAdvance(i, size);
      return;
    case ITER_BVEC:
      bvecAdvance(i, size);
      return;
    case ITER_DISCARD:
      i.count -= size;
      return;
    default:
      throw new KernelBug(`iov_iter_advance: iterator type ${i.iterType} is not modelled`);
  }
}

/**
 * `iov_iter_revert(i, unroll)`: gives back `unroll` bytes, walking back over segments
 * as needed. WARNs (and does nothing) if `unroll` exceeds MAX_RW_COUNT.
 */
export function iovIterRevert(sink: WarnSink, i: IovIter, unroll: number): void {
  checkSizeT('iovIterRevert', 'unroll', unroll);
  if (unroll === 0) return;
  if (warnOn(sink, unroll > MAX_RW_COUNT, `iov_iter_revert: unroll ${unroll} > MAX_RW_COUNT`)) return;
  i.count += unroll;
  if (i.iterType === ITER_DISCARD) return;
  if (unroll <= i.iovOffset) {
    i.iovOffset -= unroll;
    return;
  }
  unroll -= i.iovOffset;
  if (i.iterType === ITER_UBUF) throw new KernelBug('iov_iter_revert: BUG() reverting past the start of a UBUF iterator');
  if (i.iterType !== ITER_BVEC && i.iterType !== ITER_IOVEC && i.iterType !== ITER_KVEC)
    throw new KernelBug(`iov_iter_revert: iterator type ${i.iterType} is not modelled`);
  for (let k = i.seg - 1; ; k--) {
    if (k < 0) throw new KernelBug('iov_iter_revert: walks back before the first segment');
    const n = i.iterType === ITER_BVEC ? i.bvec!.len[k]! : i.iov[k]!.len;
    i.nrSegs++;
    if (unroll <= n) {
      i.seg = k;
      i.iovOffset = n - unroll;
      return;
    }
    unroll -= n;
  }
}
