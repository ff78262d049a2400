/**
 * Edges of building a bio, worked by hand from block/bio.c (T): bio_add_virt_nofail
 * (`__bio_add_page(bio, virt_to_page(vaddr), len, offset_in_page(vaddr))`);
 * __bio_add_page on a bio with no bvec table (bio_full WARNs, then the write lands past
 * the table: KernelBug); bio_init with a NULL table and bi_max_vecs 0; and the model's
 * refusals of a bio_add_folio offset whose page lies outside the memmap and of
 * bvec_set_page fields C's types rule out (bvecArrayFrom).
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  KernelBug,
  bioAddFolio,
  bioAlloc,
  bioAddVirtNofail,
  bioInit,
  bvecArrayFrom,
  bvecArrayToList,
  __bioAddPage,
  pageAddress,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { expectRefused } from '../support/refused.js';
import { folioAt, tableLayout } from './layout.js';

const MACHINE = { memoryBytes: 16 * 1024 * 1024 };

describe('bio_add_virt_nofail', () => {
  it('adds the direct-map page at its in-page offset as a new bvec, never merging', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    bioAddVirtNofail(m, bio, pageAddress(72) + 100, 200);
    // Contiguous with the first bvec, but __bio_add_page never merges.
    bioAddVirtNofail(m, bio, pageAddress(72) + 300, 50);
    expect(bvecArrayToList(bio.vecs!, bio.vcnt)).toEqual([
      { page: 72, len: 200, offset: 100 },
      { page: 72, len: 50, offset: 300 },
    ]);
    expect([bio.size, m.cost.bvecsWritten, m.warnings, m.refcount[72]]).toEqual([250, 2, [], 1]);
  });
});

describe('__bio_add_page on a bio without a table', () => {
  it('WARNs that the bio is full, then writes bvec 0 past a 0-entry table (KernelBug)', () => {
    const m = newMachine(MACHINE);
    folioAt(m, 0, 72);
    const bio = bioAlloc(0);
    expect(() => __bioAddPage(m, bio, 72, 100, 0)).toThrow(/writes bvec 0 past the end of a 0-entry table/);
    expect(() => __bioAddPage(m, bio, 72, 100, 0)).toThrow(KernelBug);
    expect([m.warnings, bio.vcnt, bio.size]).toEqual([['__bio_add_page: bio is full'], 0, 0]);
  });
});

describe('bio_init with a NULL table', () => {
  it('bi_max_vecs 0 is a bio with no vectors; 1 would need a table', () => {
    const bio = bioInit(null, 0);
    expect([bio.vecs, bio.maxVecs, bio.vcnt, bio.size]).toEqual([null, 0, 0, 0]);
    expect(() => bioInit(null, 1)).toThrow(/at most the table's 0 entries/);
    expect(() => bioInit(null, 1)).toThrow(ArgumentError);
  });
});

describe('refusals', () => {
  it("bio_add_folio: an offset whose page is past the memmap's last page", () => {
    const m = newMachine(MACHINE);
    const last = m.nrPages - 1;
    folioAt(m, 0, last);
    const bio = bioAlloc(4);
    expectRefused({
      call: 'bioAddFolio(m, bio, last, 100, 4096)',
      m,
      run: () => bioAddFolio(m, bio, last, 100, 4096),
      expect: { throws: /^bioAddFolio: off .*folio \+ 1/ },
      state: () => [bio.vcnt, bio.size],
    });
  });

  it('bvecArrayFrom: a page that is no PFN, an offset that is no unsigned int', () => {
    expect(() => bvecArrayFrom([{ page: 64, len: 1, offset: 0 }, { page: 1.5, len: 1, offset: 0 }])).toThrow(/^bvecArrayFrom: list\[1\]\.page /);
    expect(() => bvecArrayFrom([{ page: -2, len: 1, offset: 0 }])).toThrow(ArgumentError);
    expect(() => bvecArrayFrom([{ page: 64, len: 1, offset: -1 }])).toThrow(/^bvecArrayFrom: list\[0\]\.offset /);
    expect(() => bvecArrayFrom([{ page: 64, len: 1, offset: 2 ** 32 }])).toThrow(ArgumentError);
  });
});
