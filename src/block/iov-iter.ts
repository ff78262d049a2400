/**
 * `struct iov_iter` and its initialisers (include/linux/uio.h, lib/iov_iter.c in T):
 * `iov_iter_ubuf`, `iov_iter_init`, `iov_iter_kvec`, `iov_iter_bvec`,
 * `iov_iter_discard`, `ITER_SOURCE`/`ITER_DEST`, the type tests, `iov_iter_count`,
 * `iov_iter_rw`, `iter_iov_addr`, `iter_iov_len`, `iov_iter_truncate`,
 * `iov_iter_extract_will_pin`, `MAX_RW_COUNT`.
 *
 * Faithful for UBUF, IOVEC, KVEC, BVEC and DISCARD. FOLIOQ and XARRAY are not modelled
 * but keep their enum values (uio.h in T); T's lib/iov_iter.c also has ITER_BVECQ, which
 * the model leaves out. The kernel's advancing segment pointer
 * (`__iov`, `kvec`, `bvec`) is the index `seg` into the caller's array, which the
 * iterator never copies. Simplified: the kernel WARNs on a direction other than
 * ITER_SOURCE/ITER_DEST and carries on; the initialisers have no machine to record a
 * WARN on, so the model rejects it with an ArgumentError (a TypeError). `iov_iter_discard`
 * with a direction other than ITER_DEST is the kernel's BUG_ON: KernelBug.
 * Arguments: `count` and each segment's base and length are `size_t` / addresses the
 * model holds exactly (non-negative safe integers), `nrSegs` lies within the array
 * (C would read past it); anything else is an ArgumentError, checked before the
 * iterator is built.
 */
import { KernelBug } from '../mm/bug.js';
import { badArgument, checkInt, checkUnsignedLong } from '../mm/arg-check.js';
import { checkSizeT } from './block-arg-check.js';
import type { BioVec } from './bio-vec.js';
import { BvecArray, bvecArrayFrom } from './bio-vec.js';

/** `ITER_UBUF`: one user buffer. */
export const ITER_UBUF = 0;
/** `ITER_IOVEC`: an array of user iovecs. */
export const ITER_IOVEC = 1;
/** `ITER_BVEC`: an array of bio_vecs (kernel pages). */
export const ITER_BVEC = 2;
/** `ITER_KVEC`: an array of kernel virtual ranges. */
export const ITER_KVEC = 3;
/** `ITER_FOLIOQ` (not modelled). */
export const ITER_FOLIOQ = 4;
/** `ITER_XARRAY` (not modelled). */
export const ITER_XARRAY = 5;
/** `ITER_DISCARD`: a sink that has no memory behind it. */
export const ITER_DISCARD = 6;

/** `ITER_SOURCE` (== WRITE): the iterator is the data source (a write to the device). */
export const ITER_SOURCE = 1;
/** `ITER_DEST` (== READ): the iterator receives data (a read into user memory). */
export const ITER_DEST = 0;

/** `MAX_RW_COUNT`: `INT_MAX & PAGE_MASK`, the most one read/write moves. */
export const MAX_RW_COUNT = 0x7ffff000;

/** `struct iovec` / `struct kvec`: `iov_base`, `iov_len`. */
export interface Iovec {
  /** `iov_base`: a user address (IOVEC) or a direct-map kernel address (KVEC). */
  readonly base: number;
  /** `iov_len`: bytes. */
  readonly len: number;
}

/** `struct kvec`: same layout as an iovec, kernel addresses. */
export type Kvec = Iovec;

/** `struct iov_iter`, the fields of the modelled types. */
export class IovIter {
  /** `iter_type`: ITER_*. */
  iterType: number;
  /** `nofault`: extraction adds FOLL_NOFAULT. */
  nofault = false;
  /** `data_source`: true for ITER_SOURCE. */
  dataSource: boolean;
  /** `iov_offset`: bytes consumed in the current segment (UBUF: from `ubuf`). */
  iovOffset = 0;
  /** `count`: bytes left. */
  count: number;
  /** `ubuf` (ITER_UBUF): the user address. */
  ubuf = 0;
  /** `__iov` / `kvec` array (ITER_IOVEC, ITER_KVEC). */
  iov: readonly Iovec[] = [];
  /** `bvec` array (ITER_BVEC). */
  bvec: BvecArray | null = null;
  /** Index of the current segment in `iov` / `bvec` (the kernel's advancing pointer). */
  seg = 0;
  /** `nr_segs`: segments from `seg` on. */
  nrSegs: number;

  constructor(iterType: number, direction: number, count: number, nrSegs: number) {
    this.iterType = iterType;
    this.dataSource = direction === ITER_SOURCE;
    this.count = count;
    this.nrSegs = nrSegs;
  }
}

function checkDirection(fn: string, direction: number): void {
  if (direction !== ITER_SOURCE && direction !== ITER_DEST) badArgument(fn, 'direction', direction, 'ITER_SOURCE (1) or ITER_DEST (0)');
}

/** The first `nrSegs` iovecs/kvecs: base an address, len a size_t. */
function checkIovecs(fn: string, iovecs: readonly Iovec[], nrSegs: number): void {
  for (let k = 0; k < nrSegs; k++) {
    const v = iovecs[k]!;
    if (!(Number.isSafeInteger(v.base) && v.base >= 0)) badArgument(fn, `iovecs[${k}].base`, v.base, 'an address (a non-negative safe integer)');
    if (!(Number.isSafeInteger(v.len) && v.len >= 0)) badArgument(fn, `iovecs[${k}].len`, v.len, 'a size_t (a non-negative safe integer)');
  }
}

/** `iov_iter_ubuf(i, direction, buf, count)`: one user buffer, `nr_segs` 1. */
export function iovIterUbuf(direction: number, addr: number, count: number): IovIter {
  checkDirection('iovIterUbuf', direction);
  checkUnsignedLong('iovIterUbuf', 'addr', addr);
  checkSizeT('iovIterUbuf', 'count', count);
  const i = new IovIter(ITER_UBUF, direction, count, 1);
  i.ubuf = addr;
  return i;
}

/** `iov_iter_init(i, direction, iov, nr_segs, count)`: user iovecs; `nrSegs` defaults to all. */
export function iovIterInit(direction: number, iovecs: readonly Iovec[], count: number, nrSegs = iovecs.length): IovIter {
  checkDirection('iovIterInit', direction);
  checkSizeT('iovIterInit', 'count', count);
  checkInt('iovIterInit', 'nrSegs', nrSegs, 0, iovecs.length);
  checkIovecs('iovIterInit', iovecs, nrSegs);
  const i = new IovIter(ITER_IOVEC, direction, count, nrSegs);
  i.iov = iovecs;
  return i;
}

/** `iov_iter_kvec(i, direction, kvec, nr_segs, count)`: direct-map kernel ranges. */
export function iovIterKvec(direction: number, kvecs: readonly Kvec[], count: number, nrSegs = kvecs.length): IovIter {
  checkDirection('iovIterKvec', direction);
  checkSizeT('iovIterKvec', 'count', count);
  checkInt('iovIterKvec', 'nrSegs', nrSegs, 0, kvecs.length);
  checkIovecs('iovIterKvec', kvecs, nrSegs);
  const i = new IovIter(ITER_KVEC, direction, count, nrSegs);
  i.iov = kvecs;
  return i;
}

/** `iov_iter_bvec(i, direction, bvec, nr_segs, count)`: a bvec array (objects are converted). */
export function iovIterBvec(
  direction: number,
  bvecs: BvecArray | readonly BioVec[],
  count: number,
  nrSegs = bvecs instanceof BvecArray ? bvecs.capacity : bvecs.length,
): IovIter {
  checkDirection('iovIterBvec', direction);
  checkSizeT('iovIterBvec', 'count', count);
  checkInt('iovIterBvec', 'nrSegs', nrSegs, 0, bvecs instanceof BvecArray ? bvecs.capacity : bvecs.length);
  const bvs = bvecs instanceof BvecArray ? bvecs : bvecArrayFrom(bvecs);
  const i = new IovIter(ITER_BVEC, direction, count, nrSegs);
  i.bvec = bvs;
  return i;
}

/** `iov_iter_discard(i, direction, count)`: BUG_ON unless the direction is READ (ITER_DEST). */
export function iovIterDiscard(direction: number, count: number): IovIter {
  if ((direction >>> 0) !== direction) badArgument('iovIterDiscard', 'direction', direction, 'an unsigned int');
  checkSizeT('iovIterDiscard', 'count', count);
  if (direction !== ITER_DEST) throw new KernelBug(`iov_iter_discard: BUG_ON(direction != READ), got ${direction}`);
  return new IovIter(ITER_DISCARD, ITER_DEST, count, 0);
}

/** `iov_iter_count(i)`: bytes left. */
export function iovIterCount(i: IovIter): number {
  return i.count;
}

/** `iov_iter_rw(i)`: WRITE (1) for a source, READ (0) for a destination. */
export function iovIterRw(i: IovIter): number {
  return i.dataSource ? ITER_SOURCE : ITER_DEST;
}

/** `iter_is_ubuf(i)`. */
export function iterIsUbuf(i: IovIter): boolean {
  return i.iterType === ITER_UBUF;
}

/** `iter_is_iovec(i)`. */
export function iterIsIovec(i: IovIter): boolean {
  return i.iterType === ITER_IOVEC;
}

/** `iov_iter_is_kvec(i)`. */
export function iovIterIsKvec(i: IovIter): boolean {
  return i.iterType === ITER_KVEC;
}

/** `iov_iter_is_bvec(i)`. */
export function iovIterIsBvec(i: IovIter): boolean {
  return i.iterType === ITER_BVEC;
}

/** `iov_iter_is_discard(i)`. */
export function iovIterIsDiscard(i: IovIter): boolean {
  return i.iterType === ITER_DISCARD;
}

/** `user_backed_iter(i)`: UBUF or IOVEC. */
export function userBackedIter(i: IovIter): boolean {
  return i.iterType === ITER_UBUF || i.iterType === ITER_IOVEC;
}

/**
 * `iov_iter_extract_will_pin(iter)`: true only for user-backed iterators, whose
 * extracted pages carry a FOLL_PIN the caller must unpin; KVEC, BVEC (and the rest)
 * take no reference at all.
 */
export function iovIterExtractWillPin(i: IovIter): boolean {
  return userBackedIter(i);
}

/** `iter_iov_addr(i)` (UBUF, IOVEC, KVEC): the address of the next byte of the current segment. */
export function iterIovAddr(i: IovIter): number {
  if (i.iterType === ITER_UBUF) return i.ubuf + i.iovOffset;
  return i.iov[i.seg]!.base + i.iovOffset;
}

/** `iter_iov_len(i)` (UBUF, IOVEC, KVEC): UBUF `count`, else bytes left in the current segment. */
export function iterIovLen(i: IovIter): number {
  if (i.iterType === ITER_UBUF) return i.count;
  return i.iov[i.seg]!.len - i.iovOffset;
}

/**
 * `iov_iter_truncate(i, count)`: caps `count`; a larger value does nothing. `count` is
 * a `u64`: any non-negative integer (above 2^53 it only ever compares as larger).
 */
export function iovIterTruncate(i: IovIter, count: number): void {
  if (!(Number.isInteger(count) && count >= 0)) badArgument('iovIterTruncate', 'count', count, 'a u64 (a non-negative integer)');
  if (i.count > count) i.count = count;
}
