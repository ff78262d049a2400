// struct bio_vec helpers and the bvec iterator: include/linux/bvec.h (B, >= v6.16;
// bvec_folio from T). Layout (layout.ts): order-2 folios at 64 and 68, order-0 at 72, 80, 81.
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import {
  BvecIter,
  BvecIterAll,
  KernelBug,
  UINT_MAX,
  bvecAdvance,
  bvecArrayAlloc,
  bvecArrayFrom,
  bvecArrayView,
  bvecAt,
  bvecFolio,
  bvecIterAdvance,
  bvecIterAllInit,
  bvecIterBvec,
  bvecPhys,
  bvecSetFolio,
  forEachBvec,
  forEachMpBvec,
  type BioVec,
} from '../../src/index.js';
import { tableLayout } from './layout.js';

describe('bvec_set_folio (5e223e06ee7c, v6.16) and friends', () => {
  it('stores the page holding the first byte and an offset below PAGE_SIZE', () => {
    const m = newMachine();
    tableLayout(m);
    const bvs = bvecArrayAlloc(3);
    bvecSetFolio(m, bvs, 0, 64, 24976, 8292); // 8292 = 2 * 4096 + 100
    bvecSetFolio(m, bvs, 1, 64, 10, 0);
    bvecSetFolio(m, bvs, 2, 64, 1, 16383); // last byte of the folio: page 67, offset 4095
    expect([bvecAt(bvs, 0), bvecAt(bvs, 1), bvecAt(bvs, 2)]).toEqual([
      { page: 66, len: 24976, offset: 100 },
      { page: 64, len: 10, offset: 0 },
      { page: 67, len: 1, offset: 4095 },
    ]);
    // bvec_phys = page_to_phys(bv_page) + bv_offset = 66 * 4096 + 100.
    expect(bvecPhys(bvs, 0)).toBe(270436);
    // bvec_folio is the folio of the first page only.
    expect(bvecFolio(m, bvs, 0)).toBe(64);
  });

  it('WARNs once when len exceeds UINT_MAX and stores it truncated like C', () => {
    const m = newMachine();
    tableLayout(m);
    const bvs = bvecArrayAlloc(1);
    bvecSetFolio(m, bvs, 0, 64, UINT_MAX + 6, 0);
    expect(bvs.len[0]).toBe(5);
    expect(m.warnings).toEqual(['bvec_set_folio: len > UINT_MAX']);
  });

  it('a view (bv + n) shares the array memory', () => {
    const bvs = bvecArrayAlloc(4);
    const tail = bvecArrayView(bvs, 2);
    tail.page[1] = 80;
    tail.len[1] = 7;
    expect(bvecAt(bvs, 3)).toEqual({ page: 80, len: 7, offset: 0 });
    expect(tail.capacity).toBe(2);
  });
});

// bvec 0 covers bytes 100..8291 of pages 64..66; bvec 1 is empty; bvec 2 is 100 bytes
// from offset 50 of page 81. Total 8292 bytes.
const list: BioVec[] = [
  { page: 64, len: 8192, offset: 100 },
  { page: 80, len: 0, offset: 0 },
  { page: 81, len: 100, offset: 50 },
];

function iterAt(size: number, idx = 0, offset = 0): BvecIter {
  const it = new BvecIter();
  it.size = size;
  it.idx = idx;
  it.offset = offset;
  return it;
}

describe('for_each_bvec / for_each_mp_bvec', () => {
  it('single-page views: split at page boundaries, one 0-byte step for an empty bvec', () => {
    expect(forEachBvec(bvecArrayFrom(list), iterAt(8292))).toEqual([
      { page: 64, len: 3996, offset: 100 },
      { page: 65, len: 4096, offset: 0 },
      { page: 66, len: 100, offset: 0 },
      { page: 80, len: 0, offset: 0 },
      { page: 81, len: 100, offset: 50 },
    ]);
  });

  it('multi-page views: one per bvec, offsets may exceed PAGE_SIZE mid-bvec', () => {
    const bvs = bvecArrayFrom(list);
    expect(forEachMpBvec(bvs, iterAt(8292))).toEqual(list);
    // From 4000 bytes into bvec 0: mp offset 100 + 4000, len 8192 - 4000.
    expect(forEachMpBvec(bvs, iterAt(4292, 0, 4000))).toEqual([
      { page: 64, len: 4192, offset: 4100 },
      { page: 80, len: 0, offset: 0 },
      { page: 81, len: 100, offset: 50 },
    ]);
    // bvec_iter_bvec at that position: page 64 + 4100 / 4096, offset 4100 % 4096.
    expect(bvecIterBvec(bvs, iterAt(4292, 0, 4000), { page: 0, len: 0, offset: 0 })).toEqual({ page: 65, len: 4092, offset: 4 });
  });

  it('reads past the array when bi_size exceeds the bytes it holds (out of bounds: oops)', () => {
    expect(() => forEachMpBvec(bvecArrayFrom(list), iterAt(8293))).toThrow(KernelBug);
  });
});

describe('bvec_iter_advance', () => {
  it('steps over whole bvecs but stops on an empty bvec when the bytes run out exactly', () => {
    const m = newMachine();
    const bvs = bvecArrayFrom(list);
    const it = iterAt(8292);
    expect(bvecIterAdvance(m, bvs, it, 8192)).toBe(true);
    expect([it.size, it.idx, it.offset]).toEqual([100, 1, 0]);
    const it2 = iterAt(8292);
    expect(bvecIterAdvance(m, bvs, it2, 8193)).toBe(true);
    // 8193 - 8192 = 1 >= 0 (empty bvec 1): skipped; 1 < 100: inside bvec 2.
    expect([it2.size, it2.idx, it2.offset]).toEqual([99, 2, 1]);
    expect(bvecIterAdvance(m, bvs, it2, 99)).toBe(true);
    expect([it2.size, it2.idx, it2.offset]).toEqual([0, 3, 0]);
  });

  it('over-advance WARNs once, zeroes bi_size, returns false and leaves idx/offset', () => {
    const m = newMachine();
    const bvs = bvecArrayFrom(list);
    const it = iterAt(100, 2, 0);
    expect(bvecIterAdvance(m, bvs, it, 101)).toBe(false);
    expect([it.size, it.idx, it.offset]).toEqual([0, 2, 0]);
    expect(bvecIterAdvance(m, bvs, it, 1)).toBe(false);
    expect(m.warnings).toEqual(['Attempted to advance past end of bvec iter']);
  });

  it('BVEC_ITER_ALL_INIT starts at size UINT_MAX', () => {
    const it = bvecIterAllInit();
    expect([it.sector, it.size, it.idx, it.offset]).toEqual([0, UINT_MAX, 0, 0]);
  });
});

describe('bvec_advance (bio_for_each_segment_all)', () => {
  it('walks one bvec page by page from bv_page + (bv_offset >> PAGE_SHIFT)', () => {
    const bvs = bvecArrayFrom([{ page: 64, len: 8192, offset: 4196 }]);
    const all = new BvecIterAll();
    const segs: BioVec[] = [];
    while (all.idx < 1) {
      bvecAdvance(bvs, all.idx, all);
      segs.push({ ...all.bv });
    }
    expect(segs).toEqual([
      { page: 65, len: 3996, offset: 100 },
      { page: 66, len: 4096, offset: 0 },
      { page: 67, len: 100, offset: 0 },
    ]);
  });
});
