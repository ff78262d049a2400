/**
 * Adding data to a bio (block/bio.c and block/blk.h in T): `bvec_try_merge_page`,
 * `bio_add_page`, `__bio_add_page`, `bio_add_folio`, `bio_add_folio_nofail`,
 * `bio_add_virt_nofail`, `zone_device_pages_have_same_pgmap`,
 * `zone_device_pages_compatible`.
 *
 * Faithful: a new range merges into the **last** bvec when its bytes are physically
 * contiguous and, if they start in a different page, the memmap is contiguous
 * (`bv_page + bv_end / PAGE_SIZE == page + off / PAGE_SIZE`); there is no same-folio
 * test, so a bvec may run across folios. The merge is tried before the "bio full"
 * test, so a full bio still accepts contiguous data. No page reference is taken.
 * Arguments: pages are PFNs of the memmap and folios head PFNs; `len`/`off` are
 * `unsigned int` (bio_add_page, __bio_add_page, bvec_try_merge_page) or `size_t`
 * (bio_add_folio*); anything C's types rule out is an ArgumentError, never truncated.
 * A `size_t` length above BIO_MAX_SIZE keeps the kernel's answer (false, or a WARN).
 * Simplified: CONFIG_KMSAN and Xen are off; the model has no pgmap objects, so a
 * zone-device page's pgmap is its device-memory kind (one pgmap per kind).
 * Every new bvec counts one `cost.bvecsWritten`; a merge writes none.
 */
import { PAGE_SIZE } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { KernelBug } from '../mm/bug.js';
import { pageFolio } from '../mm/folio.js';
import { MAPPING_DEVICE_COHERENT, MAPPING_FSDAX, MAPPING_P2PDMA } from '../mm/page-flags.js';
import type { BvecArray } from './bio-vec.js';
import type { Bio } from './bio.js';
import { BIO_CLONED, BIO_MAX_SIZE, REQ_NOMERGE } from './bio.js';
import { virtToPage } from './direct-map.js';
import { warnOnOnce } from '../mm/bug.js';
import { checkFolio, checkPfn, isPfn, badArgument } from '../mm/arg-check.js';
import { checkBvecIndex, checkPageNumber, checkSizeT, checkUnsignedInt } from './block-arg-check.js';

function deviceKind(m: Machine, page: number): number {
  const kind = m.mapping[pageFolio(m, page)]!;
  return kind === MAPPING_FSDAX || kind === MAPPING_DEVICE_COHERENT || kind === MAPPING_P2PDMA ? kind : 0;
}

function p2pdma(m: Machine, page: number): boolean {
  return m.mapping[pageFolio(m, page)] === MAPPING_P2PDMA;
}

function samePgmap(m: Machine, a: number, b: number): boolean {
  return deviceKind(m, a) === deviceKind(m, b);
}

function compatible(m: Machine, a: number, b: number): boolean {
  if (p2pdma(m, a) || p2pdma(m, b)) return samePgmap(m, a, b);
  return true;
}

/** `is_pci_p2pdma_page(page)`. */
export function isPciP2pdmaPage(m: Machine, page: number): boolean {
  checkPfn(m, 'isPciP2pdmaPage', 'page', page);
  return p2pdma(m, page);
}

/**
 * `zone_device_pages_have_same_pgmap(a, b)`: both ordinary memory, or both device
 * memory of the same pgmap (modelled as the same device kind).
 */
export function zoneDevicePagesHaveSamePgmap(m: Machine, a: number, b: number): boolean {
  checkPfn(m, 'zoneDevicePagesHaveSamePgmap', 'a', a);
  checkPfn(m, 'zoneDevicePagesHaveSamePgmap', 'b', b);
  return samePgmap(m, a, b);
}

/** `zone_device_pages_compatible(a, b)` (T): P2PDMA pages may only share a bio with their own pgmap. */
export function zoneDevicePagesCompatible(m: Machine, a: number, b: number): boolean {
  checkPfn(m, 'zoneDevicePagesCompatible', 'a', a);
  checkPfn(m, 'zoneDevicePagesCompatible', 'b', b);
  return compatible(m, a, b);
}

/**
 * `bvec_try_merge_page(bv, page, len, off)`: extends `bvs[i]` by `len` if the new
 * bytes follow it physically (and, across a page boundary, in the memmap). Returns
 * whether it merged.
 */
export function bvecTryMergePage(bvs: BvecArray, i: number, page: number, len: number, off: number): boolean {
  checkBvecIndex('bvecTryMergePage', 'i', bvs, i);
  checkPageNumber('bvecTryMergePage', 'page', page);
  checkUnsignedInt('bvecTryMergePage', 'len', len);
  checkUnsignedInt('bvecTryMergePage', 'off', off);
  return tryMergePage(bvs, i, page, len, off);
}

function tryMergePage(bvs: BvecArray, i: number, page: number, len: number, off: number): boolean {
  const bvPage = bvs.page[i]!;
  const bvEnd = bvs.offset[i]! + bvs.len[i]!;
  const vecEndAddr = bvPage * PAGE_SIZE + bvEnd - 1;
  const newAddr = page * PAGE_SIZE + off;
  if (vecEndAddr + 1 !== newAddr) return false;
  if (Math.floor(vecEndAddr / PAGE_SIZE) !== Math.floor(newAddr / PAGE_SIZE)) {
    if (bvPage + Math.floor(bvEnd / PAGE_SIZE) !== page + Math.floor(off / PAGE_SIZE)) return false;
  }
  bvs.len[i] = bvs.len[i]! + len;
  return true;
}

/** Checks a (page, len, off) of the `unsigned int` adders. */
function checkPageLenOff(m: Machine, fn: string, page: number, len: number, off: number): void {
  checkPfn(m, fn, 'page', page);
  checkUnsignedInt(fn, 'len', len);
  checkUnsignedInt(fn, 'off', off);
}

/**
 * `__bio_add_page(bio, page, len, off)`: appends a new bvec, never merges. WARNs once on
 * a cloned or full bio (and writes anyway, as the kernel does; past the end of the table
 * is a KernelBug). A P2PDMA page sets REQ_NOMERGE.
 */
export function __bioAddPage(m: Machine, bio: Bio, page: number, len: number, off: number): void {
  checkPageLenOff(m, '__bioAddPage', page, len, off);
  addPage(m, bio, page, len, off);
}

/** `bio_flagged(bio, BIO_CLONED)` without the exported function's argument check. */
function cloned(bio: Bio): boolean {
  return (bio.flags & (1 << BIO_CLONED)) !== 0;
}

function addPage(m: Machine, bio: Bio, page: number, len: number, off: number): void {
  warnOnOnce(m, cloned(bio), '__bio_add_page: cloned bio');
  // bio_full(bio, len)
  warnOnOnce(m, bio.vcnt >= bio.maxVecs || bio.iter.size > BIO_MAX_SIZE - len, '__bio_add_page: bio is full');
  if (p2pdma(m, page)) bio.opf |= REQ_NOMERGE;
  const bvs = bio.vecs;
  if (bvs === null || bio.vcnt >= bvs.capacity)
    throw new KernelBug(`__bio_add_page: writes bvec ${bio.vcnt} past the end of a ${bvs?.capacity ?? 0}-entry table`);
  // bvec_set_page, arguments already checked.
  const i = bio.vcnt;
  bvs.page[i] = page;
  bvs.len[i] = len;
  bvs.offset[i] = off;
  bio.iter.size = (bio.iter.size + len) >>> 0;
  bio.vcnt++;
  m.cost.bvecsWritten++;
}

/**
 * `bio_add_page(bio, page, len, offset)`: returns `len`, or 0 when nothing was added:
 * a cloned bio or `len` 0 (each WARNs once), `bi_size` would pass BIO_MAX_SIZE, the last
 * bvec's page is P2PDMA-incompatible, or no merge was possible and the bio is full.
 */
export function bioAddPage(m: Machine, bio: Bio, page: number, len: number, offset: number): number {
  checkPfn(m, 'bioAddPage', 'page', page);
  checkUnsignedInt('bioAddPage', 'len', len);
  checkUnsignedInt('bioAddPage', 'offset', offset);
  return addPageMerging(m, bio, page, len, offset);
}

function addPageMerging(m: Machine, bio: Bio, page: number, len: number, offset: number): number {
  if (warnOnOnce(m, cloned(bio), 'bio_add_page: cloned bio')) return 0;
  if (warnOnOnce(m, len === 0, 'bio_add_page: len == 0')) return 0;
  if (bio.iter.size > BIO_MAX_SIZE - len) return 0;
  if (bio.vcnt > 0) {
    const bvs = bio.vecs!;
    const last = bio.vcnt - 1;
    const lastPage = bvs.page[last]!;
    if (!compatible(m, lastPage, page)) return 0;
    if (samePgmap(m, lastPage, page) && tryMergePage(bvs, last, page, len, offset)) {
      bio.iter.size += len;
      return len;
    }
  }
  if (bio.vcnt >= bio.maxVecs) return 0;
  addPage(m, bio, page, len, offset);
  return len;
}

/** `folio_page(folio, off / PAGE_SIZE)` of a checked folio, which must stay in the memmap. */
function checkFolioLenOff(m: Machine, fn: string, folio: number, len: number, off: number): number {
  checkFolio(m, fn, 'folio', folio);
  checkSizeT(fn, 'len', len);
  checkSizeT(fn, 'off', off);
  const page = folio + Math.floor(off / PAGE_SIZE);
  if (!isPfn(m, page)) badArgument(fn, 'off', off, `an offset whose page (folio + ${page - folio}) is in the memmap`);
  return page;
}

/**
 * `bio_add_folio(bio, folio, len, off)`: false if `len` > BIO_MAX_SIZE, else
 * `bio_add_page(folio_page(folio, off / PAGE_SIZE), len, off % PAGE_SIZE) > 0`.
 */
export function bioAddFolio(m: Machine, bio: Bio, folio: number, len: number, off: number): boolean {
  const page = checkFolioLenOff(m, 'bioAddFolio', folio, len, off);
  if (len > BIO_MAX_SIZE) return false;
  return addPageMerging(m, bio, page, len, off % PAGE_SIZE) > 0;
}

/**
 * `bio_add_folio_nofail(bio, folio, len, off)`: WARNs once if `len` > BIO_MAX_SIZE and
 * passes it on truncated to `unsigned int`, as C does; never merges.
 */
export function bioAddFolioNofail(m: Machine, bio: Bio, folio: number, len: number, off: number): void {
  const page = checkFolioLenOff(m, 'bioAddFolioNofail', folio, len, off);
  warnOnOnce(m, len > BIO_MAX_SIZE, 'bio_add_folio_nofail: len > BIO_MAX_SIZE');
  addPage(m, bio, page, len >>> 0, off % PAGE_SIZE);
}

/**
 * `bio_add_virt_nofail(bio, vaddr, len)`: a direct-map address as a new bvec. A
 * `vaddr` below PAGE_OFFSET is virt_to_page's BUG (KernelBug); one past the memmap, a
 * NaN or a fraction is an ArgumentError.
 */
export function bioAddVirtNofail(m: Machine, bio: Bio, vaddr: number, len: number): void {
  if (!Number.isSafeInteger(vaddr)) badArgument('bioAddVirtNofail', 'vaddr', vaddr, 'an address (a safe integer)');
  checkUnsignedInt('bioAddVirtNofail', 'len', len);
  const page = virtToPage(vaddr);
  if (!isPfn(m, page)) badArgument('bioAddVirtNofail', 'vaddr', vaddr, 'a direct-map address of a page in the memmap');
  addPage(m, bio, page, len, vaddr % PAGE_SIZE);
}
