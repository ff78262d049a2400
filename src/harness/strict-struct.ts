/**
 * An io-ts object codec that refuses unknown keys.
 *
 * `t.type` lets unknown keys through and `t.exact` / `t.strict` silently strip them, so
 * a misspelt optional key (`"popluate": false`) would be ignored and the scenario would
 * run with the default. This codec reports every unknown key at its own path (with a
 * "did you mean" hint for near misses), every missing required key, and every bad
 * value, all in one pass so a file's problems are listed together.
 */
import * as t from 'io-ts';
import { describeValue } from './describe-value.js';

/** The decoded value: required keys present, optional keys possibly absent. */
export type StructOf<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.TypeOf<R[K]> } & {
  [K in keyof O]?: t.TypeOf<O[K]>;
};

/** Keys longer than this get no spelling hint (edit distance is quadratic). */
const MAX_HINT_KEY = 32;

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  const cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    for (let j = 0; j <= b.length; j++) prev[j] = cur[j]!;
  }
  return prev[b.length]!;
}

/** The allowed key closest to `key` (distance at most 2), if any. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  if (key.length > MAX_HINT_KEY) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/** A codec for an object with exactly these keys (required and optional), nothing else. */
export class StrictStructType<R extends t.Props, O extends t.Props> extends t.Type<
  StructOf<R, O>,
  Record<string, unknown>,
  unknown
> {
  readonly _tag = 'StrictStructType' as const;
  constructor(
    name: string,
    readonly required: R,
    readonly optional: O,
  ) {
    const allowed = [...Object.keys(required), ...Object.keys(optional)];
    const codecOf = (key: string): t.Mixed | undefined =>
      Object.hasOwn(required, key) ? required[key] : Object.hasOwn(optional, key) ? optional[key] : undefined;
    super(
      name,
      (u): u is StructOf<R, O> => {
        if (!isPlainObject(u)) return false;
        for (const key of Object.keys(u)) if (codecOf(key)?.is(u[key]) !== true) return false;
        for (const key of Object.keys(required)) if (!Object.hasOwn(u, key)) return false;
        return true;
      },
      (u, c) => {
        if (!isPlainObject(u)) return t.failure(u, c, `expected ${name}, found ${describeValue(u)}`);
        const errors: t.ValidationError[] = [];
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(u)) {
          if (codecOf(key) !== undefined) continue;
          const hint = closestKey(key, allowed);
          const message =
            hint !== undefined
              ? `unknown key (did you mean "${hint}"?)`
              : `unknown key (allowed here: ${allowed.join(', ')})`;
          errors.push({ value: u[key], context: t.appendContext(c, key, t.never, u[key]), message });
        }
        for (const key of allowed) {
          const codec = codecOf(key)!;
          const present = Object.hasOwn(u, key) && u[key] !== undefined;
          if (!present) {
            if (Object.hasOwn(required, key))
              errors.push({
                value: undefined,
                context: t.appendContext(c, key, codec, undefined),
                message: `missing required key (expected ${codec.name})`,
              });
            continue;
          }
          const result = codec.validate(u[key], t.appendContext(c, key, codec, u[key]));
          if (result._tag === 'Left') errors.push(...result.left);
          else out[key] = result.right;
        }
        return errors.length > 0 ? t.failures(errors) : t.success(out as StructOf<R, O>);
      },
      (a) => {
        const out: Record<string, unknown> = {};
        const record = a as Record<string, unknown>;
        for (const key of allowed) {
          const value = record[key];
          if (value !== undefined) out[key] = codecOf(key)!.encode(value);
        }
        return out;
      },
    );
  }
}

/** `strictStruct(name, required, optional)`: see StrictStructType. */
export function strictStruct<R extends t.Props, O extends t.Props = Record<never, never>>(
  name: string,
  required: R,
  optional?: O,
): StrictStructType<R, O> {
  return new StrictStructType(name, required, optional ?? ({} as O));
}
