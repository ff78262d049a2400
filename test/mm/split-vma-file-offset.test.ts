/**
 * split_vma on a file mapping: the upper part keeps mapping the file where it did. After
 * a munmap cuts a mapping of file pages 1..3 below its second page, the rest starts at
 * file page 2 and faults in that page, not page 0 or a page past the file. Expectations
 * worked by hand from mm/vma.c `__split_vma` (new_below == 0: `new->vm_pgoff +=
 * ((addr - vma->vm_start) >> PAGE_SHIFT)`) and mm/filemap.c (`linear_page_index`),
 * v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_FIXED,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  createFile,
  exitMmap,
  fileRelease,
  mmap,
  munmap,
  pageAt,
  userReadTags,
  userWrite,
  vmaLookup,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;

describe('split_vma of a shared shmem mapping at file offset 4 KiB', () => {
  it('the part above a munmapped first page has pgoff 2 and reads file pages 2 and 3', () => {
    const { mm, m } = world();
    const file = createFile(m, 'shmem', 16 * KIB) as MmFile;
    // Write file pages 0..3 through a second mapping, so the mapping under test faults afresh.
    const writer = BASE + MIB;
    expect(mmap(mm, { addr: writer, length: 16 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(writer);
    for (let p = 0; p < 4; p++) expect(userWrite(mm, writer + p * 4 * KIB, 4 * KIB, 10 + p)).toBe(0);
    expect(mmap(mm, { addr: BASE, length: 12 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file, offset: 4 * KIB })).toBe(BASE);
    expect(munmap(mm, BASE, 4 * KIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE + 4 * KIB)).toMatchObject({ start: BASE + 4 * KIB, end: BASE + 12 * KIB, pgoff: 2 });
    expect(userReadTags(mm, BASE + 4 * KIB, 8 * KIB)).toEqual(new Int32Array([12, 13]));
    expect(pageAt(mm.pt, vpnOf(BASE + 4 * KIB))).toBe(pageAt(mm.pt, vpnOf(writer + 8 * KIB)));
    exitMmap(mm);
    fileRelease(file);
  });
});
