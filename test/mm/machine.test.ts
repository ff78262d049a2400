import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import { PAGE_SIZE, vmstat, EINVAL, EBUSY, ENOMEM, allocFolio, folioRefCount, pfnZone } from '../../src/index.js';

describe('createMachine', () => {
  it('sizes the memmap from memoryBytes and reserves PFN 0 as the zero page', () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    expect(m.nrPages).toBe(4096);
    expect(m.zeroPfn).toBe(0);
    expect(folioRefCount(m, 0)).toBe(1);
    expect(vmstat(m).nrFreePages).toBe(4095);
  });

  it('lays out normal, cma and movable zones from PFN 0 upwards', () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024, cmaBytes: 4 * 1024 * 1024, movableBytes: 4 * 1024 * 1024 });
    expect(pfnZone(m, 2047).name).toBe('normal');
    expect(pfnZone(m, 2048).name).toBe('cma');
    expect(pfnZone(m, 3072).name).toBe('movable');
    expect(allocFolio(m, 0, { zone: 'cma' })).toBe(2048);
    expect(allocFolio(m, 0, { zone: 'movable' })).toBe(3072);
  });

  it('rejects sizes that are not page multiples', () => {
    expect(() => newMachine({ memoryBytes: PAGE_SIZE * 3 + 1 })).toThrow(TypeError);
  });
});

describe('allocFolio', () => {
  it('returns -EINVAL, -EBUSY and -ENOMEM as documented', () => {
    const m = newMachine({ memoryBytes: 4 * 1024 * 1024 });
    expect(allocFolio(m, 19)).toBe(-EINVAL);
    expect(allocFolio(m, 2, { pfn: 6 })).toBe(-EINVAL);
    expect(allocFolio(m, 0, { pfn: 0 })).toBe(-EBUSY);
    expect(allocFolio(m, 10)).toBe(-ENOMEM);
  });
});
