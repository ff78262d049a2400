/**
 * The size limits and WARNs of building a bio, worked by hand from block/bio.c (T,
 * linux-block-trial): bio_full (`bi_vcnt >= bi_max_vecs || bi_size > BIO_MAX_SIZE -
 * len`), bio_add_folio (`if (len > BIO_MAX_SIZE) return false;` before bio_add_page,
 * then `bio_add_page(...) > 0`), bio_add_folio_nofail (`WARN_ON_ONCE(len >
 * BIO_MAX_SIZE)`, then `__bio_add_page(bio, folio_page(folio, off / PAGE_SIZE), len,
 * off % PAGE_SIZE)`) and __bio_add_page (`WARN_ON_ONCE(bio_flagged(bio, BIO_CLONED))`,
 * then it adds anyway). BIO_MAX_SIZE is UINT_MAX. Layout (layout.ts): order-2 folio at
 * 64, order-0 folios at 72 and 80.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_CLONED,
  BIO_MAX_SIZE,
  __bioAddPage,
  bioAddFolio,
  bioAddFolioNofail,
  bioAlloc,
  bioFull,
  bioSetFlag,
  bvecArrayToList,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { tableLayout } from './layout.js';

const MACHINE = { memoryBytes: 16 * 1024 * 1024 };

describe('bio_full at the BIO_MAX_SIZE edge', () => {
  it('a bio holding BIO_MAX_SIZE - 100 bytes takes 100 more, not 101', () => {
    const bio = bioAlloc(1); // a free bvec: only the size test decides
    bio.size = BIO_MAX_SIZE - 100;
    expect([bioFull(bio, 100), bioFull(bio, 101), bioFull(bio, 0)]).toEqual([false, true, false]);
  });
});

describe('bio_add_folio', () => {
  it('len > BIO_MAX_SIZE is false before bio_add_page runs: no cloned-bio WARN', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    bioSetFlag(bio, BIO_CLONED);
    expect(bioAddFolio(m, bio, 64, BIO_MAX_SIZE + 1, 0)).toBe(false);
    expect([m.warnings, bio.vcnt, bio.size]).toEqual([[], 0, 0]);
  });

  it('is false when bio_add_page adds nothing (no merge, bio full)', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(1);
    expect(bioAddFolio(m, bio, 72, 100, 0)).toBe(true);
    // Page 80 does not follow page 72's 100 bytes; the one bvec is used.
    expect(bioAddFolio(m, bio, 80, 100, 0)).toBe(false);
    expect(bvecArrayToList(bio.vecs!, bio.vcnt)).toEqual([{ page: 72, len: 100, offset: 0 }]);
    expect([bio.size, m.warnings]).toEqual([100, []]);
  });
});

describe('bio_add_folio_nofail', () => {
  it('off 4196 in an order-2 folio is page 65 at offset 100', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    bioAddFolioNofail(m, bio, 64, 200, 4096 + 100);
    expect(bvecArrayToList(bio.vecs!, bio.vcnt)).toEqual([{ page: 65, len: 200, offset: 100 }]);
    expect([bio.size, m.warnings]).toEqual([200, []]);
  });

  it('len == BIO_MAX_SIZE does not WARN', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    bioAddFolioNofail(m, bio, 72, BIO_MAX_SIZE, 0);
    expect(bvecArrayToList(bio.vecs!, bio.vcnt)).toEqual([{ page: 72, len: BIO_MAX_SIZE, offset: 0 }]);
    expect([bio.size, m.warnings]).toEqual([BIO_MAX_SIZE, []]);
  });

  it('len == BIO_MAX_SIZE + 1 WARNs once and adds the len truncated to unsigned int (0)', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    bioAddFolioNofail(m, bio, 72, BIO_MAX_SIZE + 1, 0);
    expect(bvecArrayToList(bio.vecs!, bio.vcnt)).toEqual([{ page: 72, len: 0, offset: 0 }]);
    expect([bio.size, m.warnings]).toEqual([0, ['bio_add_folio_nofail: len > BIO_MAX_SIZE']]);
  });
});

describe('__bio_add_page on a cloned bio', () => {
  it('WARNs once and still appends the bvec', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    bioSetFlag(bio, BIO_CLONED);
    __bioAddPage(m, bio, 72, 100, 0);
    __bioAddPage(m, bio, 80, 50, 10);
    expect(bvecArrayToList(bio.vecs!, bio.vcnt)).toEqual([
      { page: 72, len: 100, offset: 0 },
      { page: 80, len: 50, offset: 10 },
    ]);
    expect([bio.size, m.warnings]).toEqual([150, ['__bio_add_page: cloned bio']]);
  });
});
