/**
 * The page and folio a bio-level PinMisuse names (src/mm/pin-misuse.ts
 * PinMisuseSubject: "-1 when not one page"), for the pin checker's bio rules
 * (src/block/bio-release-checks.ts, bio-use-checks.ts; not kernel code):
 * bio-double-release names no page; bio-use-after-release names the first bvec's page
 * and its folio, or -1 for a bio with no bvec (bi_vcnt 0, whatever its table holds:
 * bio_init does not clear a caller's table). The kernel behaviour under them:
 * block/bio.c __bio_release_pages (bio_release_pages runs it only for BIO_PAGE_PINNED
 * bios, so an empty one releases nothing) and include/linux/bio.h
 * bio_for_each_folio_all. A read-only pin of an unfaulted anonymous page is the zero
 * page (mm/memory.c do_anonymous_page maps it for a read fault; mm/gup.c pins it since
 * v6.5), which is PFN 0 in the model.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  PAGE_SIZE,
  bioAddPage,
  bioAlloc,
  bioForEachFolioAll,
  bioInit,
  bioReleasePages,
  bioSetFlag,
  bvecArrayFrom,
  pinUserPages,
  pinUserPagesFast,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'bio-release-subject.test.ts';

describe('bio-double-release', () => {
  it('names no page and no folio', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, FOLL_WRITE, pages)).toBe(1);
    const bio = bioAlloc(1);
    expect(bioAddPage(m, bio, 1, PAGE_SIZE, 0)).toBe(PAGE_SIZE);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, false);
    const e = expectMisuse('bio-double-release', () => bioReleasePages(m, bio, false));
    expect(e.message.split('\n')[0]).toMatch(/^bio_release_pages: the bio \(1 bvec\(s\), 4096 bytes\) was already released by /);
    expect([e.page, e.folio]).toEqual([-1, -1]);
    expect([m.refcount[1], m.pincount[1]]).toEqual([1, 0]);
  });
});

describe('bio-use-after-release', () => {
  it('a released bio with no bvec names no page and no folio', () => {
    const { m } = userBuffer(4 * KIB);
    const bio = bioAlloc(1);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, false); // no folio step: nothing unpinned
    const e = expectMisuse('bio-use-after-release', () => [...bioForEachFolioAll(m, bio)]);
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^bio_first_folio: the bio \(0 bvec\(s\), 0 bytes\) is iterated after its pages were released by /);
    expect(first).toMatch(at('bio_release_pages', FILE));
    expect([e.page, e.folio]).toEqual([-1, -1]);
  });

  it('a bio_init over a table that still holds an old entry: bi_vcnt 0 means no bvec, no page', () => {
    const { m } = userBuffer(4 * KIB);
    const bio = bioInit(bvecArrayFrom([{ page: 1, len: PAGE_SIZE, offset: 0 }]), 1);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, false);
    const e = expectMisuse('bio-use-after-release', () => [...bioForEachFolioAll(m, bio)]);
    expect([e.page, e.folio]).toEqual([-1, -1]);
    expect([m.refcount[1], m.pincount[1]]).toEqual([1, 0]);
  });

  it('a released bio over the zero page names page 0, folio 0', () => {
    const { m, mm, addr } = userBuffer(4 * KIB, { present: 0 });
    const pages = new Int32Array(1);
    expect(pinUserPages(mm, addr, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(m.zeroPfn);
    expect(m.zeroPfn).toBe(0);
    const bio = bioAlloc(1);
    expect(bioAddPage(m, bio, 0, 512, 0)).toBe(512);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, false);
    const e = expectMisuse('bio-use-after-release', () => [...bioForEachFolioAll(m, bio)]);
    expect([e.page, e.folio]).toEqual([0, 0]);
  });
});
