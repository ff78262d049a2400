/**
 * Argument checks for the exported API.
 *
 * C's types rule out most bad arguments: a `struct folio *` cannot be 2.5, an
 * `unsigned long` cannot be NaN. A JavaScript number can be any of those, so every
 * exported function checks what C's types would have guaranteed and throws an
 * `ArgumentError` (a TypeError) naming the function, the argument and the value.
 * Values C can express but the kernel refuses keep the kernel's answer instead: an
 * address outside the user range is -EFAULT, an internal or undefined FOLL_* bit is
 * -EINVAL, each where the modelled function returns it. Nothing is truncated.
 *
 * Each check is a couple of integer comparisons and runs once per call, before any
 * loop; the message is built only when the check fails.
 */
import { INT_MAX } from './constants.js';
import { FOLL_ALL_DEFINED } from './foll-flags.js';
import type { Machine } from './machine.js';

/** A bad argument C's types would not have let through. */
export class ArgumentError extends TypeError {
  /** The exported function that refused it, e.g. 'tryGrabFolio'. */
  readonly fn: string;
  /** The parameter's name, e.g. 'refs'. */
  readonly arg: string;

  constructor(fn: string, arg: string, value: unknown, expected: string) {
    super(`${fn}: ${arg} must be ${expected}, got ${describe(value)}`);
    this.name = 'ArgumentError';
    this.fn = fn;
    this.arg = arg;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
}

/** Throws the ArgumentError; kept out of line so the checks stay small. */
export function badArgument(fn: string, arg: string, value: unknown, expected: string): never {
  throw new ArgumentError(fn, arg, value, expected);
}

/** True for an integer PFN inside `m`'s memmap (`(x | 0) === x` rejects NaN, fractions and >= 2^31). */
export function isPfn(m: Machine, pfn: number): boolean {
  return (pfn | 0) === pfn && pfn >= 0 && pfn < m.nrPages;
}

/** True for the head PFN of a folio: a PFN inside the memmap, aligned to its folio's order. */
export function isFolioHead(m: Machine, folio: number): boolean {
  return isPfn(m, folio) && (folio & ((1 << m.order[folio]!) - 1)) === 0;
}

/** `arg` is a PFN inside the memmap (a `struct page *`). */
export function checkPfn(m: Machine, fn: string, arg: string, pfn: number): void {
  if (!isPfn(m, pfn)) badArgument(fn, arg, pfn, `a PFN in 0..${m.nrPages - 1}`);
}

/** `arg` is the head PFN of a folio (a `struct folio *`): inside the memmap and aligned to its order. */
export function checkFolio(m: Machine, fn: string, arg: string, folio: number): void {
  if (!isPfn(m, folio)) badArgument(fn, arg, folio, `a folio's head PFN in 0..${m.nrPages - 1}`);
  if ((folio & ((1 << m.order[folio]!) - 1)) !== 0) badArgument(fn, arg, folio, `a folio's head PFN, not a tail page`);
}

/** `arg` is an integer in `min..max` (both inclusive). */
export function checkInt(fn: string, arg: string, n: number, min: number, max: number): void {
  if (!(Number.isInteger(n) && n >= min && n <= max)) badArgument(fn, arg, n, `an integer in ${min}..${max}`);
}

/** `arg` is a count: an integer in `0..max` (INT_MAX by default, the kernel's `int`). */
export function checkCount(fn: string, arg: string, n: number, max: number = INT_MAX): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= max)) badArgument(fn, arg, n, `an integer in 0..${max}`);
}

/** `arg` is a byte address or length: a non-negative safe integer (an `unsigned long`). */
export function checkUnsignedLong(fn: string, arg: string, n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) badArgument(fn, arg, n, 'a non-negative safe integer');
}

/** `arg` is a flag word: an unsigned 32-bit integer with no bit outside `known`. */
export function checkFlags(fn: string, arg: string, flags: number, known: number): void {
  if (!((flags >>> 0) === flags && (flags & ~known) === 0))
    badArgument(fn, arg, flags, `a flag word within 0x${(known >>> 0).toString(16)}`);
}

/**
 * `gupFlags` as a C caller could pass it: an unsigned 32-bit integer. Undefined bits are
 * not refused here: the GUP entry points answer them as the kernel answers internal
 * flags (-EINVAL, or 0 for pin_user_pages), see `isUndefinedFollFlag`.
 */
export function checkGupFlagsWord(fn: string, gupFlags: number): void {
  if ((gupFlags >>> 0) !== gupFlags) badArgument(fn, 'gupFlags', gupFlags, 'an unsigned 32-bit FOLL_* word');
}

/** True when `gupFlags` has a bit no FOLL_* flag defines. */
export function hasUndefinedFollFlag(gupFlags: number): boolean {
  return (gupFlags & ~FOLL_ALL_DEFINED) !== 0;
}

/** `arg` is a boolean (C's `bool`; a truthy number would hide a swapped argument). */
export function checkBool(fn: string, arg: string, b: boolean): void {
  if (typeof b !== 'boolean') badArgument(fn, arg, b, 'a boolean');
}

/** `arg` is one of `allowed`. */
export function checkOneOf<T>(fn: string, arg: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) badArgument(fn, arg, value, `one of ${allowed.map((a) => describe(a)).join(', ')}`);
}
