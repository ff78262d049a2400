/**
 * iov_iter_extract_bvecs over random layouts (lib/iov_iter.c in T): folios of orders
 * 0..3 mapped back to back, physically adjacent or apart, any start, length and free
 * bvec count. The expected bvecs come from a page-by-page oracle that knows only the
 * layout: maximal runs of virtual pages whose PFNs follow each other inside one folio,
 * over the bytes the free bvecs allow (one page per free bvec). Also pinned down: one
 * pin per page spanned, the bvecs already in the array untouched, the packed page array
 * never overwritten before it is read (the model throws if it would), and release
 * through bio_release_pages returning every count to its start.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  BIO_PAGE_PINNED,
  ITER_DEST,
  PAGE_SIZE,
  REQ_OP_READ,
  bioInit,
  bioReleasePages,
  bioSetFlag,
  bvecArrayAlloc,
  bvecArrayToList,
  bvecArrayView,
  bvecSetPage,
  iovIterExtractBvecs,
  iovIterUbuf,
  vmstat,
} from '../../src/index.js';
import { refcountSnapshot } from '../support/machines.js';
import { BASE, world } from '../support/mm-layout.js';
import type { Piece } from './user-buffer.js';
import { userBuffer } from './user-buffer.js';

const folioSpec = fc.record({ order: fc.integer({ min: 0, max: 3 }), gap: fc.constantFrom(0, 0, 1, 3) });
const scenario = fc.record({
  folios: fc.array(folioSpec, { minLength: 1, maxLength: 8 }),
  start: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  len: fc.double({ min: 0, max: 1, noNaN: true }),
  maxVecs: fc.integer({ min: 1, max: 12 }),
  before: fc.integer({ min: 0, max: 3 }),
});

describe('iov_iter_extract_bvecs against a page-by-page oracle', () => {
  test.prop([scenario])('bvecs are the folio runs of the bytes the free slots allow', (s) => {
    const { m, mm } = world({ memoryBytes: 8 * 1024 * 1024 });
    const pieces: Piece[] = [];
    const pfnOf: number[] = []; // virtual page -> PFN
    const folioOf: number[] = []; // virtual page -> folio head
    let cursor = 1024;
    for (const f of s.folios) {
      const nr = 1 << f.order;
      const at = Math.ceil((cursor + f.gap) / nr) * nr;
      pieces.push({ order: f.order, pfn: at });
      for (let k = 0; k < nr; k++) {
        pfnOf.push(at + k);
        folioOf.push(at);
      }
      cursor = at + nr;
    }
    const total = pfnOf.length * PAGE_SIZE;
    userBuffer(mm, BASE, pfnOf.length, pieces);
    const startByte = Math.floor(s.start * total);
    const length = 1 + Math.floor(s.len * (total - startByte - 1));
    const nr0 = Math.min(s.before, s.maxVecs - 1);

    const bv = bvecArrayAlloc(s.maxVecs);
    for (let j = 0; j < nr0; j++) bvecSetPage(bv, j, pfnOf[0]!, 512, 0);
    const refs = refcountSnapshot(m);
    const it = iovIterUbuf(ITER_DEST, BASE + startByte, length);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 30, nr0, s.maxVecs, 0);

    // Oracle: one page per free bvec at most, then maximal runs inside one folio.
    const off0 = startByte % PAGE_SIZE;
    const pinned = Math.min(Math.ceil((off0 + length) / PAGE_SIZE), s.maxVecs - nr0);
    const ret = Math.min(length, pinned * PAGE_SIZE - off0);
    const runs: { page: number; len: number; offset: number }[] = [];
    for (let b = startByte; b < startByte + ret; ) {
      const v = Math.floor(b / PAGE_SIZE);
      const inPage = Math.min(PAGE_SIZE - (b % PAGE_SIZE), startByte + ret - b);
      const last = runs[runs.length - 1];
      const prev = v - 1;
      if (last !== undefined && b !== startByte && pfnOf[v] === pfnOf[prev]! + 1 && folioOf[v] === folioOf[prev]) last.len += inPage;
      else runs.push({ page: pfnOf[v]!, len: inPage, offset: b % PAGE_SIZE });
      b += inPage;
    }

    expect(r).toEqual({ ret, nrVecs: nr0 + runs.length });
    expect(bvecArrayToList(bv, r.nrVecs).slice(nr0)).toEqual(runs);
    expect(bvecArrayToList(bv, nr0)).toEqual(Array.from({ length: nr0 }, () => ({ page: pfnOf[0], len: 512, offset: 0 })));
    expect(it.count).toBe(length - ret);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: pinned, nrFollPinReleased: 0 });

    const bio = bioInit(bvecArrayView(bv, nr0), s.maxVecs - nr0, REQ_OP_READ);
    bio.vcnt = runs.length;
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, false);
    let diff = -1;
    for (let p = 0; p < refs.length && diff < 0; p++) if (m.refcount[p] !== refs[p]) diff = p;
    expect(diff).toBe(-1);
  });
});
