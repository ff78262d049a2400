/**
 * The page allocator: naturally aligned folios of order 0..PUD_ORDER from a zone.
 *
 * Models what GUP's callers see of `folio_alloc` / `alloc_contig_range`: a new folio has
 * refcount 1, every page clean and zeroed (content tag 0). Simplified: no buddy free
 * lists. Placement is next-fit within a zone ("adjacent", the default, so successive
 * folios are physically contiguous), seeded random ("scattered", for fragmented
 * layouts), or exact (`pfn`). Freeing clears the pages; the kernel's free path
 * (`free_unref_folios`) likewise touches every page of the folio.
 *
 * Arguments: an order or PFN C could hold but the allocator cannot serve (negative,
 * above MAX_FOLIO_ORDER, misaligned, beyond memory) keeps the documented -EINVAL; NaN,
 * a fraction, an unknown zone or placement throws an ArgumentError before anything
 * changes (arg-check.ts).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { MAX_FOLIO_ORDER } from './constants.js';
import { EBUSY, EINVAL, ENOMEM } from './errno.js';
import type { Machine, Zone, ZoneName } from './machine.js';
import { ZONE_NAMES, pfnZone, zoneByName } from './machine.js';
import { PG_ALLOCATED, PG_HEAD, PG_RESERVED, MAPPING_NONE } from './page-flags.js';
import { KernelBug } from './bug.js';
import { badArgument, checkOneOf, checkPfn } from './arg-check.js';

/** How the allocator chooses where a folio goes. */
export type Placement = 'adjacent' | 'scattered';

export interface AllocOptions {
  /** Place the folio exactly here (must be aligned to the order and free). */
  readonly pfn?: number;
  /** The zone to allocate from (default 'normal'); ignored when `pfn` is given. */
  readonly zone?: ZoneName;
  /** 'adjacent' (next-fit, the default) or 'scattered' (seeded random). */
  readonly placement?: Placement;
}

/** Returns -1 if [start, start+n) is free, else the first PFN past the busy folio found. */
function firstBusyEnd(m: Machine, start: number, n: number): number {
  const flags = m.flags;
  const order = m.order;
  for (let p = start; p < start + n; p++) {
    if ((flags[p]! & PG_ALLOCATED) !== 0) {
      const head = p & ~((1 << order[p]!) - 1);
      return head + (1 << order[p]!);
    }
  }
  return -1;
}

function alignUp(pfn: number, nr: number): number {
  return Math.ceil(pfn / nr) * nr;
}

/** Next-fit from the zone's cursor, wrapping once; -1 if nothing fits. */
function findAdjacent(m: Machine, z: Zone, nr: number): number {
  const first = alignUp(Math.max(z.cursor, z.start), nr);
  for (let pass = 0; pass < 2; pass++) {
    let p = pass === 0 ? first : alignUp(z.start, nr);
    const limit = pass === 0 ? z.end : Math.min(first + nr - 1, z.end);
    while (p + nr <= limit) {
      const busy = firstBusyEnd(m, p, nr);
      if (busy < 0) return p;
      p = alignUp(busy, nr);
    }
  }
  return -1;
}

/** Seeded random aligned slot; falls back to next-fit after a few misses. */
function findScattered(m: Machine, z: Zone, nr: number): number {
  const lo = alignUp(z.start, nr) / nr;
  const hi = Math.floor(z.end / nr) - 1;
  if (hi < lo) return -1;
  for (let tries = 0; tries < 32; tries++) {
    const p = uniformInt(m.rng, lo, hi) * nr;
    if (firstBusyEnd(m, p, nr) < 0) return p;
  }
  return findAdjacent(m, z, nr);
}

function initFolio(m: Machine, head: number, order: number): void {
  const nr = 1 << order;
  const flags = m.flags;
  const ord = m.order;
  const mapcount = m.mapcount;
  const content = m.content;
  for (let p = head; p < head + nr; p++) {
    flags[p] = PG_ALLOCATED;
    ord[p] = order;
    mapcount[p] = 0;
    content[p] = 0;
  }
  flags[head] = PG_ALLOCATED | PG_HEAD;
  m.refcount[head] = 1;
  m.pincount[head] = 0;
  m.entireMapcount[head] = 0;
  m.mapping[head] = MAPPING_NONE;
  m.stat.nrFreePages -= nr;
  m.stat.folioAllocs++;
}

/** The placements `allocFolio` takes. */
export const PLACEMENTS: readonly Placement[] = ['adjacent', 'scattered'];

/**
 * Allocates a folio of `order` pages (2^order) and returns its head PFN with
 * refcount 1, or -EINVAL (an integer order outside 0..MAX_FOLIO_ORDER; a misaligned or
 * out-of-range integer `pfn`), -EBUSY (the exact range is in use) or -ENOMEM (no room
 * in the zone). Throws an ArgumentError for a NaN or fractional order or pfn, and for
 * an unknown zone or placement.
 */
export function allocFolio(m: Machine, order: number, opts: AllocOptions = {}): number {
  if (!Number.isSafeInteger(order)) badArgument('allocFolio', 'order', order, 'an integer');
  const { pfn, zone, placement } = opts;
  if (pfn !== undefined && !Number.isSafeInteger(pfn)) badArgument('allocFolio', 'opts.pfn', pfn, 'an integer');
  if (zone !== undefined) checkOneOf('allocFolio', 'opts.zone', zone, ZONE_NAMES);
  if (placement !== undefined) checkOneOf('allocFolio', 'opts.placement', placement, PLACEMENTS);
  if (order < 0 || order > MAX_FOLIO_ORDER) return -EINVAL;
  const nr = 1 << order;
  let head: number;
  if (pfn !== undefined) {
    if (pfn < 0 || pfn + nr > m.nrPages || pfn % nr !== 0) return -EINVAL;
    const z = pfnZone(m, pfn);
    if (pfn + nr > z.end) return -EINVAL;
    if (firstBusyEnd(m, pfn, nr) >= 0) return -EBUSY;
    head = pfn;
  } else {
    const z = zoneByName(m, zone ?? 'normal');
    head = placement === 'scattered' ? findScattered(m, z, nr) : findAdjacent(m, z, nr);
    if (head < 0) return -ENOMEM;
    z.cursor = head + nr;
  }
  initFolio(m, head, order);
  return head;
}

/**
 * Returns a folio's pages to the allocator. Called by folio_put at refcount zero.
 * A folio that is still mapped or pinned, the zero page, or a PFN that is not an
 * allocated folio's head (a double free) is a broken invariant (KernelBug); a PFN
 * outside the memmap, NaN or a fraction throws an ArgumentError.
 */
export function freeFolio(m: Machine, folio: number): void {
  checkPfn(m, 'freeFolio', 'folio', folio);
  const f = m.flags[folio]!;
  if ((f & PG_RESERVED) !== 0) throw new KernelBug(`freeing the reserved zero page ${folio}`);
  if ((f & PG_HEAD) === 0) throw new KernelBug(`freeing ${folio}, which is not a folio head`);
  if (m.pincount[folio] !== 0) throw new KernelBug(`freeing folio ${folio} with pincount ${m.pincount[folio]}`);
  if (m.entireMapcount[folio] !== 0) throw new KernelBug(`freeing folio ${folio} while PMD/PUD-mapped`);
  const nr = 1 << m.order[folio]!;
  const flags = m.flags;
  const ord = m.order;
  const mapcount = m.mapcount;
  for (let p = folio; p < folio + nr; p++) {
    if (mapcount[p] !== 0) throw new KernelBug(`freeing folio ${folio}: page ${p} is still mapped`);
    flags[p] = 0;
    ord[p] = 0;
  }
  m.mapping[folio] = MAPPING_NONE;
  m.stat.nrFreePages += nr;
  m.stat.folioFrees++;
}
