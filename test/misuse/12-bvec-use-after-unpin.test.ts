/**
 * Catalogue 12: a bvec iterated after its pages were unpinned.
 *
 * A driver describes a pinned range with a bio_vec, unpins the pages when the device
 * is done, and only then walks the bvec's folios to copy data out. A bvec holds no
 * reference of its own: after the unpin it points at pages the driver no longer owns,
 * which are free if the process unmapped them meanwhile.
 *
 * Rule: use a bvec only while the pins behind it are held; walk it first, then unpin.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  bvecArrayAlloc,
  bvecAt,
  bvecForEachFolio,
  bvecSetPage,
  pinUserPagesFast,
  unpinUserPages,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

/** Pins two pages and describes them with one bvec (they are physically contiguous here). */
function pinAsBvec(mm: Mm, addr: number, pages: Int32Array) {
  expect(pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages)).toBe(2);
  const bvs = bvecArrayAlloc(1);
  bvecSetPage(bvs, 0, pages[0]!, 2 * 4096, 0);
  return bvs;
}

function copyOutWrong(m: Machine, mm: Mm, addr: number): number {
  const pages = new Int32Array(2);
  const bvs = pinAsBvec(mm, addr, pages);
  unpinUserPages(m, pages, 2);
  let bytes = 0;
  for (const step of bvecForEachFolio(m, bvecAt(bvs, 0))) bytes += step.length; // WRONG: after the unpin
  return bytes;
}

function copyOutRight(m: Machine, mm: Mm, addr: number): number {
  const pages = new Int32Array(2);
  const bvs = pinAsBvec(mm, addr, pages);
  let bytes = 0;
  for (const step of bvecForEachFolio(m, bvecAt(bvs, 0))) bytes += step.length;
  unpinUserPages(m, pages, 2);
  return bytes;
}

describe('12 bvec used after unpin', () => {
  it('wrong: walking the bvec is caught at its first page', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const e = expectMisuse('bvec-use-after-release', () => copyOutWrong(m, mm, addr));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(
      /^bvec_first_folio: the bvec \(page 1, len 8192, offset 0\) spans page 1 \(folio 1, order 0\), whose pin was released by /,
    );
    expect(first).toMatch(at('unpin_user_pages', '12-bvec-use-after-unpin.test.ts'));
  });

  it('right: walk, then unpin', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    expect(copyOutRight(m, mm, addr)).toBe(8192);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
