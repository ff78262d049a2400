/**
 * The release loops' arithmetic at the edges, worked from mm/gup.c (v6.16+):
 *
 *   gup_folio_range_next(start, npages, i, &nr):
 *       next = nth_page(start, i); folio = page_folio(next); nr = 1;
 *       if (folio_test_large(folio))
 *           nr = min_t(unsigned int, npages - i, folio_nr_pages(folio) - folio_page_idx(folio, next));
 *
 *   unpin_user_page_range_dirty_lock: for each run, if (make_dirty && !folio_test_dirty(folio))
 *       { folio_lock; folio_mark_dirty; folio_unlock; } then gup_put_folio(folio, nr, FOLL_PIN).
 *
 *   unpin_folios: for (i = 0; i < nfolios; i++) { for (j = i + 1; j < nfolios; j++)
 *       if (folios[i] != folios[j]) break; if (folios[i]) gup_put_folio(folios[i], j - i, FOLL_PIN); i = j - 1; }
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_PIN,
  allocFolio,
  folioPut,
  folioTestDirty,
  gupFolioRangeNext,
  tryGrabFolio,
  unpinFolios,
  unpinUserPageRangeDirtyLock,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';

describe('gup_folio_range_next', () => {
  it('a range inside one order-4 folio: min(npages - i, pages left in the folio)', () => {
    const m = newMachine();
    const f = allocFolio(m, 4);
    const out = new Int32Array(1);
    // start f+2, 5 pages, i = 1: page f+3, 4 of the range left, 13 of the folio: 4.
    expect(gupFolioRangeNext(m, f + 2, 5, 1, out)).toBe(f);
    expect(out[0]).toBe(4);
    // start f+2, 40 pages, i = 0: 14 pages left in the folio.
    expect(gupFolioRangeNext(m, f + 2, 40, 0, out)).toBe(f);
    expect(out[0]).toBe(14);
    // i = 14 reaches the next folio (an order-0 one here, or free memory): nr 1.
    const g = allocFolio(m, 0);
    expect(g).toBe(f + 16);
    expect(gupFolioRangeNext(m, f + 2, 40, 14, out)).toBe(g);
    expect(out[0]).toBe(1);
    folioPut(m, f);
    folioPut(m, g);
  });
});

describe('unpin_user_page_range_dirty_lock', () => {
  it('make_dirty false leaves a clean folio clean; true dirties it; each run is one put', () => {
    const m = newMachine();
    const a = allocFolio(m, 2);
    const b = allocFolio(m, 2);
    expect(tryGrabFolio(m, a, 4, FOLL_PIN)).toBe(0);
    expect(tryGrabFolio(m, b, 4, FOLL_PIN)).toBe(0);
    expect([folioTestDirty(m, a), folioTestDirty(m, b)]).toEqual([false, false]);
    unpinUserPageRangeDirtyLock(m, a, 4, false);
    expect(folioTestDirty(m, a)).toBe(false);
    unpinUserPageRangeDirtyLock(m, b, 4, true);
    expect(folioTestDirty(m, b)).toBe(true);
    expect([m.pincount[a], m.pincount[b], m.refcount[a], m.refcount[b]]).toEqual([0, 0, 1, 1]);
    folioPut(m, a);
    folioPut(m, b);
  });
});

describe('unpin_folios', () => {
  it('reads no entry past nfolios: [a, a] with nfolios 1 drops one pin', () => {
    const m = newMachine();
    const a = allocFolio(m, 1);
    expect(tryGrabFolio(m, a, 2, FOLL_PIN)).toBe(0);
    unpinFolios(m, [a, a], 1);
    expect([m.pincount[a], m.refcount[a]]).toEqual([1, 2]);
    unpinFolios(m, [a, a], 1);
    expect([m.pincount[a], m.refcount[a]]).toEqual([0, 1]);
    folioPut(m, a);
  });
});
