/**
 * Building a scenario's machine: the physical memory, one process with the scenario's
 * mappings populated as the file says, and the fork before the pin. The same scenario
 * always builds the same machine, PFN for PFN (the allocator and the order draws are
 * seeded from the scenario's seed), so every proposal starts from identical state.
 *
 * How each kind is mapped (mmap(2) flags, src/mm/mmap.ts backings): anon-private is
 * MAP_PRIVATE|MAP_ANONYMOUS; anon-shared is MAP_SHARED|MAP_ANONYMOUS (shmem); file is
 * MAP_SHARED of an ext4-like file; shmem is MAP_SHARED of a memfd; hugetlb-2m and
 * hugetlb-1g are MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB with MAP_HUGE_2MB / MAP_HUGE_1GB
 * (as RDMA and DPDK buffers are); fsdax is MAP_SHARED of a DAX file; pfnmap is a
 * device mapped with remap_pfn_range, all of it at mmap time.
 *
 * Populating stands for the process having touched its memory as MAP_POPULATE would:
 * a private writable mapping is written (writable, dirty PTEs), anything else is read
 * (read-only PTEs; a FOLL_WRITE pin of a shared mapping then takes a write fault).
 * Each folio is allocated where the layout says (an exact PFN, or next-fit / seeded
 * random from the mapping's zone) and mapped whole (installFolio: PTEs, or one PMD or
 * PUD leaf). Holes: an exact layout maps every folio and then zaps the hole
 * (MADV_DONTNEED for "unpopulated", munmap for "unmapped"), so a folio can end up
 * partly mapped as in a real process; a distribution draws folios only outside holes.
 *
 * Simplified: faults taken later (populate false, unpopulated holes) use order-0
 * folios (huge pages on hugetlb) from the mapping's zone, standing for THP "never";
 * a pfnmap mapping ignores its folio layout (device frames are order-0 and mapped by
 * special PTEs; GUP refuses the mapping whatever their size).
 */
import * as E from 'fp-ts/lib/Either.js';
import { PAGE_SIZE, PMD_ORDER } from '../mm/constants.js';
import { errnoName } from '../mm/errno.js';
import { allocFolio } from '../mm/alloc.js';
import { fork } from '../mm/fork.js';
import { installFolio } from '../mm/install.js';
import { createMachine, type Machine } from '../mm/machine.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_HUGE_1GB, MAP_HUGE_2MB, MAP_HUGETLB, MAP_PRIVATE, MAP_SHARED, PROT_WRITE } from '../mm/mman.js';
import { mmap, type Backing } from '../mm/mmap.js';
import { createMm, type Mm } from '../mm/mm.js';
import { munmap } from '../mm/munmap.js';
import { vmaLookup } from '../mm/vma.js';
import { zapVma } from '../mm/zap.js';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { drawFolioOrder, orderDrawGenerator } from './folio-distribution.js';
import { pathIndex, pathKey } from './json-path.js';
import type { DistributionLayout, MappingKind, Scenario, ScenarioMapping } from './scenario.js';
import { formatAddress } from './units.js';

/** A built scenario: the machine, the process that pins, and the fork child if any. */
export interface ScenarioWorld {
  readonly scenario: Scenario;
  readonly m: Machine;
  readonly mm: Mm;
  /** The child of `forkBeforePin`, alive until the world is dropped; null without a fork. */
  readonly child: Mm | null;
}

interface KindMapping {
  readonly flags: number;
  readonly backing: Backing;
}

const KIND_MAPPING: Readonly<Record<MappingKind, KindMapping>> = {
  'anon-private': { flags: MAP_PRIVATE | MAP_ANONYMOUS, backing: 'anon' },
  'anon-shared': { flags: MAP_SHARED | MAP_ANONYMOUS, backing: 'shmem' },
  file: { flags: MAP_SHARED, backing: 'ext4' },
  shmem: { flags: MAP_SHARED, backing: 'shmem' },
  'hugetlb-2m': { flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, backing: 'hugetlb-2m' },
  'hugetlb-1g': { flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, backing: 'hugetlb-1g' },
  fsdax: { flags: MAP_SHARED, backing: 'fsdax' },
  pfnmap: { flags: MAP_SHARED, backing: 'device' },
};

/** Written by the process (MAP_POPULATE faults a private writable mapping for write). */
function populatedWritable(map: ScenarioMapping): boolean {
  return (map.prot & PROT_WRITE) !== 0 && (KIND_MAPPING[map.kind].flags & MAP_PRIVATE) !== 0;
}

function leafOptions(kind: MappingKind, order: number, pmd: boolean, writable: boolean) {
  if (kind === 'hugetlb-1g') return { pud: true, writable };
  if (kind === 'hugetlb-2m') return { pmd: true, writable };
  return { pmd: pmd && order === PMD_ORDER, writable };
}

/** Allocates one folio and maps it at `addr`; an error line on failure. */
function placeFolio(
  mm: Mm,
  map: ScenarioMapping,
  addr: number,
  order: number,
  where: { pfn: number } | null,
  pmd: boolean,
  path: string,
): string | null {
  const m = mm.m;
  const folio = allocFolio(m, order, where ?? { zone: map.zone, placement: map.folios?.kind === 'distribution' ? map.folios.placement : 'adjacent' });
  if (folio < 0)
    return `${path}: cannot allocate an order-${order} folio${where !== null ? ` at PFN ${formatAddress(where.pfn)}` : ` in zone ${map.zone}`} (${errnoName(folio)})`;
  const ret = installFolio(mm, addr, folio, leafOptions(map.kind, order, pmd, populatedWritable(map)));
  if (ret !== 0) return `${path}: cannot map the order-${order} folio at ${formatAddress(addr)} (${errnoName(ret)})`;
  return null;
}

/** The populated sub-ranges of a mapping (its length minus its holes), as [offset, end). */
function populatedRanges(map: ScenarioMapping): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  for (const h of map.holes) {
    if (h.offset > at) out.push([at, h.offset]);
    at = h.offset + h.length;
  }
  if (at < map.length) out.push([at, map.length]);
  return out;
}

function populateDistribution(mm: Mm, map: ScenarioMapping, layout: DistributionLayout, rng: RandomGenerator, path: string): string | null {
  for (const [from, to] of populatedRanges(map)) {
    let off = from;
    while (off < to) {
      const addr = map.start + off;
      const order = drawFolioOrder(rng, layout.orders, addr, to - off);
      const err = placeFolio(mm, map, addr, order, null, layout.pmd, pathKey(path, 'folios'));
      if (err !== null) return err;
      off += PAGE_SIZE * 2 ** order;
    }
  }
  return null;
}

function mapMapping(mm: Mm, map: ScenarioMapping, path: string): string | null {
  const km = KIND_MAPPING[map.kind];
  const addr = mmap(mm, {
    addr: map.start,
    length: map.length,
    prot: map.prot,
    flags: km.flags | MAP_FIXED,
    backing: km.backing,
    order: 0,
    zone: map.zone,
    placement: map.folios?.kind === 'distribution' ? map.folios.placement : 'adjacent',
  });
  if (addr !== map.start) return `${path}: mmap at ${formatAddress(map.start)} failed (${addr < 0 ? errnoName(addr) : formatAddress(addr)})`;
  return null;
}

function layoutOf(map: ScenarioMapping): ScenarioMapping['folios'] {
  return map.kind === 'pfnmap' ? null : map.folios;
}

function populateExact(mm: Mm, map: ScenarioMapping, path: string): string | null {
  const layout = layoutOf(map);
  if (layout?.kind !== 'exact') return null;
  for (let k = 0; k < layout.folios.length; k++) {
    const f = layout.folios[k]!;
    const err = placeFolio(mm, map, map.start + f.offset, f.order, { pfn: f.pfn }, f.pmd, pathIndex(pathKey(path, 'folios'), k));
    if (err !== null) return err;
  }
  return null;
}

function makeHoles(mm: Mm, map: ScenarioMapping, path: string): string | null {
  const layout = layoutOf(map);
  for (let k = 0; k < map.holes.length; k++) {
    const h = map.holes[k]!;
    const start = map.start + h.offset;
    if (h.kind === 'unmapped') {
      const ret = munmap(mm, start, h.length);
      if (ret !== 0) return `${pathIndex(pathKey(path, 'holes'), k)}: munmap failed (${errnoName(ret)})`;
    } else if (layout?.kind === 'exact' || map.kind === 'pfnmap') {
      const vma = vmaLookup(mm.vmas, start);
      if (vma !== null) zapVma(mm, vma, start, start + h.length);
    }
  }
  return null;
}

/**
 * The steps, each over every mapping in file order: mmap, the exact folios (placed
 * before any distribution is drawn, as SCENARIO-FORMAT.md says), the distributions,
 * the holes. Returns the first error line, or null.
 */
function buildMappings(mm: Mm, s: Scenario): string | null {
  const rng = orderDrawGenerator(s.seed);
  const paths = s.mappings.map((_, i) => pathIndex('$.mappings', i));
  const steps: ((map: ScenarioMapping, path: string) => string | null)[] = [
    (map, path) => mapMapping(mm, map, path),
    (map, path) => populateExact(mm, map, path),
    (map, path) => {
      const layout = layoutOf(map);
      return layout?.kind === 'distribution' ? populateDistribution(mm, map, layout, rng, path) : null;
    },
    (map, path) => makeHoles(mm, map, path),
  ];
  for (const step of steps)
    for (let i = 0; i < s.mappings.length; i++) {
      const err = step(s.mappings[i]!, paths[i]!);
      if (err !== null) return err;
    }
  return null;
}

/** Builds a scenario's world, or the lines saying what could not be built. */
export function buildScenario(s: Scenario): E.Either<string[], ScenarioWorld> {
  let m: Machine;
  try {
    m = createMachine({ memoryBytes: s.memory.bytes, movableBytes: s.memory.movableBytes, cmaBytes: s.memory.cmaBytes, seed: s.seed });
  } catch (e) {
    return E.left([`${s.source}: $.memory: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const mm = createMm(m);
  let err: string | null;
  try {
    err = buildMappings(mm, s);
  } catch (e) {
    // A KernelBug here is the model refusing a layout it cannot represent; the user
    // gets one line, not a stack.
    err = `$.mappings: the model cannot build this layout (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`;
  }
  if (err !== null) return E.left([`${s.source}: ${err}`]);
  let child: Mm | null = null;
  if (s.forkBeforePin) {
    const c = fork(mm);
    if (typeof c === 'number') return E.left([`${s.source}: $.forkBeforePin: fork failed (${errnoName(c)})`]);
    child = c;
  }
  return E.right({ scenario: s, m, mm, child });
}

