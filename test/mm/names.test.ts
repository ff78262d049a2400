/**
 * How the model names things in traces, reports and errors: errno names (the kernel's
 * include/uapi/asm-generic/errno*.h spellings, negative as GUP returns them), FOLL_*
 * and VM_* words (include/linux/mm_types.h, mm.h; VM_NONE for 0, hex for bits the
 * model does not define), the values an ArgumentError quotes, and resetting the cost
 * counters.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  COST_FIELDS,
  CostCounters,
  EFAULT,
  FOLL_LONGTERM,
  FOLL_PIN,
  VM_MAYREAD,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  costReset,
  costSnapshot,
  errnoName,
  follFlagsToString,
  vmFlagsToString,
} from '../../src/index.js';

describe('errnoName', () => {
  it('negative as GUP returns them, positive as the constants, unknown numbers as they are', () => {
    expect(errnoName(-EFAULT)).toBe('-EFAULT');
    expect(errnoName(EFAULT)).toBe('EFAULT');
    expect(errnoName(-14)).toBe('-EFAULT');
    expect(errnoName(-9999)).toBe('-9999');
    expect(errnoName(0)).toBe('0');
  });
});

describe('follFlagsToString and vmFlagsToString', () => {
  it('FOLL_* words: names in bit order, 0 for none', () => {
    expect(follFlagsToString(0)).toBe('0');
    expect(follFlagsToString(FOLL_LONGTERM | FOLL_PIN)).toBe('FOLL_LONGTERM|FOLL_PIN');
    expect(follFlagsToString(1 << 13)).toBe('0x2000');
  });

  it('VM_* words: names in bit order, VM_NONE for 0, hex for bits the model does not define', () => {
    expect(vmFlagsToString(0)).toBe('VM_NONE');
    expect(vmFlagsToString(VM_READ | VM_WRITE | VM_SHARED | VM_MAYREAD)).toBe('VM_READ|VM_WRITE|VM_SHARED|VM_MAYREAD');
    // VM_SOFTDIRTY (bit 27) is not modelled.
    expect(vmFlagsToString(VM_READ | 0x08000000)).toBe('VM_READ|0x8000000');
    expect(vmFlagsToString(0x08000000)).toBe('0x8000000');
  });
});

describe('ArgumentError quotes the value it refused', () => {
  const quoted = (value: unknown): string => new ArgumentError('f', 'x', value, 'y').message;
  it('strings quoted, bigints with n, arrays by length, objects by kind, the rest as String()', () => {
    expect(quoted('abc')).toBe('f: x must be y, got "abc"');
    expect(quoted(5n)).toBe('f: x must be y, got 5n');
    expect(quoted([1, 2, 3])).toBe('f: x must be y, got an array of 3');
    expect(quoted({ a: 1 })).toBe('f: x must be y, got an object');
    expect(quoted(null)).toBe('f: x must be y, got null');
    expect(quoted(undefined)).toBe('f: x must be y, got undefined');
    expect(quoted(NaN)).toBe('f: x must be y, got NaN');
  });
});

describe('costReset', () => {
  it('sets every counter back to zero', () => {
    const c = new CostCounters();
    COST_FIELDS.forEach((f, i) => (c[f] = i + 1));
    costReset(c);
    expect(Object.values(costSnapshot(c))).toEqual(COST_FIELDS.map(() => 0));
  });
});
