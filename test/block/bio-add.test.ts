// Building bios: block/bio.c bio_add_page / bvec_try_merge_page / __bio_add_page /
// bio_add_folio and bio_alloc_bioset (T). Layout (layout.ts): order-2 folios at 64 and
// 68, order-0 folios at 72, 80 and 81.
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import {
  BIO_CLONED,
  BIO_MAX_SIZE,
  KernelBug,
  MAPPING_P2PDMA,
  REQ_NOMERGE,
  __bioAddPage,
  bioAddFolio,
  bioAddFolioNofail,
  bioAddPage,
  bioAlloc,
  bioSetFlag,
  bvecArrayToList,
  type Bio,
} from '../../src/index.js';
import { tableLayout } from './layout.js';

function vecs(bio: Bio): [number, number, number][] {
  return bvecArrayToList(bio.vecs!, bio.vcnt).map((v) => [v.page, v.len, v.offset]);
}

describe('bio_add_page merge rule', () => {
  it('merges physically contiguous pages across a folio boundary (no same-folio test)', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    expect(bioAddPage(m, bio, 67, 4096, 0)).toBe(4096); // last page of folio 64
    expect(bioAddPage(m, bio, 68, 4096, 0)).toBe(4096); // first page of folio 68
    expect(vecs(bio)).toEqual([[67, 8192, 0]]);
    expect(bio.size).toBe(8192);
  });

  it('starts a new vector at a physical gap, and refuses at a gap when the bio is full', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(1); // inline vectors: bi_max_vecs = 1
    expect(bioAddPage(m, bio, 68, 4096, 0)).toBe(4096);
    // Page 70 does not follow page 68: no merge, and no free vector -> 0.
    expect(bioAddPage(m, bio, 70, 4096, 0)).toBe(0);
    // Page 69 follows: the merge is tried before the full test, so it still goes in.
    expect(bioAddPage(m, bio, 69, 100, 0)).toBe(100);
    expect(vecs(bio)).toEqual([[68, 4196, 0]]);

    const two = bioAlloc(2);
    expect(bioAddPage(m, two, 68, 4096, 0)).toBe(4096);
    expect(bioAddPage(m, two, 70, 4096, 0)).toBe(4096);
    expect(vecs(two)).toEqual([
      [68, 4096, 0],
      [70, 4096, 0],
    ]);
  });

  it('merges within a page, and across a page boundary by memmap contiguity', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    expect(bioAddPage(m, bio, 64, 100, 0)).toBe(100);
    expect(bioAddPage(m, bio, 64, 50, 100)).toBe(50); // same page, bytes 100..149
    expect(bioAddPage(m, bio, 64, 10, 200)).toBe(10); // gap at 150..199: new vector
    expect(vecs(bio)).toEqual([
      [64, 150, 0],
      [64, 10, 200],
    ]);
    const b2 = bioAlloc(4);
    expect(bioAddPage(m, b2, 64, 4096, 0)).toBe(4096);
    // Next bytes named by page 64 with offset 4096 (a different page than the vector's
    // last byte): bv_page + bv_end / PAGE_SIZE = 64 + 1 == page + off / PAGE_SIZE = 65.
    expect(bioAddPage(m, b2, 64, 10, 4096)).toBe(10);
    expect(vecs(b2)).toEqual([[64, 4106, 0]]);
  });

  it('returns 0 for len 0 and for a cloned bio, WARNing once each', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    expect(bioAddPage(m, bio, 80, 0, 0)).toBe(0);
    expect(bioAddPage(m, bio, 80, 0, 0)).toBe(0);
    const clone = bioAlloc(4);
    bioSetFlag(clone, BIO_CLONED);
    expect(bioAddPage(m, clone, 80, 10, 0)).toBe(0);
    expect(clone.vcnt).toBe(0);
    expect(m.warnings).toEqual(['bio_add_page: len == 0', 'bio_add_page: cloned bio']);
  });

  it('refuses data that would take bi_size past BIO_MAX_SIZE (UINT_MAX)', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    // A synthetic 0xffffff00-byte vector; no memory is touched by bio_add_page.
    expect(bioAddPage(m, bio, 64, 0xffffff00, 0)).toBe(0xffffff00);
    // 0xffffff00 > 0xffffffff - 0x100 = 0xfffffeff: refused.
    expect(bioAddPage(m, bio, 80, 0x100, 0)).toBe(0);
    // 0xffffff00 > 0xffffffff - 0xff = 0xffffff00 is false: accepted, size = UINT_MAX.
    expect(bioAddPage(m, bio, 80, 0xff, 0)).toBe(0xff);
    expect(bio.size).toBe(BIO_MAX_SIZE);
  });

  it('refuses a P2PDMA page next to ordinary memory, and marks REQ_NOMERGE', () => {
    const m = newMachine();
    tableLayout(m);
    m.mapping[81] = MAPPING_P2PDMA;
    const bio = bioAlloc(4);
    expect(bioAddPage(m, bio, 80, 4096, 0)).toBe(4096);
    // zone_device_pages_compatible(80, 81) is false: 0 although a vector is free.
    expect(bioAddPage(m, bio, 81, 4096, 0)).toBe(0);
    const p2p = bioAlloc(4);
    expect(bioAddPage(m, p2p, 81, 4096, 0)).toBe(4096);
    expect(p2p.opf & REQ_NOMERGE).toBe(REQ_NOMERGE);
  });

  it('counts one bvec written per new vector and none per merge', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    bioAddPage(m, bio, 67, 4096, 0);
    bioAddPage(m, bio, 68, 4096, 0);
    bioAddPage(m, bio, 80, 10, 0);
    expect(m.cost.bvecsWritten).toBe(2);
  });
});

describe('bio_add_folio (v6.16 normalisation) and the _nofail variants', () => {
  it('adds folio_page(folio, off / PAGE_SIZE) with off % PAGE_SIZE', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    expect(bioAddFolio(m, bio, 64, 24976, 8292)).toBe(true);
    expect(vecs(bio)).toEqual([[66, 24976, 100]]);
    expect(bioAddFolio(m, bio, 64, BIO_MAX_SIZE + 1, 0)).toBe(false);
  });

  it('bio_add_folio_nofail never merges; __bio_add_page WARNs on a full bio and oopses past the table', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(1);
    bioAddFolioNofail(m, bio, 64, 4096, 0);
    expect(vecs(bio)).toEqual([[64, 4096, 0]]);
    expect(() => __bioAddPage(m, bio, 65, 4096, 0)).toThrow(KernelBug);
    expect(m.warnings).toEqual(['__bio_add_page: bio is full']);
  });
});

describe('bio_alloc (bio_alloc_bioset + biovec_slab)', () => {
  it('rounds nr_vecs up to the slab size above the 4 inline vectors', () => {
    const table: [number, number][] = [
      [0, 0],
      [1, 1],
      [4, 4],
      [5, 16],
      [16, 16],
      [17, 64],
      [64, 64],
      [65, 128],
      [128, 128],
      [129, 256],
      [256, 256],
    ];
    for (const [nr, max] of table) expect([nr, bioAlloc(nr).maxVecs]).toEqual([nr, max]);
    expect(bioAlloc(0).vecs).toBe(null);
  });

  it('BUG()s beyond BIO_MAX_VECS', () => {
    expect(() => bioAlloc(257)).toThrow(KernelBug);
  });
});
