/**
 * iov_iter_extract_bvecs and get_contig_folio_len worked by hand from lib/iov_iter.c
 * (T @828bcbca): one bvec per run of consecutive pages inside one folio, never merged
 * across folios (not even physically contiguous ones) nor into a bvec already there;
 * capacity bounded by the free bvecs (the page array lives in their upper half);
 * alignment -EINVAL; nothing extracted -EFAULT; a pgmap change stops the loop, reverts
 * the iterator and unpins what was not used.
 *
 * Layouts (user-buffer.ts): folios at hand-picked PFNs mapped back to back from BASE.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  EINVAL,
  ENOMEM,
  ITER_DEST,
  ITER_SOURCE,
  PAGE_PTRS_PER_BVEC,
  PAGE_SIZE,
  bioAddPage,
  bioAlloc,
  bvecArrayAlloc,
  bvecArrayToList,
  bvecSetPage,
  costDiff,
  costSnapshot,
  getContigFolioLen,
  iovIterBvec,
  iovIterDiscard,
  iovIterExtractBvecs,
  iovIterKvec,
  iovIterUbuf,
  pageAddress,
  unpinUserFolio,
  unpinUserPage,
  userWrite,
  vmstat,
  type BvecArray,
  type Machine,
} from '../../src/index.js';
import { BASE, mapAt, world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';
import { userBuffer, type Piece } from './user-buffer.js';

const list = (bv: BvecArray, n: number) => bvecArrayToList(bv, n).map((b) => [b.page, b.len, b.offset]);

/** Drops one pin per page spanned by each of bv[from..to) (what bio_release_pages does). */
function unpinBvecs(m: Machine, bv: BvecArray, from: number, to: number): void {
  for (let j = from; j < to; j++) {
    const first = bv.page[j]! + Math.floor(bv.offset[j]! / PAGE_SIZE);
    const last = bv.page[j]! + Math.floor((bv.offset[j]! + bv.len[j]! - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) unpinUserPage(m, p);
  }
}

describe('one order-2 folio versus four physically contiguous order-0 folios', () => {
  const cases: [string, Piece[], number[][], number][] = [
    // get_contig_folio_len: all four pages are in the folio and consecutive: one run.
    ['order-2 folio at 64', [{ order: 2, pfn: 64 }], [[64, 16384, 0]], 1],
    // Same physical bytes, four folios: page_folio changes at every page, four bvecs.
    [
      'order-0 folios at 64..67',
      [0, 1, 2, 3].map((k) => ({ order: 0, pfn: 64 + k })),
      [
        [64, 4096, 0],
        [65, 4096, 0],
        [66, 4096, 0],
        [67, 4096, 0],
      ],
      4,
    ],
  ];
  it.each(cases)('%s', (_name, pieces, bvecs, nr) => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, pieces);
    const it = iovIterUbuf(ITER_SOURCE, BASE, 16384);
    const bv = bvecArrayAlloc(4);
    const before = costSnapshot(m.cost);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 4, 0);
    expect([r.ret, r.nrVecs, list(bv, r.nrVecs), it.count]).toEqual([16384, nr, bvecs, 0]);
    // 4 page pointers (into the bvec array's upper half), nr bvecs, no allocation;
    // calls: extract_bvecs, extract_pages, pin_user_pages_fast.
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({
      apiCalls: 3,
      pagePointersWritten: 4,
      bvecsWritten: nr,
      allocations: 0,
    });
    expect(vmstat(m).nrFollPinAcquired).toBe(4);
    unpinBvecs(m, bv, 0, r.nrVecs);
  });

  it('bio_add_page, by contrast, merges the four order-0 folios into one bvec (no same-folio rule)', () => {
    const { m } = world();
    for (let k = 0; k < 4; k++) folioAt(m, 0, 64 + k);
    const bio = bioAlloc(4);
    for (let k = 0; k < 4; k++) expect(bioAddPage(m, bio, 64 + k, 4096, 0)).toBe(4096);
    expect([bio.vcnt, list(bio.vecs!, 1)]).toEqual([1, [[64, 16384, 0]]]);
  });
});

describe('runs, offsets and capacity', () => {
  // Order-2 folio at 64 (pages 64..67) then an order-0 folio at 68, physically next.
  const pieces = [
    { order: 2, pfn: 64 },
    { order: 0, pfn: 68 },
  ];

  it('a start 0x200 into the folio: one run to the folio end, then the next folio on its own', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 5, pieces);
    const it = iovIterUbuf(ITER_DEST, BASE + 0x200, 16384);
    const bv = bvecArrayAlloc(8);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 8, 0);
    // 5 pages pinned; 0x200 + 16384 ends 0x200 into page 68.
    expect([r.ret, list(bv, r.nrVecs)]).toEqual([16384, [[64, 16384 - 0x200, 0x200], [68, 0x200, 0]]]);
    expect([m.pincount[64], m.refcount[68]]).toEqual([4, 1 + 1024]);
    unpinBvecs(m, bv, 0, r.nrVecs);
  });

  it('two free bvecs allow two pages only: entries_left = max_vecs - nr_vecs caps the extraction', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 5, pieces);
    const it = iovIterUbuf(ITER_DEST, BASE + 0x200, 16384);
    const bv = bvecArrayAlloc(2);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 2, 0);
    // 2 pages: 2 * 4096 - 0x200 = 7680 bytes, one bvec; the other slot stays free.
    expect([r.ret, r.nrVecs, list(bv, 1), it.count]).toEqual([7680, 1, [[64, 7680, 0x200]], 16384 - 7680]);
    expect(vmstat(m).nrFollPinAcquired).toBe(2);
    // The next call starts a new bvec even though its bytes follow the last one.
    const r2 = iovIterExtractBvecs(mm, it, bv, 1 << 20, 1, 2, 0);
    expect([r2.ret, r2.nrVecs, list(bv, 2)]).toEqual([4096, 2, [[64, 7680, 0x200], [66, 4096, 0]]]);
    unpinBvecs(m, bv, 0, 2);
  });

  it('no free bvec: want_pages_array WARNs and the result is -ENOMEM', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 5, pieces);
    const bv = bvecArrayAlloc(2);
    expect(iovIterExtractBvecs(mm, iovIterUbuf(ITER_DEST, BASE, 4096), bv, 4096, 2, 2, 0)).toEqual({ ret: -ENOMEM, nrVecs: 2 });
    expect(m.warnings).toHaveLength(1);
  });

  it('the page array sits in the top half of the free slots: 2 * nr_vecs + entries_left pointers up', () => {
    // 16 order-0 folios, every other PFN: 16 pages, 16 bvecs, filling the whole array.
    const { m, mm } = world();
    userBuffer(mm, BASE, 16, Array.from({ length: 16 }, (_, k) => ({ order: 0, pfn: 64 + 2 * k })));
    const bv = bvecArrayAlloc(20);
    for (let j = 0; j < 4; j++) bvecSetPage(bv, j, 1000 + j, 100, 0);
    expect(PAGE_PTRS_PER_BVEC).toBe(2);
    // nr_vecs 4, max_vecs 20: 16 entries at pointer slots 8 + 16 = 24 .. 39, i.e. bvecs
    // 12..19. Writing bvec 4 + k overwrites pointers 8 + 2k and 9 + 2k: page entry
    // 2k - 16 and 2k - 15, which were read when bvec 4 + (2k - 15) <= 4 + k was built.
    const r = iovIterExtractBvecs(mm, iovIterUbuf(ITER_DEST, BASE, 16 * 4096), bv, 1 << 20, 4, 20, 0);
    expect([r.ret, r.nrVecs]).toEqual([65536, 20]);
    expect(list(bv, 20).slice(4).map((b) => b[0])).toEqual(Array.from({ length: 16 }, (_, k) => 64 + 2 * k));
    expect(list(bv, 4)).toEqual([[1000, 100, 0], [1001, 100, 0], [1002, 100, 0], [1003, 100, 0]]);
    unpinBvecs(m, bv, 4, 20);
  });
});

describe('get_contig_folio_len', () => {
  it('stops at a page that is not the next one, even inside the same folio (a COWed page)', () => {
    const { m } = world();
    folioAt(m, 2, 64);
    const n = new Int32Array(1);
    // pages 64, 65, then 67 (66 was replaced): a 2-page run of 8192 - 0x100 bytes.
    expect([getContigFolioLen(m, [64, 65, 67, 68], 0, 16384, 0x100, n), n[0]]).toEqual([8192 - 0x100, 2]);
    // from the tail page 67 with 0x1800 left: the folio ends after one page.
    expect([getContigFolioLen(m, [64, 65, 67, 68], 2, 0x1800, 0, n), n[0]]).toEqual([4096, 1]);
  });
});

describe('failures', () => {
  it('mem_align_mask: the UBUF address or length is misaligned: -EINVAL, nothing pinned', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const bv = bvecArrayAlloc(4);
    expect(iovIterExtractBvecs(mm, iovIterUbuf(ITER_DEST, BASE + 0x100, 0x200), bv, 4096, 0, 4, 0, 511)).toEqual({ ret: -EINVAL, nrVecs: 0 });
    expect(iovIterExtractBvecs(mm, iovIterUbuf(ITER_DEST, BASE, 0x300), bv, 4096, 0, 4, 0, 511)).toEqual({ ret: -EINVAL, nrVecs: 0 });
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
  });

  it('a BVEC iterator is checked with iov_iter_alignment over all its bytes', () => {
    const { mm } = world();
    const it = iovIterBvec(ITER_DEST, [{ page: 64, len: 512, offset: 0 }, { page: 80, len: 512, offset: 0x300 }], 1024);
    expect(iovIterExtractBvecs(mm, it, bvecArrayAlloc(4), 4096, 0, 4, 0, 511).ret).toBe(-EINVAL);
  });

  it('nothing extracted: the pin error (unmapped) or -EFAULT (DISCARD)', () => {
    const { mm } = world();
    const bv = bvecArrayAlloc(4);
    expect(iovIterExtractBvecs(mm, iovIterUbuf(ITER_DEST, BASE, 4096), bv, 4096, 0, 4, 0).ret).toBe(-EFAULT);
    expect(iovIterExtractBvecs(mm, iovIterDiscard(ITER_DEST, 4096), bv, 4096, 0, 4, 0).ret).toBe(-EFAULT);
  });
});

describe('a zone-device pgmap change stops the loop', () => {
  function anonThenFsdax() {
    const w = world();
    mapAt(w.mm, BASE, 4 * PAGE_SIZE);
    mapAt(w.mm, BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE, { shared: true, backing: 'fsdax' });
    expect(userWrite(w.mm, BASE, 8 * PAGE_SIZE)).toBe(0);
    return w;
  }

  it('mid-call: the fsdax page was pinned, is not used, is unpinned, and its bytes go back to the iterator', () => {
    const { m, mm } = anonThenFsdax();
    const it = iovIterUbuf(ITER_SOURCE, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE);
    const bv = bvecArrayAlloc(4);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 4, 0);
    // Two pages pinned; the second's pgmap differs from bvec 0's: stop, revert 4096.
    expect([r.ret, r.nrVecs, bv.len[0], it.count, it.iovOffset]).toEqual([4096, 1, 4096, 4096, 4096]);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 2, nrFollPinReleased: 1 });
    unpinBvecs(m, bv, 0, 1);
  });

  it('at the first page, with a bvec already in the array: 0 bytes, everything given back', () => {
    const { m, mm } = anonThenFsdax();
    const it = iovIterUbuf(ITER_SOURCE, BASE + 4 * PAGE_SIZE, 2 * PAGE_SIZE);
    const bv = bvecArrayAlloc(4);
    const anon = (() => {
      const r = iovIterExtractBvecs(mm, iovIterUbuf(ITER_SOURCE, BASE, PAGE_SIZE), bv, PAGE_SIZE, 0, 4, 0);
      expect(r).toEqual({ ret: PAGE_SIZE, nrVecs: 1 });
      return bv.page[0]!;
    })();
    expect(iovIterExtractBvecs(mm, it, bv, 1 << 20, 1, 4, 0)).toEqual({ ret: 0, nrVecs: 1 });
    expect([it.count, it.iovOffset]).toEqual([2 * PAGE_SIZE, 0]);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 3, nrFollPinReleased: 2 });
    unpinUserFolio(m, anon, 1);
  });
});

describe('KVEC: no references, one bvec per folio run', () => {
  it('an order-2 kernel buffer at 128 plus an order-0 one at 132 in one kvec: two bvecs', () => {
    const { m, mm } = world();
    folioAt(m, 2, 128);
    folioAt(m, 0, 132);
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(128) + 0x400, len: 4 * PAGE_SIZE }], 4 * PAGE_SIZE);
    const bv = bvecArrayAlloc(8);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 8, 0, 511);
    expect([r.ret, list(bv, r.nrVecs)]).toEqual([16384, [[128, 16384 - 0x400, 0x400], [132, 0x400, 0]]]);
    expect([m.refcount[128], m.refcount[132], vmstat(m).nrFollPinAcquired]).toEqual([1, 1, 0]);
  });
});
