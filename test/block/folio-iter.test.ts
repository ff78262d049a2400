// Folio iteration tables: include/linux/bio.h bio_first_folio / bio_next_folio (T, same
// logic in mainline >= v6.16), and the per-bvec iterator built from the same steps.
// Layout (layout.ts): order-2 folios at 64 and 68, order-0 folios at 72, 80 and 81.
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import {
  BIO_CLONED,
  FolioIter,
  NULL_PFN,
  __bioAddPage,
  bioAlloc,
  bioFirstFolio,
  bioForEachFolioAll,
  bioForEachFolioAllFn,
  bioInit,
  bioNextFolio,
  bioSetFlag,
  bvecArrayAlloc,
  bvecForEachFolio,
  bvecForEachFolioFn,
  folioPut,
  pageAllocated,
  KernelBug,
  type Bio,
  type FolioStep,
  type Machine,
} from '../../src/index.js';
import { tableLayout } from './layout.js';

function bioOf(m: Machine, vecs: readonly [page: number, len: number, offset: number][]): Bio {
  const bio = bioInit(bvecArrayAlloc(vecs.length), vecs.length);
  for (const [page, len, offset] of vecs) __bioAddPage(m, bio, page, len, offset);
  return bio;
}

function steps(m: Machine, bio: Bio): [number, number, number][] {
  return [...bioForEachFolioAll(m, bio)].map((s) => [s.folio, s.offset, s.length]);
}

describe('bio_for_each_folio_all: worked tables', () => {
  // A vector from byte 100 of page 66 (the third page of the order-2 folio 64) for
  // 24976 bytes: 3996 + 4096 bytes in folio 64, all 16384 of folio 68, 500 of folio 72.
  // bio_first_folio: offset = bv_offset + PAGE_SIZE * folio_page_idx = 100 + 2*4096.
  const expected = [
    [64, 8292, 8092],
    [68, 0, 16384],
    [72, 0, 500],
  ];

  it('walks a vector from the third page of an order-2 folio through two following folios', () => {
    const m = newMachine();
    tableLayout(m);
    expect(steps(m, bioOf(m, [[66, 24976, 100]]))).toEqual(expected);
  });

  it('gives the same steps for the head page with a large offset or another page with its offset', () => {
    const m = newMachine();
    tableLayout(m);
    // bv_page may be a tail page and bv_offset may exceed PAGE_SIZE: both are added in.
    expect(steps(m, bioOf(m, [[64, 24976, 8292]]))).toEqual(expected);
    expect(steps(m, bioOf(m, [[65, 24976, 4196]]))).toEqual(expected);
  });

  it('yields nothing for an empty bio (v6.8 fix: the end check moved into bio_first_folio)', () => {
    const m = newMachine();
    expect(steps(m, bioAlloc(4))).toEqual([]);
    expect(steps(m, bioAlloc(0))).toEqual([]);
  });

  it('yields one zero-length step for a zero-length vector', () => {
    const m = newMachine();
    tableLayout(m);
    expect(steps(m, bioOf(m, [[66, 0, 100]]))).toEqual([[64, 8292, 0]]);
  });

  it('splits a vector straddling two order-0 folios', () => {
    const m = newMachine();
    tableLayout(m);
    // Bytes 4000..4199 from page 80: 96 bytes in folio 80, 104 in folio 81.
    expect(steps(m, bioOf(m, [[80, 200, 4000]]))).toEqual([
      [80, 4000, 96],
      [81, 0, 104],
    ]);
  });

  it('walks several vectors in order, each starting its own steps', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioOf(m, [
      [67, 4096, 0],
      [68, 4096, 0],
      [81, 10, 7],
    ]);
    // Vectors are never joined by the iterator even when physically contiguous.
    expect(steps(m, bio)).toEqual([
      [64, 12288, 4096],
      [68, 0, 4096],
      [81, 7, 10],
    ]);
  });

  it('keeps the kernel edges: an offset at the folio end, and one past it', () => {
    const m = newMachine();
    tableLayout(m);
    // offset == folio_size: (64, 16384, 0), then the bvec continues in folio 68.
    expect(steps(m, bioOf(m, [[64, 100, 16384]]))).toEqual([
      [64, 16384, 0],
      [68, 0, 100],
    ]);
    // offset > folio_size: folio_size - offset wraps (size_t), so length = the whole bvec.
    expect(steps(m, bioOf(m, [[64, 100, 20000]]))).toEqual([[64, 20000, 100]]);
  });

  it('records the next folio before the step, so the body may free the folio', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioOf(m, [[66, 24976, 100]]);
    const seen: number[] = [];
    for (const { folio } of bioForEachFolioAll(m, bio)) {
      seen.push(folio);
      // Dropping the last reference frees folio 64 and resets its memmap entries; a
      // folio_next() computed now would read order 0 and land on page 65.
      if (folio === 64) folioPut(m, 64);
    }
    expect(pageAllocated(m, 64)).toBe(false);
    expect(seen).toEqual([64, 68, 72]);
  });

  it('WARNs once on a cloned bio (bio_first_bvec_all)', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioOf(m, [[80, 10, 0]]);
    bioSetFlag(bio, BIO_CLONED);
    expect(steps(m, bio)).toEqual([[80, 0, 10]]);
    expect(steps(m, bio)).toEqual([[80, 0, 10]]);
    expect(m.warnings).toEqual(['bio_first_bvec_all: cloned bio']);
  });

  it('oopses on a NULL bv_page', () => {
    const m = newMachine();
    const bio = bioInit(bvecArrayAlloc(1), 1);
    bio.vcnt = 1;
    expect(() => steps(m, bio)).toThrow(KernelBug);
  });
});

describe('zero-allocation forms', () => {
  it('the kernel loop with one FolioIter and the callback form give the same steps', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioOf(m, [
      [66, 24976, 100],
      [80, 200, 4000],
    ]);
    const want = [
      [64, 8292, 8092],
      [68, 0, 16384],
      [72, 0, 500],
      [80, 4000, 96],
      [81, 0, 104],
    ];
    const fi = new FolioIter();
    const loop: number[][] = [];
    for (bioFirstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio)) loop.push([fi.folio, fi.offset, fi.length]);
    expect(loop).toEqual(want);
    const cb: number[][] = [];
    bioForEachFolioAllFn(m, bio, (folio, offset, length) => cb.push([folio, offset, length]), fi);
    expect(cb).toEqual(want);
  });
});

describe('bvecForEachFolio (no kernel equivalent; bio_first_folio arithmetic per bvec)', () => {
  it('gives the same steps as the bio iterator for one bvec', () => {
    const m = newMachine();
    tableLayout(m);
    const got: FolioStep[] = [...bvecForEachFolio(m, { page: 64, len: 24976, offset: 8292 })];
    expect(got).toEqual([
      { folio: 64, offset: 8292, length: 8092 },
      { folio: 68, offset: 0, length: 16384 },
      { folio: 72, offset: 0, length: 500 },
    ]);
    const cb: number[][] = [];
    bvecForEachFolioFn(m, 80, 200, 4000, (folio, offset, length) => cb.push([folio, offset, length]));
    expect(cb).toEqual([
      [80, 4000, 96],
      [81, 0, 104],
    ]);
  });

  it('gives one zero-length step for a zero-length bvec', () => {
    const m = newMachine();
    tableLayout(m);
    expect([...bvecForEachFolio(m, { page: 81, len: 0, offset: 5 })]).toEqual([{ folio: 81, offset: 5, length: 0 }]);
  });
});
