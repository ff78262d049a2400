/**
 * Sizes and addresses as scenario files write them: `"512B"`, `"4KiB"`, `"1GiB"`,
 * `"100GiB"`, `"2M"` (memparse-style), `"0x1000"`, plain integers; addresses as hex
 * strings (`"0x7f0000000000"`) or integers.
 *
 * Not a kernel interface. The single-letter suffixes K/M/G/T (either case) mean powers
 * of 1024, as the kernel's `memparse()` (lib/cmdline.c) reads them on the command line;
 * `kB`, `KB`, `MB`, ... are refused because they are ambiguous between 1000 and 1024.
 * Arithmetic is done in BigInt so a value is either exact or refused: fractions are
 * allowed only when they come out to a whole number of bytes (`"1.5KiB"` = 1536), and
 * anything above `Number.MAX_SAFE_INTEGER` is an error, never a rounded number.
 */
import * as E from 'fp-ts/lib/Either.js';

/** Byte multipliers of the accepted unit suffixes. */
export const SIZE_UNITS: Readonly<Record<string, bigint>> = {
  B: 1n,
  KiB: 1n << 10n,
  MiB: 1n << 20n,
  GiB: 1n << 30n,
  TiB: 1n << 40n,
  K: 1n << 10n,
  M: 1n << 20n,
  G: 1n << 30n,
  T: 1n << 40n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Longer inputs cannot be a safe integer in any accepted spelling; refusing them early bounds the work. */
const MAX_TEXT_LENGTH = 40;

const DECIMAL_SIZE = /^([0-9]+)(?:\.([0-9]+))? ?([A-Za-z]+)?$/;
const HEX = /^0[xX]([0-9a-fA-F]+)$/;

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH)}...` : text);
}

function checkSafe(value: bigint, text: string): E.Either<string, number> {
  if (value > MAX_SAFE) return E.left(`${quote(text)} is larger than ${Number.MAX_SAFE_INTEGER} (2^53 - 1) bytes`);
  return E.right(Number(value));
}

function unitHint(unit: string): string {
  const lower = unit.toLowerCase();
  const prefix = lower.charAt(0);
  if (lower.length === 2 && lower.endsWith('b') && 'kmgt'.includes(prefix))
    return `; "${unit}" is ambiguous (1000 or 1024?): write ${prefix.toUpperCase()}iB`;
  return '';
}

/** A non-negative safe integer given as a JSON number, or why it is not one. */
export function checkByteCount(n: number, what = 'a size'): E.Either<string, number> {
  if (!Number.isFinite(n)) return E.left(`${what} must be a finite number, got ${String(n)}`);
  if (!Number.isInteger(n)) return E.left(`${what} must be a whole number of bytes, got ${n}`);
  if (n < 0) return E.left(`${what} must not be negative, got ${n}`);
  if (!Number.isSafeInteger(n)) return E.left(`${what} must be at most ${Number.MAX_SAFE_INTEGER}, got ${n}`);
  return E.right(n);
}

/**
 * Parses a byte size: a non-negative safe integer, a hex string (`"0x1000"`), or a
 * decimal with an optional unit (`"4096"`, `"4KiB"`, `"1.5 MiB"`, `"2M"`).
 * Returns the exact number of bytes, or a one-line reason.
 */
export function parseSize(input: string | number): E.Either<string, number> {
  if (typeof input === 'number') return checkByteCount(input);
  if (input.length === 0) return E.left('empty string where a size was expected');
  if (input.length > MAX_TEXT_LENGTH) return E.left(`${quote(input)} is too long to be a size`);
  const hex = HEX.exec(input);
  if (hex !== null) return checkSafe(BigInt(`0x${hex[1]!}`), input);
  const m = DECIMAL_SIZE.exec(input);
  if (m === null) {
    if (input.startsWith('-')) return E.left(`${quote(input)}: a size must not be negative`);
    return E.left(`${quote(input)} is not a size (write e.g. "4096", "0x1000", "4KiB", "2MiB", "1GiB")`);
  }
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  const unit = m[3] ?? 'B';
  const multiplier = Object.hasOwn(SIZE_UNITS, unit) ? SIZE_UNITS[unit] : undefined;
  if (multiplier === undefined)
    return E.left(`${quote(input)}: unknown unit "${unit}" (use B, KiB, MiB, GiB, TiB or K, M, G, T)${unitHint(unit)}`);
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(whole) * scale + BigInt(fraction === '' ? '0' : fraction)) * multiplier;
  if (scaled % scale !== 0n) return E.left(`${quote(input)} is not a whole number of bytes`);
  return checkSafe(scaled / scale, input);
}

/**
 * Parses a user virtual address: a non-negative safe integer or a hex string
 * (`"0x7f0000000000"`). Range checks against the user address space belong to the caller.
 */
export function parseAddress(input: string | number): E.Either<string, number> {
  if (typeof input === 'number') return checkByteCount(input, 'an address');
  const hex = HEX.exec(input);
  if (hex === null || input.length > MAX_TEXT_LENGTH)
    return E.left(`${quote(input)} is not an address (write a hex string like "0x7f0000000000" or an integer)`);
  const value = BigInt(`0x${hex[1]!}`);
  if (value > MAX_SAFE) return E.left(`${quote(input)} is larger than ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`);
  return E.right(Number(value));
}

const FORMAT_UNITS: readonly (readonly [string, number])[] = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

/**
 * The exact size in the largest binary unit that divides it (`"4KiB"`, `"1536B"`,
 * `"100GiB"`); `parseSize(formatSize(n))` gives back `n`.
 */
export function formatSize(bytes: number): string {
  if (bytes > 0) {
    for (let i = 0; i < FORMAT_UNITS.length; i++) {
      const [unit, size] = FORMAT_UNITS[i]!;
      if (bytes % size === 0) return `${bytes / size}${unit}`;
    }
  }
  return `${bytes}B`;
}

/** An address as lower-case hex with a `0x` prefix, as the kernel prints `%lx`. */
export function formatAddress(addr: number): string {
  return `0x${addr.toString(16)}`;
}
