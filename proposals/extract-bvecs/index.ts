/**
 * Control: mainline 2026, the iov_iter_extract_bvecs() shape (lib/iov_iter.c, hch,
 * January 2026). The caller's vector array is the bio's own bvec table; each call
 * parks its temporary page array in the table's unused tail and turns it into one bvec
 * per run of consecutive pages inside a folio. The canonical caller is block direct
 * I/O: a UBUF iterator over the request, and per bio a bio_alloc() sized by
 * bio_iov_vecs_to_alloc() (__blkdev_direct_IO) filled by bio_iov_iter_get_pages()'s
 * loop (block/bio.c, T) until the iterator is empty or the bio is full. Nothing is
 * allocated beyond the bios. See README.md for the contract.
 *
 * Simplified: bio_iov_iter_get_pages' loop for a user-backed iterator is written out
 * here so that each iov_iter_extract_bvecs() return is recorded (`calls`,
 * `returnValues`); mem_align_mask and len_align_mask are 0 (the request is any byte
 * range, so bio_iov_iter_align_down trims nothing). The iterator is iov_iter_ubuf()
 * after import_ubuf()'s access_ok(), taken as GUP's own bound (the range ends at or
 * below TASK_SIZE_MAX), without import_ubuf()'s MAX_RW_COUNT clamp: a driver pins a
 * range of any length, each extraction is at most 256 pages anyway. A failure after
 * progress keeps the bios built and returns the short count (block direct I/O would
 * fail the whole I/O once they complete). Only FOLL_WRITE, FOLL_NOFAULT and
 * FOLL_PCI_P2PDMA can be stated through an iov_iter (iov_iter_extract_pages() takes
 * extraction flags and derives the FOLL_* flags from the iterator): a request with
 * any other flag (FOLL_LONGTERM, FOLL_FORCE, ...) is refused with -EINVAL before
 * anything is touched, and `expressibleGupFlags` declares the three.
 */
import {
  BIO_MAX_SIZE,
  BIO_MAX_VECS,
  BIO_PAGE_PINNED,
  EFAULT,
  EINVAL,
  FOLL_NOFAULT,
  FOLL_PCI_P2PDMA,
  FOLL_WRITE,
  ITER_ALLOW_P2PDMA,
  ITER_DEST,
  ITER_SOURCE,
  REQ_NOMERGE,
  TASK_SIZE_MAX,
  bioAlloc,
  bioClearFlag,
  bioFull,
  bioIovVecsToAlloc,
  bioOpForGupFlags,
  bioReleasePages,
  bioSetFlag,
  completePinnedIo,
  failedIo,
  iovIterExtractBvecs,
  iovIterExtractWillPin,
  iovIterUbuf,
  isPciP2pdmaPage,
  pinnedIo,
  recordReturn,
  type Bio,
  type IovIter,
  type Mm,
  type PinRequest,
  type PinStrategy,
  type PinnedIo,
  type ReturnRun,
} from '../../src/index.js';

/**
 * The request flags an iov_iter can carry: its direction (ITER_DEST is FOLL_WRITE),
 * `nofault` (FOLL_NOFAULT) and ITER_ALLOW_P2PDMA (FOLL_PCI_P2PDMA). Nothing else, so not
 * FOLL_LONGTERM (long-term pinners call pin_user_pages*() themselves), FOLL_FORCE or
 * FOLL_HONOR_NUMA_FAULT, which pin_user_pages_fast() would accept.
 */
export const EXTRACT_BVECS_GUP_FLAGS = FOLL_WRITE | FOLL_NOFAULT | FOLL_PCI_P2PDMA;

/** Extraction calls made and their return values, for the PinnedIo. */
interface CallLog {
  calls: number;
  readonly rv: ReturnRun[];
}

/**
 * `bio_iov_iter_get_pages(bio, iter, BIO_MAX_SIZE, 0, 0)` for a user-backed iterator:
 * iov_iter_extract_bvecs() into the bio's own table until the iterator is empty or the
 * bio is full. Returns 0 with bytes in the bio, or -errno with the bio empty (-EINVAL
 * releases what the bio held, as T does).
 */
function bioFill(mm: Mm, bio: Bio, iter: IovIter, flags: number, log: CallLog): number {
  const m = mm.m;
  if (iovIterExtractWillPin(iter)) bioSetFlag(bio, BIO_PAGE_PINNED);
  const bvs = bio.vecs!;
  do {
    const r = iovIterExtractBvecs(mm, iter, bvs, BIO_MAX_SIZE - bio.size, bio.vcnt, bio.maxVecs, flags);
    log.calls++;
    recordReturn(log.rv, r.ret);
    bio.vcnt = r.nrVecs;
    if (r.ret <= 0) {
      if (r.ret === -EINVAL) {
        bioReleasePages(m, bio, false);
        bioClearFlag(bio, BIO_PAGE_PINNED);
        bio.vcnt = 0;
      }
      if (bio.vcnt === 0) return r.ret;
      break;
    }
    bio.size += r.ret;
  } while (iter.count !== 0 && !bioFull(bio, 0));
  if (isPciP2pdmaPage(m, bvs.page[0]!)) bio.opf |= REQ_NOMERGE;
  return 0;
}

function pin(mm: Mm, req: PinRequest): PinnedIo {
  const m = mm.m;
  const { start, length, gupFlags } = req;
  const log: CallLog = { calls: 0, rv: [] };
  if ((gupFlags & ~EXTRACT_BVECS_GUP_FLAGS) !== 0) return failedIo(-EINVAL, 0, log.rv);
  if (start + length > TASK_SIZE_MAX) return failedIo(-EFAULT, 0, log.rv);
  const iter = iovIterUbuf((gupFlags & FOLL_WRITE) !== 0 ? ITER_DEST : ITER_SOURCE, start, length);
  iter.nofault = (gupFlags & FOLL_NOFAULT) !== 0;
  const flags = (gupFlags & FOLL_PCI_P2PDMA) !== 0 ? ITER_ALLOW_P2PDMA : 0;
  const opf = bioOpForGupFlags(gupFlags);
  const bios: Bio[] = [];
  let done = 0;
  let err = 0;
  while (iter.count !== 0) {
    const bio = bioAlloc(bioIovVecsToAlloc(iter, BIO_MAX_VECS), opf);
    m.cost.biosBuilt++;
    const ret = bioFill(mm, bio, iter, flags, log);
    if (ret < 0) {
      // Empty: bio_put, nothing to release. Keep the bios before it.
      err = ret;
      break;
    }
    bios.push(bio);
    done += bio.size;
  }
  if (done === 0) return failedIo(err, log.calls, log.rv);
  return pinnedIo(done, bios, log.calls, log.rv, []);
}

/** The mainline-2026 control. */
export const proposal: PinStrategy = {
  name: 'extract-bvecs',
  summary: 'control: iov_iter_extract_bvecs into the bio table, page array packed in its tail',
  option: 'control',
  settings: ['merge'],
  mergePolicies: ['folio'],
  expressibleGupFlags: EXTRACT_BVECS_GUP_FLAGS,
  expressibleThrough: 'an iov_iter',
  pin: (mm, req) => pin(mm, req),
  complete: (mm, io, markDirty) => completePinnedIo(mm.m, io, markDirty),
};
