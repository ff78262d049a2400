/**
 * pageFolio / folioNext against the allocator's own record of what it placed where
 * (include/linux/mm.h page_folio, folio_next: memmap arithmetic over naturally aligned
 * power-of-two folios).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import {
  allocFolio,
  folioNext,
  folioNrPages,
  folioOrder,
  folioPage,
  folioPageIdx,
  folioPut,
  folioSize,
  folioTestLarge,
  pageFolio,
  PAGE_SIZE,
  vmstat,
} from '../../src/index.js';

test.prop([
  fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 30 }),
  fc.constantFrom('adjacent' as const, 'scattered' as const),
  fc.integer({ min: 1, max: 1_000_000 }),
])('every page maps to the head the allocator returned; folioNext steps over exactly the folio', (orders, placement, seed) => {
  const m = newMachine({ memoryBytes: 64 * 1024 * 1024, seed });
  const placed = orders.map((order) => ({ order, head: allocFolio(m, order, { placement }) }));
  for (const { order, head } of placed) {
    expect(head).toBeGreaterThan(0);
    expect(head % (1 << order)).toBe(0); // naturally aligned
    expect(folioOrder(m, head)).toBe(order);
    expect(folioNrPages(m, head)).toBe(1 << order);
    expect(folioSize(m, head)).toBe((1 << order) * PAGE_SIZE);
    expect(folioNext(m, head)).toBe(head + (1 << order));
    for (let i = 0; i < 1 << order; i++) {
      expect(pageFolio(m, head + i)).toBe(head);
      expect(folioPageIdx(m, head, folioPage(m, head, i))).toBe(i);
    }
  }
  // No two folios overlap.
  const sorted = [...placed].sort((a, b) => a.head - b.head);
  for (let i = 1; i < sorted.length; i++)
    expect(sorted[i]!.head).toBeGreaterThanOrEqual(sorted[i - 1]!.head + (1 << sorted[i - 1]!.order));
  if (placement === 'adjacent') {
    // Next-fit hands out physically adjacent folios when the orders allow it: folioNext of
    // one is the next one whenever the next is naturally aligned at that PFN.
    for (let i = 1; i < placed.length; i++) {
      const prevEnd = folioNext(m, placed[i - 1]!.head);
      if (prevEnd % (1 << placed[i]!.order) === 0) expect(placed[i]!.head).toBe(prevEnd);
    }
  }
});

describe('folio lifetime', () => {
  it('a freed folio returns its pages and its PFNs can be allocated again', () => {
    const m = newMachine({ memoryBytes: 8 * 1024 * 1024 });
    const free0 = vmstat(m).nrFreePages;
    const f = allocFolio(m, 4, { pfn: 32 });
    expect(f).toBe(32);
    expect(folioTestLarge(m, f)).toBe(true);
    expect(vmstat(m).nrFreePages).toBe(free0 - 16);
    folioPut(m, f);
    expect(vmstat(m).nrFreePages).toBe(free0);
    expect(allocFolio(m, 0, { pfn: 40 })).toBe(40);
    expect(pageFolio(m, 40)).toBe(40);
  });

  it('scattered placement is reproducible from the seed', () => {
    const a = newMachine({ seed: 7 });
    const b = newMachine({ seed: 7 });
    const ha = [0, 1, 2, 0, 3].map((o) => allocFolio(a, o, { placement: 'scattered' }));
    const hb = [0, 1, 2, 0, 3].map((o) => allocFolio(b, o, { placement: 'scattered' }));
    expect(ha).toEqual(hb);
  });
});
