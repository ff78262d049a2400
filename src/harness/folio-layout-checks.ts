/**
 * Checks and normalizes a mapping's folio layout against its kind, its holes and
 * physical memory.
 *
 * Orders allowed per kind follow the kernel (v6.16+): anonymous THP takes orders 2 to
 * PMD_ORDER besides order-0 pages (THP_ORDERS_ALL_ANON, include/linux/huge_mm.h: order 1
 * is "a limitation of the THP implementation"); page cache and shmem take 0 to
 * MAX_PAGECACHE_ORDER, which is PMD_ORDER on x86-64; hugetlbfs folios are exactly the
 * huge page size; fsdax faults map a PTE or a PMD (dax_iomap_fault, fs/dax.c); a
 * VM_PFNMAP range can be mapped by PTE, PMD or PUD leaves (huge pfnmap, v6.12+).
 * A PMD leaf maps exactly one PMD_ORDER folio at a PMD-aligned address.
 */
import { PAGE_SIZE, PMD_ORDER, PMD_SIZE, PUD_ORDER } from '../mm/constants.js';
import type { ExactFolioInput, FolioLayoutInput } from './mapping-schema.js';
import { pathIndex, pathKey } from './json-path.js';
import type { Problem } from './problems.js';
import type { ExactFolio, FolioLayout, MappingKind, OrderWeight, ScenarioHole, ScenarioMemory } from './scenario.js';
import type { ZoneName } from '../mm/machine.js';
import { formatAddress, formatSize } from './units.js';

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let o = from; o <= to; o++) out.push(o);
  return out;
}

/** Folio orders each kind of mapping can hold, and where the rule comes from. */
export const ORDERS_BY_KIND: Readonly<Record<MappingKind, { readonly orders: readonly number[]; readonly why: string }>> = {
  'anon-private': { orders: [0, ...range(2, PMD_ORDER)], why: 'THP_ORDERS_ALL_ANON excludes order 1' },
  'anon-shared': { orders: range(0, PMD_ORDER), why: 'shmem folios go up to PMD_ORDER' },
  file: { orders: range(0, PMD_ORDER), why: 'MAX_PAGECACHE_ORDER is PMD_ORDER' },
  shmem: { orders: range(0, PMD_ORDER), why: 'shmem folios go up to PMD_ORDER' },
  'hugetlb-2m': { orders: [PMD_ORDER], why: 'a 2 MiB hugetlb folio is order 9' },
  'hugetlb-1g': { orders: [PUD_ORDER], why: 'a 1 GiB hugetlb folio is order 18' },
  fsdax: { orders: [0, PMD_ORDER], why: 'dax_iomap_fault maps a PTE or a PMD' },
  pfnmap: { orders: [0, PMD_ORDER, PUD_ORDER], why: 'a pfnmap leaf is a PTE, PMD or PUD' },
};

/** Bytes of a hugetlb kind's huge page, or PAGE_SIZE for the others. */
export function kindPageSize(kind: MappingKind): number {
  if (kind === 'hugetlb-2m') return PMD_SIZE;
  if (kind === 'hugetlb-1g') return PAGE_SIZE * 2 ** PUD_ORDER;
  return PAGE_SIZE;
}

export function isHugetlb(kind: MappingKind): boolean {
  return kind === 'hugetlb-2m' || kind === 'hugetlb-1g';
}

/** `0, 2-9` style listing of sorted orders. */
export function describeOrders(orders: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < orders.length) {
    let j = i;
    while (j + 1 < orders.length && orders[j + 1] === orders[j]! + 1) j++;
    parts.push(j > i + 1 ? `${orders[i]}-${orders[j]}` : j === i + 1 ? `${orders[i]}, ${orders[j]}` : `${orders[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function orderProblem(kind: MappingKind, order: number): string | undefined {
  const rule = ORDERS_BY_KIND[kind];
  if (rule.orders.includes(order)) return undefined;
  return `expected an order allowed in ${kind} mappings (${describeOrders(rule.orders)}; ${rule.why}), found ${order}`;
}

/** The PFN ranges of the three zones, as createMachine lays them out (normal, cma, movable). */
export function zoneRanges(memory: ScenarioMemory): Readonly<Record<ZoneName, readonly [number, number]>> {
  const nr = memory.bytes / PAGE_SIZE;
  const movable = memory.movableBytes / PAGE_SIZE;
  const cma = memory.cmaBytes / PAGE_SIZE;
  const normalEnd = nr - movable - cma;
  return { normal: [0, normalEnd], cma: [normalEnd, normalEnd + cma], movable: [normalEnd + cma, nr] };
}

function zoneOfRange(zones: ReturnType<typeof zoneRanges>, pfn: number, end: number): ZoneName | undefined {
  for (const name of ['normal', 'cma', 'movable'] as const) {
    const [lo, hi] = zones[name];
    if (pfn >= lo && end <= hi) return name;
  }
  return undefined;
}

/** What normalizeFolioLayout needs to know about the mapping. */
export interface LayoutContext {
  readonly path: string;
  readonly kind: MappingKind;
  readonly start: number;
  readonly length: number;
  /** Set when the file names a zone; exact folios must then lie in it. */
  readonly explicitZone: ZoneName | undefined;
  readonly holes: readonly ScenarioHole[];
  readonly memory: ScenarioMemory;
}

function overlapsHole(holes: readonly ScenarioHole[], offset: number, length: number): boolean {
  for (const h of holes) if (h.offset < offset + length && offset < h.offset + h.length) return true;
  return false;
}

function normalizeExact(ctx: LayoutContext, folios: readonly ExactFolioInput[], problems: Problem[]): ExactFolio[] {
  const zones = zoneRanges(ctx.memory);
  const nrPages = ctx.memory.bytes / PAGE_SIZE;
  const listPath = pathKey(ctx.path, 'folios');
  const out: ExactFolio[] = [];
  let offset = 0;
  for (let k = 0; k < folios.length; k++) {
    const f = folios[k]!;
    const fp = pathIndex(listPath, k);
    const nr = 2 ** f.order;
    const bad = orderProblem(ctx.kind, f.order);
    if (bad !== undefined) problems.push({ path: pathKey(fp, 'order'), message: bad });
    if (f.pfn % nr !== 0)
      problems.push({
        path: pathKey(fp, 'pfn'),
        message: `expected a multiple of ${nr} (folios are naturally aligned; this one is order ${f.order}), found ${formatAddress(f.pfn)}`,
      });
    else if (f.pfn === 0)
      problems.push({ path: pathKey(fp, 'pfn'), message: 'expected a PFN above 0, found 0 (PFN 0 is the shared zero page)' });
    else if (f.pfn + nr > nrPages)
      problems.push({
        path: pathKey(fp, 'pfn'),
        message: `expected the folio to end inside memory (${nrPages} pages, $.memory.size), found PFNs ${formatAddress(f.pfn)}-${formatAddress(f.pfn + nr - 1)}`,
      });
    else {
      const zone = zoneOfRange(zones, f.pfn, f.pfn + nr);
      if (zone === undefined)
        problems.push({ path: pathKey(fp, 'pfn'), message: `expected the folio inside one zone, found it straddling a zone boundary` });
      else if (ctx.explicitZone !== undefined && zone !== ctx.explicitZone)
        problems.push({
          path: pathKey(fp, 'pfn'),
          message: `expected a PFN in zone ${ctx.explicitZone} (the mapping's zone), found ${formatAddress(f.pfn)} in zone ${zone}`,
        });
    }
    const bytes = nr * PAGE_SIZE;
    const canPmd =
      f.order === PMD_ORDER &&
      !isHugetlb(ctx.kind) &&
      (ctx.start + offset) % PMD_SIZE === 0 &&
      !overlapsHole(ctx.holes, offset, bytes);
    if (f.pmd !== undefined && isHugetlb(ctx.kind))
      problems.push({ path: pathKey(fp, 'pmd'), message: 'expected no "pmd" key: hugetlb folios are always mapped by one huge leaf' });
    else if (f.pmd === true && !canPmd)
      problems.push({
        path: pathKey(fp, 'pmd'),
        message: `expected false: a PMD leaf maps an order-${PMD_ORDER} folio at a 2MiB-aligned address with no hole over it, and this is order ${f.order} at ${formatAddress(ctx.start + offset)}`,
      });
    out.push({ pfn: f.pfn, order: f.order, pmd: f.pmd ?? canPmd, offset });
    offset += bytes;
  }
  if (offset !== ctx.length)
    problems.push({
      path: listPath,
      message: `expected folios covering the mapping's length (${formatSize(ctx.length)}), found ${formatSize(offset)} of folios`,
    });
  return out;
}

/** The layout a mapping gets when the file gives none. */
export function defaultFolioLayout(kind: MappingKind): FolioLayout {
  const order = kind === 'hugetlb-2m' ? PMD_ORDER : kind === 'hugetlb-1g' ? PUD_ORDER : 0;
  return { kind: 'distribution', orders: [{ order, weight: 1 }], placement: 'adjacent', pmd: true };
}

/** Normalizes a mapping's folio layout, adding a Problem for each rule broken. */
export function normalizeFolioLayout(ctx: LayoutContext, input: FolioLayoutInput | undefined, problems: Problem[]): FolioLayout {
  if (input === undefined) return defaultFolioLayout(ctx.kind);
  if (input.kind === 'exact') return { kind: 'exact', folios: normalizeExact(ctx, input.folios, problems) };
  const d = input.distribution;
  const layoutPath = pathKey(ctx.path, 'folios');
  const seen = new Set<number>();
  const orders: OrderWeight[] = [];
  for (let k = 0; k < d.orders.length; k++) {
    const ow = d.orders[k]!;
    const op = pathKey(pathIndex(pathKey(layoutPath, 'orders'), k), 'order');
    const bad = orderProblem(ctx.kind, ow.order);
    if (bad !== undefined) problems.push({ path: op, message: bad });
    else if (seen.has(ow.order)) problems.push({ path: op, message: `order ${ow.order} is listed twice` });
    seen.add(ow.order);
    orders.push({ order: ow.order, weight: ow.weight });
  }
  if (d.pmd === false && isHugetlb(ctx.kind))
    problems.push({ path: pathKey(layoutPath, 'pmd'), message: 'expected true or no "pmd" key: hugetlb folios are always mapped by one huge leaf' });
  orders.sort((a, b) => a.order - b.order);
  return { kind: 'distribution', orders, placement: d.placement ?? 'adjacent', pmd: d.pmd ?? true };
}
