/**
 * kmalloc size classes (include/linux/slab.h kmalloc_index: 8..8192 plus 96 and 192 on
 * x86-64), kmalloc's upper limit (KMALLOC_MAX_SIZE = 1 << (MAX_PAGE_ORDER + PAGE_SHIFT),
 * 4 MiB; mm/page_alloc.c `__alloc_pages_noprof`: `WARN_ON_ONCE_GFP(order >
 * MAX_PAGE_ORDER)`, NULL) and the kvmalloc fallback, worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import { kmalloc, kmallocSizeClass, kvfree, kvmalloc, kvmallocArray, injectAllocFailure, ENOMEM, type KAlloc } from '../../src/index.js';

describe('kmallocSizeClass', () => {
  it.each([
    [1, 8], [8, 8], [9, 16], [16, 16], [17, 32], [33, 64], [64, 64], [65, 96], [96, 96], [97, 128],
    [128, 128], [129, 192], [192, 192], [193, 256], [257, 512], [1000, 1024], [4096, 4096], [4097, 8192], [8192, 8192],
  ])('%i bytes come from the %i-byte cache', (size, cls) => {
    expect(kmallocSizeClass(size)).toBe(cls);
  });
});

describe('kmalloc / kvmalloc accounting', () => {
  it('16 bvecs (256 B) come from kmalloc-256; 17 (272 B) from kmalloc-512', () => {
    const m = newMachine();
    const a = kmalloc(m, 16 * 16) as KAlloc;
    const b = kmalloc(m, 17 * 16) as KAlloc;
    expect([a.given, b.given]).toEqual([256, 512]);
    expect(m.cost).toMatchObject({ allocations: 2, bytesAsked: 528, bytesGiven: 768 });
    kvfree(m, a, 256);
    kvfree(m, b, 17 * 16);
    expect(m.cost).toMatchObject({ frees: 2, bytesUnused: 240 });
  });

  it('kmalloc above 8 KiB is kmalloc_large: a power-of-two number of pages', () => {
    const m = newMachine();
    expect(kmalloc(m, 8193)).toEqual({ asked: 8193, given: 16384, kind: 'kmalloc-large' });
    expect(kmalloc(m, 20000)).toEqual({ asked: 20000, given: 32768, kind: 'kmalloc-large' });
  });

  it('kmalloc of exactly 4 MiB is one order-10 block; a byte more warns once and is NULL', () => {
    const m = newMachine();
    expect(kmalloc(m, 4 * 1024 * 1024)).toEqual({ asked: 4194304, given: 4194304, kind: 'kmalloc-large' });
    expect(kmalloc(m, 4 * 1024 * 1024 + 1)).toBe(-ENOMEM);
    expect(kmalloc(m, 2 ** 40)).toBe(-ENOMEM);
    expect(m.warnings).toEqual(['kmalloc: order above MAX_PAGE_ORDER']);
    expect(m.cost.allocations).toBe(1);
  });

  it('kvmalloc above the slab limit is vmalloc: whole pages', () => {
    const m = newMachine();
    // one page pointer per page of 1 GiB: 262144 * 8 = 2 MiB exactly.
    expect(kvmalloc(m, 262144 * 8)).toEqual({ asked: 2097152, given: 2097152, kind: 'vmalloc' });
    expect(kvmalloc(m, 8193)).toEqual({ asked: 8193, given: 12288, kind: 'vmalloc' });
    expect(kvmalloc(m, 8192)).toEqual({ asked: 8192, given: 8192, kind: 'kmalloc' });
  });

  it('kvmalloc_array refuses a size that overflows', () => {
    const m = newMachine();
    expect(kvmallocArray(m, 2 ** 61, 16)).toBe(-ENOMEM);
    expect(m.cost.allocations).toBe(0);
  });

  it('size_t edges: -2^63 is 2^63 (WARN, NULL); n * (SIZE_MAX) overflows for n = 2 (no WARN) but not for n = 1 (WARN)', () => {
    const m = newMachine();
    expect(kvmalloc(m, -(2 ** 63))).toBe(-ENOMEM);
    expect(m.warnings).toEqual(['kvmalloc: size above INT_MAX']);
    const n = newMachine();
    expect(kvmallocArray(n, 2, -1)).toBe(-ENOMEM); // check_mul_overflow
    expect(n.warnings).toEqual([]);
    expect(kvmallocArray(n, 1, -1)).toBe(-ENOMEM); // SIZE_MAX > INT_MAX
    expect(n.warnings).toEqual(['kvmalloc: size above INT_MAX']);
    expect([m.cost.allocations, n.cost.allocations]).toEqual([0, 0]);
  });

  it('kvfree names what the allocation gave when more was used', () => {
    const m = newMachine();
    const a = kmalloc(m, 100) as KAlloc;
    expect(() => kvfree(m, a, 129)).toThrow('kvfree: usedBytes must be an integer in 0..128 (the bytes the allocation gave), got 129');
    kvfree(m, a, 100);
  });

  it('injected failure hits exactly the nth allocation', () => {
    const m = newMachine();
    injectAllocFailure(m, 2);
    expect(typeof kmalloc(m, 8)).toBe('object');
    expect(kvmalloc(m, 100000)).toBe(-ENOMEM);
    expect(typeof kmalloc(m, 8)).toBe('object');
    expect(m.cost.allocations).toBe(2);
  });
});
