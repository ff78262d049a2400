/**
 * Folio iteration (include/linux/bio.h in T, same logic in mainline >= v6.16):
 * `struct folio_iter`, `bio_first_folio`, `bio_next_folio`, `bio_for_each_folio_all`;
 * plus the per-bvec folio iterator the kernel does not have (Wilcox, Dec 2021: "there
 * aren't any equivalent helpers for a bvec yet"), built from the same two steps.
 *
 * Faithful, edges included: `bv_page` may be a tail page and `bv_offset` may exceed
 * PAGE_SIZE (both are added into the folio offset); a bvec spanning k folios yields k
 * steps and only the first may have a non-zero offset; the next folio is computed by
 * memmap arithmetic (`folio_next`) and recorded before the step is handed out, so a body
 * that frees the folio is safe (5.18-rc6 fix); an empty bio yields nothing (v6.8 fix); a
 * zero-length bvec yields one zero-length step; an offset at the folio's end gives a
 * (folio, folio_size, 0) step, and one past it wraps the unsigned subtraction so the
 * step takes the whole bvec. A cloned bio WARNs once (bio_first_bvec_all).
 * A NULL page, or one outside the memmap reached through a bio's bvecs, is a NULL/wild
 * dereference: KernelBug. Arguments: a page passed to the per-bvec iterator that is not
 * NULL and not in the memmap, a `len`/`offset` outside `unsigned int`, or a negative or
 * fractional bvec index is an ArgumentError.
 */
import { NULL_PFN, PAGE_SIZE } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { KernelBug } from '../mm/bug.js';
import type { BioVec } from './bio-vec.js';
import type { Bio } from './bio.js';
import { BIO_CLONED } from './bio.js';
import { warnOnOnce } from '../mm/bug.js';
import { checkBioUse, checkBvecUse } from './bio-use-checks.js';
import { badArgument, checkPfn } from '../mm/arg-check.js';
import { checkUnsignedInt } from './block-arg-check.js';

/** One step of a folio iteration: bytes [offset, offset + length) of `folio`. */
export interface FolioStep {
  /** The folio (head PFN). */
  readonly folio: number;
  /** Byte offset of the step within the folio. */
  readonly offset: number;
  /** Bytes in the step; never crosses the folio's end. */
  readonly length: number;
}

/** `struct folio_iter`: reusable iteration state (allocate one, loop without allocating). */
export class FolioIter {
  /** `folio`: the current folio, NULL_PFN after the last. */
  folio = NULL_PFN;
  /** `offset`: byte offset in the folio. */
  offset = 0;
  /** `length`: bytes in this step. */
  length = 0;
  /** `_next`: the folio after this one, recorded before the step is used. */
  next = NULL_PFN;
  /** `_seg_count`: bytes of the current bvec not yet handed out. */
  segCount = 0;
  /** `_i`: the bvec index. */
  i = 0;
}

function checkPage(m: Machine, page: number): void {
  if (page < 0 || page >= m.nrPages) throw new KernelBug(`folio iterator dereferences page ${page} outside the memmap`);
}

/** The first-step arithmetic shared by bio_first_folio and the per-bvec iterator. */
function startBvec(m: Machine, fi: FolioIter, page: number, len: number, offset: number): void {
  checkPage(m, page);
  const order = m.order;
  const folio = page & ~((1 << order[page]!) - 1);
  const nr = 1 << order[folio]!;
  const foff = offset + PAGE_SIZE * (page - folio);
  const room = nr * PAGE_SIZE - foff;
  fi.folio = folio;
  fi.offset = foff;
  fi.segCount = len;
  // size_t: an offset past the folio's end wraps to a huge room, so the bvec wins.
  fi.length = room < 0 ? len : Math.min(room, len);
  fi.next = folio + nr;
}

/** The bvec continues into the physically next folio (`fi.next`), from offset 0. */
function continueBvec(m: Machine, fi: FolioIter): void {
  const folio = fi.next;
  checkPage(m, folio);
  const nr = 1 << m.order[folio]!;
  fi.folio = folio;
  fi.offset = 0;
  fi.length = Math.min(nr * PAGE_SIZE, fi.segCount);
  fi.next = folio + nr;
}

/**
 * `bio_first_folio(fi, bio, i)`: the first step of bvec `i`, or NULL_PFN past `bi_vcnt`.
 * `i` is a C `int`; a negative one would read before the table: ArgumentError.
 */
export function bioFirstFolio(m: Machine, fi: FolioIter, bio: Bio, i: number): void {
  if (!((i | 0) === i && i >= 0)) badArgument('bioFirstFolio', 'i', i, 'a bvec index (an int >= 0)');
  firstFolio(m, fi, bio, i);
}

function firstFolio(m: Machine, fi: FolioIter, bio: Bio, i: number): void {
  if (m.checker !== null) checkBioUse(m.checker, bio, 'bio_first_folio');
  if ((bio.flags & (1 << BIO_CLONED)) !== 0) warnOnOnce(m, true, 'bio_first_bvec_all: cloned bio');
  if (i >= bio.vcnt) {
    fi.folio = NULL_PFN;
    return;
  }
  const bvs = bio.vecs!;
  startBvec(m, fi, bvs.page[i]!, bvs.len[i]!, bvs.offset[i]!);
  fi.i = i;
}

/** `bio_next_folio(fi, bio)`: the next folio of this bvec, else the first of the next bvec. */
export function bioNextFolio(m: Machine, fi: FolioIter, bio: Bio): void {
  fi.segCount -= fi.length;
  if (fi.segCount !== 0) continueBvec(m, fi);
  else firstFolio(m, fi, bio, fi.i + 1);
}

/** Callback of the zero-allocation loops: one folio step per call. */
export type FolioStepFn = (folio: number, offset: number, length: number) => void;

/**
 * `bio_for_each_folio_all(fi, bio)` as an iterable of fresh steps. For hot paths use
 * `bioForEachFolioAllFn`, or the kernel's loop with one reusable `FolioIter`:
 * `for (bioFirstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio))`.
 */
export function* bioForEachFolioAll(m: Machine, bio: Bio): Generator<FolioStep, void, undefined> {
  const fi = new FolioIter();
  for (firstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio))
    yield { folio: fi.folio, offset: fi.offset, length: fi.length };
}

/** `bio_for_each_folio_all` calling `fn` per step; pass `fi` to allocate nothing. */
export function bioForEachFolioAllFn(m: Machine, bio: Bio, fn: FolioStepFn, fi: FolioIter = new FolioIter()): void {
  for (firstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio)) fn(fi.folio, fi.offset, fi.length);
}

/** A bvec's fields as arguments: NULL (dereferenced: KernelBug later) or a PFN, two `unsigned int`s. */
function checkBvecArgs(m: Machine, fn: string, page: number, len: number, offset: number): void {
  if (page !== NULL_PFN) checkPfn(m, fn, 'page', page);
  checkUnsignedInt(fn, 'len', len);
  checkUnsignedInt(fn, 'offset', offset);
}

/**
 * First folio step of one bvec (no kernel equivalent; same arithmetic as
 * bio_first_folio). A zero-length bvec gives one zero-length step.
 */
export function bvecFirstFolio(m: Machine, fi: FolioIter, page: number, len: number, offset: number): void {
  checkBvecArgs(m, 'bvecFirstFolio', page, len, offset);
  firstBvecFolio(m, fi, page, len, offset);
}

function firstBvecFolio(m: Machine, fi: FolioIter, page: number, len: number, offset: number): void {
  if (m.checker !== null) checkBvecUse(m.checker, page, len, offset, 'bvec_first_folio');
  startBvec(m, fi, page, len, offset);
  fi.i = 0;
}

/** Next folio step of the bvec started by `bvecFirstFolio`; NULL_PFN when it is used up. */
export function bvecNextFolio(m: Machine, fi: FolioIter): void {
  fi.segCount -= fi.length;
  if (fi.segCount !== 0) continueBvec(m, fi);
  else fi.folio = NULL_PFN;
}

/** The folio steps of one bvec, as an iterable of fresh steps (`bv` checked at the call). */
export function bvecForEachFolio(m: Machine, bv: BioVec): Generator<FolioStep, void, undefined> {
  checkBvecArgs(m, 'bvecForEachFolio', bv.page, bv.len, bv.offset);
  return bvecFolioSteps(m, bv.page, bv.len, bv.offset);
}

function* bvecFolioSteps(m: Machine, page: number, len: number, offset: number): Generator<FolioStep, void, undefined> {
  const fi = new FolioIter();
  for (firstBvecFolio(m, fi, page, len, offset); fi.folio !== NULL_PFN; bvecNextFolio(m, fi))
    yield { folio: fi.folio, offset: fi.offset, length: fi.length };
}

/** The folio steps of one bvec, calling `fn` per step; pass `fi` to allocate nothing. */
export function bvecForEachFolioFn(
  m: Machine,
  page: number,
  len: number,
  offset: number,
  fn: FolioStepFn,
  fi: FolioIter = new FolioIter(),
): void {
  checkBvecArgs(m, 'bvecForEachFolioFn', page, len, offset);
  for (firstBvecFolio(m, fi, page, len, offset); fi.folio !== NULL_PFN; bvecNextFolio(m, fi)) fn(fi.folio, fi.offset, fi.length);
}
