/**
 * The allocator at zone edges: a scattered allocation from a zone too small for one
 * naturally aligned block of the order, and an exact-PFN allocation whose block would
 * run past the end of its zone. A buddy allocator never hands out a block that crosses
 * a zone (mm/page_alloc.c: blocks are MAX_PAGE_ORDER-aligned within zones), so both
 * fail: -ENOMEM for the zone search, -EINVAL for the exact range (the model's
 * alloc_contig_range-style request, which refuses a range outside one zone).
 */
import { describe, expect, it } from 'vitest';
import { EINVAL, ENOMEM, allocFolio, vmstat } from '../../src/index.js';
import { MIB, world } from '../support/mm-layout.js';

describe('allocFolio at zone edges', () => {
  it('scattered placement in a zone smaller than the block: -ENOMEM; an empty zone too', () => {
    // 16 MiB with a 1 MiB CMA area (PFNs 3840..4095) and no ZONE_MOVABLE.
    const { m } = world({ memoryBytes: 16 * MIB, cmaBytes: 1 * MIB });
    const before = vmstat(m);
    expect(allocFolio(m, 9, { zone: 'cma', placement: 'scattered' })).toBe(-ENOMEM);
    expect(allocFolio(m, 0, { zone: 'movable', placement: 'scattered' })).toBe(-ENOMEM);
    expect(vmstat(m)).toEqual(before);
  });

  it('an exact block that starts in ZONE_NORMAL and ends in CMA: -EINVAL', () => {
    const { m } = world({ memoryBytes: 16 * MIB, cmaBytes: 1 * MIB });
    expect(m.zones[0]!.end).toBe(3840);
    expect(allocFolio(m, 9, { pfn: 3584 })).toBe(-EINVAL); // 3584 + 512 > 3840
    const f = allocFolio(m, 8, { pfn: 3584 }); // 3584..3839 fits
    expect(f).toBe(3584);
    expect(m.refcount[f]).toBe(1);
  });
});
