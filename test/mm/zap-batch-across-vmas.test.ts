/**
 * zap_pte_range batches only PTEs that map the next pages of one folio, read from the
 * slots after the one it starts at. Three private mappings of one ext4 order-2 folio lie
 * back to back in reverse file order (file pages 2, 1, then 0..2), and the last page of
 * the third was written, so its PTE maps an anonymous copy. Unmapping the third mapping
 * drops one reference from file pages 0 and 1 (one batch of two) and the copy's only
 * reference; the two mappings below keep theirs. Expectations worked by hand from
 * mm/memory.c `zap_present_ptes` / `folio_pte_batch` (a batch ends at the first PTE that
 * is not the next PFN of the same folio), `do_cow_fault` and mm/filemap.c (one page-cache
 * reference per page), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  createFile,
  exitMmap,
  fileRelease,
  mmap,
  munmap,
  pageAt,
  pageFolio,
  userRead,
  userWrite,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;

describe('zap_pte_range next to mappings of the same folio in reverse order', () => {
  it('the batch stops at the anonymous copy; the mappings below keep their pages', () => {
    const { m, mm } = world();
    const file = createFile(m, 'ext4', 16 * KIB, { order: 2 }) as MmFile;
    const map = (addr: number, len: number, offset: number) =>
      expect(mmap(mm, { addr, length: len, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file, offset })).toBe(addr);
    map(BASE, 4 * KIB, 8 * KIB);
    map(BASE + 4 * KIB, 4 * KIB, 4 * KIB);
    map(BASE + 8 * KIB, 12 * KIB, 0);
    expect(userRead(mm, BASE, 20 * KIB)).toBe(0);
    expect(userWrite(mm, BASE + 16 * KIB, 4 * KIB, 7)).toBe(0);
    const v = vpnOf(BASE);
    const f = pageAt(mm.pt, v + 2);
    expect([pageFolio(m, f), m.order[f]]).toEqual([f, 2]);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 1), pageAt(mm.pt, v + 3)]).toEqual([f + 2, f + 1, f + 1]);
    const copy = pageAt(mm.pt, v + 4);
    expect(pageFolio(m, copy)).not.toBe(f);
    // Page cache: 4 references; PTEs: file pages 2, 1, 0, 1.
    expect([m.refcount[f], m.refcount[copy], m.mapcount[f], m.mapcount[f + 1], m.mapcount[f + 2]]).toEqual([8, 1, 1, 2, 1]);
    expect(munmap(mm, BASE + 8 * KIB, 12 * KIB)).toBe(0);
    expect([m.refcount[f], m.refcount[copy], m.mapcount[f], m.mapcount[f + 1], m.mapcount[f + 2]]).toEqual([6, 0, 0, 1, 1]);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 1)]).toEqual([f + 2, f + 1]);
    exitMmap(mm);
    fileRelease(file);
  });
});
