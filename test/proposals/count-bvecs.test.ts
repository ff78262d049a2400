/**
 * The counting walk of the count-first sizing (src/strategy/count-bvecs.ts): it reads
 * what gup_fast would read (mm/gup.c, T) and grabs nothing, so no refcount, pincount or
 * vmstat moves; pages GUP-fast would take as they are count under the merge rules, any
 * other page counts as a bvec of its own; the result is never below what the pinning
 * walk then writes. Worked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  BvecArray,
  BvecSink,
  FOLL_PIN,
  FOLL_WRITE,
  costDiff,
  costSnapshot,
  countBvecs,
  fork,
  pinUserBvecs,
  unpinUserFolio,
  userWrite,
  type MergePolicy,
  type Mm,
} from '../../src/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { twoOrder2Folios } from './worlds.js';
import { WORLDS } from './worlds.js';

const P = 4096;

function count(mm: Mm, start: number, len: number, flags: number, merge: MergePolicy): number {
  return countBvecs(mm, start, flags | FOLL_PIN, new BvecSink(mm.m, null, Infinity, start % P, len, merge));
}

describe('countBvecs', () => {
  it('two adjacent order-2 folios: 2 folio runs, 1 physical run; one walk, no atomics', () => {
    const { m, mm } = twoOrder2Folios();
    const refs = m.refcount.slice();
    const before = costSnapshot(m.cost);
    expect(count(mm, BASE, 8 * P, FOLL_WRITE, 'folio')).toBe(2);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({
      walkRestarts: 1,
      levelsDescended: 4,
      ptesVisited: 8,
      refcountAtomics: 0,
      pincountAtomics: 0,
      faults: 0,
    });
    expect(count(mm, BASE, 8 * P, FOLL_WRITE, 'physical')).toBe(1);
    expect(m.refcount).toEqual(refs);
    expect(m.stat.nrFollPinAcquired).toBe(0);
  });

  it('untouched memory: one bvec per page it will fault in; a missing table is one step', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 4 });
    const before = costSnapshot(m.cost);
    expect(count(mm, BASE + 10, 600 * P, FOLL_WRITE, 'physical')).toBe(601);
    // 601 pages touched (10 bytes in); nothing has faulted, so the PGD entry is none
    // and the whole range is counted from the top level: one level read.
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ walkRestarts: 1, ptesVisited: 0, levelsDescended: 1 });
  });

  it('forked memory: a write pin will COW every page, so each counts alone', () => {
    const { mm } = world();
    mapAt(mm, BASE, 16 * P, { order: 4 });
    expect(userWrite(mm, BASE, 16 * P)).toBe(0);
    expect(typeof fork(mm)).toBe('object');
    expect(count(mm, BASE, 16 * P, FOLL_WRITE, 'folio')).toBe(16);
    expect(count(mm, BASE, 16 * P, 0, 'folio')).toBe(16); // read pin: unshare
  });

  it('on every contract world, never below what the pinning walk writes', () => {
    for (const w of WORLDS) {
      for (const merge of ['folio', 'physical'] as const) {
        const { m, mm, req } = w.build();
        if (w.ret < 0) continue;
        const counted = count(mm, req.start, req.length, req.gupFlags, merge);
        const bvs = new BvecArray(counted);
        const out = { done: 0 };
        const n = pinUserBvecs(mm, req.start, req.length, req.gupFlags, bvs, counted, out, merge);
        expect(n, `${w.name} (${merge})`).toBeGreaterThan(0);
        expect(n, `${w.name} (${merge})`).toBeLessThanOrEqual(counted);
        expect(out.done, `${w.name} (${merge})`).toBe(w.ret);
        for (let i = 0; i < n; i++) {
          const first = bvs.page[i]!;
          const pages = Math.ceil((bvs.offset[i]! + bvs.len[i]!) / P);
          // Every page returned is unpinned, the zero page too: the kernel's unpin is a no-op there.
          for (let p = first; p < first + pages; p++) unpinUserFolio(m, p - (p % (1 << m.order[p]!)), 1);
        }
      }
    }
  });
});
