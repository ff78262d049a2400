/**
 * Memory pressure for tests: take every free folio of one order (from one zone, with one
 * placement) so the next allocation there fails, and give them back afterwards.
 */
import { allocFolio, folioPut, type AllocOptions, type Machine } from '../../src/index.js';

/** Allocates folios of `order` until allocFolio fails; returns their head PFNs. */
export function holdAllFree(m: Machine, order = 0, opts: AllocOptions = {}): number[] {
  const held: number[] = [];
  for (let f = allocFolio(m, order, opts); f >= 0; f = allocFolio(m, order, opts)) held.push(f);
  return held;
}

/** Drops the references holdAllFree took. */
export function giveBack(m: Machine, held: readonly number[]): void {
  for (const f of held) folioPut(m, f);
}
