/**
 * A file fault whose page-cache page cannot be allocated: VM_FAULT_OOM, which
 * handle_mm_fault's callers turn into -ENOMEM (not the SIGBUS -EFAULT of a page past
 * the end of the file); nothing is cached or mapped, and the fault succeeds once memory
 * is back. Expectations worked by hand from mm/filemap.c `filemap_fault`
 * (`__filemap_get_folio(FGP_CREAT)` failing with -ENOMEM returns VM_FAULT_OOM), mm/memory.c
 * `do_read_fault` / `do_cow_fault` (both call __do_fault first) and `vm_fault_to_errno`
 * (VM_FAULT_OOM -> -ENOMEM), v6.16+. PFN 0 is the zero page; next-fit wraps to PFN 1.
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
  mmap,
  pageAt,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, world } from '../support/mm-layout.js';
import { holdAllFree } from '../support/hold-free.js';

const RW = PROT_READ | PROT_WRITE;

describe('filemap_fault without memory for the page-cache page', () => {
  it('read fault (do_read_fault) and private write fault (do_cow_fault): -ENOMEM, nothing cached or mapped', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + MIB);
    const held = holdAllFree(m);
    const allocs = vmstat(m).folioAllocs;
    expect(handleMmFault(mm, BASE)).toBe(-ENOMEM);
    expect(handleMmFault(mm, BASE + MIB, { write: true })).toBe(-ENOMEM);
    expect([file.cache[0], pageAt(mm.pt, vpnOf(BASE)), pageAt(mm.pt, vpnOf(BASE + MIB))]).toEqual([-1, -1, -1]);
    expect([vmstat(m).folioAllocs - allocs, vmstat(m).cowCopies, vmstat(m).pgfault]).toEqual([0, 0, 2]);
    for (const f of held) folioPut(m, f);
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect([file.cache[0], pageAt(mm.pt, vpnOf(BASE))]).toEqual([1, 1]);
    exitMmap(mm);
    fileRelease(file);
  });
});
