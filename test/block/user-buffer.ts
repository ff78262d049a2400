/**
 * User buffers backed by folios at exact PFNs, for the extraction and Direct IO tables:
 * a private anonymous mapping at a fixed address with hand-placed folios installed in
 * it (installFolio: what a fault would have done had the allocator returned exactly
 * these folios), so every expected PFN in a table can be worked by hand.
 */
import { PAGE_SIZE, PROT_READ, PROT_WRITE, installFolio, type Mm } from '../../src/index.js';
import { mapAt } from '../support/mm-layout.js';
import { folioAt } from './layout.js';

/** One folio of the buffer: `order` at PFN `pfn`. */
export interface Piece {
  readonly order: number;
  readonly pfn: number;
}

/**
 * Maps `pages` pages at `addr` (read-write unless `readOnly`) and installs `pieces`
 * back to back from `addr`; the pages after the last piece stay unpopulated.
 */
export function userBuffer(mm: Mm, addr: number, pages: number, pieces: readonly Piece[], readOnly = false): void {
  mapAt(mm, addr, pages * PAGE_SIZE, { prot: readOnly ? PROT_READ : PROT_READ | PROT_WRITE });
  let at = addr;
  for (const p of pieces) {
    folioAt(mm.m, p.order, p.pfn);
    const r = installFolio(mm, at, p.pfn, { writable: !readOnly });
    if (r !== 0) throw new Error(`installFolio(${p.pfn} at ${at.toString(16)}) returned ${r}`);
    at += PAGE_SIZE << p.order;
  }
}
