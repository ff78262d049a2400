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
 *
 * Arguments: a PFN is a `struct page *` inside the memmap, so a NaN, fractional or
 * out-of-range PFN throws an ArgumentError (arg-check.ts), except in `pfnValid`, whose
 * job is to answer false for PFNs beyond the memmap.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { PAGE_SIZE } from './constants.js';
import { CostCounters } from './cost.js';
import { VmStat } from './vmstat.js';
import { PG_ALLOCATED, PG_HEAD, PG_RESERVED, MAPPING_NONE } from './page-flags.js';
import type { WarnSink } from './bug.js';
import { badArgument, checkBool, checkOneOf, checkPfn } from './arg-check.js';
import { PinChecker } from './pin-checker.js';

/** The zones a folio can be allocated from. */
export type ZoneName = 'normal' | 'cma' | 'movable';

/** Every zone name, in PFN order (the order of `Machine.zones`). */
export const ZONE_NAMES: readonly ZoneName[] = ['normal', 'cma', 'movable'];

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
  /** Seed for the allocator's scattered placement: a 32-bit integer, signed or not. Default 1. */
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
    badArgument('createMachine', what, bytes, `a non-negative multiple of ${PAGE_SIZE}`);
  return bytes / PAGE_SIZE;
}

/**
 * Creates a machine with every page free except the zero page (PFN 0).
 * Throws an ArgumentError (a TypeError) on a size that is not a page multiple, more than
 * 2^31 - 1 pages, zones that leave no ZONE_NORMAL, a seed that is not a 32-bit integer,
 * or a `checked` that is not a boolean.
 */
export function createMachine(opts: MachineOptions = {}): Machine {
  const nrPages = pagesOf(opts.memoryBytes ?? DEFAULT_MEMORY_BYTES, 'opts.memoryBytes');
  const movable = pagesOf(opts.movableBytes ?? 0, 'opts.movableBytes');
  const cma = pagesOf(opts.cmaBytes ?? 0, 'opts.cmaBytes');
  if (nrPages >= 2 ** 31)
    badArgument('createMachine', 'opts.memoryBytes', opts.memoryBytes, `at most 2^31 - 1 pages of ${PAGE_SIZE}`);
  if (movable + cma >= nrPages) {
    const what = `below opts.memoryBytes (${nrPages * PAGE_SIZE}), leaving room for ZONE_NORMAL`;
    badArgument('createMachine', 'opts.movableBytes + opts.cmaBytes', (movable + cma) * PAGE_SIZE, what);
  }
  // The generator keeps 32 bits of the seed: refuse wider ones rather than alias them.
  const seed = opts.seed ?? 1;
  if ((seed | 0) !== seed && (seed >>> 0) !== seed) badArgument('createMachine', 'opts.seed', seed, 'a 32-bit integer');
  if (opts.checked !== undefined) checkBool('createMachine', 'opts.checked', opts.checked);
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

/** `page_zone(pfn_to_page(pfn))`: the zone holding `pfn`. */
export function pfnZone(m: Machine, pfn: number): Zone {
  checkPfn(m, 'pfnZone', 'pfn', pfn);
  const zones = m.zones;
  const normal = zones[0]!;
  if (pfn < normal.end) return normal;
  const cma = zones[1]!;
  return pfn < cma.end ? cma : zones[2]!;
}

/**
 * `pfn_valid(pfn)`: whether `pfn` is inside the memmap. Any integer is a question with
 * an answer (a negative one is a huge `unsigned long` in C: false); NaN or a fraction
 * throws an ArgumentError.
 */
export function pfnValid(m: Machine, pfn: number): boolean {
  if (!Number.isSafeInteger(pfn)) badArgument('pfnValid', 'pfn', pfn, 'a safe integer');
  return pfn >= 0 && pfn < m.nrPages;
}

/** The zone named `name` ('normal', 'cma' or 'movable'). */
export function zoneByName(m: Machine, name: ZoneName): Zone {
  checkOneOf('zoneByName', 'name', name, ZONE_NAMES);
  return m.zones[ZONE_NAMES.indexOf(name)]!;
}
