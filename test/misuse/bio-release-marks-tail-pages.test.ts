/**
 * A bio over tail pages of a large folio: the pin checker (src/block/bio-release-checks.ts,
 * not kernel code) checks and marks the exact pages each folio step releases, so a later
 * walk of a bvec over one of them is reported as released by bio_release_pages.
 * Kernel: block/bio.c __bio_release_pages (T) unpins, per folio step, pages
 * `offset / PAGE_SIZE .. (offset + length - 1) / PAGE_SIZE` of the folio with
 * unpin_user_folio; here the step is folio 4, offset 4096, length 8192: pages 5 and 6.
 * Buffer (driver-world.ts): one order-2 folio at PFN 4 (pages 4..7).
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  FolioIter,
  PAGE_SIZE,
  bioAddPage,
  bioAlloc,
  bioForEachFolioAll,
  bioReleasePages,
  bioSetFlag,
  bvecFirstFolio,
  pinUserPagesFast,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

describe('bio_release_pages over pages 5 and 6 of folio 4', () => {
  it('releases exactly those pins, and marks those pages released', () => {
    const { m, mm, addr } = userBuffer(16 * KIB, { order: 2 });
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr + PAGE_SIZE, 2, FOLL_WRITE, pages)).toBe(2);
    expect(Array.from(pages)).toEqual([5, 6]);
    const bio = bioAlloc(2);
    expect(bioAddPage(m, bio, 5, PAGE_SIZE, 0)).toBe(PAGE_SIZE);
    expect(bioAddPage(m, bio, 6, PAGE_SIZE, 0)).toBe(PAGE_SIZE); // merged: one bvec
    expect([...bioForEachFolioAll(m, bio)]).toEqual([{ folio: 4, offset: 4096, length: 8192 }]);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, false);
    expect([m.pincount[4], m.stat.nrFollPinAcquired, m.stat.nrFollPinReleased]).toEqual([0, 2, 2]);
    const e = expectMisuse('bvec-use-after-release', () => bvecFirstFolio(m, new FolioIter(), 6, 100, 0));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^bvec_first_folio: the bvec \(page 6, len 100, offset 0\) spans page 6 \(folio 4, order 2\), whose pin was released by /);
    expect(first).toMatch(at('bio_release_pages', 'bio-release-marks-tail-pages.test.ts'));
    expect([e.page, e.folio]).toEqual([6, 4]);
  });
});
