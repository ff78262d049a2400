/**
 * Drawing a seeded folio layout for a range of a mapping (SCENARIO-FORMAT.md, "a seeded
 * distribution"): walking the range in address order, each folio's order is drawn by
 * weight among the listed orders that fit at the current address (naturally aligned
 * in virtual address and inside the range); when none fits, order 0.
 *
 * Not a kernel algorithm: it stands for whatever history of faults, khugepaged and
 * reclaim left a process with this mix of folio sizes. Deterministic: the draws come
 * from a generator of its own (xoroshiro128plus of the scenario's seed, jumped once so
 * it never overlaps the allocator's stream for scattered placement).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { PAGE_SIZE } from '../mm/constants.js';
import type { OrderWeight } from './scenario.js';

/** The generator of a scenario's order draws. */
export function orderDrawGenerator(seed: number): RandomGenerator {
  const rng = xoroshiro128plus(seed);
  rng.jump();
  return rng;
}

/**
 * The order of the folio placed at `addr`, with `bytesLeft` bytes of the range left.
 * Draws nothing when only one order fits, so a single-order layout consumes no draws.
 */
export function drawFolioOrder(rng: RandomGenerator, orders: readonly OrderWeight[], addr: number, bytesLeft: number): number {
  let total = 0;
  let fitting = 0;
  let only = 0;
  for (let k = 0; k < orders.length; k++) {
    const o = orders[k]!;
    const size = PAGE_SIZE * 2 ** o.order;
    if (addr % size !== 0 || size > bytesLeft) continue;
    total += o.weight;
    fitting++;
    only = o.order;
  }
  if (fitting === 0) return 0;
  if (fitting === 1) return only;
  let pick = uniformInt(rng, 0, total - 1);
  for (let k = 0; k < orders.length; k++) {
    const o = orders[k]!;
    const size = PAGE_SIZE * 2 ** o.order;
    if (addr % size !== 0 || size > bytesLeft) continue;
    if (pick < o.weight) return o.order;
    pick -= o.weight;
  }
  return only;
}
