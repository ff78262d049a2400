// Sizes and addresses in scenario files (src/harness/units.ts). The K/M/G/T suffixes
// follow memparse() (lib/cmdline.c): binary multiples, either case.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { formatAddress, formatSize, parseAddress, parseSize } from '../../src/harness/units.js';

describe('parseSize', () => {
  it.each([
    ['512B', 512],
    ['4KiB', 4096],
    ['1GiB', 1073741824],
    ['100GiB', 107374182400],
    ['1TiB', 1099511627776],
    ['2M', 2097152],
    ['2m', 2097152],
    ['64k', 65536],
    ['4096', 4096],
    ['0', 0],
    ['0x1000', 4096],
    ['0X7F', 127],
    ['1.5KiB', 1536],
    ['1.5 MiB', 1572864],
    ['0.5K', 512],
    ['007KiB', 7168],
    [4096, 4096],
    [0, 0],
    // 2^53 - 1, the largest exact double integer
    [9007199254740991, 9007199254740991],
    ['0x1fffffffffffff', 9007199254740991],
  ] as const)('%j is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toEqual(E.right(bytes));
  });

  it.each([
    ['4KB', '"4KB": unknown unit "KB" (use B, KiB, MiB, GiB, TiB or K, M, G, T); "KB" is ambiguous (1000 or 1024?): write KiB'],
    ['4 kb', '"4 kb": unknown unit "kb" (use B, KiB, MiB, GiB, TiB or K, M, G, T); "kb" is ambiguous (1000 or 1024?): write KiB'],
    ['4XiB', '"4XiB": unknown unit "XiB" (use B, KiB, MiB, GiB, TiB or K, M, G, T)'],
    ['4kib', '"4kib": unknown unit "kib" (use B, KiB, MiB, GiB, TiB or K, M, G, T)'],
    ['0.1KiB', '"0.1KiB" is not a whole number of bytes'],
    ['1.5', '"1.5" is not a whole number of bytes'],
    ['-4KiB', '"-4KiB": a size must not be negative'],
    ['', 'empty string where a size was expected'],
    [' 4KiB', '" 4KiB" is not a size (write e.g. "4096", "0x1000", "4KiB", "2MiB", "1GiB")'],
    ['1e3', '"1e3" is not a size (write e.g. "4096", "0x1000", "4KiB", "2MiB", "1GiB")'],
    ['4  KiB', '"4  KiB" is not a size (write e.g. "4096", "0x1000", "4KiB", "2MiB", "1GiB")'],
    ['8192TiB', '"8192TiB" is larger than 9007199254740991 (2^53 - 1) bytes'],
    ['0x20000000000000', '"0x20000000000000" is larger than 9007199254740991 (2^53 - 1) bytes'],
    [-1, 'a size must not be negative, got -1'],
    [1.5, 'a size must be a whole number of bytes, got 1.5'],
    [Number.NaN, 'a size must be a finite number, got NaN'],
    [Number.POSITIVE_INFINITY, 'a size must be a finite number, got Infinity'],
    [2 ** 53, 'a size must be at most 9007199254740991, got 9007199254740992'],
  ] as const)('%j is refused: %s', (input, message) => {
    expect(parseSize(input)).toEqual(E.left(message));
  });

  it('refuses absurdly long text without parsing it', () => {
    expect(parseSize('1'.repeat(100))).toEqual(E.left(`"${'1'.repeat(40)}..." is too long to be a size`));
  });
});

describe('parseAddress', () => {
  it.each([
    // 0x7f0000000000 = 127 * 2^40
    ['0x7f0000000000', 139637976727552],
    ['0X1F', 31],
    ['0x0', 0],
    [4096, 4096],
  ] as const)('%j is %d', (input, addr) => {
    expect(parseAddress(input)).toEqual(E.right(addr));
  });

  it.each([
    ['4096', '"4096" is not an address (write a hex string like "0x7f0000000000" or an integer)'],
    ['0x', '"0x" is not an address (write a hex string like "0x7f0000000000" or an integer)'],
    ['0xg00', '"0xg00" is not an address (write a hex string like "0x7f0000000000" or an integer)'],
    ['0x20000000000000', '"0x20000000000000" is larger than 9007199254740991 (2^53 - 1)'],
    [-4096, 'an address must not be negative, got -4096'],
    [0.5, 'an address must be a whole number of bytes, got 0.5'],
  ] as const)('%j is refused: %s', (input, message) => {
    expect(parseAddress(input)).toEqual(E.left(message));
  });
});

describe('formatSize / formatAddress', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1536, '1536B'],
    [4096, '4KiB'],
    [2097152, '2MiB'],
    [3221225472, '3GiB'],
    [107374182400, '100GiB'],
    [1099511627776, '1TiB'],
  ])('%d is %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('prints addresses as %lx with 0x', () => {
    expect(formatAddress(139637976727552)).toBe('0x7f0000000000');
    expect(formatAddress(0)).toBe('0x0');
  });

  test.prop([fc.maxSafeNat()])('parseSize(formatSize(n)) gives back n', (n) => {
    expect(parseSize(formatSize(n))).toEqual(E.right(n));
  });

  test.prop([fc.maxSafeNat()])('parseAddress(formatAddress(a)) gives back a', (a) => {
    expect(parseAddress(formatAddress(a))).toEqual(E.right(a));
  });
});
