/**
 * io-ts codecs for one entry of a scenario's `mappings`: its kind, protection, range,
 * folio layout (an exact list of folios or a seeded distribution of orders) and holes.
 * These check each value on its own; checks that relate values (alignment to the
 * kind's huge page size, overlaps, physical placement) are in mapping-checks.ts.
 */
import * as t from 'io-ts';
import { MAX_FOLIO_ORDER, PAGE_SIZE, TASK_SIZE_MAX } from '../mm/constants.js';
import { describeValue } from './describe-value.js';
import { protectionCodec } from './protection.js';
import { HOLE_KINDS, MAPPING_KINDS, PLACEMENTS, ZONE_NAMES } from './scenario.js';
import { strictStruct } from './strict-struct.js';
import { addressCodec, arrayCodec, booleanCodec, enumCodec, intCodec, sizeCodec } from './value-codecs.js';

/** The largest PFN + 1 a machine can have: createMachine refuses 2^31 pages or more. */
export const MAX_PFNS = 2 ** 31;
/** Holes per mapping; each one splits or punches the VMA, so thousands would be a mistake. */
export const MAX_HOLES = 4096;
/** Folios in one exact list: enough for 100 GiB of 2 MiB folios twice over. */
export const MAX_EXACT_FOLIOS = 1 << 20;

const pageSize = (opts: { min?: number; max?: number } = {}) =>
  sizeCodec({ multipleOf: PAGE_SIZE, multipleName: 'PAGE_SIZE (4KiB)', ...opts });

/** A folio's head PFN: an integer or a hex string, below MAX_PFNS. */
export const pfnCodec = addressCodec({ max: MAX_PFNS - 1, show: (n) => `0x${n.toString(16)}` });

export const orderCodec = intCodec(0, MAX_FOLIO_ORDER);

/** `{ "pfn": "0x200", "order": 9, "pmd": true }`. */
export const exactFolioCodec = strictStruct('a folio {pfn, order, pmd?}', { pfn: pfnCodec, order: orderCodec }, { pmd: booleanCodec });
export type ExactFolioInput = t.TypeOf<typeof exactFolioCodec>;

/** `{ "order": 4, "weight": 3 }`. */
export const orderWeightCodec = strictStruct('an order weight {order, weight}', {
  order: orderCodec,
  weight: intCodec(1, 1_000_000),
});

/** `{ "orders": [...], "placement": "adjacent", "pmd": true }`. */
export const distributionCodec = strictStruct(
  'a folio distribution {orders, placement?, pmd?}',
  { orders: arrayCodec(orderWeightCodec, 1, MAX_FOLIO_ORDER + 1, 'a list of {order, weight}') },
  { placement: enumCodec(PLACEMENTS), pmd: booleanCodec },
);
export type DistributionInput = t.TypeOf<typeof distributionCodec>;

const exactListCodec = arrayCodec(exactFolioCodec, 1, MAX_EXACT_FOLIOS, 'a list of folios');

export type FolioLayoutInput =
  | { readonly kind: 'exact'; readonly folios: readonly ExactFolioInput[] }
  | { readonly kind: 'distribution'; readonly distribution: DistributionInput };

/**
 * A folio layout: an array is an exact list of folios, an object a distribution.
 * Dispatching on the JSON type (rather than a union) gives one error list, not two.
 */
export const folioLayoutCodec = new t.Type<FolioLayoutInput, unknown, unknown>(
  'a folio layout',
  (u): u is FolioLayoutInput => typeof u === 'object' && u !== null && 'kind' in u,
  (u, c) => {
    if (Array.isArray(u)) {
      const r = exactListCodec.validate(u, c);
      return r._tag === 'Left' ? r : t.success({ kind: 'exact', folios: r.right });
    }
    if (typeof u === 'object' && u !== null) {
      const r = distributionCodec.validate(u, c);
      return r._tag === 'Left' ? r : t.success({ kind: 'distribution', distribution: r.right });
    }
    return t.failure(
      u,
      c,
      `expected a list of folios [{pfn, order}, ...] or a distribution {orders, placement?, pmd?}, found ${describeValue(u)}`,
    );
  },
  (a) => (a.kind === 'exact' ? exactListCodec.encode([...a.folios]) : distributionCodec.encode(a.distribution)),
);

/** `{ "offset": "8KiB", "length": "4KiB", "kind": "unmapped" }`. */
export const holeCodec = strictStruct(
  'a hole {offset, length, kind?}',
  { offset: pageSize(), length: pageSize({ min: PAGE_SIZE }) },
  { kind: enumCodec(HOLE_KINDS) },
);
export type HoleInput = t.TypeOf<typeof holeCodec>;

/** One mapping, as written. */
export const mappingCodec = strictStruct(
  'a mapping {kind, address, length, ...}',
  {
    kind: enumCodec(MAPPING_KINDS),
    address: addressCodec({
      min: PAGE_SIZE,
      max: TASK_SIZE_MAX - PAGE_SIZE,
      multipleOf: PAGE_SIZE,
      multipleName: 'PAGE_SIZE (0x1000)',
    }),
    length: pageSize({ min: PAGE_SIZE, max: TASK_SIZE_MAX }),
  },
  {
    protection: protectionCodec,
    zone: enumCodec(ZONE_NAMES),
    populate: booleanCodec,
    folios: folioLayoutCodec,
    holes: arrayCodec(holeCodec, 0, MAX_HOLES, 'a list of holes'),
  },
);
export type MappingInput = t.TypeOf<typeof mappingCodec>;
