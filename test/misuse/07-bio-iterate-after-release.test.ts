/**
 * Catalogue 07: a bio iterated after its pages were released.
 *
 * A read completion releases the bio's pages, then walks the bio with
 * bio_for_each_folio_all() to mark what the device wrote dirty. By then the pins are
 * gone: the folios may already be freed (the process unmapped the buffer during the
 * I/O) and reused, and marking them dirty corrupts someone else's page.
 *
 * Rule (block/bio.c __bio_release_pages()): once bio_release_pages() ran, the bio no
 * longer owns its pages. Dirty them while pinned: bio_release_pages(bio, true) does
 * both, in the right order.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  PAGE_SIZE,
  REQ_OP_READ,
  bioAddPage,
  bioAlloc,
  bioForEachFolioAll,
  bioReleasePages,
  bioSetFlag,
  folioMarkDirtyLock,
  folioTestDirty,
  pinUserPagesFast,
  type Bio,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

function readBio(m: Machine, mm: Mm, addr: number, nrPages: number): Bio {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  expect(ret).toBe(nrPages);
  const bio = bioAlloc(ret, REQ_OP_READ);
  for (let i = 0; i < ret; i++) bioAddPage(m, bio, pages[i]!, PAGE_SIZE, 0);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

function endIoWrong(m: Machine, bio: Bio): void {
  bioReleasePages(m, bio, false);
  for (const step of bioForEachFolioAll(m, bio)) folioMarkDirtyLock(m, step.folio); // WRONG: after the release
}

function endIoRight(m: Machine, bio: Bio): void {
  bioReleasePages(m, bio, true); // dirty each folio, then unpin it
}

describe('07 bio iterated after release', () => {
  it('wrong: bio_first_folio on the released bio is caught', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const bio = readBio(m, mm, addr, 2);
    const e = expectMisuse('bio-use-after-release', () => endIoWrong(m, bio));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^bio_first_folio: the bio \(1 bvec\(s\), 8192 bytes\) is iterated after its pages were released by /);
    expect(first).toMatch(at('bio_release_pages', '07-bio-iterate-after-release.test.ts'));
    expect([e.page, e.folio]).toEqual([1, 1]);
    expect([folioTestDirty(m, 1), folioTestDirty(m, 2)]).toEqual([false, false]);
  });

  it('right: bio_release_pages(bio, true) dirties while pinned', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    endIoRight(m, readBio(m, mm, addr, 2));
    expect([folioTestDirty(m, 1), folioTestDirty(m, 2)]).toEqual([true, true]);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
