/**
 * Checks that relate a scenario's mappings to each other and to memory: huge-page
 * alignment of hugetlb ranges and holes, holes inside their mapping and apart, mappings
 * apart in the address space and under TASK_SIZE_MAX, exact folios apart in physical
 * memory, and enough memory in each zone for what the mappings populate.
 *
 * The memory check is necessary, not sufficient: scattered placement and alignment
 * can still leave a large order unsatisfiable, which the machine reports as -ENOMEM
 * when the scenario is built.
 */
import { PAGE_SIZE, TASK_SIZE_MAX } from '../mm/constants.js';
import type { ZoneName } from '../mm/machine.js';
import { isHugetlb, kindPageSize, normalizeFolioLayout, zoneRanges } from './folio-layout-checks.js';
import { pathIndex, pathKey } from './json-path.js';
import type { HoleInput, MappingInput } from './mapping-schema.js';
import type { Problem } from './problems.js';
import { PROT_READ, PROT_WRITE } from './protection.js';
import type { ScenarioHole, ScenarioMapping, ScenarioMemory } from './scenario.js';
import { formatAddress, formatSize } from './units.js';

const MAPPINGS = '$.mappings';

function normalizeHoles(
  path: string,
  m: MappingInput,
  populate: boolean,
  problems: Problem[],
): ScenarioHole[] {
  const input: readonly HoleInput[] = m.holes ?? [];
  const huge = kindPageSize(m.kind);
  const indexed = input.map((h, index) => ({ h, index }));
  indexed.sort((a, b) => a.h.offset - b.h.offset || a.index - b.index);
  const out: ScenarioHole[] = [];
  let prev: { end: number; index: number } | undefined;
  for (const { h, index } of indexed) {
    const hp = pathIndex(pathKey(path, 'holes'), index);
    const kind = h.kind ?? 'unmapped';
    if (isHugetlb(m.kind)) {
      for (const field of ['offset', 'length'] as const)
        if (h[field] % huge !== 0)
          problems.push({
            path: pathKey(hp, field),
            message: `expected a multiple of ${formatSize(huge)} (a ${m.kind} mapping is unmapped and populated in whole huge pages), found ${formatSize(h[field])}`,
          });
    }
    if (h.offset + h.length > m.length)
      problems.push({
        path: hp,
        message: `expected a hole inside the mapping (${formatSize(m.length)} long), found one ending at offset ${formatSize(h.offset + h.length)}`,
      });
    if (prev !== undefined && h.offset < prev.end)
      problems.push({ path: hp, message: `expected holes apart, found this one overlapping ${pathIndex(pathKey(path, 'holes'), prev.index)}` });
    if (!populate && kind === 'unpopulated')
      problems.push({
        path: pathKey(hp, 'kind'),
        message: 'expected "unmapped": the mapping has populate false, so every page is unpopulated already',
      });
    if (prev === undefined || h.offset + h.length > prev.end) prev = { end: h.offset + h.length, index };
    out.push({ offset: h.offset, length: h.length, kind });
  }
  return out;
}

function normalizeMapping(i: number, m: MappingInput, memory: ScenarioMemory, problems: Problem[]): ScenarioMapping {
  const path = pathIndex(MAPPINGS, i);
  const huge = kindPageSize(m.kind);
  if (isHugetlb(m.kind)) {
    if (m.address % huge !== 0)
      problems.push({
        path: pathKey(path, 'address'),
        message: `expected a multiple of ${formatSize(huge)} for ${m.kind} (its huge page size), found ${formatAddress(m.address)}`,
      });
    if (m.length % huge !== 0)
      problems.push({
        path: pathKey(path, 'length'),
        message: `expected a multiple of ${formatSize(huge)} for ${m.kind} (its huge page size), found ${formatSize(m.length)}`,
      });
  }
  if (m.address + m.length > TASK_SIZE_MAX)
    problems.push({
      path: pathKey(path, 'length'),
      message: `expected the mapping to end by TASK_SIZE_MAX (${formatAddress(TASK_SIZE_MAX)}), found it ending at ${formatAddress(m.address + m.length)}`,
    });
  const zone: ZoneName = m.zone ?? 'normal';
  const [lo, hi] = zoneRanges(memory)[zone];
  if (hi === lo)
    problems.push({
      path: pathKey(path, 'zone'),
      message: `expected a zone with memory, found zone ${zone} empty (give it memory in $.memory.${zone})`,
    });
  const populate = m.populate ?? true;
  const holes = normalizeHoles(path, m, populate, problems);
  let folios = null;
  if (!populate) {
    if (m.folios !== undefined)
      problems.push({
        path: pathKey(path, 'folios'),
        message: 'expected no folios when populate is false (nothing is present before the pin; faults choose the folios)',
      });
  } else {
    folios = normalizeFolioLayout(
      { path, kind: m.kind, start: m.address, length: m.length, explicitZone: m.zone, holes, memory },
      m.folios,
      problems,
    );
  }
  return {
    kind: m.kind,
    prot: m.protection ?? PROT_READ | PROT_WRITE,
    start: m.address,
    length: m.length,
    zone,
    populate,
    folios,
    holes,
  };
}

function checkAddressOverlaps(mappings: readonly ScenarioMapping[], problems: Problem[]): void {
  const order = mappings.map((_, i) => i).sort((a, b) => mappings[a]!.start - mappings[b]!.start || a - b);
  let prev: number | undefined;
  for (const i of order) {
    const m = mappings[i]!;
    if (prev !== undefined) {
      const p = mappings[prev]!;
      if (m.start < p.start + p.length) {
        const later = Math.max(i, prev);
        const earlier = Math.min(i, prev);
        const l = mappings[later]!;
        const e = mappings[earlier]!;
        problems.push({
          path: pathKey(pathIndex(MAPPINGS, later), 'address'),
          message: `expected mappings apart, found [${formatAddress(l.start)}, ${formatAddress(l.start + l.length)}) overlapping ${pathIndex(MAPPINGS, earlier)} [${formatAddress(e.start)}, ${formatAddress(e.start + e.length)})`,
        });
      }
    }
    if (prev === undefined || m.start + m.length > mappings[prev]!.start + mappings[prev]!.length) prev = i;
  }
}

function checkPhysicalOverlaps(mappings: readonly ScenarioMapping[], problems: Problem[]): void {
  const spans: { pfn: number; end: number; path: string }[] = [];
  mappings.forEach((m, i) => {
    if (m.folios?.kind !== 'exact') return;
    m.folios.folios.forEach((f, k) =>
      spans.push({ pfn: f.pfn, end: f.pfn + 2 ** f.order, path: pathIndex(pathKey(pathIndex(MAPPINGS, i), 'folios'), k) }),
    );
  });
  spans.sort((a, b) => a.pfn - b.pfn);
  for (let k = 1; k < spans.length; k++) {
    const a = spans[k - 1]!;
    const b = spans[k]!;
    if (b.pfn < a.end)
      problems.push({
        path: pathKey(b.path, 'pfn'),
        message: `expected folios apart in physical memory, found PFN ${formatAddress(b.pfn)} inside the folio at ${a.path}`,
      });
  }
}

function checkCapacity(mappings: readonly ScenarioMapping[], memory: ScenarioMemory, problems: Problem[]): void {
  const zones = zoneRanges(memory);
  const demand: Record<ZoneName, number> = { normal: 0, cma: 0, movable: 0 };
  for (const m of mappings) {
    if (m.folios === null) continue;
    if (m.folios.kind === 'exact') continue; // placed by PFN; checked against memory per folio
    let holes = 0;
    for (const h of m.holes) holes += h.length;
    demand[m.zone] += m.length - holes;
  }
  for (const zone of ['normal', 'cma', 'movable'] as const) {
    const [lo, hi] = zones[zone];
    // The zero page (PFN 0) is never free; exact folios are placed first and take their share.
    let free = (hi - lo - (zone === 'normal' ? 1 : 0)) * PAGE_SIZE;
    for (const m of mappings)
      if (m.folios?.kind === 'exact')
        for (const f of m.folios.folios) if (f.pfn >= lo && f.pfn < hi) free -= 2 ** f.order * PAGE_SIZE;
    if (demand[zone] > free)
      problems.push({
        path: '$.memory',
        message: `expected room in zone ${zone} for the ${formatSize(demand[zone])} the mappings populate there, found ${formatSize(Math.max(free, 0))} free`,
      });
  }
}

/** Normalizes every mapping and checks them together; problems are appended. */
export function normalizeMappings(
  inputs: readonly MappingInput[],
  memory: ScenarioMemory,
  problems: Problem[],
): ScenarioMapping[] {
  const mappings = inputs.map((m, i) => normalizeMapping(i, m, memory, problems));
  checkAddressOverlaps(mappings, problems);
  checkPhysicalOverlaps(mappings, problems);
  if (problems.length === 0) checkCapacity(mappings, memory, problems);
  return mappings;
}
