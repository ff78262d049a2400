/**
 * `struct bio` and its allocation (include/linux/blk_types.h, include/linux/bio.h,
 * block/bio.c in T): `bi_io_vec`, `bi_vcnt`, `bi_max_vecs`, `bi_flags`, `bi_opf`,
 * `bi_iter`; `BIO_*` flag bits with the kernel's enum values; `BIO_MAX_VECS`,
 * `BIO_MAX_SIZE`, `bio_alloc`, `bio_init`, `bio_flagged`, `bio_set_flag`,
 * `bio_clear_flag`, `bio_full`.
 *
 * Faithful: `bioAlloc` rounds `nr_vecs` up to the biovec slab size (16, 64, 128, 256)
 * above the 4 inline vectors, as bio_alloc_bioset does, and a request beyond
 * BIO_MAX_VECS is the BUG() in biovec_slab. Simplified: no block device, bio_set,
 * mempool, reference count or completion callback; `bi_opf` carries only the operation
 * and REQ_NOMERGE. Allocation costs are not counted here (no machine is passed); the
 * callers that build bios count `cost.biosBuilt`.
 *
 * Arguments: `max_vecs` / `nr_vecs` are `unsigned short` and `opf` a word of the
 * modelled bits (operation byte, REQ_NOMERGE); a BIO_* bit is 0..15 (`bi_flags` is an
 * `unsigned short`); anything else, or a table shorter than `max_vecs`, is an
 * ArgumentError (C would truncate, or write past the table).
 */
import { KernelBug } from '../mm/bug.js';
import { badArgument, checkFlags } from '../mm/arg-check.js';
import { BvecArray, UINT_MAX } from './bio-vec.js';
import { BvecIter } from './bvec-iter.js';
import { checkUnsignedInt, checkUnsignedShort } from './block-arg-check.js';

/** `BIO_MAX_VECS`: the largest bvec table bio_alloc hands out. */
export const BIO_MAX_VECS = 256;
/** `BIO_INLINE_VECS` (block/bio.c): bvecs that live inside the bio allocation. */
export const BIO_INLINE_VECS = 4;
/** `BIO_MAX_SIZE` (blk_types.h): UINT_MAX, the largest `bi_iter.bi_size`. */
export const BIO_MAX_SIZE = UINT_MAX;
/** The biovec slab sizes (`bvec_slabs[]`). */
export const BVEC_SLAB_SIZES: readonly number[] = [16, 64, 128, BIO_MAX_VECS];

/** `BIO_PAGE_PINNED` (bit 0): bio_release_pages() must unpin the pages. */
export const BIO_PAGE_PINNED = 0;
/** `BIO_CLONED` (bit 1): the bio does not own its bvec table. */
export const BIO_CLONED = 1;
/** `BIO_QUIET` (bit 2). */
export const BIO_QUIET = 2;
/** `BIO_CHAIN` (bit 3). */
export const BIO_CHAIN = 3;
/** `BIO_REFFED` (bit 4). */
export const BIO_REFFED = 4;

/** `REQ_OP_READ`. */
export const REQ_OP_READ = 0;
/** `REQ_OP_WRITE`. */
export const REQ_OP_WRITE = 1;
/** `REQ_OP_MASK`: the low 8 bits of `bi_opf`. */
export const REQ_OP_MASK = 0xff;
/** `REQ_NOMERGE` (`1 << __REQ_NOMERGE`, bit 14): set when a P2PDMA page is added. */
export const REQ_NOMERGE = 1 << 14;

/** The `bi_opf` bits the model knows: the operation byte and REQ_NOMERGE. */
const OPF_MODELLED = REQ_OP_MASK | REQ_NOMERGE;

/** `bi_flags` is an `unsigned short`: BIO_* bits 0..15 (BUILD_BUG_ON on BIO_FLAG_LAST). */
function checkBioFlagBit(fn: string, bit: number): void {
  if (!((bit >>> 0) === bit && bit < 16)) badArgument(fn, 'bit', bit, 'a BIO_* bit number in 0..15');
}

/** `struct bio`, the fields the model uses. */
export class Bio {
  /** `bi_io_vec`: the bvec table (shared with the source for a clone); null if none. */
  vecs: BvecArray | null;
  /** `bi_vcnt`: bvecs in use. */
  vcnt = 0;
  /** `bi_max_vecs`: bvecs the table holds for this bio. */
  maxVecs: number;
  /** `bi_flags`: `1 << BIO_*` bits. */
  flags = 0;
  /** `bi_opf`: operation and request flags. */
  opf: number;
  /** `bi_iter`: `size` is `bi_iter.bi_size`. */
  readonly iter = new BvecIter();

  constructor(vecs: BvecArray | null, maxVecs: number, opf: number) {
    this.vecs = vecs;
    this.maxVecs = maxVecs;
    this.opf = opf;
  }

  /** `bi_iter.bi_size`: bytes in the bio. */
  get size(): number {
    return this.iter.size;
  }

  set size(v: number) {
    this.iter.size = v;
  }
}

/**
 * `bio_init(bio, NULL, table, max_vecs, opf)`: a bio over a caller-supplied bvec table
 * (any size up to the `unsigned short` limit). ArgumentError for a `maxVecs` outside
 * 0..65535, an `opf` with bits the model does not know, or a `table` smaller than
 * `maxVecs` (the kernel would write past it).
 */
export function bioInit(table: BvecArray | null, maxVecs: number, opf: number = REQ_OP_READ): Bio {
  checkUnsignedShort('bioInit', 'maxVecs', maxVecs);
  checkFlags('bioInit', 'opf', opf, OPF_MODELLED);
  const capacity = table === null ? 0 : table.capacity;
  if (capacity < maxVecs) badArgument('bioInit', 'maxVecs', maxVecs, `at most the table's ${capacity} entries`);
  return new Bio(table, maxVecs, opf);
}

/**
 * `bio_alloc(bdev, nr_vecs, opf, gfp)`: 0 vectors gives no table; 1..4 use the inline
 * vectors with `maxVecs = nr_vecs`; above that `maxVecs` is rounded up to the slab size
 * (5 -> 16, 17 -> 64, 65 -> 128, 129 -> 256). More than BIO_MAX_VECS is the kernel's
 * BUG() in biovec_slab (KernelBug); use `bioInit` with your own table instead.
 * `nrVecs` outside the `unsigned short` range, or an unknown `opf` bit: ArgumentError.
 */
export function bioAlloc(nrVecs: number, opf: number = REQ_OP_READ): Bio {
  checkUnsignedShort('bioAlloc', 'nrVecs', nrVecs);
  checkFlags('bioAlloc', 'opf', opf, OPF_MODELLED);
  if (nrVecs > BIO_MAX_VECS) throw new KernelBug(`biovec_slab: BUG() for nr_vecs ${nrVecs} > BIO_MAX_VECS`);
  if (nrVecs === 0) return new Bio(null, 0, opf);
  if (nrVecs <= BIO_INLINE_VECS) return new Bio(new BvecArray(nrVecs), nrVecs, opf);
  let slab = BIO_MAX_VECS;
  for (const s of BVEC_SLAB_SIZES) {
    if (nrVecs <= s) {
      slab = s;
      break;
    }
  }
  return new Bio(new BvecArray(slab), slab, opf);
}

/** `bio_flagged(bio, bit)`. */
export function bioFlagged(bio: Bio, bit: number): boolean {
  checkBioFlagBit('bioFlagged', bit);
  return (bio.flags & (1 << bit)) !== 0;
}

/** `bio_set_flag(bio, bit)`. */
export function bioSetFlag(bio: Bio, bit: number): void {
  checkBioFlagBit('bioSetFlag', bit);
  bio.flags |= 1 << bit;
}

/** `bio_clear_flag(bio, bit)`. */
export function bioClearFlag(bio: Bio, bit: number): void {
  checkBioFlagBit('bioClearFlag', bit);
  bio.flags &= ~(1 << bit);
}

/** `bio_full(bio, len)`: no free bvec, or `len` more bytes would pass BIO_MAX_SIZE. */
export function bioFull(bio: Bio, len: number): boolean {
  checkUnsignedInt('bioFull', 'len', len);
  if (bio.vcnt >= bio.maxVecs) return true;
  return bio.iter.size > BIO_MAX_SIZE - len;
}
