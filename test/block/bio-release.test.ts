// Release at completion: block/bio.c __bio_release_pages (T, v6.12+: unpin_user_folio
// per folio step) against the v6.6-v6.11 per-page loop; include/linux/bio.h
// bio_release_pages (BIO_PAGE_PINNED only). Layout (layout.ts): order-2 folios at 64 and
// 68, order-0 folios at 72, 80, 81.
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import {
  BIO_PAGE_PINNED,
  FOLL_PIN,
  GUP_PIN_COUNTING_BIAS,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  folioPut,
  folioTestDirty,
  pageAllocated,
  pageFolio,
  tryGrabFolio,
  vmstat,
  type Bio,
  type BioReleaseMode,
  type Machine,
} from '../../src/index.js';
import { tableLayout } from './layout.js';

// One vector, bytes 100 of page 66 through byte 499 of page 72: pages 66..72, seven
// pages, one pin each (the invariant: one pin per page spanned by each bvec).
function pinnedBio(m: Machine): Bio {
  tableLayout(m);
  for (let p = 66; p <= 72; p++) expect(tryGrabFolio(m, pageFolio(m, p), 1, FOLL_PIN)).toBe(0);
  const bio = bioAlloc(4);
  expect(bioAddPage(m, bio, 66, 24976, 100)).toBe(24976);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

describe('bio_release_pages', () => {
  it('pins: folio 64 +2, folio 68 +4, order-0 folio 72 +1 bias', () => {
    const m = newMachine();
    const bio = pinnedBio(m);
    expect([m.refcount[64], m.pincount[64], m.refcount[68], m.pincount[68], m.refcount[72]]).toEqual([
      3,
      2,
      5,
      4,
      1 + GUP_PIN_COUNTING_BIAS,
    ]);
    bioReleasePages(m, bio, false);
  });

  // Steps (64, 8292, 8092) -> pages 2..3 of the folio = 2 pins; (68, 0, 16384) -> 4;
  // (72, 0, 500) -> 1. Per folio: three puts (two with a pincount atomic). Per page:
  // seven puts (six with a pincount atomic).
  const cases: [BioReleaseMode, number, number][] = [
    ['folio', 3, 2],
    ['page', 7, 6],
  ];
  for (const [mode, refAtomics, pinAtomics] of cases) {
    it(`'${mode}' release drops all seven pins with ${refAtomics} refcount and ${pinAtomics} pincount atomics`, () => {
      const m = newMachine();
      const bio = pinnedBio(m);
      const before = { ...m.cost };
      bioReleasePages(m, bio, false, mode);
      expect([m.refcount[64], m.pincount[64], m.refcount[68], m.pincount[68], m.refcount[72]]).toEqual([1, 0, 1, 0, 1]);
      expect(vmstat(m).nrFollPinAcquired).toBe(7);
      expect(vmstat(m).nrFollPinReleased).toBe(7);
      expect(m.cost.pagesReleased - before.pagesReleased).toBe(7);
      expect(m.cost.refcountAtomics - before.refcountAtomics).toBe(refAtomics);
      expect(m.cost.pincountAtomics - before.pincountAtomics).toBe(pinAtomics);
    });
  }

  it('marks every folio step dirty when asked', () => {
    const m = newMachine();
    const bio = pinnedBio(m);
    bioReleasePages(m, bio, true);
    expect([folioTestDirty(m, 64), folioTestDirty(m, 68), folioTestDirty(m, 72), folioTestDirty(m, 80)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('does nothing without BIO_PAGE_PINNED (KVEC/BVEC pages carry no pin)', () => {
    const m = newMachine();
    tableLayout(m);
    const bio = bioAlloc(4);
    bioAddPage(m, bio, 80, 4096, 0);
    bioReleasePages(m, bio, true);
    expect([m.refcount[80], folioTestDirty(m, 80), m.cost.pagesReleased]).toEqual([1, false, 0]);
  });

  it('frees a folio whose last references were the pins, and carries on to the next', () => {
    const m = newMachine();
    const bio = pinnedBio(m);
    folioPut(m, 64); // drop the allocation's reference: only the two pins hold folio 64
    bioReleasePages(m, bio, false);
    expect(pageAllocated(m, 64)).toBe(false);
    expect([m.refcount[68], m.refcount[72]]).toEqual([1, 1]);
  });
});
