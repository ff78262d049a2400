/**
 * Building bios from pinned vectors, the two ways a driver can: copying each vector
 * into bio_alloc'd bios (block/bio.c bio_alloc + bio_add_page or __bio_add_page), or
 * pointing bios at slices of a vector array it keeps until completion (bio_init with a
 * caller table, then bi_vcnt / bi_iter.bi_size set directly, as bio_iov_bvec_set does
 * for ITER_BVEC). Every bio is BIO_PAGE_PINNED, so bio_release_pages() unpins it.
 *
 * Faithful to the block layer's limits (T): at most BIO_MAX_VECS vectors per bio; a bio
 * never grows past BIO_MAX_SIZE bytes; P2PDMA pages of different pgmaps never share a
 * bio (zone_device_pages_compatible). Both ways split at the same places: a new bio
 * starts exactly when bio_add_page would refuse the vector. 'physical' copies go
 * through bio_add_page and so merge a vector into the previous bvec when physically
 * contiguous (which rejoins runs a chunked callee split across calls); 'folio' copies
 * use __bio_add_page and never merge. bio_alloc gets the bio_iov_vecs_to_alloc-style
 * size min(vectors still possible, BIO_MAX_VECS), so a bio fills only at
 * BIO_MAX_VECS. Costs: `biosBuilt` per bio; bio_add_page counts `bvecsWritten` per new
 * bvec (a slice copies nothing). The struct bio allocations are not modelled (bio.ts).
 * Arguments: pages are PFNs of the memmap, `len`/`offset` `unsigned int`, vector
 * counts and slices within the array, `opf` a modelled bi_opf word, `merge` a known
 * policy: ArgumentError otherwise, before any bio is allocated or added to.
 */
import type { Machine } from '../mm/machine.js';
import { KernelBug } from '../mm/bug.js';
import { FOLL_WRITE } from '../mm/foll-flags.js';
import { type BvecArray, bvecArrayView } from '../block/bio-vec.js';
import {
  BIO_MAX_SIZE,
  BIO_MAX_VECS,
  BIO_PAGE_PINNED,
  REQ_OP_READ,
  REQ_OP_WRITE,
  type Bio,
  bioAlloc,
  bioInit,
  bioSetFlag,
} from '../block/bio.js';
import { __bioAddPage, bioAddPage, zoneDevicePagesCompatible } from '../block/bio-add.js';
import type { MergePolicy } from './pin-strategy.js';
import { MERGE_POLICIES } from './strategy-enums.js';
import { REQ_NOMERGE, REQ_OP_MASK } from '../block/bio.js';
import { checkFlags, checkGupFlagsWord, checkInt, checkOneOf, checkPfn, checkUnsignedLong } from '../mm/arg-check.js';
import { checkUnsignedInt } from '../block/block-arg-check.js';

/** The bi_opf bits a bio of the model carries (bio.ts). */
const OPF_BITS = REQ_OP_MASK | REQ_NOMERGE;

/** `bvs[first, first + n)` lies inside the array. */
function checkSlice(fn: string, bvs: BvecArray, first: number, n: number): void {
  checkInt(fn, 'first', first, 0, bvs.capacity);
  checkInt(fn, 'n', n, 0, bvs.capacity - first);
}

/**
 * The bio operation for a pin: FOLL_WRITE means the device writes memory, a read
 * (iov_iter's ITER_DEST sets FOLL_WRITE for reads, lib/iov_iter.c).
 */
export function bioOpForGupFlags(gupFlags: number): number {
  checkGupFlagsWord('bioOpForGupFlags', gupFlags);
  return (gupFlags & FOLL_WRITE) !== 0 ? REQ_OP_READ : REQ_OP_WRITE;
}

/** Whether bio_add_page would refuse a new bvec (page, len) in `bio` for want of room or compatibility. */
function bioRefusesNew(m: Machine, bio: Bio, page: number, len: number): boolean {
  if (bio.vcnt >= bio.maxVecs || bio.size > BIO_MAX_SIZE - len) return true;
  return bio.vcnt > 0 && !zoneDevicePagesCompatible(m, bio.vecs!.page[bio.vcnt - 1]!, page);
}

/** Copies vectors into bio_alloc'd bios, one vector at a time. */
export class BioCopyBuilder {
  readonly bios: Bio[] = [];
  private cur: Bio | null = null;
  private readonly physical: boolean;

  constructor(
    private readonly m: Machine,
    merge: MergePolicy,
    private readonly opf: number,
  ) {
    checkOneOf('BioCopyBuilder', 'merge', merge, MERGE_POLICIES);
    checkFlags('BioCopyBuilder', 'opf', opf, OPF_BITS);
    this.physical = merge === 'physical';
  }

  /**
   * Adds (page, len, offset); `vecsLeft` bounds the vectors still to come, this one
   * included (the caller's worst case), and sizes a bio_alloc when one is needed.
   */
  add(page: number, len: number, offset: number, vecsLeft: number): void {
    const m = this.m;
    checkPfn(m, 'BioCopyBuilder.add', 'page', page);
    checkUnsignedInt('BioCopyBuilder.add', 'len', len);
    checkUnsignedInt('BioCopyBuilder.add', 'offset', offset);
    checkUnsignedLong('BioCopyBuilder.add', 'vecsLeft', vecsLeft);
    const cur = this.cur;
    if (cur !== null) {
      if (this.physical) {
        if (bioAddPage(m, cur, page, len, offset) === len) return;
      } else if (!bioRefusesNew(m, cur, page, len)) {
        __bioAddPage(m, cur, page, len, offset);
        return;
      }
    }
    const bio = bioAlloc(Math.min(Math.max(vecsLeft, 1), BIO_MAX_VECS), this.opf);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    m.cost.biosBuilt++;
    this.bios.push(bio);
    this.cur = bio;
    if (this.physical) {
      if (bioAddPage(m, bio, page, len, offset) !== len) throw new KernelBug(`bio_add_page refused ${len} bytes into an empty bio`);
    } else {
      __bioAddPage(m, bio, page, len, offset);
    }
  }

  /** Copies bvecs[first, first + n) in order; `vecsLeft` as in add() for the first of them. */
  addAll(bvs: BvecArray, first: number, n: number, vecsLeft: number): void {
    checkSlice('BioCopyBuilder.addAll', bvs, first, n);
    checkInt('BioCopyBuilder.addAll', 'vecsLeft', vecsLeft, n, Number.MAX_SAFE_INTEGER);
    const { page, len, offset } = bvs;
    for (let i = 0; i < n; i++) this.add(page[first + i]!, len[first + i]!, offset[first + i]!, vecsLeft - i);
  }
}

/**
 * Bios over slices of `bvs[first, first + n)` without copying (bio_init with a table
 * inside the caller's array), appended to `out`. The array must outlive the bios.
 */
export function bioSlices(m: Machine, bvs: BvecArray, first: number, n: number, opf: number, out: Bio[]): void {
  checkSlice('bioSlices', bvs, first, n);
  checkFlags('bioSlices', 'opf', opf, OPF_BITS);
  const end = first + n;
  const { page, len } = bvs;
  let cur: Bio | null = null;
  for (let i = first; i < end; i++) {
    const l = len[i]!;
    if (cur === null || bioRefusesNew(m, cur, page[i]!, l)) {
      cur = bioInit(bvecArrayView(bvs, i), Math.min(BIO_MAX_VECS, end - i), opf);
      bioSetFlag(cur, BIO_PAGE_PINNED);
      m.cost.biosBuilt++;
      out.push(cur);
    }
    cur.vcnt++;
    cur.size += l;
  }
}
