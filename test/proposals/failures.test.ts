/**
 * Failures in the middle, for every proposal in every setting, each handled as its
 * README's contract says: after a failure with nothing pinned the caller holds nothing
 * (no bio, no array: every allocation already freed); after a failure with progress it
 * holds bios for exactly the bytes pinned, and complete() releases them. Either way no
 * pin and no allocation is left at the end (vmstat balanced, every kmalloc/kvmalloc
 * freed).
 *
 * Kernel behaviour relied on (mm/gup.c, T): gup_fast_fallback returns GUP-fast's prefix
 * when the slow path fails after it, the error when nothing was taken; a fault that
 * cannot allocate is -ENOMEM (vm_fault_to_errno); a long-term pin whose migration fails
 * unpins everything its slow path pinned and returns -ENOMEM (GUP-fast's prefix stays).
 * A proposal that cannot state FOLL_LONGTERM (extract-bvecs: expressibleGupFlags) gets
 * no long-term pin to fail: it refuses the request with -EINVAL, touching nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  FOLL_LONGTERM,
  FOLL_WRITE,
  allocFolio,
  folioPut,
  injectAllocFailure,
  pageAt,
  pfnZone,
  vpnOf,
  type Machine,
  type Mm,
  type PinRequest,
  type PinnedIo,
  type ZoneName,
} from '../../src/index.js';
import { imbalance } from '../support/machines.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { cannotExpress, expectRefusal, expectWellFormed, machineState } from './observe.js';
import { VARIANTS, type Variant } from './variants.js';
import { twoOrder2Folios } from './worlds.js';

const P = 4096;
const each = VARIANTS.map((v) => [v.label, v] as const);

/** Takes every free order-0 page of `zone`; returns them for hogRelease. */
function hog(m: Machine, zone: ZoneName): number[] {
  const taken: number[] = [];
  for (;;) {
    const f = allocFolio(m, 0, { zone });
    if (f < 0) return taken;
    taken.push(f);
  }
}

function hogRelease(m: Machine, taken: number[]): void {
  for (const f of taken) folioPut(m, f);
}

/** Pins, checks the result is well formed, completes, checks nothing is left. */
function pinAndComplete(v: Variant, mm: Mm, req: PinRequest): PinnedIo {
  const m = mm.m;
  const io = v.proposal.pin(mm, req, v.settings);
  expectWellFormed(io);
  if (io.ret < 0) {
    expect(io.bios).toHaveLength(0);
    expect(io.owned).toHaveLength(0);
    expect(imbalance(m)).toEqual([]);
  }
  v.proposal.complete(mm, io, (req.gupFlags & FOLL_WRITE) !== 0);
  expect(imbalance(m)).toEqual([]);
  expect(m.cost.frees).toBe(m.cost.allocations);
  return io;
}

describe.each(each)('%s', (_label, v) => {
  it('-ENOMEM injected into the first allocation: nothing pinned, nothing held', () => {
    // Whether this proposal allocates at all for the request (caller-chunks keeps up
    // to 1 KiB of array on its stack), seen on an identical world without injection.
    const twin = twoOrder2Folios();
    const req = { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE };
    const normal = pinAndComplete(v, twin.mm, req);
    const allocates = twin.m.cost.allocations > 0;
    const { m, mm } = twoOrder2Folios();
    injectAllocFailure(m, 1);
    const io = pinAndComplete(v, mm, req);
    if (allocates) {
      expect(io.ret).toBe(-ENOMEM);
      expect(m.stat.nrFollPinAcquired).toBe(0);
      expect(m.cost.allocations).toBe(0);
    } else {
      expect(io.ret).toBe(normal.ret);
      injectAllocFailure(m, 0);
    }
  });

  it('-ENOMEM from a fault partway: the present prefix is kept, the rest is not pinned', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * P, { populate: true });
    mapAt(mm, BASE + 16 * P, 16 * P);
    const hogs = hog(m, 'normal');
    const io = pinAndComplete(v, mm, { start: BASE + 5, length: 32 * P - 5, gupFlags: FOLL_WRITE });
    expect(io.ret).toBe(16 * P - 5);
    const none = pinAndComplete(v, mm, { start: BASE + 16 * P, length: 16 * P, gupFlags: FOLL_WRITE });
    expect(none.ret).toBe(-ENOMEM);
    expect(pageAt(mm.pt, vpnOf(BASE + 16 * P))).toBe(-1);
    hogRelease(m, hogs);
  });

  it('a long-term migration that fails: GUP-fast prefix kept, the CMA pages never stay pinned', () => {
    const { m, mm } = world({ cmaBytes: 8 * MIB });
    mapAt(mm, BASE, 8 * P, { populate: true });
    mapAt(mm, BASE + 8 * P, 8 * P, { zone: 'cma', populate: true });
    const hogs = hog(m, 'normal');
    const flags = FOLL_WRITE | FOLL_LONGTERM;
    if (cannotExpress(v.proposal, flags)) {
      const before = machineState(m);
      const io = v.proposal.pin(mm, { start: BASE, length: 16 * P, gupFlags: flags }, v.settings);
      const pinned = machineState(m);
      v.proposal.complete(mm, io, true);
      expectRefusal(io, before, pinned, machineState(m), v.label);
      expect(m.stat.pgmigrateSuccess + m.stat.pgmigrateFail).toBe(0);
      hogRelease(m, hogs);
      return;
    }
    const io = pinAndComplete(v, mm, { start: BASE, length: 16 * P, gupFlags: flags });
    expect(io.ret).toBe(8 * P);
    const none = pinAndComplete(v, mm, { start: BASE + 8 * P, length: 8 * P, gupFlags: flags });
    expect(none.ret).toBe(-ENOMEM);
    expect(m.stat.pgmigrateFail).toBeGreaterThan(0);
    expect(pfnZone(m, pageAt(mm.pt, vpnOf(BASE + 8 * P))).name).toBe('cma'); // nothing moved
    hogRelease(m, hogs);
  });
});

describe('callee-allocates: an allocation after the first fails (partial result)', () => {
  /** 600 present order-0 pages: 600 bvecs under the 'folio' policy. */
  function layout(): { m: Machine; mm: Mm } {
    const w = world();
    mapAt(w.mm, BASE, 600 * P, { populate: true });
    return w;
  }
  const callee = VARIANTS.find((x) => x.proposal.name === 'callee-allocates')!.proposal;

  it("'grow': the first growth fails; the 16 bvecs pinned so far are returned with their array", () => {
    const { m, mm } = layout();
    injectAllocFailure(m, 2);
    const io = callee.pin(mm, { start: BASE, length: 600 * P, gupFlags: FOLL_WRITE }, { merge: 'folio', sizing: 'grow' });
    expect(io.ret).toBe(16 * P);
    expect(io.returnValues).toEqual([{ value: 16, count: 1 }]);
    expect(io.bios.map((b) => b.vcnt)).toEqual([16]);
    expect(io.owned.map((o) => [o.alloc.given, o.usedBytes])).toEqual([[256, 256]]);
    expect(m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased).toBe(16);
    callee.complete(mm, io, true);
    expect(imbalance(m)).toEqual([]);
    expect(m.cost.frees).toBe(m.cost.allocations);
  });

  it("'chunked': the second chunk fails inside the walk; the first chunk's 31 bvecs are returned", () => {
    const { m, mm } = layout();
    injectAllocFailure(m, 2);
    const io = callee.pin(mm, { start: BASE, length: 600 * P, gupFlags: FOLL_WRITE }, { merge: 'folio', sizing: 'chunked' });
    expect(io.ret).toBe(31 * P);
    expect(io.owned.map((o) => [o.alloc.given, o.usedBytes])).toEqual([[512, 8 + 31 * 16]]);
    // The walk stopped at the PTE that needed a 32nd bvec, before grabbing it.
    expect(m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased).toBe(31);
    callee.complete(mm, io, true);
    expect(imbalance(m)).toEqual([]);
  });
});

describe('a long-term migration that fails partway: what stays pinned depends on where the calls split', () => {
  // Pages 0..3 and 12..15 are CMA, 4..11 normal; only 4 normal pages are free, so 4
  // migrations succeed and the next fails. check_and_migrate_movable_pages runs at the
  // end of each call's slow path and, when a migration fails, that call unpins all it
  // pinned there and returns -ENOMEM (GUP-fast's prefix, none here, stays). One call over
  // the range therefore pins nothing; small caller arrays migrate 0..3 in early calls,
  // take 4..11 with GUP-fast, and stop at 12 with 12 pages pinned. Under 'physical' a
  // 3-bvec array holds the whole range ([0..3], [4..11], [12..15]), so it is one call.
  const twelve = 12 * P;
  const rows: readonly [label: string, ret: number][] = [
    ['page-array merge=folio', -ENOMEM],
    ['page-array merge=physical', -ENOMEM],
    ['overallocate merge=folio', -ENOMEM],
    ['callee-allocates merge=folio sizing=grow', -ENOMEM],
    ['callee-allocates merge=folio sizing=count-first', -ENOMEM],
    ['callee-allocates merge=folio sizing=chunked chunk=2', -ENOMEM],
    ['caller-chunks merge=folio', -ENOMEM],
    ['caller-chunks merge=folio chunk=1', twelve],
    ['caller-chunks merge=folio chunk=3', twelve],
    ['caller-chunks merge=physical chunk=1', twelve],
    ['caller-chunks merge=physical chunk=3', -ENOMEM],
  ];
  it.each(rows)('%s: %i', (label, ret) => {
    const v = VARIANTS.find((x) => x.label === label);
    expect(v, label).toBeDefined();
    const { m, mm } = world({ cmaBytes: 8 * MIB });
    mapAt(mm, BASE, 4 * P, { zone: 'cma', populate: true });
    mapAt(mm, BASE + 4 * P, 8 * P, { populate: true });
    mapAt(mm, BASE + 12 * P, 4 * P, { zone: 'cma', populate: true });
    const hogs = hog(m, 'normal');
    hogRelease(m, hogs.splice(hogs.length - 4, 4));
    const io = pinAndComplete(v!, mm, { start: BASE, length: 16 * P, gupFlags: FOLL_WRITE | FOLL_LONGTERM });
    expect(io.ret).toBe(ret);
    const migrated = m.stat.pgmigrateSuccess;
    expect(migrated).toBe(4);
    hogRelease(m, hogs);
  });
});
