/**
 * A fault on a present PMD leaf or PTE that already allows the access: the entry only
 * gets its young bit and, for a write, its dirty bit; a read fault changes nothing, and
 * the folio is not marked dirty (the dirty entry carries that). Only a write or unshare
 * on an entry without write permission goes to wp_huge_pmd / do_wp_page. Expectations
 * worked by hand from mm/memory.c `__handle_mm_fault` (`if ((flags & (FAULT_FLAG_WRITE
 * | FAULT_FLAG_UNSHARE)) && !pmd_write(vmf.orig_pmd)) return wp_huge_pmd(); else
 * huge_pmd_set_accessed()`), mm/huge_memory.c `huge_pmd_set_accessed` / `touch_pmd`
 * (pmd_mkyoung, pmd_mkdirty when writing) and mm/memory.c `handle_pte_fault` (same
 * rule: `if (vmf->flags & FAULT_FLAG_WRITE) entry = pte_mkdirty(entry)` after the
 * do_wp_page test), with `do_set_pmd` / `finish_fault` giving a shared shmem mapping a
 * writable clean entry on a read fault and an ext4 one (write notification) a
 * read-only one, v6.16+. PFN 0 is the zero page: the first PMD-order folio is PFN 512,
 * the first order-0 one PFN 1.
 */
import { describe, expect, it } from 'vitest';
import {
  PG_DIRTY,
  PMD_ORDER,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  createFile,
  exitMmap,
  fileRelease,
  handleMmFault,
  leafBitsAt,
  pageAt,
  vmstat,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);
const HUGE_CLEAN_RW = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_RW;

describe('huge_pmd_set_accessed: a present PMD leaf that allows the access', () => {
  it('a read fault on a writable clean shmem PMD changes neither the PMD nor the folio', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 2 * MIB, { shared: true, file: file });
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([512, HUGE_CLEAN_RW]);
    expect(handleMmFault(mm, BASE + 5 * 4 * KIB)).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v), m.flags[512]! & PG_DIRTY]).toEqual([512, HUGE_CLEAN_RW, 0]);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).pgfault]).toEqual([513, 1, 2]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a write fault on a writable clean shmem PMD makes the PMD dirty, not the folio', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 2 * MIB, { shared: true, file: file });
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect(handleMmFault(mm, BASE + 5 * 4 * KIB, { write: true })).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v), m.flags[512]! & PG_DIRTY]).toEqual([512, HUGE_CLEAN_RW | _PAGE_DIRTY, 0]);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).cowCopies]).toEqual([513, 1, 0]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a read fault on a read-only ext4 PMD (write notification) leaves it read-only and the folio clean', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'ext4', 2 * MIB, { order: PMD_ORDER }) as MmFile;
    mapAt(mm, BASE, 2 * MIB, { shared: true, file: file });
    expect(handleMmFault(mm, BASE)).toBe(0);
    const ro = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED;
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([512, ro]);
    expect(handleMmFault(mm, BASE + 4 * KIB)).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v), m.flags[512]! & PG_DIRTY]).toEqual([512, ro, 0]);
    exitMmap(mm);
    fileRelease(file);
  });
});

describe('handle_pte_fault: a present PTE that allows the access', () => {
  it('a write fault on a writable clean shmem PTE sets its dirty bit; the folio stays clean', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'shmem', 4 * KIB) as MmFile;
    mapAt(mm, BASE, 4 * KIB, { shared: true, file: file });
    expect(handleMmFault(mm, BASE)).toBe(0);
    const clean = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW;
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v)]).toEqual([1, clean]);
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    expect([pageAt(mm.pt, v), leafBitsAt(mm.pt, v), m.flags[1]! & PG_DIRTY]).toEqual([1, clean | _PAGE_DIRTY, 0]);
    expect([m.refcount[1], m.mapcount[1], vmstat(m).folioAllocs]).toEqual([2, 1, 1]);
    exitMmap(mm);
    fileRelease(file);
  });
});
