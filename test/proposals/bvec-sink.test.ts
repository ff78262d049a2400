/**
 * The proposed callee's sink, fed by hand as the GUP walk would feed it (room, grab,
 * add), and pin_user_bvecs through the real walk. Expected bvecs worked by hand from the
 * rules the sink borrows: iov_iter_extract_bvecs' byte geometry (first bvec at
 * offset_in_page(start), last trimmed; lib/iov_iter.c, T), get_contig_folio_len's run
 * test for 'folio' (same folio and next page), bvec_try_merge_page's for 'physical'
 * (block/bio.c, T: physically next, no folio test), and `unsigned int bv_len`.
 *
 * Memory (test/block/layout.ts tableLayout): order-2 folios at 64 (64..67) and 68
 * (68..71), order-0 at 72, order-0 at 80 and 81.
 */
import { describe, expect, it } from 'vitest';
import {
  BvecArray,
  BvecSink,
  EFAULT,
  EINVAL,
  EOVERFLOW,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  UINT_MAX,
  bvecArrayToList,
  costDiff,
  costSnapshot,
  pinUserBvecs,
  tryGrabFolio,
  unpinUserFolio,
  type MergePolicy,
} from '../../src/index.js';
import { folioAt, tableLayout } from '../block/layout.js';
import { newMachine, untrack } from '../support/machines.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { twoOrder2Folios } from './worlds.js';

const P = 4096;
type Step = readonly [folio: number, page: number, nr: number];

/** Feeds `steps` through room/add (taking what room grants); returns the bvecs as tuples. */
function feed(merge: MergePolicy, offset: number, len: number, steps: readonly Step[], limit = 16): [number, number, number][] {
  const m = newMachine();
  tableLayout(m);
  const sink = new BvecSink(m, new BvecArray(limit), limit, offset, len, merge);
  for (const [folio, page, nr] of steps) {
    const got = sink.room(folio, page, nr);
    expect(got).toBe(nr);
    sink.add(folio, page, got);
  }
  return bvecArrayToList(sink.bvs!, sink.nr).map((b) => [b.page, b.len, b.offset]);
}

describe('BvecSink: runs under each merge policy', () => {
  const rows: readonly { what: string; offset: number; len: number; steps: Step[]; folio: [number, number, number][]; physical: [number, number, number][] }[] = [
    {
      what: 'the last two pages of folio 64, then 68 (physically next, another folio)',
      offset: 0,
      len: 3 * P,
      steps: [[64, 66, 1], [64, 67, 1], [68, 68, 1]],
      folio: [[66, 2 * P, 0], [68, P, 0]],
      physical: [[66, 3 * P, 0]],
    },
    {
      what: 'the same folio but not the next page (a COWed page between)',
      offset: 0,
      len: 2 * P,
      steps: [[64, 64, 1], [64, 66, 1]],
      folio: [[64, P, 0], [66, P, 0]],
      physical: [[64, P, 0], [66, P, 0]],
    },
    {
      what: 'order-0 folios 72 and 80: not contiguous',
      offset: 0,
      len: 2 * P,
      steps: [[72, 72, 1], [80, 80, 1]],
      folio: [[72, P, 0], [80, P, 0]],
      physical: [[72, P, 0], [80, P, 0]],
    },
    {
      what: 'a leaf-sized add of folio 68, then 72',
      offset: 0,
      len: 5 * P,
      steps: [[68, 68, 4], [72, 72, 1]],
      folio: [[68, 4 * P, 0], [72, P, 0]],
      physical: [[68, 5 * P, 0]],
    },
    {
      // 3 * 4096 - 150 = 12138 bytes from offset 100: the last page ends 50 bytes short.
      what: 'offset 100, trimmed 50 bytes before the end',
      offset: 100,
      len: 3 * P - 150,
      steps: [[64, 64, 1], [64, 65, 1], [64, 66, 1]],
      folio: [[64, 3 * P - 150, 100]],
      physical: [[64, 3 * P - 150, 100]],
    },
    {
      what: 'offset 100 with the second page in another folio',
      offset: 100,
      len: 2 * P - 100,
      steps: [[64, 67, 1], [68, 68, 1]],
      folio: [[67, P - 100, 100], [68, P, 0]],
      physical: [[67, 2 * P - 100, 100]],
    },
    {
      what: 'the zero page twice (a read pin of untouched memory)',
      offset: 0,
      len: 2 * P,
      steps: [[0, 0, 1], [0, 0, 1]],
      folio: [[0, P, 0], [0, P, 0]],
      physical: [[0, P, 0], [0, P, 0]],
    },
  ];
  it.each(rows)('$what', (r) => {
    expect(feed('folio', r.offset, r.len, r.steps)).toEqual(r.folio);
    expect(feed('physical', r.offset, r.len, r.steps)).toEqual(r.physical);
  });
});

describe('BvecSink: room', () => {
  it('answers 0 only when a new bvec is needed and the array is full; a merge needs no entry', () => {
    const m = newMachine();
    tableLayout(m);
    const sink = new BvecSink(m, new BvecArray(1), 1, 0, 8 * P, 'folio');
    expect(sink.room(64, 64, 2)).toBe(2);
    sink.add(64, 64, 2);
    expect(sink.room(64, 66, 2)).toBe(2); // merges into the one bvec
    expect(sink.room(68, 68, 4)).toBe(0); // would need a second bvec
    expect(sink.full).toBe(true);
    sink.beginWalk();
    expect(sink.full).toBe(false);
  });

  it('never lets bv_len pass UINT_MAX: four physically adjacent 1 GiB folios make 4 GiB - 4 KiB and 4 KiB', () => {
    // 5 GiB of memory so 1 GiB folios fit at PFNs 262144 * (1..4).
    const m = newMachine({ memoryBytes: 5 * 1024 * MIB });
    const G = 262144;
    for (let k = 1; k <= 4; k++) folioAt(m, 18, k * G);
    const physical = new BvecSink(m, new BvecArray(4), 4, 0, 4 * 1024 * MIB, 'physical');
    const grants: number[] = [];
    for (let k = 1; k <= 4; k++) {
      for (let page = k * G; page < (k + 1) * G; ) {
        const got = physical.room(k * G, page, (k + 1) * G - page);
        grants.push(got);
        physical.add(k * G, page, got);
        page += got;
      }
    }
    // UINT_MAX - 3 GiB = 1073741823 bytes: 262143 whole pages fit, the last page does not.
    expect(grants).toEqual([G, G, G, G - 1, 1]);
    expect(bvecArrayToList(physical.bvs!, physical.nr)).toEqual([
      { page: G, len: 4294963200, offset: 0 },
      { page: 5 * G - 1, len: P, offset: 0 },
    ]);
    expect(4294963200).toBeLessThanOrEqual(UINT_MAX);
    const folio = new BvecSink(m, new BvecArray(4), 4, 0, 4 * 1024 * MIB, 'folio');
    for (let k = 1; k <= 4; k++) folio.add(k * G, k * G, folio.room(k * G, k * G, G));
    expect(bvecArrayToList(folio.bvs!, folio.nr).map((b) => b.len)).toEqual([1024 * MIB, 1024 * MIB, 1024 * MIB, 1024 * MIB]);
    untrack(m); // no pins taken; 30 MB of memmap need not be scanned
  });
});

describe('BvecSink: rollback (the long-term migration retry)', () => {
  it('drops the pages of this walk past `keep`, one put per folio, and trims the last bvec', () => {
    const m = newMachine();
    tableLayout(m);
    const sink = new BvecSink(m, new BvecArray(4), 4, 100, 8 * P - 100, 'folio');
    const take = (folio: number, page: number): void => {
      expect(sink.room(folio, page, 1)).toBe(1);
      expect(tryGrabFolio(m, folio, 1, FOLL_PIN)).toBe(0);
      sink.add(folio, page, 1);
    };
    take(64, 64);
    take(64, 65);
    sink.beginWalk();
    take(64, 66);
    take(64, 67);
    take(68, 68);
    take(68, 69);
    expect([m.pincount[64], m.pincount[68]]).toEqual([4, 2]);
    const released = m.stat.nrFollPinReleased;
    sink.rollback(FOLL_PIN, 1); // keep 66 (the first page of this walk), drop 67, 68, 69
    expect([m.pincount[64], m.pincount[68]]).toEqual([3, 0]);
    expect(m.stat.nrFollPinReleased - released).toBe(3);
    expect(bvecArrayToList(sink.bvs!, sink.nr)).toEqual([{ page: 64, len: 3 * P - 100, offset: 100 }]);
    expect([sink.pages, sink.done]).toEqual([3, 3 * P - 100]);
    take(64, 67); // merges again: the sink knows where the bvec ends
    expect(bvecArrayToList(sink.bvs!, sink.nr)).toEqual([{ page: 64, len: 4 * P - 100, offset: 100 }]);
    unpinUserFolio(m, 64, 4);
  });
});

describe('pin_user_bvecs through the GUP walk', () => {
  it('fills a one-bvec array with the first folio, then continues from *done', () => {
    const { m, mm } = twoOrder2Folios();
    const bvs = new BvecArray(1);
    const out = { done: 0 };
    expect(pinUserBvecs(mm, BASE + 100, 8 * P - 200, FOLL_WRITE, bvs, 1, out)).toBe(1);
    expect(out.done).toBe(4 * P - 100);
    expect(bvecArrayToList(bvs, 1)).toEqual([{ page: 64, len: 4 * P - 100, offset: 100 }]);
    // The walk asked for room before grabbing 68: nothing of the second folio is pinned.
    expect([m.pincount[64], m.pincount[68]]).toEqual([4, 0]);
    expect(pinUserBvecs(mm, BASE + 4 * P, 4 * P - 100, FOLL_WRITE, bvs, 1, out)).toBe(1);
    expect(out.done).toBe(4 * P - 100);
    expect(bvecArrayToList(bvs, 1)).toEqual([{ page: 68, len: 4 * P - 100, offset: 0 }]);
    unpinUserFolio(m, 64, 4);
    unpinUserFolio(m, 68, 4);
  });

  it('a PMD leaf is one grab: two THPs, two refcount and two pincount atomics', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * MIB, { order: 9, populate: true });
    const bvs = new BvecArray(2);
    const out = { done: 0 };
    const before = costSnapshot(m.cost);
    expect(pinUserBvecs(mm, BASE, 4 * MIB, FOLL_WRITE, bvs, 2, out, 'physical')).toBe(1);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({
      apiCalls: 1,
      walkRestarts: 1,
      hugeLeavesVisited: 2,
      ptesVisited: 0,
      refcountAtomics: 2,
      pincountAtomics: 2,
      bvecsWritten: 1,
    });
    expect(bvecArrayToList(bvs, 1)).toEqual([{ page: 512, len: 4 * MIB, offset: 0 }]);
    unpinUserFolio(m, 512, 512);
    unpinUserFolio(m, 1024, 512);
  });

  it('stops short at a hole; the next call from *done returns -EFAULT with nothing pinned', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * P, { populate: true });
    const bvs = new BvecArray(16);
    const out = { done: 0 };
    expect(pinUserBvecs(mm, BASE, 8 * P, FOLL_WRITE, bvs, 16, out)).toBe(4);
    expect(out.done).toBe(4 * P);
    const acquired = m.stat.nrFollPinAcquired;
    expect(pinUserBvecs(mm, BASE + 4 * P, 4 * P, FOLL_WRITE, bvs, 16, out)).toBe(-EFAULT);
    expect(out.done).toBe(0);
    expect(m.stat.nrFollPinAcquired).toBe(acquired);
    for (let i = 0; i < 4; i++) unpinUserFolio(m, bvs.page[i]!, 1);
    expect(m.refcount[bvs.page[0]!]).toBe(1); // the mapping's reference, no bias left
    expect(GUP_PIN_COUNTING_BIAS).toBe(1024);
  });

  it('argument errors: FOLL_PIN from the caller, a wrapping range, len 0 and max_bvecs 0', () => {
    const { m, mm } = twoOrder2Folios();
    const bvs = new BvecArray(4);
    const out = { done: 7 };
    expect(pinUserBvecs(mm, BASE, P, FOLL_PIN, bvs, 4, out)).toBe(-EINVAL);
    expect(m.warnings).toEqual(['is_valid_gup_args: internal FOLL_* flag from the caller']);
    // 2^64 - 4096 is exact in a double; two pages from there wrap.
    expect(pinUserBvecs(mm, 2 ** 64 - P, 2 * P, 0, bvs, 4, out)).toBe(-EOVERFLOW);
    expect(pinUserBvecs(mm, BASE, 0, 0, bvs, 4, out)).toBe(0);
    expect(pinUserBvecs(mm, BASE, P, 0, bvs, 0, out)).toBe(0);
    expect(out.done).toBe(0);
    expect(m.stat.nrFollPinAcquired).toBe(0);
  });
});
