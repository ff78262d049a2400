/**
 * Catalogue 15: a pinned bio whose pages the driver already unpinned itself.
 *
 * A driver keeps its own page array next to the BIO_PAGE_PINNED bio it built from it.
 * On a short transfer it unpins the array (its usual cleanup), and the bio completion
 * then runs bio_release_pages(), which unpins the same pages again: one bio, two owners
 * of its pins.
 *
 * Rule (block/bio.c __bio_release_pages(); include/linux/bio.h): a BIO_PAGE_PINNED bio
 * owns its pins and bio_release_pages() drops them; release each pin exactly once.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  PAGE_SIZE,
  REQ_OP_READ,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  pinUserPagesFast,
  unpinUserPages,
  type Bio,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

/** Pins the buffer into a BIO_PAGE_PINNED bio; the driver keeps its page array too. */
function buildBio(m: Machine, mm: Mm, addr: number, pages: Int32Array): Bio {
  expect(pinUserPagesFast(mm, addr, pages.length, FOLL_WRITE, pages)).toBe(pages.length);
  const bio = bioAlloc(pages.length, REQ_OP_READ);
  for (let i = 0; i < pages.length; i++) bioAddPage(m, bio, pages[i]!, PAGE_SIZE, 0);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

function readShortWrong(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const bio = buildBio(m, mm, addr, pages);
  const transferred = PAGE_SIZE; // the device stopped early
  if (transferred < nrPages * PAGE_SIZE) unpinUserPages(m, pages, nrPages); // WRONG: the bio owns them
  bioReleasePages(m, bio, true); // completion
  return transferred;
}

function readShortRight(m: Machine, mm: Mm, addr: number, nrPages: number): number {
  const pages = new Int32Array(nrPages);
  const bio = buildBio(m, mm, addr, pages);
  const transferred = PAGE_SIZE;
  bioReleasePages(m, bio, true); // the one release, short or not
  return transferred;
}

describe('15 bio released after the driver unpinned its pages', () => {
  it('wrong: bio_release_pages finds the pins gone and names who dropped them', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2: one bvec of 8 KiB
    const e = expectMisuse('double-release', () => readShortWrong(m, mm, addr, 2));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(
      /^bio_release_pages: bvec 0 \(page 1, len 8192, offset 0\): page 1 \(folio 1, order 0\) holds no pin: its pin was already released by /,
    );
    expect(first).toMatch(at('unpin_user_pages', '15-bio-after-manual-unpin.test.ts'));
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });

  it('right: the bio completion is the only release', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    expect(readShortRight(m, mm, addr, 2)).toBe(PAGE_SIZE);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
