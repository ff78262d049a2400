// iov_iter initialisers, advance and revert: include/linux/uio.h and lib/iov_iter.c (T).
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import {
  ITER_BVEC,
  ITER_DEST,
  ITER_DISCARD,
  ITER_IOVEC,
  ITER_KVEC,
  ITER_SOURCE,
  ITER_UBUF,
  KernelBug,
  MAX_RW_COUNT,
  PAGE_OFFSET,
  iovIterAdvance,
  iovIterBvec,
  iovIterDiscard,
  iovIterExtractWillPin,
  iovIterInit,
  iovIterKvec,
  iovIterRevert,
  iovIterRw,
  iovIterUbuf,
  iterIovAddr,
  iterIovLen,
  pageAddress,
  virtToPage,
  type IovIter,
} from '../../src/index.js';

const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];

describe('initialisers', () => {
  it('set the type, direction, count and segments; only user-backed iterators pin', () => {
    const ubuf = iovIterUbuf(ITER_DEST, 0x10000, 8192);
    const iov = iovIterInit(ITER_SOURCE, [{ base: 0x1000, len: 100 }], 100);
    const kvec = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(64) + 100, len: 50 }], 50);
    const bvec = iovIterBvec(ITER_DEST, [{ page: 64, len: 10, offset: 0 }], 10);
    const discard = iovIterDiscard(ITER_DEST, 4096);
    const rows = [ubuf, iov, kvec, bvec, discard].map((i) => [i.iterType, iovIterRw(i), i.count, i.nrSegs, iovIterExtractWillPin(i)]);
    expect(rows).toEqual([
      [ITER_UBUF, ITER_DEST, 8192, 1, true],
      [ITER_IOVEC, ITER_SOURCE, 100, 1, true],
      [ITER_KVEC, ITER_SOURCE, 50, 1, false],
      [ITER_BVEC, ITER_DEST, 10, 1, false],
      [ITER_DISCARD, ITER_DEST, 4096, 0, false],
    ]);
  });

  it('iov_iter_discard BUG_ONs unless READ; a bad direction is rejected', () => {
    expect(() => iovIterDiscard(ITER_SOURCE, 1)).toThrow(KernelBug);
    expect(() => iovIterUbuf(2, 0, 1)).toThrow(TypeError);
  });

  it('kernel addresses go through the direct map: kaddr = PAGE_OFFSET + pfn * PAGE_SIZE', () => {
    expect(pageAddress(64)).toBe(PAGE_OFFSET + 262144);
    expect(virtToPage(PAGE_OFFSET + 64 * 4096 + 4095)).toBe(64);
    expect(() => virtToPage(0x1000)).toThrow(KernelBug);
  });
});

describe('iov_iter_advance', () => {
  const iovecs = [
    { base: 0x1000, len: 100 },
    { base: 0x5000, len: 0 },
    { base: 0x9000, len: 300 },
  ];

  it('skips every segment the position reaches the end of, empty ones included', () => {
    const i = iovIterInit(ITER_DEST, iovecs, 400);
    iovIterAdvance(i, 100);
    expect(state(i)).toEqual([2, 1, 0, 300]);
    expect([iterIovAddr(i), iterIovLen(i)]).toEqual([0x9000, 300]);
  });

  it('carries an offset within a segment across calls', () => {
    const i = iovIterInit(ITER_DEST, iovecs, 400);
    iovIterAdvance(i, 50);
    expect(state(i)).toEqual([0, 3, 50, 350]);
    iovIterAdvance(i, 60); // 50 + 60 = 110: 100 in seg 0, 0 in seg 1, 10 into seg 2
    expect(state(i)).toEqual([2, 1, 10, 290]);
    expect([iterIovAddr(i), iterIovLen(i)]).toEqual([0x900a, 290]);
  });

  it('clamps to count; UBUF moves iov_offset; an empty array iterator does nothing', () => {
    const u = iovIterUbuf(ITER_DEST, 0x10000, 8192);
    iovIterAdvance(u, 10000);
    expect([u.iovOffset, u.count]).toEqual([8192, 0]);
    const e = iovIterInit(ITER_DEST, iovecs, 0);
    iovIterAdvance(e, 5);
    expect(state(e)).toEqual([0, 3, 0, 0]);
  });

  it('walks bvecs by bv_len', () => {
    const i = iovIterBvec(
      ITER_SOURCE,
      [
        { page: 64, len: 8192, offset: 100 },
        { page: 80, len: 0, offset: 0 },
        { page: 81, len: 100, offset: 50 },
      ],
      8292,
    );
    iovIterAdvance(i, 8192);
    expect(state(i)).toEqual([2, 1, 0, 100]);
  });
});

describe('iov_iter_revert', () => {
  it('walks back over segments, counting them back into nr_segs', () => {
    const m = newMachine();
    const i = iovIterInit(
      ITER_DEST,
      [
        { base: 0x1000, len: 100 },
        { base: 0x5000, len: 0 },
        { base: 0x9000, len: 300 },
      ],
      400,
    );
    iovIterAdvance(i, 110); // seg 2, offset 10
    iovIterRevert(m, i, 5);
    expect(state(i)).toEqual([2, 1, 5, 295]);
    iovIterRevert(m, i, 15); // 5 in seg 2, then 0 of seg 1 (skipped: 10 > 0), 10 into seg 0
    expect(state(i)).toEqual([0, 3, 90, 310]);
    expect(() => iovIterRevert(m, i, 91)).toThrow(KernelBug);
  });

  it('BUG()s past the start of UBUF, WARNs beyond MAX_RW_COUNT, only counts for DISCARD', () => {
    const m = newMachine();
    const u = iovIterUbuf(ITER_DEST, 0x10000, 8192);
    iovIterAdvance(u, 100);
    iovIterRevert(m, u, MAX_RW_COUNT + 1);
    expect([u.iovOffset, u.count]).toEqual([100, 8092]);
    expect(m.warnings).toHaveLength(1);
    iovIterRevert(m, u, 100);
    expect([u.iovOffset, u.count]).toEqual([0, 8192]);
    expect(() => iovIterRevert(m, u, 1)).toThrow(KernelBug);
    const d = iovIterDiscard(ITER_DEST, 10);
    iovIterAdvance(d, 10);
    iovIterRevert(m, d, 4);
    expect(d.count).toBe(4);
  });
});
