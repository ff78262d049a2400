/**
 * Physical memory: the memmap as typed arrays indexed by PFN, zones, the zero page.
 *
 * Models `struct page` / `struct folio` state (mm_types.h) as a struct of arrays:
 * refcount, pincount, order, flags, per-page mapcount, folio entire mapcount, mapping
 * kind and a content tag. A page is its PFN; a folio is the PFN of its head page.
 * Per-folio fields are meaningful at the head index only. Faithful for the fields GUP
 * reads and writes; the rest of struct page is not modelled.
 *
 * Zones: ZONE_NORMAL, a CMA area (MIGRATE_CMA pageblocks, which the kernel keeps inside
 * a normal zone; modelled as its own PFN range) and ZONE_MOVABLE, laid out in that
 * order from PFN 0. PFN 0 is the shared zero page.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { PAGE_SIZE } from './constants.js';
import { CostCounters } from './cost.js';
import { VmStat } from './vmstat.js';
import { PG_ALLOCATED, PG_HEAD, PG_RESERVED, MAPPING_NONE } from './page-flags.js';
import { KernelBug, type WarnSink } from './bug.js';
import { PinChecker } from './pin-checker.js';

/** The zones a folio can be allocated from. */
export type ZoneName = 'normal' | 'cma' | 'movable';

/** A PFN range and its next-fit cursor. */
export interface Zone {
  readonly name: ZoneName;
  /** First PFN of the zone. */
  readonly start: number;
  /** One past the last PFN. */
  readonly end: number;
  /** Where the next-fit allocator looks next. */
  cursor: number;
}

export interface MachineOptions {
  /** Physical memory size in bytes (a multiple of PAGE_SIZE). Default 2 GiB. */
  readonly memoryBytes?: number;
  /** Bytes of ZONE_MOVABLE, carved from the top of memory. Default 0. */
  readonly movableBytes?: number;
  /** Bytes of CMA area, just below ZONE_MOVABLE. Default 0. */
  readonly cmaBytes?: number;
  /** Seed for the allocator's scattered placement. Default 1. */
  readonly seed?: number;
  /** Start with the pin checker on (pin-checker.ts): tests and `trace` do. Default false. */
  readonly checked?: boolean;
}

/** The physical machine: memmap arrays, zones, counters. */
export interface Machine extends WarnSink {
  /** Number of page frames. */
  readonly nrPages: number;
  /** Folio refcount (`_refcount`), at the head PFN. */
  readonly refcount: Int32Array;
  /** Folio pincount (`_pincount`), at the head PFN; used only for large folios. */
  readonly pincount: Int32Array;
  /** Folio order, stored on every page of the folio so `pageFolio` is one mask. */
  readonly order: Uint8Array;
  /** PG_* bits (page-flags.ts). */
  readonly flags: Uint16Array;
  /** Per-page PTE mapcount (the kernel's `_mapcount + 1`). */
  readonly mapcount: Int32Array;
  /** Folio PMD/PUD mapcount (`_entire_mapcount + 1`), at the head PFN. */
  readonly entireMapcount: Int32Array;
  /** Folio mapping kind (MAPPING_*), at the head PFN. */
  readonly mapping: Uint8Array;
  /** Per-page content tag: stands for the page's data; writes change it. */
  readonly content: Int32Array;
  /** The zones, in PFN order: normal, cma, movable (empty ones included). */
  readonly zones: readonly Zone[];
  /** PFN of the shared zero page. */
  readonly zeroPfn: number;
  /** vmstat counters. */
  readonly stat: VmStat;
  /** Cost counters every layer adds to. */
  readonly cost: CostCounters;
  /** WARN_ON hits, in order. */
  readonly warnings: string[];
  /** The allocator's seeded generator (scattered placement). */
  readonly rng: RandomGenerator;
  /** The seed the generator started from. */
  readonly seed: number;
  /** The pin checker's shadow accounting (pin-checker.ts); null when checking is off. */
  checker: PinChecker | null;
}

/** Default physical memory: room for a 1 GiB workload plus its copies. */
export const DEFAULT_MEMORY_BYTES = 2 * 1024 * 1024 * 1024;

function pagesOf(bytes: number, what: string): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes % PAGE_SIZE !== 0)
    throw new TypeError(`${what} must be a non-negative multiple of ${PAGE_SIZE}, got ${bytes}`);
  return bytes / PAGE_SIZE;
}

/**
 * Creates a machine with every page free except the zero page (PFN 0).
 * Throws TypeError on a size that is not a page multiple or leaves no normal zone.
 */
export function createMachine(opts: MachineOptions = {}): Machine {
  const nrPages = pagesOf(opts.memoryBytes ?? DEFAULT_MEMORY_BYTES, 'memoryBytes');
  const movable = pagesOf(opts.movableBytes ?? 0, 'movableBytes');
  const cma = pagesOf(opts.cmaBytes ?? 0, 'cmaBytes');
  if (nrPages >= 2 ** 31) throw new TypeError(`memoryBytes too large: at most 2^31 pages`);
  if (movable + cma >= nrPages) throw new TypeError('movableBytes + cmaBytes must leave room for ZONE_NORMAL');
  const seed = opts.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  const normalEnd = nrPages - movable - cma;
  const m: Machine = {
    nrPages,
    refcount: new Int32Array(nrPages),
    pincount: new Int32Array(nrPages),
    order: new Uint8Array(nrPages),
    flags: new Uint16Array(nrPages),
    mapcount: new Int32Array(nrPages),
    entireMapcount: new Int32Array(nrPages),
    mapping: new Uint8Array(nrPages),
    content: new Int32Array(nrPages),
    zones: [
      { name: 'normal', start: 0, end: normalEnd, cursor: 1 },
      { name: 'cma', start: normalEnd, end: normalEnd + cma, cursor: normalEnd },
      { name: 'movable', start: normalEnd + cma, end: nrPages, cursor: normalEnd + cma },
    ],
    zeroPfn: 0,
    stat: new VmStat(),
    cost: new CostCounters(),
    warnings: [],
    rng: xoroshiro128plus(seed),
    seed,
    checker: null,
  };
  // The zero page is reserved forever: one reference that is never dropped.
  m.flags[0] = PG_ALLOCATED | PG_HEAD | PG_RESERVED;
  m.refcount[0] = 1;
  m.mapping[0] = MAPPING_NONE;
  m.stat.nrFreePages = nrPages - 1;
  if (opts.checked === true) m.checker = new PinChecker(m);
  return m;
}

/** The zone holding `pfn`. */
export function pfnZone(m: Machine, pfn: number): Zone {
  const zones = m.zones;
  for (let i = 0; i < zones.length; i++) {
    const z = zones[i]!;
    if (pfn >= z.start && pfn < z.end) return z;
  }
  throw new KernelBug(`pfn ${pfn} is outside physical memory (0..${m.nrPages - 1})`);
}

/** `pfn_valid(pfn)`: an integer PFN inside the memmap. */
export function pfnValid(m: Machine, pfn: number): boolean {
  return Number.isInteger(pfn) && pfn >= 0 && pfn < m.nrPages;
}

/** The zone named `name`. */
export function zoneByName(m: Machine, name: ZoneName): Zone {
  for (const z of m.zones) if (z.name === name) return z;
  throw new KernelBug(`no zone ${name}`);
}
