/**
 * Small answers the larger tests never ask for: the default machine size, machineMms of
 * a machine with no mm, calc_vm_prot_bits without PROT_READ, vma_is_shmem,
 * folio_is_longterm_pinnable of the zero page, and long-term migration of a folio that
 * is already gone. Kernel sources: include/linux/mman.h `calc_vm_prot_bits`,
 * mm/shmem.c `vma_is_shmem`, include/linux/mm.h `folio_is_longterm_pinnable` (the zero
 * folio is always pinnable), mm/gup.c `migrate_longterm_unpinnable_folios` (a folio
 * freed meanwhile needs nothing), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEMORY_BYTES,
  PROT_EXEC,
  PROT_NONE,
  PROT_WRITE,
  VM_EXEC,
  VM_WRITE,
  allocFolio,
  calcVmProtBits,
  createMachine,
  folioIsLongtermPinnable,
  folioPut,
  machineMms,
  migrateFolioLongterm,
  vmaIsShmem,
  vmaLookup,
  vmstat,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

describe('small predicates', () => {
  it('createMachine() has 2 GiB and no mm', () => {
    // Unchecked on purpose: the default size is the point, and no pin is ever taken.
    const m = createMachine();
    expect(m.nrPages).toBe(DEFAULT_MEMORY_BYTES / 4096);
    expect(m.nrPages).toBe(524288);
    expect(machineMms(m).size).toBe(0);
  });

  it('calc_vm_prot_bits without PROT_READ', () => {
    expect(calcVmProtBits(PROT_NONE)).toBe(0);
    expect(calcVmProtBits(PROT_WRITE)).toBe(VM_WRITE);
    expect(calcVmProtBits(PROT_EXEC)).toBe(VM_EXEC);
  });

  it('vma_is_shmem: shmem yes, anonymous and ext4 no', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { shared: true });
    mapAt(mm, BASE + MIB, 4 * KIB);
    mapAt(mm, BASE + 2 * MIB, 4 * KIB, { shared: true, backing: 'ext4' });
    expect([BASE, BASE + MIB, BASE + 2 * MIB].map((a) => vmaIsShmem(vmaLookup(mm.vmas, a)!))).toEqual([true, false, false]);
  });

  it('the zero page is long-term pinnable', () => {
    const { m } = world({ memoryBytes: 16 * MIB, movableBytes: 4 * MIB });
    expect(folioIsLongtermPinnable(m, m.zeroPfn)).toBe(true);
  });

  it('migrating a folio that was freed meanwhile is 0 and moves nothing', () => {
    const { m } = world({ memoryBytes: 16 * MIB, cmaBytes: 4 * MIB });
    const f = allocFolio(m, 0, { zone: 'cma' });
    folioPut(m, f);
    const before = vmstat(m);
    expect(migrateFolioLongterm(m, f)).toBe(0);
    expect(vmstat(m)).toEqual(before);
  });
});
