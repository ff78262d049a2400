/**
 * hugetlb faults with no huge page to be had: the fault is -ENOMEM and changes nothing,
 * and the same fault succeeds once a huge page is free again. The model's hugetlb pool
 * is the plain allocator (src/mm/hugetlb-fault.ts header: "a huge page comes from the
 * allocator, failing with -ENOMEM"); the kernel code the expectations follow is
 * mm/hugetlb.c (v6.16+) `hugetlb_no_page` (a shared mapping allocates the page-cache
 * folio with `alloc_hugetlb_folio` before touching the page table and returns
 * `vmf_error(PTR_ERR(folio))`, VM_FAULT_OOM for -ENOMEM) and `hugetlb_wp` (the copy
 * is allocated first; on failure `out_release_old` leaves the read-only entry and the
 * old folio as they were). The allocator is next-fit, so after the huge pages held
 * here are freed the next one is the first free one again, PFN 512.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  createFile,
  exitMmap,
  fileRelease,
  folioPut,
  handleMmFault,
  leafBitsAt,
  mmap,
  pageAt,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, LEAF_RO, LEAF_RW, MIB, mapAt, world } from '../support/mm-layout.js';
import { holdAllFree } from '../support/hold-free.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

describe('hugetlb_no_page without a huge page', () => {
  it('a shared mapping: -ENOMEM, nothing mapped or cached; then the fault maps PFN 512', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    const held = holdAllFree(m, 9);
    expect(held).toEqual([512, 1024, 1536, 2048, 2560, 3072, 3584]);
    expect(handleMmFault(mm, BASE, { write: true })).toBe(-ENOMEM);
    expect(handleMmFault(mm, BASE, { write: false })).toBe(-ENOMEM);
    expect(pageAt(mm.pt, v)).toBe(-1);
    expect(m.warnings).toEqual([]);
    for (const f of held) folioPut(m, f);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v)).toBe(LEAF_RW);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([513, 1]); // 512 cache refs + the PMD
    exitMmap(mm);
  });
});

describe('hugetlb_wp without a huge page for the copy', () => {
  it('a write to a private mapping of a cached folio: -ENOMEM, the read-only leaf stays; then the copy is PFN 1024', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 2 * MIB, length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 2 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // page cache folio PFN 512
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: false })).toBe(0); // the cached folio, read-only
    expect(leafBitsAt(mm.pt, v + 512)).toBe(LEAF_RO);
    const held = holdAllFree(m, 9);
    expect(held).toEqual([1024, 1536, 2048, 2560, 3072, 3584]);
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: true })).toBe(-ENOMEM);
    expect([pageAt(mm.pt, v + 512), leafBitsAt(mm.pt, v + 512)]).toEqual([512, LEAF_RO]);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([514, 2, 0]);
    expect(m.warnings).toEqual([]);
    for (const f of held) folioPut(m, f);
    expect(userWrite(mm, BASE + 2 * MIB + 4 * KIB, 4 * KIB, 6)).toBe(0);
    expect([pageAt(mm.pt, v + 512), leafBitsAt(mm.pt, v + 512)]).toEqual([1024, LEAF_RW]);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([513, 1, 1]);
    expect(userReadTags(mm, BASE + 2 * MIB, 8 * KIB)).toEqual(new Int32Array([5, 6]));
    exitMmap(mm);
    fileRelease(file);
  });
});
