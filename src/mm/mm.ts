/**
 * Address spaces: `struct mm_struct` (include/linux/mm_types.h) with its VMAs, page
 * tables, `MMF_HAS_PINNED` and `write_protect_seq`; `mm_alloc` and `exit_mmap`.
 *
 * Faithful for the fields GUP reads. Simplified: no mmap_lock (the model is single
 * threaded, so GUP-fast's seqcount check against a concurrent fork never fires), no
 * RSS counters. Every live mm of a machine is registered so that folio migration can
 * find all page tables mapping a folio (the kernel walks the rmap instead).
 */
import type { Machine } from './machine.js';
import { PageTables } from './page-table.js';
import type { Vma } from './vma.js';
import { zapVma } from './zap.js';
import { fileRelease } from './file.js';
import { checkPinsAtExit } from './pin-leak-report.js';

/** The highest address mmap() hands out without MAP_FIXED (top-down allocation starts here). */
export const MMAP_BASE = 0x7f0000000000;
/** `mmap_min_addr`: the lowest mappable address. */
export const MMAP_MIN_ADDR = 0x10000;

/** An address space. */
export interface Mm {
  readonly m: Machine;
  /** A small id for traces. */
  readonly id: number;
  readonly pt: PageTables;
  /** VMAs sorted by address, non-overlapping. */
  readonly vmas: Vma[];
  /** `MMF_HAS_PINNED`: set by the first FOLL_PIN on this mm, never cleared. */
  hasPinned: boolean;
  /** `write_protect_seq`: bumped by fork while it write-protects anonymous pages. */
  writeProtectSeq: number;
  /** False once exit_mmap has run. */
  live: boolean;
}

const mmsByMachine = new WeakMap<Machine, Set<Mm>>();
let nextMmId = 1;

/** `mm_alloc()`: an empty address space on machine `m`. */
export function createMm(m: Machine): Mm {
  const mm: Mm = { m, id: nextMmId++, pt: new PageTables(), vmas: [], hasPinned: false, writeProtectSeq: 0, live: true };
  let set = mmsByMachine.get(m);
  if (set === undefined) mmsByMachine.set(m, (set = new Set()));
  set.add(mm);
  return mm;
}

/** The live address spaces of a machine. */
export function machineMms(m: Machine): ReadonlySet<Mm> {
  return mmsByMachine.get(m) ?? new Set();
}

/**
 * `exit_mmap(mm)`: unmaps every VMA (dropping mapping references; pinned folios stay
 * allocated until unpinned) and forgets the mm. On a checked machine, a pin or FOLL_GET
 * reference that a GUP call on this mm took and nobody released is then reported
 * (PinMisuse, rule pin-outlives-mm); the teardown itself is complete by then.
 */
export function exitMmap(mm: Mm): void {
  if (!mm.live) return;
  for (const vma of mm.vmas) {
    zapVma(mm, vma, vma.start, vma.end);
    if (vma.file !== null) fileRelease(vma.file);
  }
  mm.vmas.length = 0;
  mm.live = false;
  mmsByMachine.get(mm.m)?.delete(mm);
  if (mm.m.checker !== null) checkPinsAtExit(mm.m.checker, mm.id);
}
