/**
 * Property: on random address spaces (folio orders 0..9, contiguous or scattered,
 * holes, read-only, shared anonymous, private and shared ext4 and hugetlb mappings,
 * faulted in or not, forked with the child kept or gone) and random requests (any byte
 * alignment, 1 byte to 64 MiB, FOLL_WRITE, FOLL_NOFAULT), the extract-bvecs control and
 * the page-array control ('folio') give the same result, the same memmap while pinned
 * and after complete(), the same WARNs; and extract-bvecs' vectors are the control's
 * folio runs cut exactly where a simple model of the extraction puts the cuts:
 *
 *   per bio, max_vecs = min(pages left in the iterator, BIO_MAX_VECS); each call
 *   takes at most max_vecs - nr_vecs pages (from the current offset), cut along the
 *   control's runs, one bvec per piece; a bio ends when it has max_vecs bvecs or the
 *   bytes run out (iov_iter_extract_bvecs, lib/iov_iter.c; bio_iov_iter_get_pages,
 *   block/bio.c; __blkdev_direct_IO's bio_iov_vecs_to_alloc, T). The biovec slab's
 *   rounding of max_vecs up (bio_alloc) never moves a cut: a bio of fewer than 256
 *   pages is taken whole by its first call either way.
 *
 * Requests with FOLL_LONGTERM or FOLL_FORCE, which an iov_iter cannot carry, are refused
 * with -EINVAL and nothing touched. Every pin is released at the end.
 * FC_NUM_RUNS / FC_SEED are honoured (test/setup.ts).
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  BIO_MAX_VECS,
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_WRITE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  exitMmap,
  mmap,
  type Backing,
  type BioVec,
  type Mm,
  type PinStrategy,
} from '../../src/index.js';
import { proposal } from '../../proposals/extract-bvecs/index.js';
import { imbalance, untrack } from '../support/machines.js';
import { BASE, MIB, world } from '../support/mm-layout.js';
import { touchAndFork } from './random-world.js';
import { expectRunsMatchPageTables, expectSameState, expectWellFormed, machineState, runsOf, type MachineState } from './observe.js';
import { control } from './variants.js';

const P = 4096;

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    backing: fc.constantFrom<Backing | 'shmem'>('anon', 'anon', 'shmem', 'ext4'),
    shared: fc.boolean(),
    order: fc.integer({ min: 0, max: 9 }),
    writable: fc.constantFrom(true, true, true, false),
    scattered: fc.boolean(),
    populate: fc.boolean(),
    pages: fc.integer({ min: 1, max: 700 }),
    gap: fc.constantFrom(0, 0, 0, 1, 3),
  }) },
  { weight: 1, arbitrary: fc.record({
    backing: fc.constant<Backing | 'shmem'>('hugetlb-2m'),
    shared: fc.boolean(),
    order: fc.constant(0),
    writable: fc.constant(true),
    scattered: fc.constant(false),
    populate: fc.boolean(),
    pages: fc.constantFrom(512, 1024),
    gap: fc.constantFrom(0, 512),
  }) },
);

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1000 }),
  segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
  touches: fc.array(fc.record({ at: fc.nat(), pages: fc.integer({ min: 1, max: 64 }) }), { maxLength: 3 }),
  forkMode: fc.constantFrom('none', 'none', 'keep-child', 'child-exited'),
  startPage: fc.nat(),
  startByte: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: P - 1 })),
  length: fc.oneof(fc.integer({ min: 1, max: 2 * P }), fc.integer({ min: 1, max: 3 * MIB }), fc.integer({ min: 1, max: 64 * MIB })),
  write: fc.boolean(),
  nofault: fc.integer({ min: 0, max: 7 }),
  inexpressible: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, FOLL_LONGTERM, FOLL_FORCE),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The scenario's world on a fresh machine, the same for both proposals. */
function build(sc: Scenario): { mm: Mm; child: Mm | null; start: number; flags: number } {
  const { m, mm } = world({ memoryBytes: 48 * MIB, seed: sc.seed });
  untrack(m); // checked by run() itself, so a failed expectation surfaces as itself
  let vpn = 0;
  for (const s of sc.segments) {
    vpn += s.gap;
    if (s.backing === 'hugetlb-2m' || s.order === 9) vpn = Math.ceil(vpn / 512) * 512;
    const anon = s.backing === 'anon' || s.backing === 'shmem';
    const flags = (s.shared || s.backing === 'shmem' ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED | (anon ? MAP_ANONYMOUS : 0) | (s.populate ? MAP_POPULATE : 0);
    const addr = BASE + vpn * P;
    const got = mmap(mm, {
      addr,
      length: s.pages * P,
      prot: s.writable ? PROT_READ | PROT_WRITE : PROT_READ,
      flags,
      order: s.order,
      backing: s.backing === 'shmem' ? 'anon' : s.backing,
      placement: s.scattered ? 'scattered' : 'adjacent',
    });
    if (got !== addr) throw new Error(`mmap ${addr.toString(16)}: ${got}`);
    vpn += s.pages;
  }
  const child = touchAndFork(mm, sc.touches, vpn, sc.forkMode);
  const start = BASE + (sc.startPage % (vpn + 4)) * P + sc.startByte;
  const flags = (sc.write ? FOLL_WRITE : 0) | (sc.nofault === 0 ? FOLL_NOFAULT : 0) | sc.inexpressible;
  return { mm, child, start, flags };
}

interface Outcome {
  readonly start: number;
  readonly ret: number;
  readonly runs: BioVec[];
  readonly bios: number[];
  readonly pinned: MachineState;
  readonly after: MachineState;
  readonly before: MachineState;
}

function run(p: PinStrategy, sc: Scenario): Outcome {
  const { mm, child, start, flags } = build(sc);
  const m = mm.m;
  const before = machineState(m);
  const io = p.pin(mm, { start, length: sc.length, gupFlags: flags }, { merge: 'folio' });
  expectWellFormed(io);
  const runs = runsOf(io);
  expectRunsMatchPageTables(mm, start, runs);
  const pinned = machineState(m);
  p.complete(mm, io, sc.write);
  const after = machineState(m);
  expect(imbalance(m)).toEqual([]);
  if (child !== null) exitMmap(child);
  exitMmap(mm);
  expect(imbalance(m)).toEqual([]);
  return { start, ret: io.ret, runs, bios: io.bios.map((b) => b.vcnt), pinned, after, before };
}

/** The cut model of the header: the control's runs, cut where extractions end. */
function cutModel(runs: readonly BioVec[], start: number, length: number): { runs: number[][]; bios: number[] } {
  const out: number[][] = [];
  const bios: number[] = [];
  let bytes = 0;
  for (const r of runs) bytes += r.len;
  let pos = start;
  let iterLeft = length;
  let ri = 0;
  let used = 0;
  while (bytes > 0) {
    const maxVecs = Math.min(Math.ceil(((pos % P) + iterLeft) / P), BIO_MAX_VECS);
    let v = 0;
    while (bytes > 0 && v < maxVecs) {
      let take = Math.min(bytes, (maxVecs - v) * P - (pos % P));
      while (take > 0) {
        const r = runs[ri]!;
        const n = Math.min(r.len - used, take);
        const at = r.offset + used;
        out.push([r.page + Math.floor(at / P), n, at % P]);
        v++;
        used += n;
        take -= n;
        pos += n;
        iterLeft -= n;
        bytes -= n;
        if (used === r.len) {
          ri++;
          used = 0;
        }
      }
    }
    bios.push(v);
  }
  return { runs: out, bios };
}

const numRuns = fc.readConfigureGlobal().numRuns ?? 40;

test.prop([scenario], { numRuns })('extract-bvecs = the page-array control, vectors cut where extractions end', (sc) => {
  const got = run(proposal, sc);
  if (sc.inexpressible !== 0) {
    expect(got.ret).toBe(-22);
    expectSameState(got.after, got.before, 'refused', true);
    return;
  }
  const ref = run(control('folio').proposal, sc);
  expect(got.ret).toBe(ref.ret);
  expect(got.after.warnings).toEqual(ref.after.warnings);
  expectSameState(got.pinned, ref.pinned, 'while pinned');
  expectSameState(got.after, ref.after, 'after complete()', true);
  const want = cutModel(ref.runs, ref.start, sc.length);
  expect(got.runs.map((r) => [r.page, r.len, r.offset])).toEqual(want.runs);
  expect(got.bios).toEqual(want.bios);
});
