/**
 * What the contract suite compares between proposals: the vectors a PinnedIo's bios
 * hold (flattened in order) and the maximal runs they describe, the bio limits every
 * proposal must respect, the machine state (refcounts, pincounts, page flags, vmstat)
 * before and after release, and the refusal of a request a proposal cannot state.
 */
import { expect } from 'vitest';
import {
  BIO_MAX_SIZE,
  BIO_MAX_VECS,
  BIO_PAGE_PINNED,
  EINVAL,
  PG_DIRTY,
  PG_REFERENCED,
  bioFlagged,
  pageAt,
  pageFolio,
  type BioVec,
  type Machine,
  type MergePolicy,
  type Mm,
  type PinStrategy,
  type PinnedIo,
} from '../../src/index.js';

/** The bvecs of every bio, in order. */
export function runsOf(io: PinnedIo): BioVec[] {
  const out: BioVec[] = [];
  for (const bio of io.bios) {
    const v = bio.vecs!;
    for (let i = 0; i < bio.vcnt; i++) out.push({ page: v.page[i]!, len: v.len[i]!, offset: v.offset[i]! });
  }
  return out;
}

/**
 * The runs `vectors` describe, maximal under `merge`: a vector that starts at the byte
 * right after the previous one ends is joined to it, under 'folio' only when that byte
 * is in the same folio as the previous one's last byte. "The same runs" in the contract
 * means these: a proposal that cuts a run (iov_iter_extract_bvecs at each extraction's
 * end, a bvec at UINT_MAX bytes) describes the same runs and pays in bvecs and bios.
 * Read the folios while the pins are held.
 */
export function canonicalRuns(m: Machine, vectors: readonly BioVec[], merge: MergePolicy): BioVec[] {
  const out: BioVec[] = [];
  for (const r of vectors) {
    const last = out[out.length - 1];
    if (last !== undefined) {
      const end = last.page * 4096 + last.offset + last.len;
      const at = r.page * 4096 + r.offset;
      const sameFolio = pageFolio(m, Math.floor((end - 1) / 4096)) === pageFolio(m, Math.floor(at / 4096));
      if (at === end && (merge === 'physical' || sameFolio)) {
        out[out.length - 1] = { ...last, len: last.len + r.len };
        continue;
      }
    }
    out.push({ page: r.page, len: r.len, offset: r.offset });
  }
  return out;
}

/** `flags` carry a flag `p`'s canonical caller cannot state (PinStrategy.expressibleGupFlags). */
export function cannotExpress(p: PinStrategy, flags: number): boolean {
  return p.expressibleGupFlags !== undefined && (flags & ~p.expressibleGupFlags) !== 0;
}

/**
 * The documented refusal of a request a proposal cannot state: -EINVAL before any call,
 * no bio, no array, and the machine exactly as before (memmap, pins, flags, WARNs).
 */
export function expectRefusal(io: PinnedIo, before: MachineState, pinned: MachineState, after: MachineState, what: string): void {
  expect([io.ret, io.calls, io.bios.length, io.owned.length], what).toEqual([-EINVAL, 0, 0, 0]);
  expectSameState(pinned, before, `${what}: after the refusal`, true);
  expectSameState(after, before, `${what}: after complete()`, true);
  expect(after.warnings, what).toEqual(before.warnings);
}

/** The block layer's limits, and the bytes adding up to the result. */
export function expectWellFormed(io: PinnedIo): void {
  let total = 0;
  for (const bio of io.bios) {
    expect(bio.vcnt).toBeGreaterThan(0);
    expect(bio.vcnt).toBeLessThanOrEqual(BIO_MAX_VECS);
    expect(bioFlagged(bio, BIO_PAGE_PINNED)).toBe(true);
    let sum = 0;
    for (let i = 0; i < bio.vcnt; i++) sum += bio.vecs!.len[i]!;
    expect(sum).toBe(bio.size);
    expect(sum).toBeLessThanOrEqual(BIO_MAX_SIZE);
    total += sum;
  }
  expect(total).toBe(Math.max(io.ret, 0));
  if (io.ret <= 0) expect(io.bios).toHaveLength(0);
}

/**
 * Every page a vector covers is the page the page tables map at that address now
 * (the walk's result read back through the page tables, one lookup per page), and the
 * vectors tile the bytes from `start` with the kernel's geometry: the first at
 * offset_in_page(start), the others at offset 0 of their first page.
 */
export function expectRunsMatchPageTables(mm: Mm, start: number, runs: readonly BioVec[]): void {
  let pos = 0;
  for (const r of runs) {
    const at = start + pos;
    expect(r.offset).toBe(at % 4096);
    const vpn = Math.floor(at / 4096);
    const n = Math.ceil((r.offset + r.len) / 4096);
    for (let j = 0; j < n; j++) if (pageAt(mm.pt, vpn + j) !== r.page + j) expect(pageAt(mm.pt, vpn + j)).toBe(r.page + j);
    pos += r.len;
  }
}

/** The memmap and pin counters, for comparing machines. */
export interface MachineState {
  readonly refcount: Int32Array;
  readonly pincount: Int32Array;
  readonly flags: Uint16Array;
  readonly mapcount: Int32Array;
  readonly acquired: number;
  readonly released: number;
  readonly warnings: readonly string[];
}

export function machineState(m: Machine): MachineState {
  return {
    refcount: m.refcount.slice(),
    pincount: m.pincount.slice(),
    flags: m.flags.slice(),
    mapcount: m.mapcount.slice(),
    acquired: m.stat.nrFollPinAcquired,
    released: m.stat.nrFollPinReleased,
    warnings: [...m.warnings],
  };
}

/** First index where two typed arrays differ, or -1. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** `flags` with the bits in `ignore` cleared. */
function masked(flags: Uint16Array, ignore: number): Uint16Array {
  const out = flags.slice();
  for (let i = 0; i < out.length; i++) out[i] = out[i]! & ~ignore;
  return out;
}

/**
 * Two machine states are the same, field by field (one readable failure per field).
 * PG_referenced is not compared, nor PG_dirty unless `dirtyToo`: which of GUP-fast and
 * the slow path takes a page decides them (gup_fast_*: folio_set_referenced; the slow
 * path's FOLL_TOUCH marks a PTE-mapped folio referenced, and dirty for FOLL_WRITE), and
 * a walk restarted at a page the slow path had faulted in takes it with GUP-fast.
 * bio_release_pages(mark_dirty) makes PG_dirty agree again after a write pin.
 */
export function expectSameState(a: MachineState, b: MachineState, what: string, dirtyToo = false): void {
  expect(firstMismatch(a.refcount, b.refcount), `${what}: refcount`).toBe(-1);
  expect(firstMismatch(a.pincount, b.pincount), `${what}: pincount`).toBe(-1);
  const ignore = PG_REFERENCED | (dirtyToo ? 0 : PG_DIRTY);
  expect(firstMismatch(masked(a.flags, ignore), masked(b.flags, ignore)), `${what}: page flags`).toBe(-1);
  expect(firstMismatch(a.mapcount, b.mapcount), `${what}: mapcount`).toBe(-1);
  // Net pins only: a walk restarted on a page GUP-fast must hand to the slow path (a
  // read-only pin needing unshare) grabs and drops it once more, which moves both
  // counters (gup_fast_pte_range: try_grab_folio_fast, then gup_put_folio).
  expect(a.acquired - a.released, `${what}: vmstat pins in flight`).toBe(b.acquired - b.released);
}
