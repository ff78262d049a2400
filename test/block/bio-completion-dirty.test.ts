/**
 * Completion of a read bio, worked by hand from block/bio.c (T): bio_check_pages_dirty
 * releases with bio_release_pages(bio, false) when every folio is still dirty, and
 * otherwise (a folio was cleaned during the read) defers to bio_dirty_fn, which
 * releases with mark_dirty set (run at once in the model). Also the FOLL_GET-era
 * release (block/bio.c v5.x bio_release_pages: set_page_dirty_lock on non-compound
 * pages, then put_page per segment), which does nothing for a bio without a table.
 * Layout (layout.ts): order-2 folio at 64, order-0 folios at 72 and 80.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_GET,
  FOLL_PIN,
  bioAddPage,
  bioAlloc,
  bioCheckPagesDirty,
  bioReleasePages,
  bioReleasePagesFollGet,
  bioSetFlag,
  folioMarkDirty,
  folioTestDirty,
  tryGrabFolio,
  vmstat,
  type Bio,
  type Machine,
} from '../../src/index.js';
import { newMachine, refcountSnapshot } from '../support/machines.js';
import { tableLayout } from './layout.js';

const MACHINE = { memoryBytes: 16 * 1024 * 1024 };

/** Page 64 (order-2 folio 64) and page 72 (order-0), one bvec each, held with `flag`. */
function twoFolioBio(m: Machine, flag: number): Bio {
  tableLayout(m);
  expect(tryGrabFolio(m, 64, 1, flag)).toBe(0);
  expect(tryGrabFolio(m, 72, 1, flag)).toBe(0);
  const bio = bioAlloc(4);
  expect(bioAddPage(m, bio, 64, 4096, 0)).toBe(4096);
  expect(bioAddPage(m, bio, 72, 4096, 0)).toBe(4096);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

describe('bio_check_pages_dirty', () => {
  it('a cleaned folio: release with mark_dirty, so folio 72 is dirty again', () => {
    const m = newMachine(MACHINE);
    const bio = twoFolioBio(m, FOLL_PIN);
    folioMarkDirty(m, 64); // 72 is clean: what writeback leaves after a clean
    const calls: boolean[] = [];
    bioCheckPagesDirty(m, bio, (mm, b, markDirty) => {
      calls.push(markDirty);
      bioReleasePages(mm, b, markDirty);
    });
    expect([calls, folioTestDirty(m, 64), folioTestDirty(m, 72)]).toEqual([[true], true, true]);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 2, nrFollPinReleased: 2 });
  });

  it('every folio dirty: release without mark_dirty', () => {
    const m = newMachine(MACHINE);
    const bio = twoFolioBio(m, FOLL_PIN);
    folioMarkDirty(m, 64);
    folioMarkDirty(m, 72);
    const calls: boolean[] = [];
    bioCheckPagesDirty(m, bio, (mm, b, markDirty) => {
      calls.push(markDirty);
      bioReleasePages(mm, b, markDirty);
    });
    expect(calls).toEqual([false]);
  });
});

describe('bio_release_pages, FOLL_GET era', () => {
  it('mark_dirty dirties the order-0 page only (not the compound one), then puts both', () => {
    const m = newMachine(MACHINE);
    const bio = twoFolioBio(m, FOLL_GET);
    // The allocation's reference plus the FOLL_GET one.
    expect([m.refcount[64], m.refcount[72]]).toEqual([2, 2]);
    bioReleasePagesFollGet(m, bio, true);
    expect([folioTestDirty(m, 64), folioTestDirty(m, 72)]).toEqual([false, true]);
    expect([m.refcount[64], m.refcount[72]]).toEqual([1, 1]);
  });

  it('a BIO_PAGE_PINNED bio with no bvec table: nothing to put', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const before = refcountSnapshot(m);
    const bio = bioAlloc(0);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePagesFollGet(m, bio, true);
    expect(Array.from(m.refcount)).toEqual(Array.from(before));
  });
});
