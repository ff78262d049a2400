/**
 * io-ts codecs for a scenario file: the top level, the memory, the request (start,
 * length, FOLL_* flags by name, repeats) and per-proposal settings. Mappings are in
 * mapping-schema.ts; relations between values are checked in scenario-normalize.ts.
 *
 * FOLL_* names are checked against src/mm/foll-flags.ts. The internal flags
 * (INTERNAL_GUP_FLAGS, mm/internal.h) and FOLL_GET are refused: every proposal pins, so
 * FOLL_PIN is implied, and the pin_user_pages*() entry points refuse FOLL_GET
 * (is_valid_gup_args(), mm/gup.c: WARN and -EINVAL).
 */
import * as t from 'io-ts';
import { PAGE_SIZE } from '../mm/constants.js';
import { FOLL_FLAGS, FOLL_GET, INTERNAL_GUP_FLAGS } from '../mm/foll-flags.js';
import { describeValue } from './describe-value.js';
import { mappingCodec } from './mapping-schema.js';
import { MERGE_POLICIES, SIZING_VARIANTS } from './scenario.js';
import { closestKey, strictStruct } from './strict-struct.js';
import { arrayCodec, booleanCodec, enumCodec, intCodec, sizeCodec, stringCodec } from './value-codecs.js';
import { formatSize, parseAddress, parseSize } from './units.js';

/** `DEFAULT_MAX_MAP_COUNT` (include/linux/mm.h): vm.max_map_count's default, 65530. */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** Names: lower case, digits, `.`, `_`, `-`; usable as file names and CLI arguments. */
export const SCENARIO_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Proposal names as the registry spells them. */
export const PROPOSAL_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Entries of a caller array or chunk: 2^20 bio_vecs is 16 MiB, past any kvmalloc a driver would make. */
export const MAX_CHUNK_SIZE = 1 << 20;
/** Rounds per measurement. */
export const MAX_REPEATS = 1_000_000;

export const memoryCodec = strictStruct(
  'a memory {size, movable?, cma?}',
  {
    size: sizeCodec({
      min: 2 * PAGE_SIZE,
      max: (2 ** 31 - 1) * PAGE_SIZE,
      multipleOf: PAGE_SIZE,
      multipleName: 'PAGE_SIZE (4KiB)',
    }),
  },
  {
    movable: sizeCodec({ multipleOf: PAGE_SIZE, multipleName: 'PAGE_SIZE (4KiB)' }),
    cma: sizeCodec({ multipleOf: PAGE_SIZE, multipleName: 'PAGE_SIZE (4KiB)' }),
  },
);

/** Where the request starts: an absolute address, or `mapping[i]` plus or minus an offset. */
export type StartInput =
  | { readonly kind: 'address'; readonly address: number }
  | { readonly kind: 'mapping'; readonly index: number; readonly offset: number };

const MAPPING_REF = /^mapping\[([0-9]{1,5})\](?: ?([+-]) ?(.+))?$/;
const START_EXPECTED = 'an address ("0x7f0000001000") or "mapping[i]", "mapping[i]+offset", "mapping[i]-offset"';

export const startCodec = new t.Type<StartInput, string | number, unknown>(
  'request start',
  (u): u is StartInput => typeof u === 'object' && u !== null && 'kind' in u,
  (u, c) => {
    if (typeof u === 'number' || (typeof u === 'string' && /^0[xX]/.test(u))) {
      const a = parseAddress(u);
      return a._tag === 'Left'
        ? t.failure(u, c, `expected ${START_EXPECTED}: ${a.left}`)
        : t.success({ kind: 'address', address: a.right });
    }
    const m = typeof u === 'string' ? MAPPING_REF.exec(u) : null;
    if (m === null) return t.failure(u, c, `expected ${START_EXPECTED}, found ${describeValue(u)}`);
    let offset = 0;
    if (m[3] !== undefined) {
      const o = parseSize(m[3]);
      if (o._tag === 'Left') return t.failure(u, c, `expected ${START_EXPECTED}: bad offset: ${o.left}`);
      offset = m[2] === '-' ? -o.right : o.right;
    }
    return t.success({ kind: 'mapping', index: Number(m[1]), offset });
  },
  (a) => {
    if (a.kind === 'address') return `0x${a.address.toString(16)}`;
    if (a.offset === 0) return `mapping[${a.index}]`;
    return `mapping[${a.index}]${a.offset < 0 ? '-' : '+'}${formatSize(Math.abs(a.offset))}`;
  },
);

/** Why a FOLL_* name cannot be in a request, or undefined when it can. */
function follNameProblem(name: string): string | undefined {
  if (!Object.hasOwn(FOLL_FLAGS, name)) {
    const hint = closestKey(name, Object.keys(FOLL_FLAGS));
    return `expected a FOLL_* flag name, found ${describeValue(name)}${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}`;
  }
  const bit = FOLL_FLAGS[name]!;
  if ((bit & INTERNAL_GUP_FLAGS) !== 0)
    return `${name} is internal to mm/gup.c (INTERNAL_GUP_FLAGS); callers never pass it${name === 'FOLL_PIN' ? ' (every proposal pins, so it is implied)' : ''}`;
  if (bit === FOLL_GET) return 'FOLL_GET cannot be combined with a pin (is_valid_gup_args() fails with -EINVAL)';
  return undefined;
}

/** A list of caller-visible FOLL_* names, decoded to their OR. */
export const follFlagsCodec = new t.Type<number, string[], unknown>(
  'FOLL_* flags',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (!Array.isArray(u))
      return t.failure(u, c, `expected a list of FOLL_* names like ["FOLL_WRITE"], found ${describeValue(u)}`);
    const errors: t.ValidationError[] = [];
    const seen = new Set<string>();
    let flags = 0;
    for (let i = 0; i < u.length; i++) {
      const v: unknown = u[i];
      const context = t.appendContext(c, String(i), t.string, v);
      let problem: string | undefined;
      if (typeof v !== 'string') problem = `expected a FOLL_* flag name, found ${describeValue(v)}`;
      else if (seen.has(v)) problem = `${v} is listed twice`;
      else problem = follNameProblem(v);
      if (problem !== undefined) {
        errors.push({ value: v, context, message: problem });
        continue;
      }
      seen.add(v as string);
      flags |= FOLL_FLAGS[v as string]!;
    }
    return errors.length > 0 ? t.failures(errors) : t.success(flags);
  },
  (flags) => Object.keys(FOLL_FLAGS).filter((name) => (FOLL_FLAGS[name]! & flags) !== 0),
);

export const requestCodec = strictStruct(
  'a request {start, length, flags?, repeats?}',
  { start: startCodec, length: sizeCodec({ min: 1 }) },
  { flags: follFlagsCodec, repeats: intCodec(1, MAX_REPEATS) },
);
export type RequestInput = t.TypeOf<typeof requestCodec>;

export const proposalSettingsCodec = strictStruct(
  'proposal settings {chunkSize?, merge?, sizing?}',
  {},
  { chunkSize: intCodec(1, MAX_CHUNK_SIZE), merge: enumCodec(MERGE_POLICIES), sizing: enumCodec(SIZING_VARIANTS) },
);
export type ProposalSettingsInput = t.TypeOf<typeof proposalSettingsCodec>;

/** `{ "<proposal name>": settings, ... }`; which names exist is checked at load time. */
export const proposalsCodec = new t.Type<Record<string, ProposalSettingsInput>, Record<string, unknown>, unknown>(
  'proposal settings by name',
  (u): u is Record<string, ProposalSettingsInput> => typeof u === 'object' && u !== null && !Array.isArray(u),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return t.failure(u, c, `expected an object keyed by proposal name, found ${describeValue(u)}`);
    const record = u as Record<string, unknown>;
    const errors: t.ValidationError[] = [];
    const out: Record<string, ProposalSettingsInput> = Object.create(null) as Record<string, ProposalSettingsInput>;
    for (const key of Object.keys(record)) {
      const context = t.appendContext(c, key, proposalSettingsCodec, record[key]);
      if (!PROPOSAL_NAME_PATTERN.test(key)) {
        errors.push({
          value: record[key],
          context,
          message: 'expected a proposal name (lower case letters, digits and "-"), found this key',
        });
        continue;
      }
      const r = proposalSettingsCodec.validate(record[key], context);
      if (r._tag === 'Left') errors.push(...r.left);
      else out[key] = r.right;
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  },
  (a) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(a).sort()) out[key] = proposalSettingsCodec.encode(a[key]!);
    return out;
  },
);

/** A whole scenario file, as written. */
export const scenarioCodec = strictStruct(
  'a scenario {name, mappings, request, ...}',
  {
    name: stringCodec('a name of lower-case letters, digits, ".", "_" or "-" (at most 64)', 64, SCENARIO_NAME_PATTERN),
    mappings: arrayCodec(mappingCodec, 1, DEFAULT_MAX_MAP_COUNT, 'a list of mappings'),
    request: requestCodec,
  },
  {
    description: stringCodec('a description of at most 200 characters', 200),
    seed: intCodec(0, 2 ** 32 - 1),
    memory: memoryCodec,
    forkBeforePin: booleanCodec,
    proposals: proposalsCodec,
  },
);
export type ScenarioInput = t.TypeOf<typeof scenarioCodec>;
