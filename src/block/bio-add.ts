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
 * `len`/`off` are `unsigned int` in bio_add_page and are truncated like C.
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
import { bvecSetPage } from './bio-vec.js';
import type { Bio } from './bio.js';
import { BIO_CLONED, BIO_MAX_SIZE, REQ_NOMERGE, bioFlagged, bioFull } from './bio.js';
import { virtToPage } from './direct-map.js';
import { warnOnOnce } from '../mm/bug.js';

function deviceKind(m: Machine, page: number): number {
  const kind = m.mapping[pageFolio(m, page)]!;
  return kind === MAPPING_FSDAX || kind === MAPPING_DEVICE_COHERENT || kind === MAPPING_P2PDMA ? kind : 0;
}

/** `is_pci_p2pdma_page(page)`. */
export function isPciP2pdmaPage(m: Machine, page: number): boolean {
  return m.mapping[pageFolio(m, page)] === MAPPING_P2PDMA;
}

/**
 * `zone_device_pages_have_same_pgmap(a, b)`: both ordinary memory, or both device
 * memory of the same pgmap (modelled as the same device kind).
 */
export function zoneDevicePagesHaveSamePgmap(m: Machine, a: number, b: number): boolean {
  return deviceKind(m, a) === deviceKind(m, b);
}

/** `zone_device_pages_compatible(a, b)` (T): P2PDMA pages may only share a bio with their own pgmap. */
export function zoneDevicePagesCompatible(m: Machine, a: number, b: number): boolean {
  if (isPciP2pdmaPage(m, a) || isPciP2pdmaPage(m, b)) return zoneDevicePagesHaveSamePgmap(m, a, b);
  return true;
}

/**
 * `bvec_try_merge_page(bv, page, len, off)`: extends `bvs[i]` by `len` if the new
 * bytes follow it physically (and, across a page boundary, in the memmap). Returns
 * whether it merged.
 */
export function bvecTryMergePage(bvs: BvecArray, i: number, page: number, len: number, off: number): boolean {
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

/**
 * `__bio_add_page(bio, page, len, off)`: appends a new bvec, never merges. WARNs once on
 * a cloned or full bio (and writes anyway, as the kernel does; past the end of the table
 * is a KernelBug). A P2PDMA page sets REQ_NOMERGE.
 */
export function __bioAddPage(m: Machine, bio: Bio, page: number, len: number, off: number): void {
  warnOnOnce(m, bioFlagged(bio, BIO_CLONED), '__bio_add_page: cloned bio');
  warnOnOnce(m, bioFull(bio, len), '__bio_add_page: bio is full');
  if (isPciP2pdmaPage(m, page)) bio.opf |= REQ_NOMERGE;
  const bvs = bio.vecs;
  if (bvs === null || bio.vcnt >= bvs.capacity)
    throw new KernelBug(`__bio_add_page: writes bvec ${bio.vcnt} past the end of a ${bvs?.capacity ?? 0}-entry table`);
  bvecSetPage(bvs, bio.vcnt, page, len, off);
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
  len = len >>> 0;
  offset = offset >>> 0;
  if (warnOnOnce(m, bioFlagged(bio, BIO_CLONED), 'bio_add_page: cloned bio')) return 0;
  if (warnOnOnce(m, len === 0, 'bio_add_page: len == 0')) return 0;
  if (bio.iter.size > BIO_MAX_SIZE - len) return 0;
  if (bio.vcnt > 0) {
    const bvs = bio.vecs!;
    const last = bio.vcnt - 1;
    const lastPage = bvs.page[last]!;
    if (!zoneDevicePagesCompatible(m, lastPage, page)) return 0;
    if (zoneDevicePagesHaveSamePgmap(m, lastPage, page) && bvecTryMergePage(bvs, last, page, len, offset)) {
      bio.iter.size += len;
      return len;
    }
  }
  if (bio.vcnt >= bio.maxVecs) return 0;
  __bioAddPage(m, bio, page, len, offset);
  return len;
}

/**
 * `bio_add_folio(bio, folio, len, off)`: false if `len` > BIO_MAX_SIZE, else
 * `bio_add_page(folio_page(folio, off / PAGE_SIZE), len, off % PAGE_SIZE) > 0`.
 */
export function bioAddFolio(m: Machine, bio: Bio, folio: number, len: number, off: number): boolean {
  if (len > BIO_MAX_SIZE) return false;
  return bioAddPage(m, bio, folio + Math.floor(off / PAGE_SIZE), len, off % PAGE_SIZE) > 0;
}

/** `bio_add_folio_nofail(bio, folio, len, off)`: WARNs once if `len` > BIO_MAX_SIZE; never merges. */
export function bioAddFolioNofail(m: Machine, bio: Bio, folio: number, len: number, off: number): void {
  warnOnOnce(m, len > BIO_MAX_SIZE, 'bio_add_folio_nofail: len > BIO_MAX_SIZE');
  __bioAddPage(m, bio, folio + Math.floor(off / PAGE_SIZE), len, off % PAGE_SIZE);
}

/** `bio_add_virt_nofail(bio, vaddr, len)`: a direct-map address as a new bvec. */
export function bioAddVirtNofail(m: Machine, bio: Bio, vaddr: number, len: number): void {
  __bioAddPage(m, bio, virtToPage(vaddr), len, vaddr % PAGE_SIZE);
}
