/**
 * Physical layouts shared by the block-layer tables: folios placed at exact PFNs so the
 * expected values can be worked by hand.
 */
import { allocFolio, type Machine } from '../../src/index.js';

/** Allocates a folio of `order` at exactly `pfn`; throws if the allocator refuses. */
export function folioAt(m: Machine, order: number, pfn: number): number {
  const f = allocFolio(m, order, { pfn });
  if (f !== pfn) throw new Error(`allocFolio(order ${order}, pfn ${pfn}) returned ${f}`);
  return f;
}

/**
 * The layout of the worked tables: an order-2 folio at PFN 64 (pages 64..67), an
 * order-2 folio at 68 (68..71) and an order-0 folio at 72, physically back to back;
 * and two order-0 folios at 80 and 81.
 */
export function tableLayout(m: Machine): void {
  folioAt(m, 2, 64);
  folioAt(m, 2, 68);
  folioAt(m, 0, 72);
  folioAt(m, 0, 80);
  folioAt(m, 0, 81);
}
