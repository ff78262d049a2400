/**
 * Catalogue 06: a bio's pages released twice.
 *
 * A direct-IO path builds a BIO_PAGE_PINNED bio over pinned user pages. Its submission
 * error path calls bio_release_pages(), and so does the completion handler it shares
 * with the success path. __bio_release_pages() unpins one pin per page each bvec spans,
 * so the second call drops pins that are gone.
 *
 * Rule (block/bio.c __bio_release_pages()): the pages of a bio are released once, at
 * completion.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  EIO,
  FOLL_WRITE,
  PAGE_SIZE,
  REQ_OP_READ,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  pinUserPagesFast,
  type Bio,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

/** Pins the buffer into a bio, as bio_iov_iter_get_pages() does. */
function buildBio(m: Machine, mm: Mm, addr: number, nrPages: number): Bio | number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, addr, nrPages, FOLL_WRITE, pages);
  if (ret < 0) return ret;
  const bio = bioAlloc(ret, REQ_OP_READ);
  for (let i = 0; i < ret; i++) bioAddPage(m, bio, pages[i]!, PAGE_SIZE, 0);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  return bio;
}

function endIo(m: Machine, bio: Bio): void {
  bioReleasePages(m, bio, true);
}

function dioReadWrong(m: Machine, mm: Mm, addr: number, nrPages: number, submitError: number): number {
  const bio = buildBio(m, mm, addr, nrPages);
  if (typeof bio === 'number') return bio;
  if (submitError < 0) bioReleasePages(m, bio, false); // error path releases...
  endIo(m, bio); // WRONG: ...and completion releases again
  return submitError < 0 ? submitError : nrPages;
}

function dioReadRight(m: Machine, mm: Mm, addr: number, nrPages: number, submitError: number): number {
  const bio = buildBio(m, mm, addr, nrPages);
  if (typeof bio === 'number') return bio;
  endIo(m, bio); // the one release, on every path
  return submitError < 0 ? submitError : nrPages;
}

describe('06 bio released twice', () => {
  it('wrong: the second bio_release_pages is caught, naming the first', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1..3: one merged bvec of 12 KiB
    const e = expectMisuse('bio-double-release', () => dioReadWrong(m, mm, addr, 3, -EIO));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^bio_release_pages: the bio \(1 bvec\(s\), 12288 bytes\) was already released by /);
    expect(first).toMatch(at('bio_release_pages', '06-bio-double-release.test.ts'));
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1, 1, 1]);
  });

  it('right: one release at completion, error or not', () => {
    const { m, mm, addr } = userBuffer(12 * KIB);
    expect(dioReadRight(m, mm, addr, 3, -EIO)).toBe(-EIO);
    expect(dioReadRight(m, mm, addr, 3, 0)).toBe(3);
    expect(Array.from(m.refcount.subarray(1, 4))).toEqual([1, 1, 1]);
  });
});
