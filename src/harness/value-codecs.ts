/**
 * io-ts codecs for the leaf values of a scenario file: sizes, addresses, bounded
 * integers, enumerations, names and free text. Each failure carries its own one-line
 * message: what was expected, and what was found.
 *
 * Decoded values are plain numbers and strings, and each codec's encoding is a valid
 * input of the same codec, so `decode(encode(x))` gives back `x`.
 */
import * as t from 'io-ts';
import { describeValue } from './describe-value.js';
import { closestKey } from './strict-struct.js';
import { formatSize, parseAddress, parseSize } from './units.js';

/** Constraints on a size or an address, checked after parsing. */
export interface RangeOptions {
  /** Smallest allowed value (default 0). */
  readonly min?: number;
  /** Largest allowed value (default Number.MAX_SAFE_INTEGER). */
  readonly max?: number;
  /** The value must be a multiple of this (for example PAGE_SIZE). */
  readonly multipleOf?: number;
  /** How to name `multipleOf` in messages (default: its size, as "4KiB"). */
  readonly multipleName?: string;
  /** How to print a value in a range message (default: as a size). */
  readonly show?: (n: number) => string;
}

function rangeProblem(n: number, opts: RangeOptions): string | undefined {
  const show = opts.show ?? formatSize;
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (n < min) return `at least ${show(min)}`;
  if (n > max) return `at most ${show(max)}`;
  const mult = opts.multipleOf;
  if (mult !== undefined && n % mult !== 0) return `a multiple of ${opts.multipleName ?? formatSize(mult)}`;
  return undefined;
}

function parsedValue(
  name: string,
  parse: (input: string | number) => { _tag: 'Left'; left: string } | { _tag: 'Right'; right: number },
  what: string,
  opts: RangeOptions,
): t.Type<number, number, unknown> {
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && rangeProblem(u, opts) === undefined,
    (u, c) => {
      if (typeof u !== 'string' && typeof u !== 'number')
        return t.failure(u, c, `expected ${what}, found ${describeValue(u)}`);
      const parsed = parse(u);
      if (parsed._tag === 'Left') return t.failure(u, c, `expected ${what}: ${parsed.left}`);
      const problem = rangeProblem(parsed.right, opts);
      if (problem !== undefined) return t.failure(u, c, `expected ${problem}, found ${describeValue(u)}`);
      return t.success(parsed.right);
    },
    t.identity,
  );
}

/** A byte size (`"4KiB"`, `"0x1000"`, `4096`), decoded to a number of bytes. */
export function sizeCodec(opts: RangeOptions = {}): t.Type<number, number, unknown> {
  return parsedValue('size', parseSize, 'a size ("4096", "4KiB", "2MiB", "1GiB" or "0x1000")', opts);
}

/** A virtual address (`"0x7f0000000000"` or an integer), decoded to a number. */
export function addressCodec(opts: RangeOptions = {}): t.Type<number, number, unknown> {
  const show = opts.show ?? ((n: number) => `0x${n.toString(16)}`);
  return parsedValue('address', parseAddress, 'an address (a hex string like "0x7f0000000000")', { ...opts, show });
}

/** An integer JSON number in [min, max]. */
export function intCodec(min: number, max: number): t.Type<number, number, unknown> {
  const what = `an integer from ${min} to ${max}`;
  return new t.Type<number, number, unknown>(
    'integer',
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) =>
      typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max
        ? t.success(u)
        : t.failure(u, c, `expected ${what}, found ${describeValue(u)}`),
    t.identity,
  );
}

/** One of a fixed set of strings, with a "did you mean" hint for near misses. */
export function enumCodec<V extends string>(values: readonly V[]): t.Type<V, V, unknown> {
  const listed = values.map((v) => JSON.stringify(v)).join(', ');
  const set = new Set<string>(values);
  return new t.Type<V, V, unknown>(
    values.map((v) => JSON.stringify(v)).join(' | '),
    (u): u is V => typeof u === 'string' && set.has(u),
    (u, c) => {
      if (typeof u === 'string' && set.has(u)) return t.success(u as V);
      const hint = typeof u === 'string' ? closestKey(u, values) : undefined;
      const suffix = hint !== undefined ? ` (did you mean "${hint}"?)` : '';
      return t.failure(u, c, `expected one of ${listed}, found ${describeValue(u)}${suffix}`);
    },
    t.identity,
  );
}

/** A boolean (no "true"/"yes" strings). */
export const booleanCodec = new t.Type<boolean, boolean, unknown>(
  'boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (typeof u === 'boolean' ? t.success(u) : t.failure(u, c, `expected true or false, found ${describeValue(u)}`)),
  t.identity,
);

/** A string of at most `maxLength` characters matching `pattern`, described as `what`. */
export function stringCodec(what: string, maxLength: number, pattern?: RegExp): t.Type<string, string, unknown> {
  const ok = (u: unknown): u is string =>
    typeof u === 'string' && u.length <= maxLength && (pattern === undefined || pattern.test(u));
  return new t.Type<string, string, unknown>(
    what,
    ok,
    (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected ${what}, found ${describeValue(u)}`)),
    t.identity,
  );
}

/** An array of `codec` with between `min` and `max` elements. */
export function arrayCodec<C extends t.Mixed>(
  codec: C,
  min: number,
  max: number,
  what: string,
): t.Type<t.TypeOf<C>[], t.OutputOf<C>[], unknown> {
  const inner = t.array(codec);
  return new t.Type<t.TypeOf<C>[], t.OutputOf<C>[], unknown>(
    what,
    (u): u is t.TypeOf<C>[] => inner.is(u) && u.length >= min && u.length <= max,
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `expected ${what}, found ${describeValue(u)}`);
      if (u.length < min || u.length > max)
        return t.failure(u, c, `expected ${what} with ${min} to ${max} entries, found ${u.length}`);
      return inner.validate(u, c);
    },
    (a) => inner.encode(a),
  );
}
