/**
 * MAP_POPULATE where populating cannot or need not fault: a VM_IO | VM_PFNMAP device
 * mapping (skipped: remap_pfn_range populated it already) and a file mapping longer
 * than its file (the faults past the end fail with SIGBUS and are ignored; mmap still
 * succeeds). Expectations worked by hand from mm/gup.c `__mm_populate` (ignore_errors:
 * a failing populate_vma_page_range moves on) and `populate_vma_page_range` /
 * `check_vma_flags` (VM_IO | VM_PFNMAP are not faulted), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  PROT_READ,
  createFile,
  exitMmap,
  fileRelease,
  mmap,
  pageAt,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('MAP_POPULATE', () => {
  it('a device mapping is not faulted: its PTEs are the ones mmap set up', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 8 * KIB, { shared: true, backing: 'device', populate: true });
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 1)]).toEqual([1, 2]);
    expect(vmstat(m).pgfault).toBe(0);
    exitMmap(mm);
  });

  it('a file mapping longer than the file: the pages inside are mapped, the ones past the end fail once each, mmap succeeds', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 12 * KIB, prot: PROT_READ, flags: MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, file })).toBe(BASE);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 1), pageAt(mm.pt, v + 2)]).toEqual([1, -1, -1]);
    expect(vmstat(m).pgfault).toBe(3);
    expect(m.refcount[1]).toBe(2); // page cache + the PTE
    exitMmap(mm);
    fileRelease(file);
  });
});
