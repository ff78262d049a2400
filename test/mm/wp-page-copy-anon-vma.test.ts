/**
 * A COW copy gives the VMA its anon_vma, so fork copies its page tables: a private
 * mapping whose only anonymous page came from wp_page_copy (a write after a read of the
 * zero page, or after a read of a private file page) is copied into the child, which
 * then sees the written data. Expectations worked by hand from mm/memory.c
 * `wp_page_copy` (v6.16+: `vmf_anon_prepare` before the copy), `vma_needs_copy`
 * (`src_vma->anon_vma` means copy) and `copy_present_pte` (anonymous page: one more
 * reference and mapping, PageAnonExclusive cleared, both PTEs write-protected).
 */
import { describe, expect, it } from 'vitest';
import {
  PG_ANON_EXCLUSIVE,
  _PAGE_RW,
  exitMmap,
  handleMmFault,
  leafBitsAt,
  pageAt,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type Mm,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

function forkOk(mm: Mm): Mm {
  const child = forked(mm);
  return child;
}

describe('fork after the first anonymous page of a VMA came from wp_page_copy', () => {
  it('private anonymous: read (zero page), write (COW of the zero page), fork: the child maps the copy', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(handleMmFault(mm, BASE)).toBe(0); // the zero page: no anon_vma yet
    expect(userWrite(mm, BASE, 4 * KIB, 7)).toBe(0); // wp_page_copy: PFN 1
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(vmstat(m).cowCopies).toBe(1);
    const child = forkOk(mm);
    expect(pageAt(child.pt, v)).toBe(1);
    expect([m.refcount[1], m.mapcount[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect([leafBitsAt(mm.pt, v) & _PAGE_RW, leafBitsAt(child.pt, v) & _PAGE_RW]).toEqual([0, 0]);
    expect(userReadTags(child, BASE, 4 * KIB)).toEqual(new Int32Array([7]));
    exitMmap(child);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([1, 1]);
  });

  it('private ext4 file: read (page cache), write (COW of the file page), fork: the child maps the copy', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { backing: 'ext4' });
    expect(handleMmFault(mm, BASE)).toBe(0); // the page-cache page, read-only: no anon_vma yet
    const cachePage = pageAt(mm.pt, v);
    expect(userWrite(mm, BASE, 4 * KIB, 9)).toBe(0); // wp_page_copy of the file page
    const copy = pageAt(mm.pt, v);
    expect(copy).not.toBe(cachePage);
    expect(vmstat(m).cowCopies).toBe(1);
    const child = forkOk(mm);
    expect(pageAt(child.pt, v)).toBe(copy);
    expect([m.refcount[copy], m.mapcount[copy], m.flags[copy]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect(userReadTags(child, BASE, 4 * KIB)).toEqual(new Int32Array([9]));
    exitMmap(child);
  });
});
