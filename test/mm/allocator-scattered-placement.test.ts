/**
 * The allocator's scattered placement (the model's stand-in for a fragmented buddy
 * allocator; see README "where the model differs"): a seeded random naturally aligned
 * block inside the zone, next-fit once random picks keep missing. Checked here: the
 * blocks of a zone that does not start at PFN 0 are all reachable, every block lies
 * aligned inside its zone, a zone can be filled to the last block and then answers
 * -ENOMEM, and fresh scattered picks are not the next-fit sequence. Also the vmstat
 * folio counters: one allocation and one free per folio, whatever its order.
 */
import { describe, expect, it } from 'vitest';
import { ENOMEM, allocFolio, folioPut, vmstat } from '../../src/index.js';
import { MIB, world } from '../support/mm-layout.js';

describe('scattered placement', () => {
  it('fills a 1 MiB CMA zone (PFNs 3840..4095) with 64 order-2 blocks, each aligned inside it, then -ENOMEM', () => {
    const { m } = world({ memoryBytes: 16 * MIB, cmaBytes: 1 * MIB });
    const got: number[] = [];
    for (let i = 0; i < 64; i++) got.push(allocFolio(m, 2, { zone: 'cma', placement: 'scattered' }));
    expect(got.every((p) => p >= 3840 && p + 4 <= 4096 && p % 4 === 0)).toBe(true);
    expect(new Set(got).size).toBe(64);
    expect(allocFolio(m, 2, { zone: 'cma', placement: 'scattered' })).toBe(-ENOMEM);
    for (const p of got) folioPut(m, p);
  });

  it('eight fresh order-0 picks in ZONE_NORMAL are not the next-fit run 1..8', () => {
    const { m } = world({ memoryBytes: 16 * MIB });
    const got: number[] = [];
    for (let i = 0; i < 8; i++) got.push(allocFolio(m, 0, { placement: 'scattered' }));
    expect(got.every((p) => p >= 1 && p < 4096)).toBe(true);
    expect(new Set(got).size).toBe(8);
    expect(got).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const p of got) folioPut(m, p);
  });
});

describe('vmstat folio counters', () => {
  it('count folios, not pages, both ways', () => {
    const { m } = world({ memoryBytes: 16 * MIB });
    const before = vmstat(m);
    const a = allocFolio(m, 0);
    const b = allocFolio(m, 9);
    folioPut(m, a);
    folioPut(m, b);
    const after = vmstat(m);
    expect([after.folioAllocs - before.folioAllocs, after.folioFrees - before.folioFrees]).toEqual([2, 2]);
    expect(after.nrFreePages).toBe(before.nrFreePages);
  });
});
