/**
 * `struct bio_vec` and its construction helpers (include/linux/bvec.h, v6.16+; T for
 * `bvec_folio`): `bvec_set_page`, `bvec_set_folio`, `bvec_phys`, `bvec_folio`.
 *
 * Faithful: a bvec is (first page, length, offset relative to that page); the offset
 * may be >= PAGE_SIZE and the length may cross pages and folios, exactly as the kernel
 * allows. `bvec_set_folio` has the June-2025 normalisation (5e223e06ee7c): the page that
 * holds the first byte and an offset below PAGE_SIZE.
 *
 * Layout: a bvec array is struct-of-arrays (`BvecArray`: page, len, offset typed
 * arrays), so writing a bvec allocates nothing. `len` and `offset` are `unsigned int`
 * in the kernel and are stored in Uint32Arrays; a value outside 0..UINT_MAX, a NaN or a
 * fraction is refused with an ArgumentError rather than truncated (only
 * `bvec_set_folio`'s `size_t` length keeps the kernel's WARN and truncation). An index
 * outside the array is an ArgumentError (C would read or write past it). The `BioVec`
 * object is the readable view for tests, reports and callers that want one.
 * A fresh array holds NULL pages (the kernel's is uninitialised memory).
 */
import { NULL_PFN, PAGE_SIZE } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { pageFolio } from '../mm/folio.js';
import { warnOnOnce } from '../mm/bug.js';
import { badArgument, checkCount, checkFolio, checkInt, isPfn } from '../mm/arg-check.js';
import { checkBvecIndex, checkPageOrNull, checkSizeT, checkUnsignedInt } from './block-arg-check.js';

/** `UINT_MAX`: the largest `unsigned int`. */
export const UINT_MAX = 0xffffffff;

/** `struct bio_vec` as an object: `bv_page` (PFN), `bv_len`, `bv_offset`. */
export interface BioVec {
  /** `bv_page`: the first page of the range (a PFN; NULL_PFN for NULL). */
  page: number;
  /** `bv_len`: bytes in the range. */
  len: number;
  /** `bv_offset`: start of the range relative to `page`; may be >= PAGE_SIZE. */
  offset: number;
}

/**
 * An array of `struct bio_vec`, struct-of-arrays. A "pointer" into it (`bv + n` in C)
 * is the pair (array, index), or a view made by `bvecArrayView`.
 */
export class BvecArray {
  /** `bv_page` of each entry (PFN, NULL_PFN for NULL). */
  readonly page: Int32Array;
  /** `bv_len` of each entry. */
  readonly len: Uint32Array;
  /** `bv_offset` of each entry. */
  readonly offset: Uint32Array;
  /** Number of entries the array holds. */
  readonly capacity: number;

  constructor(capacity: number, page?: Int32Array, len?: Uint32Array, offset?: Uint32Array) {
    checkCount('BvecArray', 'capacity', capacity);
    this.capacity = capacity;
    this.page = page ?? new Int32Array(capacity).fill(NULL_PFN);
    this.len = len ?? new Uint32Array(capacity);
    this.offset = offset ?? new Uint32Array(capacity);
  }
}

/** A new array of `capacity` bvecs (NULL pages, zero lengths). */
export function bvecArrayAlloc(capacity: number): BvecArray {
  checkCount('bvecArrayAlloc', 'capacity', capacity);
  return new BvecArray(capacity);
}

/**
 * `bv + start`: a view of `bvs` from entry `start` on, sharing its memory (writes
 * through the view land in `bvs`).
 */
export function bvecArrayView(bvs: BvecArray, start: number): BvecArray {
  checkInt('bvecArrayView', 'start', start, 0, bvs.capacity);
  return new BvecArray(bvs.capacity - start, bvs.page.subarray(start), bvs.len.subarray(start), bvs.offset.subarray(start));
}

function checkListEntry(bv: BioVec, i: number): void {
  if (!((bv.page | 0) === bv.page && bv.page >= NULL_PFN)) badArgument('bvecArrayFrom', `list[${i}].page`, bv.page, 'a PFN or NULL_PFN');
  if ((bv.len >>> 0) !== bv.len) badArgument('bvecArrayFrom', `list[${i}].len`, bv.len, 'an unsigned int');
  if ((bv.offset >>> 0) !== bv.offset) badArgument('bvecArrayFrom', `list[${i}].offset`, bv.offset, 'an unsigned int');
}

/** A bvec array holding `list`, entry for entry (each field checked as `bvecSetPage` does). */
export function bvecArrayFrom(list: readonly BioVec[]): BvecArray {
  for (let i = 0; i < list.length; i++) checkListEntry(list[i]!, i);
  const bvs = new BvecArray(list.length);
  for (let i = 0; i < list.length; i++) {
    const bv = list[i]!;
    setPage(bvs, i, bv.page, bv.len, bv.offset);
  }
  return bvs;
}

/** Entry `i` as an object; fills `out` when given (no allocation). */
export function bvecAt(bvs: BvecArray, i: number, out?: BioVec): BioVec {
  checkBvecIndex('bvecAt', 'i', bvs, i);
  const bv = out ?? { page: NULL_PFN, len: 0, offset: 0 };
  bv.page = bvs.page[i]!;
  bv.len = bvs.len[i]!;
  bv.offset = bvs.offset[i]!;
  return bv;
}

/** Entries [0, n) as objects, for tests and reports. */
export function bvecArrayToList(bvs: BvecArray, n: number): BioVec[] {
  checkInt('bvecArrayToList', 'n', n, 0, bvs.capacity);
  const out: BioVec[] = [];
  for (let i = 0; i < n; i++) out.push(bvecAt(bvs, i));
  return out;
}

function setPage(bvs: BvecArray, i: number, page: number, len: number, offset: number): void {
  bvs.page[i] = page;
  bvs.len[i] = len;
  bvs.offset[i] = offset;
}

/**
 * `bvec_set_page(bv, page, len, offset)`: stores the three fields as given. `i` must
 * index `bvs`; `len` and `offset` are `unsigned int`; `page` a PFN or NULL_PFN.
 */
export function bvecSetPage(bvs: BvecArray, i: number, page: number, len: number, offset: number): void {
  checkBvecIndex('bvecSetPage', 'i', bvs, i);
  checkPageOrNull('bvecSetPage', 'page', page);
  checkUnsignedInt('bvecSetPage', 'len', len);
  checkUnsignedInt('bvecSetPage', 'offset', offset);
  setPage(bvs, i, page, len, offset);
}

/**
 * `bvec_set_folio(bv, folio, len, offset)` (v6.16+): page = `folio_page(folio,
 * offset / PAGE_SIZE)`, offset = `offset % PAGE_SIZE`; WARN_ON_ONCE if `len` exceeds
 * UINT_MAX (the stored length is then truncated, as in C: `len` is a `size_t` here).
 * `folio` must be a folio's head PFN and `folio_page(folio, offset / PAGE_SIZE)` a page
 * of the memmap.
 */
export function bvecSetFolio(m: Machine, bvs: BvecArray, i: number, folio: number, len: number, offset: number): void {
  checkBvecIndex('bvecSetFolio', 'i', bvs, i);
  checkFolio(m, 'bvecSetFolio', 'folio', folio);
  checkSizeT('bvecSetFolio', 'len', len);
  checkSizeT('bvecSetFolio', 'offset', offset);
  const nr = Math.floor(offset / PAGE_SIZE);
  if (!isPfn(m, folio + nr)) badArgument('bvecSetFolio', 'offset', offset, `an offset whose page (folio + ${nr}) is in the memmap`);
  warnOnOnce(m, len > UINT_MAX, 'bvec_set_folio: len > UINT_MAX');
  setPage(bvs, i, folio + nr, len >>> 0, offset % PAGE_SIZE);
}

/** `bvec_phys(bv)`: `page_to_phys(bv_page) + bv_offset`, a byte address. */
export function bvecPhys(bvs: BvecArray, i: number): number {
  checkBvecIndex('bvecPhys', 'i', bvs, i);
  return bvs.page[i]! * PAGE_SIZE + bvs.offset[i]!;
}

/**
 * `bvec_folio(bv)` (T, proposed 2026): the folio of `bv_page`, the **first** page only;
 * a bvec may span several folios (use the folio iterators for all of them).
 */
export function bvecFolio(m: Machine, bvs: BvecArray, i: number): number {
  checkBvecIndex('bvecFolio', 'i', bvs, i);
  return pageFolio(m, bvs.page[i]!);
}
