/**
 * Number formatting shared by the reports: byte counts with binary suffixes, times
 * with units, errnos by name. Pure ASCII (`us`, not the micro sign) so the text report
 * pastes into a plain-text mail unchanged.
 */
import { errnoName } from '../mm/errno.js';

const BYTE_UNITS: readonly (readonly [string, number])[] = [
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
];

/**
 * A byte count in at most 6 characters where possible: exact below 1 KiB or when a
 * unit divides it (`4K`, `2M`, `100G`), else one decimal (`1.5M`, `600.0M`).
 */
export function formatBytesShort(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  const n = Math.abs(bytes);
  for (const [unit, size] of BYTE_UNITS) {
    if (n < size) continue;
    return n % size === 0 ? `${sign}${n / size}${unit}` : `${sign}${(n / size).toFixed(1)}${unit}`;
  }
  return `${sign}${n}`;
}

/** What a caller loop returned: bytes pinned (short form), or the errno's name. */
export function formatResult(result: number): string {
  return result < 0 ? errnoName(result) : formatBytesShort(result);
}

/** An integer count, exact. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? String(n) : '?';
}

function threeDigits(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A duration in nanoseconds as `850ns`, `12.3us`, `4.56ms`, `1.23s`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) return '?';
  if (ns < 1e3) return `${threeDigits(ns)}ns`;
  if (ns < 1e6) return `${threeDigits(ns / 1e3)}us`;
  if (ns < 1e9) return `${threeDigits(ns / 1e6)}ms`;
  return `${threeDigits(ns / 1e9)}s`;
}

/** A relative margin of error (percent) with one decimal. */
export function formatRme(rme: number): string {
  return Number.isFinite(rme) ? rme.toFixed(1) : '?';
}

/** Vectors per GiB with no more precision than it has. */
export function formatPerGiB(v: number | null): string {
  if (v === null) return '-';
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
