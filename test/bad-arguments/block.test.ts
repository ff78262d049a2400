/**
 * Bad arguments to the block layer (src/block) and the bvec callees and builders
 * (src/strategy). Each row names what it stands for: a kernel rule (the kernel's own
 * answer to a value a C caller could pass: an errno, a WARN and 0, with the source
 * cited), or "C type" (a value the C prototype's type rules out, refused with an
 * ArgumentError), or "buffer" (an array shorter than the call reads or writes: a buffer
 * overflow in C, refused before anything is done). expectRefused checks that the
 * memmap, vmstat and the row's own state (bvec arrays, bios, iterators, out-parameters)
 * did not change. Kernel sources: block/bio.c @10c5ed1d, lib/iov_iter.c @828bcbca,
 * include/linux/uio.h, include/linux/bvec.h, mm/gup.c (T, linux-block-trial).
 *
 * The fixture (block-fixture.ts): a 1024-page machine, order-2 folios at 64 and 68,
 * order-0 at 72, 80, 81, a user buffer at BASE backed by an order-2 folio at PFN 128.
 * The last good values beside these refusals are in block-last-good.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_CLONED,
  BvecIter,
  BvecIterAll,
  BioCopyBuilder,
  BvecSink,
  EFAULT,
  EINVAL,
  EIO,
  EOVERFLOW,
  FOLL_PIN,
  FOLL_WRITE,
  FolioIter,
  ITER_ALLOW_P2PDMA,
  ITER_DEST,
  ITER_SOURCE,
  PAGE_SIZE,
  __bioAddPage,
  __bioReleasePages,
  bioAddFolio,
  bioAddFolioNofail,
  bioAddPage,
  bioAddVirtNofail,
  bioAlloc,
  bioClearFlag,
  bioFirstFolio,
  bioFlagged,
  bioFull,
  bioInit,
  bioIovBvecAligned,
  bioIovIterAlignDown,
  bioIovIterGetPages,
  bioIovVecsToAlloc,
  bioOpForGupFlags,
  bioReleasePages,
  bioReleasePagesFollGet,
  bioSetFlag,
  bioSlices,
  bvecAdvance,
  bvecArrayAlloc,
  bvecArrayFrom,
  bvecArrayToList,
  bvecArrayView,
  bvecAt,
  bvecChunkBytes,
  bvecChunkUsedBytes,
  bvecFirstFolio,
  bvecFolio,
  bvecForEachFolio,
  bvecForEachFolioFn,
  bvecIterAdvance,
  bvecIterAdvanceSingle,
  bvecNrPages,
  bvecPhys,
  bvecSetFolio,
  bvecSetPage,
  bvecSinkWalk,
  bvecTryMergePage,
  calleeBvecs,
  calleeBvecsUsedBytes,
  completePinnedIo,
  countBvecs,
  directIoSubmit,
  failedIo,
  getContigFolioLen,
  iovIterAdvance,
  iovIterBvec,
  iovIterDiscard,
  iovIterExtractBvecs,
  iovIterExtractPages,
  iovIterExtractPagesAs,
  iovIterInit,
  iovIterKvec,
  iovIterNpages,
  iovIterRevert,
  iovIterTruncate,
  iovIterUbuf,
  isPciP2pdmaPage,
  pageAddress,
  pinUserBvecs,
  pinUserBvecsAlloc,
  pinnedIo,
  recordReturn,
  userOffsetInPage,
  virtToPage,
  zoneDevicePagesCompatible,
  zoneDevicePagesHaveSamePgmap,
  type AlignDownVariant,
  type BioReleaseMode,
  type MergePolicy,
  type SizingVariant,
  type UserPageHold,
} from '../../src/index.js';
import { expectRefused, type Refusal } from '../support/refused.js';
import { BASE } from '../support/mm-layout.js';

import { fx, pinnedBio, type Fx } from './block-fixture.js';

const as = <T,>(v: unknown): T => v as T;
const TWO_32 = 2 ** 32;

interface Row {
  readonly rule: string;
  readonly call: string;
  readonly expect: Refusal;
  /** The call on a fresh fixture; `state` is compared before/after, `after` cleans up. */
  readonly on: (f: Fx) => { run: () => unknown; state?: () => unknown; after?: () => void };
}

const t = (re: RegExp): Refusal => ({ throws: re });
const r = (v: number): Refusal => ({ returns: v });
const S = (...xs: unknown[]) => () => structuredClone(xs);

const rows: readonly Row[] = [
  // bio-vec.ts (include/linux/bvec.h)
  { rule: 'C type: array size', call: 'bvecArrayAlloc(-1)', expect: t(/^bvecArrayAlloc: capacity /), on: () => ({ run: () => bvecArrayAlloc(-1) }) },
  { rule: 'C type: array size', call: 'bvecArrayAlloc(2.5)', expect: t(/^bvecArrayAlloc: capacity .*got 2.5/), on: () => ({ run: () => bvecArrayAlloc(2.5) }) },
  { rule: 'buffer: bv + 5 past a 4-entry array', call: 'bvecArrayView(bvs, 5)', expect: t(/^bvecArrayView: start .*0\.\.4, got 5/), on: (f) => ({ run: () => bvecArrayView(f.bvs, 5) }) },
  { rule: 'C type: bv_len is unsigned int', call: 'bvecArrayFrom([{ len: -1 }])', expect: t(/^bvecArrayFrom: list\[0\]\.len /), on: () => ({ run: () => bvecArrayFrom([{ page: 64, len: -1, offset: 0 }]) }) },
  { rule: 'buffer: index = capacity', call: 'bvecAt(bvs, 4)', expect: t(/^bvecAt: i must be an index in 0\.\.3, got 4/), on: (f) => ({ run: () => bvecAt(f.bvs, 4) }) },
  { rule: 'buffer: index -1', call: 'bvecAt(bvs, -1)', expect: t(/^bvecAt: i /), on: (f) => ({ run: () => bvecAt(f.bvs, -1) }) },
  { rule: 'buffer: n > capacity', call: 'bvecArrayToList(bvs, 5)', expect: t(/^bvecArrayToList: n /), on: (f) => ({ run: () => bvecArrayToList(f.bvs, 5) }) },
  { rule: 'C type: len is unsigned int (no truncation)', call: 'bvecSetPage(bvs, 0, 64, 2^32, 0)', expect: t(/^bvecSetPage: len .*got 4294967296/), on: (f) => ({ run: () => bvecSetPage(f.bvs, 0, 64, TWO_32, 0), state: S(f.bvs) }) },
  { rule: 'C type: offset is unsigned int', call: 'bvecSetPage(bvs, 0, 64, 4096, NaN)', expect: t(/^bvecSetPage: offset .*got NaN/), on: (f) => ({ run: () => bvecSetPage(f.bvs, 0, 64, 4096, NaN), state: S(f.bvs) }) },
  { rule: 'C type: a page below NULL', call: 'bvecSetPage(bvs, 0, -2, 1, 0)', expect: t(/^bvecSetPage: page /), on: (f) => ({ run: () => bvecSetPage(f.bvs, 0, -2, 1, 0), state: S(f.bvs) }) },
  { rule: 'buffer: bvec index = capacity', call: 'bvecSetPage(bvs, 4, 64, 1, 0)', expect: t(/^bvecSetPage: i /), on: (f) => ({ run: () => bvecSetPage(f.bvs, 4, 64, 1, 0), state: S(f.bvs) }) },
  { rule: 'C type: struct folio * is a head page', call: 'bvecSetFolio(m, bvs, 0, 65, 4096, 0)', expect: t(/^bvecSetFolio: folio .*not a tail page/), on: (f) => ({ run: () => bvecSetFolio(f.m, f.bvs, 0, 65, 4096, 0), state: S(f.bvs) }) },
  { rule: 'C type: len is size_t', call: 'bvecSetFolio(m, bvs, 0, 64, -1, 0)', expect: t(/^bvecSetFolio: len /), on: (f) => ({ run: () => bvecSetFolio(f.m, f.bvs, 0, 64, -1, 0), state: S(f.bvs) }) },
  { rule: 'C type: folio_page() outside the memmap', call: 'bvecSetFolio(m, bvs, 0, 64, 1, (nrPages - 64) * 4096)', expect: t(/^bvecSetFolio: offset .*memmap/), on: (f) => ({ run: () => bvecSetFolio(f.m, f.bvs, 0, 64, 1, (f.m.nrPages - 64) * PAGE_SIZE), state: S(f.bvs) }) },
  { rule: 'buffer: index = capacity', call: 'bvecPhys(bvs, 4)', expect: t(/^bvecPhys: i /), on: (f) => ({ run: () => bvecPhys(f.bvs, 4) }) },
  { rule: 'buffer: index 1.5', call: 'bvecFolio(m, bvs, 1.5)', expect: t(/^bvecFolio: i /), on: (f) => ({ run: () => bvecFolio(f.m, f.bvs, 1.5) }) },
  // bio.ts
  { rule: 'C type: nr_vecs is unsigned short', call: 'bioAlloc(65536)', expect: t(/^bioAlloc: nrVecs .*got 65536/), on: () => ({ run: () => bioAlloc(65536) }) },
  { rule: 'C type: nr_vecs is unsigned short', call: 'bioAlloc(-1)', expect: t(/^bioAlloc: nrVecs /), on: () => ({ run: () => bioAlloc(-1) }) },
  { rule: 'C type: bi_opf bit the model has no REQ_* for', call: 'bioAlloc(1, 1 << 20)', expect: t(/^bioAlloc: opf /), on: () => ({ run: () => bioAlloc(1, 1 << 20) }) },
  { rule: 'buffer: max_vecs 3 for a 2-entry table', call: 'bioInit(table2, 3)', expect: t(/^bioInit: maxVecs .*2 entries, got 3/), on: () => ({ run: () => bioInit(bvecArrayAlloc(2), 3) }) },
  { rule: 'C type: max_vecs is unsigned short', call: 'bioInit(null, 0x10000)', expect: t(/^bioInit: maxVecs /), on: () => ({ run: () => bioInit(null, 0x10000) }) },
  { rule: 'C type: bi_flags is unsigned short', call: 'bioFlagged(bio, 16)', expect: t(/^bioFlagged: bit .*got 16/), on: (f) => ({ run: () => bioFlagged(f.bio, 16) }) },
  { rule: 'C type: BIO_* bit', call: 'bioSetFlag(bio, -1)', expect: t(/^bioSetFlag: bit /), on: (f) => ({ run: () => bioSetFlag(f.bio, -1), state: S(f.bio) }) },
  { rule: 'C type: BIO_* bit', call: 'bioClearFlag(bio, 1.5)', expect: t(/^bioClearFlag: bit /), on: (f) => ({ run: () => bioClearFlag(f.bio, 1.5), state: S(f.bio) }) },
  { rule: 'C type: len is unsigned', call: 'bioFull(bio, -1)', expect: t(/^bioFull: len /), on: (f) => ({ run: () => bioFull(f.bio, -1) }) },
  // bio-add.ts (block/bio.c)
  { rule: 'C type: struct page * past the memmap', call: 'isPciP2pdmaPage(m, nrPages)', expect: t(/^isPciP2pdmaPage: page .*got 1024/), on: (f) => ({ run: () => isPciP2pdmaPage(f.m, f.m.nrPages) }) },
  { rule: 'C type: struct page *', call: 'zoneDevicePagesHaveSamePgmap(m, 64, NaN)', expect: t(/^zoneDevicePagesHaveSamePgmap: b /), on: (f) => ({ run: () => zoneDevicePagesHaveSamePgmap(f.m, 64, NaN) }) },
  { rule: 'C type: struct page * below PFN 0', call: 'zoneDevicePagesCompatible(m, -1, 64)', expect: t(/^zoneDevicePagesCompatible: a /), on: (f) => ({ run: () => zoneDevicePagesCompatible(f.m, -1, 64) }) },
  { rule: 'C type: len is unsigned int', call: 'bvecTryMergePage(bvs, 3, 68, 2^32, 0)', expect: t(/^bvecTryMergePage: len /), on: (f) => ({ run: () => bvecTryMergePage(f.bvs, 3, 68, TWO_32, 0), state: S(f.bvs) }) },
  { rule: 'C type: off is unsigned int', call: '__bioAddPage(m, bio, 64, 4096, 2^32)', expect: t(/^__bioAddPage: off /), on: (f) => ({ run: () => __bioAddPage(f.m, f.bio, 64, 4096, TWO_32), state: S(f.bio) }) },
  { rule: 'C type: len is unsigned int (was truncated)', call: 'bioAddPage(m, bio, 64, -4096, 0)', expect: t(/^bioAddPage: len .*got -4096/), on: (f) => ({ run: () => bioAddPage(f.m, f.bio, 64, -4096, 0), state: S(f.bio) }) },
  { rule: 'C type: struct page * past the memmap', call: 'bioAddPage(m, bio, nrPages, 4096, 0)', expect: t(/^bioAddPage: page /), on: (f) => ({ run: () => bioAddPage(f.m, f.bio, f.m.nrPages, 4096, 0), state: S(f.bio) }) },
  { rule: 'C type: offset is unsigned int', call: 'bioAddPage(m, bio, 64, 4096, 4096.5)', expect: t(/^bioAddPage: offset /), on: (f) => ({ run: () => bioAddPage(f.m, f.bio, 64, 4096, 4096.5), state: S(f.bio) }) },
  { rule: 'bio_add_page: WARN_ON_ONCE(len == 0), returns 0', call: 'bioAddPage(m, bio, 64, 0, 0)', expect: r(0), on: (f) => ({ run: () => bioAddPage(f.m, f.bio, 64, 0, 0), state: S(f.bio) }) },
  { rule: 'bio_add_folio: len > BIO_MAX_SIZE returns false', call: 'bioAddFolio(m, bio, 64, 2^32, 0)', expect: r(0), on: (f) => ({ run: () => Number(bioAddFolio(f.m, f.bio, 64, TWO_32, 0)), state: S(f.bio) }) },
  { rule: 'C type: struct folio * is a head page', call: 'bioAddFolio(m, bio, 66, 4096, 0)', expect: t(/^bioAddFolio: folio /), on: (f) => ({ run: () => bioAddFolio(f.m, f.bio, 66, 4096, 0), state: S(f.bio) }) },
  { rule: 'C type: len is size_t', call: 'bioAddFolio(m, bio, 64, 1.5, 0)', expect: t(/^bioAddFolio: len /), on: (f) => ({ run: () => bioAddFolio(f.m, f.bio, 64, 1.5, 0), state: S(f.bio) }) },
  { rule: 'C type: off is size_t', call: 'bioAddFolioNofail(m, bio, 64, 4096, -1)', expect: t(/^bioAddFolioNofail: off /), on: (f) => ({ run: () => bioAddFolioNofail(f.m, f.bio, 64, 4096, -1), state: S(f.bio) }) },
  { rule: 'C type: void * vaddr', call: 'bioAddVirtNofail(m, bio, NaN, 4096)', expect: t(/^bioAddVirtNofail: vaddr /), on: (f) => ({ run: () => bioAddVirtNofail(f.m, f.bio, NaN, 4096), state: S(f.bio) }) },
  { rule: 'C type: direct-map address past the memmap', call: 'bioAddVirtNofail(m, bio, pageAddress(nrPages), 4096)', expect: t(/^bioAddVirtNofail: vaddr .*memmap/), on: (f) => ({ run: () => bioAddVirtNofail(f.m, f.bio, pageAddress(f.m.nrPages), 4096), state: S(f.bio) }) },
  // direct-map.ts
  { rule: 'C type: struct page *', call: 'pageAddress(-1)', expect: t(/^pageAddress: page /), on: () => ({ run: () => pageAddress(-1) }) },
  { rule: 'C type: void * kaddr', call: 'virtToPage(NaN)', expect: t(/^virtToPage: kaddr /), on: () => ({ run: () => virtToPage(NaN) }) },
  // bvec-iter.ts (include/linux/bvec.h)
  { rule: 'C type: bytes is unsigned', call: 'bvecIterAdvance(m, bvs, it, -1)', expect: t(/^bvecIterAdvance: bytes /), on: (f) => { const it = Object.assign(new BvecIter(), { size: 8192 }); return { run: () => bvecIterAdvance(f.m, f.bvs, it, -1), state: S(it) }; } },
  { rule: 'C type: bytes is unsigned', call: 'bvecIterAdvanceSingle(bvs, it, 0.5)', expect: t(/^bvecIterAdvanceSingle: bytes /), on: (f) => { const it = Object.assign(new BvecIter(), { size: 8192 }); return { run: () => bvecIterAdvanceSingle(f.bvs, it, 0.5), state: S(it) }; } },
  { rule: 'buffer: bvec index = capacity', call: 'bvecAdvance(bvs, 4, all)', expect: t(/^bvecAdvance: i /), on: (f) => { const all = new BvecIterAll(); return { run: () => bvecAdvance(f.bvs, 4, all), state: S(all) }; } },
  // folio-iter.ts (include/linux/bio.h)
  { rule: 'C type: int i < 0 reads bi_io_vec[-1]', call: 'bioFirstFolio(m, fi, bio, -1)', expect: t(/^bioFirstFolio: i /), on: (f) => { const fi = new FolioIter(); return { run: () => bioFirstFolio(f.m, fi, f.bio, -1), state: S(fi) }; } },
  { rule: 'C type: struct page * past the memmap', call: 'bvecFirstFolio(m, fi, nrPages, 4096, 0)', expect: t(/^bvecFirstFolio: page /), on: (f) => { const fi = new FolioIter(); return { run: () => bvecFirstFolio(f.m, fi, f.m.nrPages, 4096, 0), state: S(fi) }; } },
  { rule: 'C type: bv_offset is unsigned int', call: 'bvecFirstFolio(m, fi, 64, 4096, -1)', expect: t(/^bvecFirstFolio: offset /), on: (f) => { const fi = new FolioIter(); return { run: () => bvecFirstFolio(f.m, fi, 64, 4096, -1), state: S(fi) }; } },
  { rule: 'C type: bv_len is unsigned int (checked at the call)', call: 'bvecForEachFolio(m, { len: NaN })', expect: t(/^bvecForEachFolio: len /), on: (f) => ({ run: () => bvecForEachFolio(f.m, { page: 64, len: NaN, offset: 0 }) }) },
  { rule: 'C type: bv_offset is unsigned int', call: 'bvecForEachFolioFn(m, 64, 4096, 2^32, fn)', expect: t(/^bvecForEachFolioFn: offset /), on: (f) => ({ run: () => bvecForEachFolioFn(f.m, 64, 4096, TWO_32, () => {}) }) },
  // bio-release.ts, bio-release-foll-get.ts (block/bio.c)
  { rule: 'C type: bool mark_dirty', call: 'bioReleasePages(m, bio, 1)', expect: t(/^bioReleasePages: markDirty must be a boolean, got 1/), on: (f) => ({ after: pinnedBio(f), run: () => bioReleasePages(f.m, f.bio, as(1)), state: S(f.bio) }) },
  { rule: 'C type: release mode', call: "__bioReleasePages(m, bio, false, 'pages')", expect: t(/^__bioReleasePages: mode /), on: (f) => ({ after: pinnedBio(f), run: () => __bioReleasePages(f.m, f.bio, false, as<BioReleaseMode>('pages')), state: S(f.bio) }) },
  { rule: 'C type: bool mark_dirty', call: 'bioReleasePagesFollGet(m, bio, 0)', expect: t(/^bioReleasePagesFollGet: markDirty /), on: (f) => ({ after: pinnedBio(f), run: () => bioReleasePagesFollGet(f.m, f.bio, as(0)), state: S(f.bio) }) },
  // iov-iter.ts, iov-iter-advance.ts, iov-iter-geometry.ts (include/linux/uio.h, lib/iov_iter.c)
  { rule: 'iov_iter_ubuf: WARN_ON(direction & ~(READ | WRITE)); no machine to WARN on', call: 'iovIterUbuf(2, BASE, 4096)', expect: t(/^iovIterUbuf: direction /), on: () => ({ run: () => iovIterUbuf(2, BASE, 4096) }) },
  { rule: 'C type: void __user *buf', call: 'iovIterUbuf(ITER_DEST, -1, 4096)', expect: t(/^iovIterUbuf: addr /), on: () => ({ run: () => iovIterUbuf(ITER_DEST, -1, 4096) }) },
  { rule: 'C type: size_t count', call: 'iovIterUbuf(ITER_DEST, BASE, 2^53)', expect: t(/^iovIterUbuf: count /), on: () => ({ run: () => iovIterUbuf(ITER_DEST, BASE, 2 ** 53) }) },
  { rule: 'buffer: nr_segs 3 over 2 iovecs', call: 'iovIterInit(ITER_DEST, iov2, 8192, 3)', expect: t(/^iovIterInit: nrSegs .*0\.\.2, got 3/), on: () => ({ run: () => iovIterInit(ITER_DEST, [{ base: BASE, len: 4096 }, { base: BASE + 4096, len: 4096 }], 8192, 3) }) },
  { rule: 'C type: size_t iov_len', call: 'iovIterInit(ITER_DEST, [{ len: -1 }], 0)', expect: t(/^iovIterInit: iovecs\[0\]\.len /), on: () => ({ run: () => iovIterInit(ITER_DEST, [{ base: BASE, len: -1 }], 0) }) },
  { rule: 'C type: void *iov_base', call: 'iovIterKvec(ITER_SOURCE, [{ base: NaN }], 1)', expect: t(/^iovIterKvec: iovecs\[0\]\.base /), on: () => ({ run: () => iovIterKvec(ITER_SOURCE, [{ base: NaN, len: 1 }], 1) }) },
  { rule: 'buffer: nr_segs 5 over 4 bvecs', call: 'iovIterBvec(ITER_DEST, bvs, 4096, 5)', expect: t(/^iovIterBvec: nrSegs /), on: (f) => ({ run: () => iovIterBvec(ITER_DEST, f.bvs, 4096, 5) }) },
  { rule: 'C type: unsigned int direction', call: 'iovIterDiscard(0.5, 1)', expect: t(/^iovIterDiscard: direction /), on: () => ({ run: () => iovIterDiscard(0.5, 1) }) },
  { rule: 'C type: u64 count', call: 'iovIterTruncate(it, -1)', expect: t(/^iovIterTruncate: count /), on: (f) => ({ run: () => iovIterTruncate(f.ubuf, -1), state: S(f.ubuf) }) },
  { rule: 'C type: size_t size', call: 'iovIterAdvance(it, 1.5)', expect: t(/^iovIterAdvance: size /), on: (f) => ({ run: () => iovIterAdvance(f.ubuf, 1.5), state: S(f.ubuf) }) },
  { rule: 'C type: size_t unroll', call: 'iovIterRevert(m, it, -1)', expect: t(/^iovIterRevert: unroll /), on: (f) => ({ run: () => iovIterRevert(f.m, f.ubuf, -1), state: S(f.ubuf) }) },
  { rule: 'C type: int maxpages >= 0 (no errno)', call: 'iovIterNpages(it, -1)', expect: t(/^iovIterNpages: maxpages /), on: (f) => ({ run: () => iovIterNpages(f.ubuf, -1) }) },
  // iov-iter-extract.ts (lib/iov_iter.c iov_iter_extract_pages)
  { rule: 'extraction_flags: only ITER_ALLOW_P2PDMA defined; the kernel ignores the rest (no errno)', call: 'iovIterExtractPages(mm, it, pages, 4096, 8, 2)', expect: t(/^iovIterExtractPages: flags .*0x1, got 2/), on: (f) => { const p = new Int32Array(8); return { run: () => iovIterExtractPages(f.mm, f.ubuf, p, 4096, 8, 2), state: S(f.ubuf, p) }; } },
  { rule: 'buffer: *pages holds fewer than maxpages (kernel-doc)', call: 'iovIterExtractPages(mm, it, Int32Array(2), 4096, 8, 0)', expect: t(/^iovIterExtractPages: pages\.length must be at least maxpages \(8\), got 2/), on: (f) => { const p = new Int32Array(2); return { run: () => iovIterExtractPages(f.mm, f.ubuf, p, 4096, 8, 0), state: S(f.ubuf, p) }; } },
  { rule: 'C type: size_t maxsize', call: 'iovIterExtractPages(mm, it, null, -1, 8, 0)', expect: t(/^iovIterExtractPages: maxsize /), on: (f) => ({ run: () => iovIterExtractPages(f.mm, f.ubuf, null, -1, 8, 0), state: S(f.ubuf) }) },
  { rule: 'C type: unsigned int maxpages', call: 'iovIterExtractPages(mm, it, null, 4096, 2^32, 0)', expect: t(/^iovIterExtractPages: maxpages /), on: (f) => ({ run: () => iovIterExtractPages(f.mm, f.ubuf, null, 4096, TWO_32, 0), state: S(f.ubuf) }) },
  { rule: 'model enum: hold', call: "iovIterExtractPagesAs(mm, it, null, 4096, 8, 0, 'borrow')", expect: t(/^iovIterExtractPagesAs: hold /), on: (f) => ({ run: () => iovIterExtractPagesAs(f.mm, f.ubuf, null, 4096, 8, 0, as<UserPageHold>('borrow')), state: S(f.ubuf) }) },
  { rule: 'iov_iter_extract_pages: an iter_type no branch matches falls through to -EFAULT', call: 'iovIterExtractPages(mm, it{type 7}, null, 4096, 8, 0)', expect: r(-EFAULT), on: (f) => { f.ubuf.iterType = 7; return { run: () => iovIterExtractPages(f.mm, f.ubuf, null, 4096, 8, 0).ret, state: S(f.ubuf) }; } },
  // iov-iter-extract-bvecs.ts (lib/iov_iter.c iov_iter_extract_bvecs, get_contig_folio_len)
  { rule: 'buffer: max_vecs 5 for a 4-entry bv', call: 'iovIterExtractBvecs(mm, it, bv4, 4096, 0, 5, 0)', expect: t(/^iovIterExtractBvecs: maxVecs .*4 entries, got 5/), on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 0, 5, 0), state: S(f.ubuf, f.bvs) }) },
  { rule: 'buffer: nr_vecs > max_vecs wraps entries_left', call: 'iovIterExtractBvecs(mm, it, bv4, 4096, 3, 2, 0)', expect: t(/^iovIterExtractBvecs: nrVecs .*maxVecs \(2\), got 3/), on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 3, 2, 0), state: S(f.ubuf, f.bvs) }) },
  { rule: 'C type: unsigned short *nr_vecs', call: 'iovIterExtractBvecs(mm, it, bv4, 4096, -1, 4, 0)', expect: t(/^iovIterExtractBvecs: nrVecs /), on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, -1, 4, 0), state: S(f.ubuf, f.bvs) }) },
  { rule: 'extraction_flags outside ITER_ALLOW_P2PDMA (no errno)', call: 'iovIterExtractBvecs(mm, it, bv4, 4096, 0, 4, 2)', expect: t(/^iovIterExtractBvecs: flags /), on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 0, 4, 2), state: S(f.ubuf, f.bvs) }) },
  { rule: 'C type: unsigned mem_align_mask', call: 'iovIterExtractBvecs(mm, it, bv4, 4096, 0, 4, 0, -1)', expect: t(/^iovIterExtractBvecs: memAlignMask /), on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 0, 4, 0, -1), state: S(f.ubuf, f.bvs) }) },
  { rule: 'iov_iter_extract_bvecs: (start | len) & mem_align_mask is -EINVAL', call: 'iovIterExtractBvecs(mm, ubuf(BASE + 0x100), bv4, 4096, 0, 4, 0, 511)', expect: r(-EINVAL), on: (f) => { const it = iovIterUbuf(ITER_DEST, BASE + 0x100, 0x200); return { run: () => iovIterExtractBvecs(f.mm, it, f.bvs, 4096, 0, 4, 0, 511).ret, state: S(it, f.bvs) }; } },
  { rule: 'buffer: the run from folio 64 may span 4 pages; 2 given', call: 'getContigFolioLen(m, [64, 65], 0, 16384, 0, n)', expect: t(/^getContigFolioLen: pages\.length must be at least at \+ 4/), on: (f) => { const n = new Int32Array(1); return { run: () => getContigFolioLen(f.m, [64, 65], 0, 16384, 0, n), state: S(n) }; } },
  { rule: 'buffer: at past the array', call: 'getContigFolioLen(m, [64], 1, 4096, 0, n)', expect: t(/^getContigFolioLen: at /), on: (f) => ({ run: () => getContigFolioLen(f.m, [64], 1, 4096, 0, new Int32Array(1)) }) },
  { rule: 'C type: size_t left', call: 'getContigFolioLen(m, [64], 0, -1, 0, n)', expect: t(/^getContigFolioLen: left /), on: (f) => ({ run: () => getContigFolioLen(f.m, [64], 0, -1, 0, new Int32Array(1)) }) },
  // bio-iov-iter.ts (block/bio.c, include/linux/bio.h)
  { rule: 'C type: int max_segs', call: 'bioIovVecsToAlloc(it, -1)', expect: t(/^bioIovVecsToAlloc: maxSegs /), on: (f) => ({ run: () => bioIovVecsToAlloc(f.ubuf, -1) }) },
  { rule: 'buffer: index = capacity', call: 'bvecNrPages(bvs, 4)', expect: t(/^bvecNrPages: i /), on: (f) => ({ run: () => bvecNrPages(f.bvs, 4) }) },
  { rule: 'C type: unsigned mem_align_mask', call: 'bioIovBvecAligned(bio, -1, false)', expect: t(/^bioIovBvecAligned: memAlignMask /), on: (f) => ({ run: () => bioIovBvecAligned(f.bio, -1, false) }) },
  { rule: 'buffer: bv past the 4-entry table', call: 'bioIovIterAlignDown(m, bio, it, 4, 511)', expect: t(/^bioIovIterAlignDown: last /), on: (f) => ({ run: () => bioIovIterAlignDown(f.m, f.bio, f.ubuf, 4, 511), state: S(f.bio, f.ubuf) }) },
  { rule: 'model enum: align-down variant', call: "bioIovIterAlignDown(m, bio, it, 0, 511, 'fix')", expect: t(/^bioIovIterAlignDown: variant /), on: (f) => ({ run: () => bioIovIterAlignDown(f.m, f.bio, f.ubuf, 0, 511, as<AlignDownVariant>('fix')), state: S(f.bio, f.ubuf) }) },
  { rule: 'C type: unsigned maxlen', call: 'bioIovIterGetPages(mm, bio, it, 2^32, 511, 511)', expect: t(/^bioIovIterGetPages: maxlen /), on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, TWO_32, 511, 511), state: S(f.bio, f.ubuf) }) },
  { rule: 'model enum: hold', call: "bioIovIterGetPages(mm, bio, it, 4096, 511, 511, { hold: 'borrow' })", expect: t(/^bioIovIterGetPages: opts\.hold /), on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, 511, 511, { hold: as<UserPageHold>('borrow') }), state: S(f.bio, f.ubuf) }) },
  { rule: 'bio_iov_iter_get_pages: WARN_ON_ONCE(BIO_CLONED) is -EIO', call: 'bioIovIterGetPages(mm, clonedBio, it, 4096, 511, 511)', expect: r(-EIO), on: (f) => { bioSetFlag(f.bio, BIO_CLONED); return { run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, 511, 511), state: S(f.bio, f.ubuf) }; } },
  // direct-io.ts (block/fops.c, fs/read_write.c)
  { rule: 'rw_verify_area: pos < 0 on a block device is -EINVAL', call: 'directIoSubmit(mm, it, { pos: -512 })', expect: r(-EINVAL), on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { pos: -512 }).ret, state: S(f.ubuf) }) },
  { rule: 'C type: loff_t pos', call: 'directIoSubmit(mm, it, { pos: 0.5 })', expect: t(/^directIoSubmit: opts\.pos /), on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { pos: 0.5 }), state: S(f.ubuf) }) },
  { rule: 'device: logical block size is a power of two', call: 'directIoSubmit(mm, it, { logicalBlockSize: 768 })', expect: t(/^directIoSubmit: opts\.logicalBlockSize /), on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { logicalBlockSize: 768 }), state: S(f.ubuf) }) },
  { rule: 'device: DMA alignment is a 2^k - 1 mask', call: 'directIoSubmit(mm, it, { dmaAlignment: 510 })', expect: t(/^directIoSubmit: opts\.dmaAlignment /), on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { dmaAlignment: 510 }), state: S(f.ubuf) }) },
  // strategy: pin_user_bvecs / pin_user_bvecs_alloc (GUP entry-point rules, mm/gup.c)
  { rule: 'C type: unsigned long start', call: 'pinUserBvecs(mm, NaN, 4096, FOLL_WRITE, bvs, 4, out)', expect: t(/^pinUserBvecs: start /), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, NaN, 4096, FOLL_WRITE, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'C type: unsigned long start beyond 2^64', call: 'pinUserBvecs(mm, 2^64, 4096, FOLL_WRITE, bvs, 4, out)', expect: t(/^pinUserBvecs: start /), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, 2 ** 64, 4096, FOLL_WRITE, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'C type: size_t len', call: 'pinUserBvecs(mm, BASE, -1, FOLL_WRITE, bvs, 4, out)', expect: t(/^pinUserBvecs: len /), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, BASE, -1, FOLL_WRITE, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'C type: size_t len', call: 'pinUserBvecs(mm, BASE, 4096.5, FOLL_WRITE, bvs, 4, out)', expect: t(/^pinUserBvecs: len /), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, BASE, 4096.5, FOLL_WRITE, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'C type: unsigned int gup_flags', call: 'pinUserBvecs(mm, BASE, 4096, -1, bvs, 4, out)', expect: t(/^pinUserBvecs: gupFlags /), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, BASE, 4096, -1, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'is_valid_gup_args: an undefined FOLL_* bit (1 << 13) refused like an internal one', call: 'pinUserBvecs(mm, BASE, 4096, 1 << 13, bvs, 4, out)', expect: r(-EINVAL), on: (f) => { const out = { done: 0 }; return { run: () => pinUserBvecs(f.mm, BASE, 4096, 1 << 13, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'is_valid_gup_args: internal FOLL_PIN from the caller', call: 'pinUserBvecs(mm, BASE, 4096, FOLL_PIN, bvs, 4, out)', expect: r(-EINVAL), on: (f) => { const out = { done: 0 }; return { run: () => pinUserBvecs(f.mm, BASE, 4096, FOLL_PIN, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'gup_fast_fallback: start -8192 wraps to 2^64 - 8192, end above TASK_SIZE_MAX', call: 'pinUserBvecs(mm, -8192, 4096, FOLL_WRITE, bvs, 4, out)', expect: r(-EFAULT), on: (f) => { const out = { done: 0 }; return { run: () => pinUserBvecs(f.mm, -8192, 4096, FOLL_WRITE, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'gup_fast_fallback: start -4096 + 4096 wraps 2^64 (check_add_overflow)', call: 'pinUserBvecs(mm, -4096, 4096, FOLL_WRITE, bvs, 4, out)', expect: r(-EOVERFLOW), on: (f) => { const out = { done: 0 }; return { run: () => pinUserBvecs(f.mm, -4096, 4096, FOLL_WRITE, f.bvs, 4, out), state: S(out, f.bvs) }; } },
  { rule: 'buffer: max_bvecs 5 for a 4-entry array, refused before anything is pinned', call: 'pinUserBvecs(mm, BASE, 4096, FOLL_WRITE, bvs4, 5, out)', expect: t(/^pinUserBvecs: maxBvecs .*4 entries, got 5/), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, BASE, 4096, FOLL_WRITE, f.bvs, 5, out), state: S(out, f.bvs) }; } },
  { rule: 'model enum: merge policy', call: "pinUserBvecs(mm, BASE, 4096, FOLL_WRITE, bvs, 4, out, 'page')", expect: t(/^pinUserBvecs: merge /), on: (f) => { const out = { done: 7 }; return { run: () => pinUserBvecs(f.mm, BASE, 4096, FOLL_WRITE, f.bvs, 4, out, as<MergePolicy>('page')), state: S(out, f.bvs) }; } },
  { rule: 'model parameter: chunk entries >= 1', call: "pinUserBvecsAlloc(mm, BASE, 4096, FOLL_WRITE, out, 'chunked', 'folio', 0)", expect: t(/^pinUserBvecsAlloc: chunkEntries /), on: (f) => ({ run: () => pinUserBvecsAlloc(f.mm, BASE, 4096, FOLL_WRITE, calleeBvecs(), 'chunked', 'folio', 0) }) },
  { rule: 'model enum: sizing', call: "pinUserBvecsAlloc(mm, BASE, 4096, FOLL_WRITE, out, 'huge')", expect: t(/^pinUserBvecsAlloc: sizing /), on: (f) => ({ run: () => pinUserBvecsAlloc(f.mm, BASE, 4096, FOLL_WRITE, calleeBvecs(), as<SizingVariant>('huge')) }) },
  { rule: 'C type: unsigned long start', call: "pinUserBvecsAlloc(mm, 1.5, 4096, FOLL_WRITE, out, 'grow')", expect: t(/^pinUserBvecsAlloc: start /), on: (f) => ({ run: () => pinUserBvecsAlloc(f.mm, 1.5, 4096, FOLL_WRITE, calleeBvecs(), 'grow') }) },
  { rule: 'is_valid_gup_args: an undefined FOLL_* bit (1 << 23)', call: "pinUserBvecsAlloc(mm, BASE, 4096, 1 << 23, out, 'grow')", expect: r(-EINVAL), on: (f) => { const out = calleeBvecs(); return { run: () => pinUserBvecsAlloc(f.mm, BASE, 4096, 1 << 23, out, 'grow'), state: S(out) }; } },
  { rule: 'C type: unsigned long start', call: 'userOffsetInPage(NaN)', expect: t(/^userOffsetInPage: start /), on: () => ({ run: () => userOffsetInPage(NaN) }) },
  { rule: 'precondition: the walk pins (FOLL_PIN set by the callee)', call: 'bvecSinkWalk(mm, BASE, FOLL_WRITE, sink)', expect: t(/^bvecSinkWalk: gupFlags .*FOLL_PIN/), on: (f) => { const sink = new BvecSink(f.m, f.bvs, 4, 0, 4096, 'folio'); return { run: () => bvecSinkWalk(f.mm, BASE, FOLL_WRITE, sink), state: () => [sink.nr, sink.pages, sink.done] }; } },
  { rule: 'precondition: start range-checked (<= TASK_SIZE_MAX)', call: 'countBvecs(mm, -1, FOLL_PIN, sink)', expect: t(/^countBvecs: start /), on: (f) => ({ run: () => countBvecs(f.mm, -1, FOLL_PIN, new BvecSink(f.m, null, Infinity, 0, 4096, 'folio')) }) },
  { rule: 'precondition: a counting-mode sink', call: 'countBvecs(mm, BASE, FOLL_PIN, sinkWithArray)', expect: t(/^countBvecs: sink /), on: (f) => ({ run: () => countBvecs(f.mm, BASE, FOLL_PIN, new BvecSink(f.m, f.bvs, 4, 0, 4096, 'folio')), state: S(f.bvs) }) },
  { rule: 'buffer: limit 5 for a 4-entry array', call: "new BvecSink(m, bvs4, 5, 0, 4096, 'folio')", expect: t(/^BvecSink: limit /), on: (f) => ({ run: () => new BvecSink(f.m, f.bvs, 5, 0, 4096, 'folio') }) },
  { rule: 'offset_in_page is below PAGE_SIZE', call: "new BvecSink(m, bvs4, 4, 4096, 4096, 'folio')", expect: t(/^BvecSink: firstOffset /), on: (f) => ({ run: () => new BvecSink(f.m, f.bvs, 4, 4096, 4096, 'folio') }) },
  // strategy: bio builders and completion
  { rule: 'C type: unsigned int gup_flags', call: 'bioOpForGupFlags(-1)', expect: t(/^bioOpForGupFlags: gupFlags /), on: () => ({ run: () => bioOpForGupFlags(-1) }) },
  { rule: 'C type: bi_opf bit the model has no REQ_* for', call: "new BioCopyBuilder(m, 'folio', 1 << 20)", expect: t(/^BioCopyBuilder: opf /), on: (f) => ({ run: () => new BioCopyBuilder(f.m, 'folio', 1 << 20) }) },
  { rule: 'C type: struct page * past the memmap', call: 'builder.add(nrPages, 4096, 0, 1)', expect: t(/^BioCopyBuilder\.add: page /), on: (f) => { const b = new BioCopyBuilder(f.m, 'folio', 0); return { run: () => b.add(f.m.nrPages, 4096, 0, 1), state: () => b.bios.length }; } },
  { rule: 'buffer: bvs[2, 5) past a 4-entry array', call: 'builder.addAll(bvs4, 2, 3, 3)', expect: t(/^BioCopyBuilder\.addAll: n /), on: (f) => { const b = new BioCopyBuilder(f.m, 'folio', 0); return { run: () => b.addAll(f.bvs, 2, 3, 3), state: () => b.bios.length }; } },
  { rule: 'buffer: bvs[0, 5) past a 4-entry array', call: 'bioSlices(m, bvs4, 0, 5, 0, out)', expect: t(/^bioSlices: n /), on: (f) => { const out: unknown[] = []; return { run: () => bioSlices(f.m, f.bvs, 0, 5, 0, as(out)), state: () => out.length }; } },
  { rule: 'C type: entries count', call: 'bvecChunkBytes(-1)', expect: t(/^bvecChunkBytes: entries /), on: () => ({ run: () => bvecChunkBytes(-1) }) },
  { rule: 'C type: bvec count', call: 'bvecChunkUsedBytes(0, 1.5, 31)', expect: t(/^bvecChunkUsedBytes: nr /), on: () => ({ run: () => bvecChunkUsedBytes(0, 1.5, 31) }) },
  { rule: 'buffer: allocation index with none held', call: 'calleeBvecsUsedBytes(calleeBvecs(), 0)', expect: t(/^calleeBvecsUsedBytes: k /), on: () => ({ run: () => calleeBvecsUsedBytes(calleeBvecs(), 0) }) },
  { rule: 'C type: bool mark_dirty', call: "completePinnedIo(m, io, 'yes')", expect: t(/^completePinnedIo: markDirty /), on: (f) => { const after = pinnedBio(f); const io = pinnedIo(4096, [f.bio], 1, [], []); return { after, run: () => completePinnedIo(f.m, io, as('yes')), state: S(f.bio) }; } },
  { rule: 'errno: 0 or -4095..-1', call: 'failedIo(1, 0, [])', expect: t(/^failedIo: err /), on: () => ({ run: () => failedIo(1, 0, []) }) },
  { rule: 'C type: byte count', call: 'pinnedIo(-1, [], 1, [], [])', expect: t(/^pinnedIo: done /), on: () => ({ run: () => pinnedIo(-1, [], 1, [], []) }) },
  { rule: 'C type: a return value is an integer', call: 'recordReturn(runs, NaN)', expect: t(/^recordReturn: value /), on: () => { const runs: { value: number; count: number }[] = []; return { run: () => recordReturn(runs, NaN), state: S(runs) }; } },
];

describe('bad arguments: block layer and bvec callees', () => {
  it('has a row for every kind of refusal (at least 25)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
  });

  it.each(rows.map((row) => [row.call, row] as const))('%s', (_call, row) => {
    const f = fx();
    const { run, state, after } = row.on(f);
    expectRefused({ call: row.call, m: f.m, run, expect: row.expect, ...(state === undefined ? {} : { state }) });
    after?.();
  });
});
