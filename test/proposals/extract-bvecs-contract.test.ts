/**
 * The extract-bvecs control on every world of worlds.ts, against the page-array control
 * ('folio'): the same result, the same refcounts, pincounts, flags, mapcounts and pins
 * in flight while pinned and after complete(), the same WARNs, and the same vectors
 * except where a folio run crosses an extraction boundary, which iov_iter_extract_bvecs
 * cuts (lib/iov_iter.c, T: each call writes new bvecs from bv[*nr_vecs] and never
 * extends bv[*nr_vecs - 1]; a call takes at most max_vecs - *nr_vecs pages). Those
 * cuts are worked by hand. Requests with flags an iov_iter cannot carry (FOLL_LONGTERM,
 * FOLL_GET) are refused before anything is touched. And the proposal's own loop builds
 * exactly the bios block direct I/O builds with bio_iov_iter_get_pages (block/bio.c,
 * block/fops.c, T) on the same memory.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_FORCE,
  FOLL_HONOR_NUMA_FAULT,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_PCI_P2PDMA,
  FOLL_WRITE,
  ITER_DEST,
  directIoComplete,
  directIoSubmit,
  iovIterUbuf,
  type BioVec,
  type PinnedIo,
} from '../../src/index.js';
import { EXTRACT_BVECS_GUP_FLAGS, proposal } from '../../proposals/extract-bvecs/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { expectSameState, expectWellFormed, machineState, runsOf, type MachineState } from './observe.js';
import { control } from './variants.js';
import { WORLDS, twoOrder2Folios, type World } from './worlds.js';

const P = 4096;
const ref = control('folio');

interface Outcome {
  readonly io: PinnedIo;
  readonly runs: BioVec[];
  readonly pinned: MachineState;
  readonly after: MachineState;
}

function run(pin: typeof proposal, w: World, settings = ref.settings): Outcome {
  const { m, mm, req } = w.build();
  const io = pin.pin(mm, req, settings);
  expectWellFormed(io);
  const runs = runsOf(io);
  const pinned = machineState(m);
  pin.complete(mm, io, (req.gupFlags & FOLL_WRITE) !== 0);
  const after = machineState(m);
  expect(after.acquired).toBe(after.released);
  return { io, runs, pinned, after };
}

const triples = (runs: readonly BioVec[]) => runs.map((r) => [r.page, r.len, r.offset]);

/**
 * Worlds whose runs cross an extraction boundary: the vectors worked by hand, given
 * the control's runs. Every other world gives exactly the control's vectors.
 */
const CUT: Record<string, (control: BioVec[]) => { runs: number[][]; bios: number[] }> = {
  // 513 pages from page 256 of the THP at 512 (PFN 768), offset 10: one bio of
  // bio_iov_vecs_to_alloc = 256 vectors. Call 1 takes 256 pages (768..1023, 1 MiB - 10
  // bytes, one bvec); call 2, 255 pages (1024..1278, one bvec); call 3, the 4106 bytes
  // left on pages 1279..1280 (one bvec). The control's second run is cut at 1279.
  'two PMD-mapped THPs, starting 1 MiB + 10 in': () => ({
    runs: [
      [768, MIB - 10, 10],
      [1024, 255 * P, 0],
      [1279, 2 * MIB - (MIB - 10) - 255 * P, 0],
    ],
    bios: [3],
  }),
  // 8 order-0 pages, two order-3 folios, one THP: 536 pages, one 256-vector bio. Call 1
  // takes 256 pages: 8 + 2 runs and the THP's first 232 pages (11 bvecs); call 2,
  // 256 - 11 = 245 pages of the THP; call 3, the 512 - 232 - 245 = 35 left.
  'mixed orders 0, 3 and 9 back to back': (c) => {
    expect(c).toHaveLength(11);
    const thp = c[10]!;
    expect([thp.len, thp.offset]).toEqual([2 * MIB, 0]);
    return {
      runs: [...triples(c.slice(0, 10)), [thp.page, 232 * P, 0], [thp.page + 232, 245 * P, 0], [thp.page + 477, 35 * P, 0]],
      bios: [13],
    };
  },
};

describe('extract-bvecs on the contract worlds', () => {
  const stated = WORLDS.filter((w) => (w.build().req.gupFlags & ~EXTRACT_BVECS_GUP_FLAGS) === 0);
  const refused = WORLDS.filter((w) => !stated.includes(w));

  it('the worlds it cannot state are the four long-term ones and FOLL_GET', () => {
    expect(refused.map((w) => w.name)).toEqual([
      'hugetlb 2 MiB pages, long-term',
      'long-term pin of CMA memory (migrated)',
      'long-term write pin of a shared ext4 mapping (refused)',
      'shared anonymous (shmem) order-2, long-term write pin',
      'FOLL_GET from the caller (invalid)',
    ]);
  });

  it.each(stated.map((w) => [w.name, w] as const))('%s: same result and state as the control', (_name, w) => {
    const c = run(ref.proposal, w);
    const got = run(proposal, w);
    expect(c.io.ret).toBe(w.ret);
    expect(got.io.ret).toBe(w.ret);
    expectSameState(got.pinned, c.pinned, 'while pinned');
    expectSameState(got.after, c.after, 'after complete()', true);
    expect(got.after.warnings).toEqual(c.after.warnings);
    if (w.ret < 0) expect(got.io.bios).toHaveLength(0);
    const cut = CUT[w.name];
    if (cut === undefined) {
      expect(got.runs).toEqual(c.runs);
      if (w.runs !== undefined) expect(triples(got.runs)).toEqual(w.runs.folio);
      if (w.bios !== undefined) expect(got.io.bios.map((b) => b.vcnt)).toEqual(w.bios.folio);
    } else {
      const want = cut(c.runs);
      expect(triples(got.runs)).toEqual(want.runs);
      expect(got.io.bios.map((b) => b.vcnt)).toEqual(want.bios);
    }
  });

  it.each(refused.map((w) => [w.name, w] as const))('%s: refused with -EINVAL, nothing touched', (_name, w) => {
    const { m, mm, req } = w.build();
    const before = machineState(m);
    const io = proposal.pin(mm, req, ref.settings);
    expect(io).toEqual({ ret: -22, bios: [], calls: 0, returnValues: [], owned: [] });
    proposal.complete(mm, io, false);
    expectSameState(machineState(m), before, 'after the refusal', true);
    expect(m.warnings).toEqual([]);
  });
});

describe('request flags', () => {
  it.each([
    ['FOLL_LONGTERM', FOLL_WRITE | FOLL_LONGTERM],
    ['FOLL_FORCE', FOLL_FORCE],
    ['FOLL_HONOR_NUMA_FAULT', FOLL_HONOR_NUMA_FAULT],
  ])('%s, which pin_user_pages_fast accepts, cannot be stated: -EINVAL, no call', (_name, flags) => {
    const { m, mm } = twoOrder2Folios();
    const io = proposal.pin(mm, { start: BASE, length: 8 * P, gupFlags: flags }, ref.settings);
    expect([io.ret, io.calls, m.stat.nrFollPinAcquired, m.cost.apiCalls]).toEqual([-22, 0, 0, 0]);
  });

  it('FOLL_NOFAULT becomes iter->nofault: present pages pinned, the absent ones not faulted in', () => {
    // Pages 0..3 present, 4..7 not: GUP-fast takes 4, the slow path refuses to fault
    // (FOLL_NOFAULT, -EFAULT), so call 1 returns 4 pages and call 2 -EFAULT.
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * P, { populate: true });
    mapAt(mm, BASE + 4 * P, 4 * P);
    const faults = m.cost.faults;
    const io = proposal.pin(mm, { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE | FOLL_NOFAULT }, ref.settings);
    expect(io.ret).toBe(4 * P);
    expect(io.returnValues).toEqual([
      { value: 4 * P, count: 1 },
      { value: -14, count: 2 },
    ]);
    const faulted = m.cost.faults - faults;
    proposal.complete(mm, io, true);
    expect(faulted).toBe(0);
  });

  it('FOLL_PCI_P2PDMA is ITER_ALLOW_P2PDMA: ordinary memory pins as without it', () => {
    const { mm } = twoOrder2Folios();
    const io = proposal.pin(mm, { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE | FOLL_PCI_P2PDMA }, ref.settings);
    expect(triples(runsOf(io))).toEqual([
      [64, 4 * P, 0],
      [68, 4 * P, 0],
    ]);
    proposal.complete(mm, io, true);
  });
});

describe('the same bios as block direct I/O (bio_iov_iter_get_pages, masks 0)', () => {
  it.each([
    ['three THPs from 1 MiB + 10 in', 1, MIB + 10, 4 * MIB],
    ['600 order-0 pages', 0, 0, 600 * P],
  ] as const)('%s', (_name, thp, from, length) => {
    const build = () => {
      const w = world();
      mapAt(w.mm, BASE, 6 * MIB, thp === 1 ? { order: 9, populate: true } : { populate: true });
      return w;
    };
    const a = build();
    const io = proposal.pin(a.mm, { start: BASE + from, length, gupFlags: FOLL_WRITE }, ref.settings);
    const b = build();
    const dio = directIoSubmit(b.mm, iovIterUbuf(ITER_DEST, BASE + from, length), { logicalBlockSize: 1, dmaAlignment: 0 });
    expect(io.ret).toBe(length);
    expect(dio.ret).toBe(length);
    expect(io.bios.map((x) => x.vcnt)).toEqual(dio.bios.map((x) => x.vcnt));
    expect(runsOf(io)).toEqual(runsOf({ ...io, bios: dio.bios }));
    proposal.complete(a.mm, io, true);
    directIoComplete(b.m, dio);
  });
});
