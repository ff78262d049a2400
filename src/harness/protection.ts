/**
 * Mapping protection as scenario files write it: `"rw"`, `"ro"`, `"none"`, or PROT_*
 * names (`"PROT_READ|PROT_WRITE"` or `["PROT_READ", "PROT_WRITE"]`).
 *
 * Models the `prot` argument of mmap(2): PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC
 * with the values of include/uapi/asm-generic/mman-common.h. Faithful for these four;
 * PROT_SEM and the PROT_GROWS* flags are refused because GUP never looks at them.
 */
import * as t from 'io-ts';
import { describeValue } from './describe-value.js';

/** `PROT_NONE`: the pages may not be accessed. */
export const PROT_NONE = 0x0;
/** `PROT_READ`: the pages may be read. */
export const PROT_READ = 0x1;
/** `PROT_WRITE`: the pages may be written. */
export const PROT_WRITE = 0x2;
/** `PROT_EXEC`: the pages may be executed. */
export const PROT_EXEC = 0x4;

/** The PROT_* names a scenario may use, with their values. */
export const PROT_NAMES: Readonly<Record<string, number>> = { PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC };

const SHORTHANDS: Readonly<Record<string, number>> = {
  rw: PROT_READ | PROT_WRITE,
  ro: PROT_READ,
  none: PROT_NONE,
};

const EXPECTED = '"rw", "ro", "none", or PROT_* names ("PROT_READ|PROT_WRITE" or a list of them)';

/** `PROT_READ|PROT_WRITE` for 3, `PROT_NONE` for 0. */
export function protToString(prot: number): string {
  const names: string[] = [];
  if ((prot & PROT_READ) !== 0) names.push('PROT_READ');
  if ((prot & PROT_WRITE) !== 0) names.push('PROT_WRITE');
  if ((prot & PROT_EXEC) !== 0) names.push('PROT_EXEC');
  return names.length === 0 ? 'PROT_NONE' : names.join('|');
}

/** The prot bits of a list of PROT_* names, or why the list is not valid. */
function protOfNames(names: readonly unknown[]): number | string {
  let prot = 0;
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || !Object.hasOwn(PROT_NAMES, name))
      return `${describeValue(name)} is not one of PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC`;
    if (seen.has(name)) return `${name} is listed twice`;
    seen.add(name);
    prot |= PROT_NAMES[name]!;
  }
  if (seen.has('PROT_NONE') && seen.size > 1) return 'PROT_NONE cannot be combined with other PROT_* names';
  if (seen.size === 0) return 'the list is empty (write "none" or "PROT_NONE" for no access)';
  return prot;
}

/** Decodes a protection to its prot bits; encodes to the `PROT_*|PROT_*` spelling. */
export const protectionCodec = new t.Type<number, string, unknown>(
  'protection',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 7,
  (u, c) => {
    if (typeof u === 'string' && Object.hasOwn(SHORTHANDS, u)) return t.success(SHORTHANDS[u]!);
    let result: number | string = '';
    if (typeof u === 'string' && u.startsWith('PROT_')) result = protOfNames(u.split('|'));
    else if (Array.isArray(u)) result = protOfNames(u);
    if (typeof result === 'number') return t.success(result);
    const reason = result === '' ? '' : ` (${result})`;
    return t.failure(u, c, `expected ${EXPECTED}, found ${describeValue(u)}${reason}`);
  },
  protToString,
);
