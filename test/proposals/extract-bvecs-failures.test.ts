/**
 * Failures in the middle for the extract-bvecs control, each handled as its README's
 * table says, with every call's return worked by hand.
 *
 * Kernel behaviour relied on (T): pin_user_pages_fast returns GUP-fast's prefix when
 * the slow path fails after it, and the error when nothing was taken (mm/gup.c
 * gup_fast_fallback); a fault that cannot allocate is -ENOMEM. iov_iter_extract_bvecs
 * returns the bytes it turned into bvecs, or the error with *nr_vecs unchanged
 * (lib/iov_iter.c). bio_iov_iter_get_pages keeps a partial bio when a later call fails
 * and returns the error only for an empty bio (block/bio.c). The caller then puts the
 * empty bio and returns what the earlier bios hold. No pin is left after complete().
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, ENOMEM, FOLL_WRITE, folioPut, injectAllocFailure, type Machine, type PinRequest, type PinnedIo } from '../../src/index.js';
import { proposal } from '../../proposals/extract-bvecs/index.js';
import { imbalance } from '../support/machines.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { expectWellFormed, runsOf } from './observe.js';
import { twoOrder2Folios } from './worlds.js';
import { holdAllFree } from '../support/hold-free.js';

const P = 4096;

function pinAndComplete(m: Machine, mm: Parameters<typeof proposal.pin>[0], req: PinRequest): { io: PinnedIo; biosBuilt: number; held: number } {
  const built = m.cost.biosBuilt;
  const io = proposal.pin(mm, req, { merge: 'folio' });
  expectWellFormed(io);
  const held = m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased;
  const biosBuilt = m.cost.biosBuilt - built;
  proposal.complete(mm, io, (req.gupFlags & FOLL_WRITE) !== 0);
  expect(imbalance(m)).toEqual([]);
  expect(m.cost.allocations).toBe(0);
  return { io, biosBuilt, held };
}

describe('extract-bvecs: failures', () => {
  it('a hole at the start: one call fails, the empty bio is put, nothing held', () => {
    const { m, mm } = world();
    mapAt(mm, BASE + 4 * P, 8 * P, { populate: true });
    const got = pinAndComplete(m, mm, { start: BASE, length: 12 * P, gupFlags: FOLL_WRITE });
    expect(got.io).toEqual({ ret: -EFAULT, bios: [], calls: 1, returnValues: [{ value: -EFAULT, count: 1 }], owned: [] });
    expect([got.biosBuilt, got.held]).toEqual([1, 0]);
  });

  it('a hole partway: the short call keeps its bvecs, two more calls see the hole', () => {
    // 20 pages from BASE + 300: bio of 20 -> 64 vectors. Call 1 pins pages 0..7 (GUP-fast
    // takes them, the slow path stops at the hole): 8 * 4096 - 300 bytes, 8 bvecs. Call 2,
    // same bio, starts in the hole: -EFAULT, the bio is kept. Bio 2's first call: -EFAULT,
    // empty, put.
    const { m, mm } = world();
    mapAt(mm, BASE, 8 * P, { populate: true });
    mapAt(mm, BASE + 12 * P, 8 * P, { populate: true });
    const got = pinAndComplete(m, mm, { start: BASE + 300, length: 20 * P - 300, gupFlags: FOLL_WRITE });
    expect(got.io.ret).toBe(8 * P - 300);
    expect(got.io.returnValues).toEqual([
      { value: 8 * P - 300, count: 1 },
      { value: -EFAULT, count: 2 },
    ]);
    expect(got.io.bios.map((b) => b.vcnt)).toEqual([8]);
    expect([got.biosBuilt, got.held]).toEqual([2, 8]);
  });

  it('a hole right after a full bio: the next bio fails empty, the first is kept whole', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 256 * P, { populate: true });
    const got = pinAndComplete(m, mm, { start: BASE, length: 300 * P, gupFlags: FOLL_WRITE });
    expect(got.io.ret).toBe(MIB);
    expect(got.io.returnValues).toEqual([
      { value: MIB, count: 1 },
      { value: -EFAULT, count: 1 },
    ]);
    expect(got.io.bios.map((b) => b.vcnt)).toEqual([256]);
    expect([got.biosBuilt, got.held]).toEqual([2, 256]);
  });

  it('-ENOMEM from a fault partway: the present prefix is kept, the rest never pinned', () => {
    // 16 present pages, 16 to fault in, ZONE_NORMAL exhausted. Call 1: GUP-fast takes 16,
    // the first fault fails: 16 pages from BASE + 5. Call 2 and bio 2's call: -ENOMEM.
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * P, { populate: true });
    mapAt(mm, BASE + 16 * P, 16 * P);
    const hogs = holdAllFree(m, 0, { zone: 'normal' });
    const got = pinAndComplete(m, mm, { start: BASE + 5, length: 32 * P - 5, gupFlags: FOLL_WRITE });
    expect(got.io.ret).toBe(16 * P - 5);
    expect(got.io.returnValues).toEqual([
      { value: 16 * P - 5, count: 1 },
      { value: -ENOMEM, count: 2 },
    ]);
    expect(runsOf(got.io).map((r) => [r.len, r.offset])).toEqual([[P - 5, 5], ...Array.from({ length: 15 }, () => [P, 0])]);
    const none = pinAndComplete(m, mm, { start: BASE + 16 * P, length: 16 * P, gupFlags: FOLL_WRITE });
    expect(none.io.ret).toBe(-ENOMEM);
    expect([none.io.calls, none.biosBuilt, none.held]).toEqual([1, 1, 0]);
    for (const f of hogs) folioPut(m, f);
  });

  it('-ENOMEM injected into the first allocation: there is none, the pin is unchanged', () => {
    const { m, mm } = twoOrder2Folios();
    injectAllocFailure(m, 1);
    const got = pinAndComplete(m, mm, { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE });
    expect(got.io.ret).toBe(8 * P);
    injectAllocFailure(m, 0);
  });
});
