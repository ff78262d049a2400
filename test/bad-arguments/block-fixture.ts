/**
 * The fixture of the block-layer bad-argument tables: a 4 MiB machine (1024 pages) with
 * test/block/layout.ts tableLayout (order-2 folios at 64 and 68, order-0 at 72, 80,
 * 81), a user buffer at BASE backed by an order-2 folio at PFN 128, four bvecs over
 * folio 64, an empty 4-vector bio and a 16 KiB UBUF iterator over the buffer.
 */
import { expect } from 'vitest';
import { BIO_PAGE_PINNED, FOLL_WRITE, ITER_DEST, PAGE_SIZE, bioAddPage, bioAlloc, bioReleasePages, bioSetFlag, bvecArrayFrom, iovIterUbuf, pinUserPagesFast } from '../../src/index.js';
import { BASE, MIB, world } from '../support/mm-layout.js';
import { tableLayout } from '../block/layout.js';
import { userBuffer } from '../block/user-buffer.js';

/** The fixture every row gets fresh (a 4 MiB machine: 1024 pages): four bvecs over folio 64, an empty 4-vector bio. */
export function fx() {
  const { m, mm } = world({ memoryBytes: 4 * MIB });
  tableLayout(m);
  userBuffer(mm, BASE, 4, [{ order: 2, pfn: 128 }]);
  const bvs = bvecArrayFrom([
    { page: 64, len: 4096, offset: 0 },
    { page: 65, len: 4096, offset: 0 },
    { page: 66, len: 4096, offset: 0 },
    { page: 67, len: 4096, offset: 0 },
  ]);
  return { m, mm, bvs, bio: bioAlloc(4), ubuf: iovIterUbuf(ITER_DEST, BASE, 4 * PAGE_SIZE) };
}
export type Fx = ReturnType<typeof fx>;

/** A bio holding one pinned page (BASE, PFN 128), released after the row. */
export function pinnedBio(f: Fx) {
  const pages = new Int32Array(1);
  expect(pinUserPagesFast(f.mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
  expect(bioAddPage(f.m, f.bio, pages[0]!, 4096, 0)).toBe(4096);
  bioSetFlag(f.bio, BIO_PAGE_PINNED);
  return () => bioReleasePages(f.m, f.bio, false);
}

