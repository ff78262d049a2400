/**
 * Direct IO to a block device, submission and completion (block/fops.c in T:
 * `blkdev_direct_IO`'s checks, `__blkdev_direct_IO`, `blkdev_bio_end_io`,
 * `blkdev_iov_iter_get_pages`), with the page-holding switch of the dio_w_* wrappers
 * (seeds/000, CONFIG_BLK_USE_PIN_USER_PAGES_FOR_DIO): 'pin' is mainline
 * (pin_user_pages_fast, then bio_release_pages: one unpin_user_folio per folio step);
 * 'get' is the configuration with pins off (get_user_pages_fast, then put_page per
 * page). The seeds' Direct IO table follows from it (seeds/001): UBUF and IOVEC pin
 * (or take references in 'get'), KVEC and BVEC leave references alone, DISCARD fails
 * with -EFAULT.
 *
 * Faithful: count 0 returns 0; (pos | count) not a multiple of the logical block size
 * is -EINVAL; bios are allocated with bio_iov_vecs_to_alloc(iter, BIO_MAX_VECS) vectors
 * (0 for ITER_BVEC, whose array the bio borrows) and filled by bio_iov_iter_get_pages
 * with maxlen BIO_MAX_SIZE, mem_align_mask = the DMA alignment, len_align_mask = the
 * logical block size - 1; a read from a user-backed iterator dirties its pages
 * (bio_set_pages_dirty) and completes through bio_check_pages_dirty, anything else
 * through bio_release_pages(bio, false); a failed fill ends that bio at once and makes
 * the whole call return the error, while the bios already submitted still complete.
 * Simplified: always the multi-bio synchronous path (the kernel uses
 * __blkdev_direct_IO_simple / _async for a single bio; their release is the same),
 * no plug, no integrity, no NOWAIT; the device completes every bio successfully when
 * `directIoComplete` is called, so the submit/complete split lets a caller look at
 * what is held while the IO is in flight. Each bio allocated counts `cost.biosBuilt`.
 *
 * Arguments: a negative `pos` is -EINVAL, as rw_verify_area (fs/read_write.c) answers
 * it before any ->read_iter/->write_iter for a block device (no FMODE_UNSIGNED_OFFSET).
 * A `pos` that is not a safe integer, a logical block size that is not a power of two
 * up to BLK_MAX_BLOCK_SIZE (64 KiB; sizes below 512, which blk_validate_block_size
 * refuses, are allowed as a model device for byte-granular comparisons), a DMA
 * alignment that is not a 2^k - 1 mask in `unsigned int`, or an unknown `hold` /
 * `alignDown` is an ArgumentError: no kernel device has one.
 */
import { EINVAL } from '../mm/errno.js';
import { badArgument, checkOneOf } from '../mm/arg-check.js';
import type { Machine } from '../mm/machine.js';
import type { Mm } from '../mm/mm.js';
import { bioReleasePages } from './bio-release.js';
import { bioReleasePagesFollGet } from './bio-release-foll-get.js';
import { type BioRelease, bioCheckPagesDirty, bioSetPagesDirty } from './bio-dirty.js';
import { type AlignDownVariant, bioIovIterGetPages, bioIovVecsToAlloc } from './bio-iov-iter.js';
import { BIO_MAX_SIZE, BIO_MAX_VECS, REQ_OP_READ, REQ_OP_WRITE, bioAlloc, type Bio } from './bio.js';
import type { UserPageHold } from './iov-iter-extract.js';
import type { IovIter } from './iov-iter.js';
import { ITER_DEST, iovIterRw, userBackedIter } from './iov-iter.js';

/** The device and the switch; defaults: 'pin', pos 0, 512-byte blocks, 512-byte DMA alignment. */
export interface DirectIoOptions {
  /** dio_w_* switch: 'pin' (FOLL_PIN, mainline) or 'get' (FOLL_GET + put_page). */
  readonly hold?: UserPageHold;
  /** `iocb->ki_pos`, bytes. */
  readonly pos?: number;
  /** `bdev_logical_block_size`. */
  readonly logicalBlockSize?: number;
  /** `bdev_dma_alignment`: the mask user addresses and lengths must clear. */
  readonly dmaAlignment?: number;
  /** bio_iov_iter_align_down variant (see bio-iov-iter.ts). */
  readonly alignDown?: AlignDownVariant;
}

/** A submitted Direct IO: its bios in flight and what the call will return. */
export interface DirectIo {
  /** The bytes the call returns once the bios complete, or -errno. */
  readonly ret: number;
  /** Bios submitted and not yet completed. */
  readonly bios: Bio[];
  /** DIO_SHOULD_DIRTY: a read into user memory. */
  readonly shouldDirty: boolean;
  readonly hold: UserPageHold;
}

/** `BLK_MAX_BLOCK_SIZE` (include/linux/blkdev.h, v6.15+ with THP): 64 KiB. */
export const BLK_MAX_BLOCK_SIZE = 0x10000;

const HOLDS: readonly UserPageHold[] = ['pin', 'get'];
const ALIGN_DOWN_VARIANTS: readonly AlignDownVariant[] = ['trial', 'fixed'];

function checkDirectIoOptions(opts: DirectIoOptions): void {
  const fn = 'directIoSubmit';
  if (opts.hold !== undefined) checkOneOf(fn, 'opts.hold', opts.hold, HOLDS);
  if (opts.alignDown !== undefined) checkOneOf(fn, 'opts.alignDown', opts.alignDown, ALIGN_DOWN_VARIANTS);
  const pos = opts.pos;
  if (pos !== undefined && !Number.isSafeInteger(pos)) badArgument(fn, 'opts.pos', pos, 'a loff_t (a safe integer)');
  const lbs = opts.logicalBlockSize;
  if (lbs !== undefined && !((lbs | 0) === lbs && lbs > 0 && lbs <= BLK_MAX_BLOCK_SIZE && (lbs & (lbs - 1)) === 0))
    badArgument(fn, 'opts.logicalBlockSize', lbs, 'a power of two up to BLK_MAX_BLOCK_SIZE (65536)');
  const dma = opts.dmaAlignment;
  if (dma !== undefined && !((dma >>> 0) === dma && ((dma + 1) & dma) === 0))
    badArgument(fn, 'opts.dmaAlignment', dma, 'a 2^k - 1 mask in unsigned int');
}

function releaseFor(hold: UserPageHold): BioRelease {
  return hold === 'pin' ? (m, bio, markDirty) => bioReleasePages(m, bio, markDirty) : bioReleasePagesFollGet;
}

/** `blkdev_bio_end_io` for one bio: bio_check_pages_dirty for a dirtying read, else release. */
function endBio(m: Machine, bio: Bio, shouldDirty: boolean, release: BioRelease): void {
  if (shouldDirty) bioCheckPagesDirty(m, bio, release);
  else release(m, bio, false);
}

/**
 * `blkdev_direct_IO` + `__blkdev_direct_IO` up to the wait: fills and submits bios
 * from `iter` (advancing it). The pages stay held until `directIoComplete`.
 */
export function directIoSubmit(mm: Mm, iter: IovIter, opts: DirectIoOptions = {}): DirectIo {
  checkDirectIoOptions(opts);
  const m = mm.m;
  const hold = opts.hold ?? 'pin';
  const lbs = opts.logicalBlockSize ?? 512;
  const dmaAlignment = opts.dmaAlignment ?? 511;
  const pos = opts.pos ?? 0;
  const bios: Bio[] = [];
  if (pos < 0) return { ret: -EINVAL, bios, shouldDirty: false, hold };
  if (iter.count === 0) return { ret: 0, bios, shouldDirty: false, hold };
  if (pos % lbs !== 0 || iter.count % lbs !== 0) return { ret: -EINVAL, bios, shouldDirty: false, hold };

  const isRead = iovIterRw(iter) === ITER_DEST;
  const opf = isRead ? REQ_OP_READ : REQ_OP_WRITE;
  const shouldDirty = isRead && userBackedIter(iter);
  const release = releaseFor(hold);
  let nrPages = bioIovVecsToAlloc(iter, BIO_MAX_VECS);
  let size = 0;
  let ret = 0;
  for (;;) {
    const bio = bioAlloc(nrPages, opf);
    m.cost.biosBuilt++;
    ret = bioIovIterGetPages(mm, bio, iter, BIO_MAX_SIZE, dmaAlignment, lbs - 1, { hold, alignDown: opts.alignDown ?? 'trial' });
    if (ret !== 0) {
      endBio(m, bio, shouldDirty, release);
      break;
    }
    if (shouldDirty) bioSetPagesDirty(m, bio);
    size += bio.size;
    bios.push(bio);
    nrPages = bioIovVecsToAlloc(iter, BIO_MAX_VECS);
    if (nrPages === 0) break;
  }
  return { ret: ret !== 0 ? ret : size, bios, shouldDirty, hold };
}

/** Completes every bio of `dio` (blkdev_bio_end_io), releasing its pages; returns `dio.ret`. */
export function directIoComplete(m: Machine, dio: DirectIo): number {
  const release = releaseFor(dio.hold);
  for (let i = 0; i < dio.bios.length; i++) endBio(m, dio.bios[i]!, dio.shouldDirty, release);
  dio.bios.length = 0;
  return dio.ret;
}
