/**
 * bio_set_pages_dirty before a Direct IO read, worked by hand from block/bio.c (T,
 * linux-block-trial): `bio_for_each_folio_all(fi, bio) { folio_lock; folio_mark_dirty;
 * folio_unlock; }`, so every folio a bvec touches becomes dirty, one folio_mark_dirty per
 * folio step, and folios no bvec touches stay clean. No reference or pin is taken.
 * Layout (layout.ts): order-2 folios at 64 and 68, order-0 folios at 72, 80 and 81.
 */
import { describe, expect, it } from 'vitest';
import { __bioAddPage, bioAlloc, bioSetPagesDirty, folioTestDirty } from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { tableLayout } from './layout.js';

describe('bio_set_pages_dirty', () => {
  it('dirties each folio the bvecs span, across a folio boundary, and nothing else', () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    tableLayout(m);
    const bio = bioAlloc(4);
    // Bvec 0: the last 100 bytes of page 67 and 100 of page 68 (folios 64 and 68).
    __bioAddPage(m, bio, 67, 200, 4096 - 100);
    // Bvec 1: page 80.
    __bioAddPage(m, bio, 80, 4096, 0);
    const folios = [64, 68, 72, 80, 81];
    expect(folios.map((f) => folioTestDirty(m, f))).toEqual([false, false, false, false, false]);
    bioSetPagesDirty(m, bio);
    expect(folios.map((f) => folioTestDirty(m, f))).toEqual([true, true, false, true, false]);
    expect(folios.map((f) => m.refcount[f])).toEqual([1, 1, 1, 1, 1]);
  });
});
