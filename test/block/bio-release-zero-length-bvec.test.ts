/**
 * A zero-length bvec at completion, worked by hand from block/bio.c __bio_release_pages
 * (T, per folio: nr_pages = (offset + length - 1) / PAGE_SIZE - offset / PAGE_SIZE + 1,
 * then unpin_user_folio(folio, nr_pages)) and its v6.6-v6.11 per-page loop
 * (`do { unpin_user_page(page++); } while (--nr_pages != 0)`). A zero-length step at
 * in-folio offset 8192 gives nr_pages 1 - 2 + 1 = 0: per folio nothing is unpinned for
 * it; per page, --0 wraps and the loop runs away through the memmap (KernelBug).
 * Layout (layout.ts): order-2 folio at 64, order-0 folio at 72.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_PIN,
  KernelBug,
  __bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  tryGrabFolio,
  vmstat,
  type Bio,
  type Machine,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { tableLayout } from './layout.js';

/** Bvec 0: 100 bytes of page 72 (pinned); bvec 1: 0 bytes at page 66 (folio 64, offset 8192). */
function bioWithEmptyBvec(m: Machine): Bio {
  tableLayout(m);
  expect(tryGrabFolio(m, 72, 1, FOLL_PIN)).toBe(0);
  const bio = bioAlloc(4);
  __bioAddPage(m, bio, 72, 100, 0);
  __bioAddPage(m, bio, 66, 0, 0);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

describe('a zero-length bvec in bio_release_pages', () => {
  it("per folio (T): folio 72 is unpinned, folio 64's step unpins nothing", () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    const bio = bioWithEmptyBvec(m);
    expect(m.refcount[72]).toBe(1 + 1024);
    bioReleasePages(m, bio, false);
    expect([m.refcount[72], m.refcount[64], m.pincount[64], vmstat(m).nrFollPinReleased]).toEqual([1, 1, 0, 1]);
  });

  it('per page (v6.6-v6.11): the loop wraps on nr_pages 0 (KernelBug) after unpinning page 72', () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    const bio = bioWithEmptyBvec(m);
    let thrown: unknown = null;
    try {
      bioReleasePages(m, bio, false, 'page');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KernelBug);
    expect((thrown as Error).message).toBe('__bio_release_pages: nr_pages 0 wraps in the per-page loop (folio 64)');
    expect([m.refcount[72], vmstat(m).nrFollPinReleased]).toEqual([1, 1]);
  });
});
