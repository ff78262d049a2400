/**
 * The last good value on each side of the refusals in block.test.ts, so that a `>=`
 * cannot pass for a `>`: each accepted and answered as the kernel (or the model's
 * documented path) answers it, worked by hand on the same fixture (block-fixture.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_MAX_SIZE,
  BvecSink,
  EINVAL,
  ENOMEM,
  FOLL_WRITE,
  INT_MAX,
  ITER_ALLOW_P2PDMA,
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  NULL_PFN,
  PAGE_SIZE,
  UINT_MAX,
  bioAddFolio,
  bioAddPage,
  bioAlloc,
  bioFlagged,
  bioInit,
  bioSetFlag,
  bvecArrayAlloc,
  bvecArrayToList,
  bvecArrayView,
  bvecAt,
  bvecSetFolio,
  bvecSetPage,
  directIoSubmit,
  failedIo,
  getContigFolioLen,
  iovIterBvec,
  iovIterExtractBvecs,
  iovIterExtractPages,
  iovIterInit,
  iovIterNpages,
  isPciP2pdmaPage,
  pinUserBvecs,
  unpinUserFolio,
  unpinUserPages,
  vmstat,
} from '../../src/index.js';
import { BASE } from '../support/mm-layout.js';
import { fx } from './block-fixture.js';

describe('bad arguments: the last good values are accepted', () => {
  it('bvec indexes 0 and capacity - 1, a view at capacity, lengths up to UINT_MAX, NULL and the top 32-bit PFN', () => {
    const f = fx();
    expect(bvecAt(f.bvs, 0)).toEqual({ page: 64, len: 4096, offset: 0 });
    expect(bvecAt(f.bvs, 3)).toEqual({ page: 67, len: 4096, offset: 0 });
    expect([bvecArrayView(f.bvs, 4).capacity, bvecArrayToList(f.bvs, 4).length, bvecArrayAlloc(0).capacity]).toEqual([0, 4, 0]);
    bvecSetPage(f.bvs, 0, NULL_PFN, UINT_MAX, UINT_MAX);
    bvecSetPage(f.bvs, 1, INT_MAX, 0, 0);
    expect([bvecAt(f.bvs, 0), bvecAt(f.bvs, 1)]).toEqual([
      { page: -1, len: 4294967295, offset: 4294967295 },
      { page: 2147483647, len: 0, offset: 0 },
    ]);
    // bvec_set_folio: the last page of the memmap is folio_page(folio 64, nrPages - 65).
    bvecSetFolio(f.m, f.bvs, 2, 64, 1, (f.m.nrPages - 64) * PAGE_SIZE - 1);
    expect(bvecAt(f.bvs, 2)).toEqual({ page: 1023, len: 1, offset: 4095 });
  });

  it('unsigned short 65535 passes the type check and meets biovec_slab\'s BUG(); BIO_* bit 15; max_vecs = table size', () => {
    expect(() => bioAlloc(65535)).toThrow(KernelBug);
    expect(bioAlloc(0).maxVecs).toBe(0);
    expect(bioInit(bvecArrayAlloc(2), 2).maxVecs).toBe(2);
    const bio = bioAlloc(1);
    bioSetFlag(bio, 15);
    expect([bio.flags, bioFlagged(bio, 15), bioFlagged(bio, 0)]).toEqual([0x8000, true, false]);
  });

  it('PFNs 0 and nrPages - 1; bio_add_page of UINT_MAX bytes fills bi_size exactly to BIO_MAX_SIZE', () => {
    const f = fx();
    expect([isPciP2pdmaPage(f.m, 0), isPciP2pdmaPage(f.m, f.m.nrPages - 1)]).toEqual([false, false]);
    expect(bioAddPage(f.m, f.bio, 64, UINT_MAX, 0)).toBe(4294967295);
    expect(f.bio.size).toBe(BIO_MAX_SIZE);
    // bio_add_folio: len == BIO_MAX_SIZE is not > BIO_MAX_SIZE, so an empty bio takes it.
    expect(bioAddFolio(f.m, bioAlloc(1), 64, BIO_MAX_SIZE, 0)).toBe(true);
  });

  it('nr_segs = the array length; maxpages 0 and INT_MAX', () => {
    const f = fx();
    expect(iovIterInit(ITER_DEST, [{ base: BASE, len: 4096 }], 4096, 1).nrSegs).toBe(1);
    expect(iovIterBvec(ITER_SOURCE, f.bvs, 16384, 4).nrSegs).toBe(4);
    // UBUF: min(DIV_ROUND_UP(0 + 16384, 4096), maxpages).
    expect([iovIterNpages(f.ubuf, 0), iovIterNpages(f.ubuf, INT_MAX)]).toEqual([0, 4]);
  });

  it('a caller page array of exactly maxpages entries, with ITER_ALLOW_P2PDMA', () => {
    const f = fx();
    const pages = new Int32Array(4);
    const res = iovIterExtractPages(f.mm, f.ubuf, pages, 16384, 4, ITER_ALLOW_P2PDMA);
    expect([res.ret, Array.from(pages)]).toEqual([16384, [128, 129, 130, 131]]);
    // A large folio takes one ref and one _pincount per page pinned (try_grab_folio).
    expect([f.m.pincount[128], vmstat(f.m).nrFollPinAcquired]).toEqual([4, 4]);
    unpinUserPages(f.m, pages, 4);
  });

  it('nr_vecs = max_vecs = capacity: no entry left, want_pages_array WARNs and it is -ENOMEM', () => {
    const f = fx();
    expect(iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 4, 4, 0)).toEqual({ ret: -ENOMEM, nrVecs: 4 });
  });

  it('max_bvecs = capacity; get_contig_folio_len with exactly the 4 entries the run spans', () => {
    const f = fx();
    const out = { done: 0 };
    expect(pinUserBvecs(f.mm, BASE, 16384, FOLL_WRITE, f.bvs, 4, out)).toBe(1);
    expect([bvecAt(f.bvs, 0), out.done]).toEqual([{ page: 128, len: 16384, offset: 0 }, 16384]);
    unpinUserFolio(f.m, 128, 4);
    const n = new Int32Array(1);
    expect([getContigFolioLen(f.m, [64, 65, 66, 67], 0, 16384, 0, n), n[0]]).toEqual([16384, 4]);
  });

  it('a 64 KiB logical block is a device the model takes (16 KiB is then misaligned: -EINVAL); offset 4095', () => {
    const f = fx();
    expect(directIoSubmit(f.mm, f.ubuf, { logicalBlockSize: 65536 }).ret).toBe(-EINVAL);
    expect(() => directIoSubmit(f.mm, f.ubuf, { logicalBlockSize: 131072 })).toThrow(/opts\.logicalBlockSize/);
    expect(new BvecSink(f.m, f.bvs, 4, 4095, 1, 'folio').nr).toBe(0);
    expect([failedIo(0, 0, []).ret, failedIo(-4095, 0, []).ret]).toEqual([0, -4095]);
  });
});
