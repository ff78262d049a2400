// Properties of folio iteration and release over random physical layouts and vectors.
// Kernel behaviour pinned down: bio_for_each_folio_all (include/linux/bio.h, T) hands out
// each vector's bytes folio by folio, never across a folio's end; __bio_release_pages
// (block/bio.c, v6.12+) and its v6.6-v6.11 per-page form drop exactly one pin per page
// spanned by each bvec. The expected steps come from a byte-by-byte oracle that knows
// nothing of the iterator's arithmetic.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { newMachine } from '../support/machines.js';
import {
  BIO_PAGE_PINNED,
  FOLL_PIN,
  PAGE_SIZE,
  __bioAddPage,
  bioForEachFolioAll,
  bioForEachFolioAllFn,
  bioInit,
  bioReleasePages,
  bioSetFlag,
  bvecArrayAlloc,
  bvecForEachFolio,
  folioSize,
  pageFolio,
  tryGrabFolio,
  vmstat,
  type Bio,
  type BioReleaseMode,
  type Machine,
} from '../../src/index.js';
import { folioAt } from './layout.js';

const BASE = 512;
const MEMORY = 32 * 1024 * 1024; // 8192 pages: room for ten order-9 folios after BASE

/** The first index where the arrays differ, or -1. */
function firstDifference(a: Int32Array, b: Int32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
} // PMD-aligned, so every order up to 9 can start here

/** Folios of the given orders, back to back from BASE, order-0 folios filling alignment gaps. */
function layout(m: Machine, orders: readonly number[]): number {
  let cursor = BASE;
  for (const order of orders) {
    const nr = 1 << order;
    const at = Math.ceil(cursor / nr) * nr;
    for (; cursor < at; cursor++) folioAt(m, 0, cursor);
    folioAt(m, order, at);
    cursor = at + nr;
  }
  return cursor;
}

interface VecSpec {
  readonly start: number; // fraction of the region, in 1/2^20
  readonly len: number;
  readonly back: number; // fraction of the way back towards the folio head for bv_page
}

interface Vec {
  readonly page: number;
  readonly len: number;
  readonly offset: number;
  readonly phys: number; // first byte
}

/** Places each spec in the region: the first byte, the length, and a bv_page in the same folio. */
function place(m: Machine, end: number, specs: readonly VecSpec[], minLen: number): Vec[] {
  const lo = BASE * PAGE_SIZE;
  const hi = end * PAGE_SIZE;
  return specs.map(({ start, len, back }) => {
    const phys = lo + Math.floor(((hi - lo - 1) * start) / 2 ** 20);
    const length = Math.max(minLen, Math.min(len, hi - phys));
    const firstPage = Math.floor(phys / PAGE_SIZE);
    const head = pageFolio(m, firstPage);
    const page = firstPage - Math.floor(((firstPage - head) * back) / 2 ** 20);
    return { page, len: length, offset: phys - page * PAGE_SIZE, phys };
  });
}

function bioOf(m: Machine, vecs: readonly Vec[]): Bio {
  const bio = bioInit(bvecArrayAlloc(vecs.length), vecs.length);
  for (const v of vecs) __bioAddPage(m, bio, v.page, v.len, v.offset);
  return bio;
}

/** Byte by byte: which folio holds each byte; consecutive bytes of one vector in one folio form a step. */
function oracle(m: Machine, vecs: readonly Vec[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const v of vecs) {
    if (v.len === 0) {
      const f = pageFolio(m, v.page);
      out.push([f, v.phys - f * PAGE_SIZE, 0]);
      continue;
    }
    let cur: [number, number, number] | undefined;
    for (let b = v.phys; b < v.phys + v.len; b++) {
      const f = pageFolio(m, Math.floor(b / PAGE_SIZE));
      if (cur !== undefined && cur[0] === f) cur[2]++;
      else {
        cur = [f, b - f * PAGE_SIZE, 1];
        out.push(cur);
      }
    }
  }
  return out;
}

const orderArb = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constant(9) });
const specArb = (minLen: number) =>
  fc.record({
    start: fc.integer({ min: 0, max: 2 ** 20 - 1 }),
    len: fc.oneof(fc.integer({ min: minLen, max: 2 * PAGE_SIZE }), fc.integer({ min: minLen, max: 300_000 })),
    back: fc.integer({ min: 0, max: 2 ** 20 }),
  });

describe('bio_for_each_folio_all against a byte-by-byte oracle', () => {
  test.prop([fc.array(orderArb, { minLength: 1, maxLength: 10 }), fc.array(specArb(0), { minLength: 1, maxLength: 5 })])(
    'steps cover exactly the bytes, never cross a folio end, and match the oracle',
    (orders, specs) => {
      const m = newMachine({ memoryBytes: MEMORY });
      const vecs = place(m, layout(m, orders), specs, 0);
      const bio = bioOf(m, vecs);
      const steps = [...bioForEachFolioAll(m, bio)].map((s): [number, number, number] => [s.folio, s.offset, s.length]);
      expect(steps).toEqual(oracle(m, vecs));
      let total = 0;
      for (const [folio, offset, length] of steps) {
        expect(offset + length).toBeLessThanOrEqual(folioSize(m, folio));
        total += length;
      }
      expect(total).toBe(vecs.reduce((a, v) => a + v.len, 0));
      // The callback form and the per-bvec iterator hand out the same steps.
      const cb: number[][] = [];
      bioForEachFolioAllFn(m, bio, (f, o, l) => cb.push([f, o, l]));
      expect(cb).toEqual(steps);
      const perBvec = vecs.flatMap((v) => [...bvecForEachFolio(m, v)].map((s) => [s.folio, s.offset, s.length]));
      expect(perBvec).toEqual(steps);
    },
  );
});

describe('bio_release_pages returns every count to its start', () => {
  test.prop([
    fc.array(orderArb, { minLength: 1, maxLength: 10 }),
    fc.array(specArb(1), { minLength: 1, maxLength: 5 }),
    fc.constantFrom<BioReleaseMode>('folio', 'page'),
    fc.boolean(),
  ])('one pin per page spanned by each bvec, released per folio or per page', (orders, specs, mode, dirty) => {
    const m = newMachine({ memoryBytes: MEMORY });
    const vecs = place(m, layout(m, orders), specs, 1);
    const refcounts = m.refcount.slice();
    let pinned = 0;
    let grabErrors = 0;
    for (const v of vecs) {
      const first = Math.floor(v.phys / PAGE_SIZE);
      const last = Math.floor((v.phys + v.len - 1) / PAGE_SIZE);
      for (let p = first; p <= last; p++, pinned++) if (tryGrabFolio(m, pageFolio(m, p), 1, FOLL_PIN) !== 0) grabErrors++;
    }
    expect(grabErrors).toBe(0);
    const bio = bioOf(m, vecs);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, dirty, mode);
    expect(firstDifference(m.refcount, refcounts)).toBe(-1);
    expect(m.pincount.findIndex((c) => c !== 0)).toBe(-1);
    expect(vmstat(m).nrFollPinReleased).toBe(pinned);
    expect(m.cost.pagesReleased).toBe(pinned);
  });

  test.prop([fc.array(orderArb, { minLength: 1, maxLength: 10 }), fc.array(specArb(1), { minLength: 1, maxLength: 5 })])(
    'per-folio release never costs more atomics than per-page release',
    (orders, specs) => {
      const atomics = (mode: BioReleaseMode): number => {
        const m = newMachine({ memoryBytes: MEMORY });
        const vecs = place(m, layout(m, orders), specs, 1);
        for (const v of vecs) {
          const last = Math.floor((v.phys + v.len - 1) / PAGE_SIZE);
          for (let p = Math.floor(v.phys / PAGE_SIZE); p <= last; p++) tryGrabFolio(m, pageFolio(m, p), 1, FOLL_PIN);
        }
        const bio = bioOf(m, vecs);
        bioSetFlag(bio, BIO_PAGE_PINNED);
        const before = m.cost.refcountAtomics + m.cost.pincountAtomics;
        bioReleasePages(m, bio, false, mode);
        return m.cost.refcountAtomics + m.cost.pincountAtomics - before;
      };
      expect(atomics('folio')).toBeLessThanOrEqual(atomics('page'));
    },
  );
});
