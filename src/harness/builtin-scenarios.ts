/**
 * The built-in suite: the workloads users meet, each written as a scenario file would
 * be and checked by the same loader (SCENARIO-FORMAT.md), so a built-in scenario and
 * its JSON twin (`folio-gup scenarios --json`) behave the same.
 *
 * Placement: order-0 pages and mTHPs are scattered (a machine that has run a while
 * rarely hands out physically contiguous small folios); THPs and the hugetlb pool are
 * next-fit, as on a freshly booted machine or a boot-time hugetlb reservation, which is
 * where merging physically contiguous folios can pay.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Scenario } from './scenario.js';
import { decodeScenario } from './scenario-loader.js';
import type { ScenarioParseOptions } from './scenario-normalize.js';

/** Descriptions stay short enough for `folio-gup scenarios` to print one 80-column line each. */
export const MAX_DESCRIPTION_COLUMNS = 58;

/** Where built-in scenarios say they come from. */
export const BUILT_IN_SOURCE = 'built-in';

const BASE = '0x7f0000000000';
const WRITE = ['FOLL_WRITE'];
const anon = (length: string, orders: readonly (readonly [number, number])[], placement: 'adjacent' | 'scattered', extra: object = {}) => ({
  kind: 'anon-private',
  address: BASE,
  length,
  folios: { orders: orders.map(([order, weight]) => ({ order, weight })), placement },
  ...extra,
});

/** The suite as scenario-file values, in report order. */
export const BUILT_IN_SCENARIO_FILES: readonly Record<string, unknown>[] = [
  {
    name: 'order0-1g',
    description: '1 GiB of order-0 pages, scattered, pinned for write',
    memory: { size: '2GiB' },
    mappings: [anon('1GiB', [[0, 1]], 'scattered')],
    request: { start: 'mapping[0]', length: '1GiB', flags: WRITE },
  },
  {
    name: 'thp-1g',
    description: '1 GiB of PMD-mapped 2 MiB THPs, contiguous, for write',
    memory: { size: '2GiB' },
    mappings: [anon('1GiB', [[9, 1]], 'adjacent')],
    request: { start: 'mapping[0]', length: '1GiB', flags: WRITE },
  },
  {
    name: 'hugetlb-1g',
    description: '1 GiB in one PUD-mapped 1 GiB hugetlb page, for write',
    memory: { size: '2GiB' },
    mappings: [{ kind: 'hugetlb-1g', address: BASE, length: '1GiB' }],
    request: { start: 'mapping[0]', length: '1GiB', flags: WRITE },
  },
  {
    name: 'mthp-16k',
    description: '256 MiB of PTE-mapped 16 KiB mTHPs, scattered, for write',
    memory: { size: '1GiB' },
    mappings: [anon('256MiB', [[2, 1]], 'scattered')],
    request: { start: 'mapping[0]', length: '256MiB', flags: WRITE },
  },
  {
    name: 'mthp-64k',
    description: '256 MiB of PTE-mapped 64 KiB mTHPs, scattered, for write',
    memory: { size: '1GiB' },
    mappings: [anon('256MiB', [[4, 1]], 'scattered')],
    request: { start: 'mapping[0]', length: '256MiB', flags: WRITE },
  },
  {
    name: 'mixed-fragmented',
    description: '64 MiB of 4K/16K/64K/2M folios, scattered, unaligned start',
    seed: 42,
    memory: { size: '4GiB' },
    mappings: [anon('64MiB', [[0, 4], [2, 2], [4, 2], [9, 1]], 'scattered')],
    request: { start: 'mapping[0]+0x200', length: '0x3fffc00', flags: WRITE },
  },
  {
    name: 'dio-512',
    description: '512-byte Direct IO read at offset 0x200 of an order-0 page',
    memory: { size: '64MiB' },
    mappings: [anon('1MiB', [[0, 1]], 'scattered')],
    request: { start: 'mapping[0]+0x10200', length: 512, flags: WRITE, repeats: 64 },
  },
  {
    name: 'dio-4k-unaligned',
    description: '4 KiB Direct IO read at offset 0xe00: two order-0 pages',
    memory: { size: '64MiB' },
    mappings: [anon('1MiB', [[0, 1]], 'scattered')],
    request: { start: 'mapping[0]+0x10e00', length: '4KiB', flags: WRITE, repeats: 64 },
  },
  {
    name: 'dio-128k-unaligned',
    description: '128 KiB Direct IO read at +0x200: 33 pages in 9 16K mTHPs',
    memory: { size: '64MiB' },
    mappings: [anon('1MiB', [[2, 1]], 'scattered')],
    request: { start: 'mapping[0]+0x20200', length: '128KiB', flags: WRITE, repeats: 16 },
  },
  {
    name: 'hole-partway',
    description: '16 MiB with an unmapped hole at 8 MiB: the pin stops short',
    memory: { size: '128MiB' },
    mappings: [anon('16MiB', [[0, 1]], 'scattered', { holes: [{ offset: '8MiB', length: '64KiB', kind: 'unmapped' }] })],
    request: { start: 'mapping[0]+0x100', length: '0xffff00', flags: WRITE },
  },
  {
    name: 'fork-readonly',
    description: '8 MiB shared with a fork child, read-only pin: unshares',
    seed: 7,
    memory: { size: '1GiB' },
    mappings: [anon('8MiB', [[0, 2], [4, 1], [9, 1]], 'scattered')],
    forkBeforePin: true,
    request: { start: 'mapping[0]', length: '8MiB', flags: [] },
  },
  {
    name: 'longterm-movable-cma',
    description: 'Long-term pin of 8 MiB movable + 8 MiB CMA: migrates first',
    memory: { size: '256MiB', movable: '64MiB', cma: '64MiB' },
    mappings: [
      anon('8MiB', [[0, 3], [4, 1]], 'scattered', { zone: 'movable' }),
      { ...anon('8MiB', [[0, 3], [4, 1]], 'scattered', { zone: 'cma' }), address: '0x7f0000800000' },
    ],
    request: { start: 'mapping[0]', length: '16MiB', flags: ['FOLL_WRITE', 'FOLL_LONGTERM'] },
  },
  {
    name: 'rdma-100g',
    description: 'RDMA registration: 100 GiB of 2 MiB hugetlb, long-term pin',
    memory: { size: '101GiB' },
    mappings: [{ kind: 'hugetlb-2m', address: '0x7e0000000000', length: '100GiB' }],
    request: { start: 'mapping[0]', length: '100GiB', flags: ['FOLL_WRITE', 'FOLL_LONGTERM'] },
  },
];

/** The built-in scenarios, decoded; a problem in one is a bug in this file. */
export function builtInScenarios(options: ScenarioParseOptions = {}): Scenario[] {
  return BUILT_IN_SCENARIO_FILES.map((file) => {
    const decoded = decodeScenario(file, `${BUILT_IN_SOURCE}:${String(file.name)}`, options);
    if (E.isLeft(decoded)) throw new Error(`built-in scenario does not load:\n${decoded.left.join('\n')}`);
    return { ...decoded.right, source: BUILT_IN_SOURCE };
  });
}

/** The names of the built-in scenarios, in suite order. */
export const BUILT_IN_NAMES: readonly string[] = BUILT_IN_SCENARIO_FILES.map((f) => String(f.name));
