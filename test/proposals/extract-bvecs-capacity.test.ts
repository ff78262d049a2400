/**
 * What the extract-bvecs control costs, worked by hand, and how much a bio can hold.
 *
 * Kernel behaviour relied on (T): iov_iter_extract_bvecs (lib/iov_iter.c) asks
 * iov_iter_extract_pages for at most entries_left = max_vecs - *nr_vecs pages, which
 * pins them with one pin_user_pages_fast (one walk from the top), writing one page
 * pointer per page into the bvec table's tail, and writes one bvec per run inside a
 * folio, never extending the previous call's last bvec. bio_iov_iter_get_pages
 * (block/bio.c) calls it until the iterator is empty or the bio has max_vecs bvecs;
 * __blkdev_direct_IO sizes each bio with bio_iov_vecs_to_alloc (256 at most).
 * Completion is bio_release_pages: unpin_user_folio per folio step of each bvec.
 *
 * Counting: `apiCalls` counts three entries per extraction (iov_iter_extract_bvecs,
 * iov_iter_extract_pages, pin_user_pages_fast); `calls` and `returnValues` count the
 * iov_iter_extract_bvecs calls only.
 */
import { describe, expect, it } from 'vitest';
import { COST_FIELDS, FOLL_WRITE, costDiff, costSnapshot, type CostSnapshot, type Mm, type PinRequest, type PinnedIo } from '../../src/index.js';
import { proposal } from '../../proposals/extract-bvecs/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { runsOf } from './observe.js';
import { twoOrder2Folios } from './worlds.js';

const P = 4096;
const GIB = 1024 * MIB;

function counters(partial: Partial<CostSnapshot>): CostSnapshot {
  const out = {} as CostSnapshot;
  for (const f of COST_FIELDS) out[f] = partial[f] ?? 0;
  return out;
}

function measure(mm: Mm, req: PinRequest): { io: PinnedIo; pin: CostSnapshot; complete: CostSnapshot } {
  const m = mm.m;
  const c0 = costSnapshot(m.cost);
  const io = proposal.pin(mm, req, { merge: 'folio' });
  const c1 = costSnapshot(m.cost);
  proposal.complete(mm, io, true);
  return { io, pin: costDiff(c1, c0), complete: costDiff(costSnapshot(m.cost), c1) };
}

describe('counters', () => {
  it('two order-2 folios, 8 pages: one extraction, 8 pointers in the tail, 2 bvecs', () => {
    // bio_iov_vecs_to_alloc = 8 pages -> a 16-vector bio; the call may take 16 pages,
    // the iterator has 8. GUP-fast: one walk, 4 levels, 8 PTEs, one refcount and one
    // pincount atomic per page of a large folio. Release: two folio steps.
    const { mm } = twoOrder2Folios();
    const got = measure(mm, { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE });
    expect(got.pin).toEqual(
      counters({
        apiCalls: 3,
        walkRestarts: 1,
        levelsDescended: 4,
        ptesVisited: 8,
        refcountAtomics: 8,
        pincountAtomics: 8,
        pagePointersWritten: 8,
        bvecsWritten: 2,
        biosBuilt: 1,
      }),
    );
    expect(got.complete).toEqual(counters({ refcountAtomics: 2, pincountAtomics: 2, pagesReleased: 8 }));
    expect([got.io.calls, got.io.returnValues]).toEqual([1, [{ value: 8 * P, count: 1 }]]);
  });

  it('600 order-0 pages: three bios of 256, 256, 88, one extraction each', () => {
    // PFNs 1..600; PTE table 1 maps pages 0..511, table 2 pages 512..599. Each
    // extraction is its own walk of 4 levels (256 pages inside one table each: 0..255,
    // 256..511, 512..599), so 12 levels where the one-call control descends 5.
    const { mm } = world();
    mapAt(mm, BASE, 600 * P, { populate: true });
    const got = measure(mm, { start: BASE, length: 600 * P, gupFlags: FOLL_WRITE });
    expect(got.pin).toEqual(
      counters({
        apiCalls: 9,
        walkRestarts: 3,
        levelsDescended: 12,
        ptesVisited: 600,
        refcountAtomics: 1200,
        pagePointersWritten: 600,
        bvecsWritten: 600,
        biosBuilt: 3,
      }),
    );
    expect(got.complete).toEqual(counters({ refcountAtomics: 600, pagesReleased: 600 }));
    expect(got.io.bios.map((b) => b.vcnt)).toEqual([256, 256, 88]);
    expect(got.io.returnValues).toEqual([
      { value: MIB, count: 2 },
      { value: 88 * P, count: 1 },
    ]);
  });
});

describe('capacity is bounded by pages, not runs', () => {
  it('two THPs, 4 MiB: five extractions cut the two runs into six bvecs', () => {
    // THPs at PFN 512 and 1024. One 256-vector bio. Calls take 256 - nr_vecs pages:
    // 256 (512..767), 255 (768..1022), 254 (1023, then 1024..1276: two bvecs),
    // 252 (1277..1528), then the 7 pages left (1529..1535).
    const { mm } = world();
    mapAt(mm, BASE, 4 * MIB, { order: 9, populate: true });
    const io = proposal.pin(mm, { start: BASE, length: 4 * MIB, gupFlags: FOLL_WRITE }, { merge: 'folio' });
    expect(runsOf(io).map((r) => [r.page, r.len / P])).toEqual([
      [512, 256],
      [768, 255],
      [1023, 1],
      [1024, 253],
      [1277, 252],
      [1529, 7],
    ]);
    expect(io.bios.map((b) => b.vcnt)).toEqual([6]);
    expect(io.returnValues.map((r) => r.value / P)).toEqual([256, 255, 254, 252, 7]);
    proposal.complete(mm, io, true);
  });

  it('one 1 GiB hugetlb folio: 2004 bvecs in 8 bios, each full bio 32896 pages', () => {
    // A full bio takes 256 + 255 + ... + 1 = 32896 pages (128.5 MiB), one bvec per
    // call. 262144 = 7 * 32896 + 31872; the eighth bio needs n calls with
    // 256n - n(n - 1)/2 >= 31872: n = 212 (31906; 211 gives 31861), the last taking
    // 31872 - 31861 = 11 pages.
    const { mm } = world({ memoryBytes: 2 * GIB });
    mapAt(mm, BASE, GIB, { backing: 'hugetlb-1g', populate: true });
    const io = proposal.pin(mm, { start: BASE, length: GIB, gupFlags: FOLL_WRITE }, { merge: 'folio' });
    expect(io.ret).toBe(GIB);
    expect(io.bios.map((b) => b.vcnt)).toEqual([256, 256, 256, 256, 256, 256, 256, 212]);
    expect(io.bios.map((b) => b.size / P)).toEqual([32896, 32896, 32896, 32896, 32896, 32896, 32896, 31872]);
    expect(io.calls).toBe(7 * 256 + 212);
    expect(io.returnValues.slice(0, 3)).toEqual([
      { value: 256 * P, count: 1 },
      { value: 255 * P, count: 1 },
      { value: 254 * P, count: 1 },
    ]);
    expect(io.returnValues[io.returnValues.length - 1]).toEqual({ value: 11 * P, count: 1 });
    proposal.complete(mm, io, true);
  });
});
