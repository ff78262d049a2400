/**
 * Property: on random address spaces (folio orders 0..9 mixed, contiguous or scattered
 * placement, holes, read-only, shared anonymous, private and shared ext4 and hugetlb
 * mappings, CMA memory, memory faulted in or not, forked with the child kept or gone)
 * and random requests (any byte alignment, 1 byte to 64 MiB, FOLL_WRITE / LONGTERM /
 * FORCE / NOFAULT), every registered proposal in every setting, the extract-bvecs
 * control included, agrees with the page-array control (pin_user_pages_fast +
 * get_contig_folio_len, mm/gup.c and lib/iov_iter.c, T) on the result, the runs (the
 * maximal runs the vectors describe, observe.ts canonicalRuns: extract-bvecs cuts a run
 * wherever an iov_iter_extract_bvecs call ends, which costs bvecs, not correctness), the
 * memmap while pinned and after complete(), and the WARNs; every vector maps what the
 * page tables map. A proposal whose expressibleGupFlags exclude the request's flags
 * (extract-bvecs on FOLL_LONGTERM or FOLL_FORCE) must refuse it instead: -EINVAL before
 * any call, nothing held, the machine unchanged. One exception,
 * a real one: when a long-term pin both migrates folios and allocates others (faults,
 * COW or unshare copies), where the new folios land depends on when each slow-path
 * attempt migrates, which depends on where the caller's calls split the range
 * (check_and_migrate_movable_pages runs once per call); there the proposals must
 * still agree on the result and on the number of pins, but the PFNs (and so the vectors)
 * may differ. And when a migration fails, a call loses everything its slow path pinned
 * (-ENOMEM, GUP-fast's prefix kept), so how much is pinned depends on where the calls
 * split the range: there each proposal is only checked on its own (well-formed, vectors
 * = page tables, balanced). Then, the faults and migrations of the first pass
 * settled, a second pin and complete() puts every refcount, pincount and mapcount back
 * exactly where they were, and no pin is left (vmstat balanced, no pincount, no bias).
 *
 * Kept small so the whole property runs in seconds: 48 MiB machines, a few mappings of
 * up to ~2.5 MiB each. FC_NUM_RUNS / FC_SEED are honoured (test/setup.ts).
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
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
  type PinnedIo,
  type Placement,
} from '../../src/index.js';
import { imbalance, untrack } from '../support/machines.js';
import { BASE, MIB, world } from '../support/mm-layout.js';
import { touchAndFork } from './random-world.js';
import {
  canonicalRuns,
  cannotExpress,
  expectRefusal,
  expectRunsMatchPageTables,
  expectSameState,
  expectWellFormed,
  firstMismatch,
  machineState,
  runsOf,
  type MachineState,
} from './observe.js';
import { VARIANTS, control, type Variant } from './variants.js';

const P = 4096;

interface Segment {
  readonly backing: Backing;
  readonly shared: boolean;
  readonly order: number;
  readonly writable: boolean;
  readonly cma: boolean;
  readonly placement: Placement;
  readonly populate: boolean;
  readonly pages: number;
  readonly gap: number;
}

const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    backing: fc.constantFrom<Backing>('anon', 'anon', 'shmem', 'ext4'),
    shared: fc.boolean(),
    order: fc.integer({ min: 0, max: 9 }),
    writable: fc.constantFrom(true, true, true, false),
    cma: fc.boolean(),
    placement: fc.constantFrom<Placement>('adjacent', 'scattered'),
    populate: fc.boolean(),
    pages: fc.integer({ min: 1, max: 600 }),
    gap: fc.constantFrom(0, 0, 0, 1, 3),
  }) },
  { weight: 1, arbitrary: fc.record({
    backing: fc.constant<Backing>('hugetlb-2m'),
    shared: fc.boolean(),
    order: fc.constant(0),
    writable: fc.constant(true),
    cma: fc.constant(false),
    placement: fc.constant<Placement>('adjacent'),
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
  longterm: fc.boolean(),
  force: fc.boolean(),
  nofault: fc.integer({ min: 0, max: 7 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Builds the scenario's world on a fresh machine: the same for every proposal. */
function build(sc: Scenario): { mm: Mm; child: Mm | null; start: number; flags: number } {
  const { m, mm } = world({ memoryBytes: 48 * MIB, cmaBytes: 8 * MIB, seed: sc.seed });
  // run() checks the balance itself, at the end of each pass; a failed expectation
  // must surface as itself, not as the end-of-test check on an abandoned machine.
  untrack(m);
  let vpn = 0;
  for (const s of sc.segments) {
    vpn += s.gap;
    if (s.backing === 'hugetlb-2m' || s.order === 9) vpn = Math.ceil(vpn / 512) * 512;
    const flags =
      (s.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED | (s.backing === 'anon' || s.backing === 'shmem' ? MAP_ANONYMOUS : 0) | (s.populate ? MAP_POPULATE : 0);
    const addr = BASE + vpn * P;
    const backing = s.backing === 'shmem' ? 'anon' : s.backing;
    const prot = s.writable ? PROT_READ | PROT_WRITE : PROT_READ;
    const got = mmap(mm, { addr, length: s.pages * P, prot, flags: s.backing === 'shmem' ? (flags & ~MAP_PRIVATE) | MAP_SHARED : flags, order: s.order, zone: s.cma ? 'cma' : 'normal', backing, placement: s.placement });
    if (got !== addr) throw new Error(`mmap ${addr.toString(16)}: ${got}`);
    vpn += s.pages;
  }
  const child = touchAndFork(mm, sc.touches, vpn, sc.forkMode);
  const start = BASE + (sc.startPage % (vpn + 4)) * P + sc.startByte;
  const flags = (sc.write ? FOLL_WRITE : 0) | (sc.longterm ? FOLL_LONGTERM : 0) | (sc.force ? FOLL_FORCE : 0) | (sc.nofault === 0 ? FOLL_NOFAULT : 0);
  return { mm, child, start, flags };
}

interface Outcome {
  readonly flags: number;
  readonly io: PinnedIo;
  /** The maximal runs the first pass's vectors describe. */
  readonly runs: BioVec[];
  readonly before: MachineState;
  readonly pinned: MachineState;
  readonly after: MachineState;
  /** The pin migrated folios and allocated others: placement depends on call boundaries. */
  readonly placementVaries: boolean;
  /** A long-term migration failed: how much is pinned depends on call boundaries. */
  readonly migrationFailed: boolean;
}

/** Migrations and faults the machine has seen so far. */
function events(mm: Mm): { migrated: number; failed: number; faults: number } {
  const m = mm.m;
  return { migrated: m.stat.pgmigrateSuccess + m.stat.pgmigrateFail, failed: m.stat.pgmigrateFail, faults: m.cost.faults };
}

/** Pins and completes twice; checks the second pass restores the first's end state. */
function run(v: Variant, sc: Scenario): Outcome {
  const { mm, child, start, flags } = build(sc);
  const m = mm.m;
  const req = { start, length: sc.length, gupFlags: flags };
  const dirty = sc.write;
  const before = machineState(m);
  const e0 = events(mm);
  const io = v.proposal.pin(mm, req, v.settings);
  const e1 = events(mm);
  expectWellFormed(io);
  const vectors = runsOf(io);
  expectRunsMatchPageTables(mm, start, vectors);
  const runs = canonicalRuns(m, vectors, v.settings.merge);
  const pinned = machineState(m);
  v.proposal.complete(mm, io, dirty);
  const after = machineState(m);
  expect(imbalance(m)).toEqual([]);
  expect(m.cost.frees, 'every array freed').toBe(m.cost.allocations);

  const again = v.proposal.pin(mm, req, v.settings);
  const e2 = events(mm);
  expectWellFormed(again);
  expectRunsMatchPageTables(mm, start, runsOf(again));
  // A failed migration is progress all the same: the next attempt may get further.
  if (e1.failed === e0.failed) expect(again.ret).toBe(io.ret);
  v.proposal.complete(mm, again, dirty);
  if (e2.migrated === e1.migrated && e2.faults === e1.faults) {
    expect(firstMismatch(m.refcount, after.refcount), `${v.label}: refcount after a settled second pass`).toBe(-1);
    expect(firstMismatch(m.pincount, after.pincount), `${v.label}: pincount after a settled second pass`).toBe(-1);
    expect(firstMismatch(m.mapcount, after.mapcount), `${v.label}: mapcount after a settled second pass`).toBe(-1);
  }
  expect(imbalance(m)).toEqual([]);
  if (child !== null) exitMmap(child);
  exitMmap(mm);
  expect(imbalance(m)).toEqual([]);
  return {
    flags,
    io,
    runs,
    before,
    pinned,
    after,
    migrationFailed: e1.failed > e0.failed,
    placementVaries: e1.migrated > e0.migrated && e1.faults > e0.faults,
  };
}

/** Pins held (vmstat acquired - released). */
function pinsInFlight(s: MachineState): number {
  return s.acquired - s.released;
}

const numRuns = fc.readConfigureGlobal().numRuns ?? 40;

test.prop([scenario], { numRuns })('every proposal = the page-array control, or refuses what it cannot state; release restores the memmap', (sc) => {
  const refs = { folio: run(control('folio'), sc), physical: run(control('physical'), sc) };
  for (const v of VARIANTS) {
    const ref = refs[v.settings.merge];
    const got = v === control(v.settings.merge) ? ref : run(v, sc);
    if (cannotExpress(v.proposal, got.flags)) {
      expectRefusal(got.io, got.before, got.pinned, got.after, v.label);
      continue;
    }
    if (ref.migrationFailed || got.migrationFailed) continue;
    expect(got.io.ret, v.label).toBe(ref.io.ret);
    expect(got.after.warnings, v.label).toEqual(ref.after.warnings);
    if (ref.placementVaries || got.placementVaries) {
      expect(pinsInFlight(got.pinned), v.label).toBe(pinsInFlight(ref.pinned));
      continue;
    }
    expect(got.runs, v.label).toEqual(ref.runs);
    expectSameState(got.pinned, ref.pinned, `${v.label} while pinned`);
    expectSameState(got.after, ref.after, `${v.label} after complete()`, true);
  }
  // Both policies pin the same bytes; 'physical' never needs more vectors.
  expect(refs.physical.io.ret).toBe(refs.folio.io.ret);
  expect(refs.physical.runs.length).toBeLessThanOrEqual(refs.folio.runs.length);
});
