/**
 * iov_iter_revert (lib/iov_iter.c, T), worked by hand: nothing for 0; WARN_ON and
 * nothing when `unroll > MAX_RW_COUNT` (MAX_RW_COUNT itself is allowed); DISCARD only
 * gets its count back; within `iov_offset` only the offset moves; past it the array
 * types walk back a segment at a time (`unroll -= n` until `unroll <= n`, nr_segs
 * growing by one per segment); past the start of a UBUF iterator is the kernel's BUG().
 * Walking back before the first segment reads before the caller's array in C: the
 * model's KernelBug.
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  MAX_RW_COUNT,
  iovIterAdvance,
  iovIterBvec,
  iovIterDiscard,
  iovIterInit,
  iovIterKvec,
  iovIterRevert,
  iovIterUbuf,
  pageAddress,
  type IovIter,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { MIB } from '../support/mm-layout.js';

const pos = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];

function bug(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelBug);
    return (e as Error).message;
  }
  return 'no KernelBug';
}

describe('the MAX_RW_COUNT limit', () => {
  it('unroll == MAX_RW_COUNT is given back without a WARN', () => {
    const m = newMachine({ memoryBytes: 16 * MIB });
    const i = iovIterDiscard(ITER_DEST, 0);
    iovIterRevert(m, i, MAX_RW_COUNT);
    expect([i.count, m.warnings]).toEqual([0x7ffff000, []]);
  });

  it('unroll == MAX_RW_COUNT + 1 WARNs and changes nothing', () => {
    const m = newMachine({ memoryBytes: 16 * MIB });
    const i = iovIterDiscard(ITER_DEST, 5);
    iovIterRevert(m, i, MAX_RW_COUNT + 1);
    expect([i.count, m.warnings]).toEqual([5, ['iov_iter_revert: unroll 2147479553 > MAX_RW_COUNT']]);
  });
});

describe('walking back over segments', () => {
  it('IOVEC: 200 back from 50 bytes into segment 2 of three 100-byte segments lands 50 bytes into segment 0', () => {
    const m = newMachine({ memoryBytes: 16 * MIB });
    const i = iovIterInit(ITER_SOURCE, [
      { base: 0x1000, len: 100 },
      { base: 0x2000, len: 100 },
      { base: 0x3000, len: 100 },
    ], 300);
    iovIterAdvance(i, 250);
    expect(pos(i)).toEqual([2, 1, 50, 50]);
    // unroll 200 - iov_offset 50 = 150; segment 1 (100): 150 > 100, unroll 50;
    // segment 0 (100): 50 <= 100, iov_offset = 100 - 50. nr_segs 1 + 2.
    iovIterRevert(m, i, 200);
    expect(pos(i)).toEqual([0, 3, 50, 250]);
    expect(m.warnings).toEqual([]);
  });

  it('KVEC and BVEC walk back the same way', () => {
    const m = newMachine({ memoryBytes: 16 * MIB });
    const k = iovIterKvec(ITER_SOURCE, [
      { base: pageAddress(64), len: 100 },
      { base: pageAddress(65), len: 100 },
      { base: pageAddress(66), len: 100 },
    ], 300);
    const b = iovIterBvec(ITER_DEST, [
      { page: 64, len: 100, offset: 0 },
      { page: 65, len: 100, offset: 0 },
      { page: 66, len: 100, offset: 0 },
    ], 300);
    for (const i of [k, b]) {
      iovIterAdvance(i, 250);
      iovIterRevert(m, i, 200);
      expect(pos(i)).toEqual([0, 3, 50, 250]);
    }
  });

  it('UBUF: reverting past the start is BUG()', () => {
    const m = newMachine({ memoryBytes: 16 * MIB });
    const i = iovIterUbuf(ITER_DEST, 0x10000, 0x1000);
    iovIterAdvance(i, 100);
    expect(bug(() => iovIterRevert(m, i, 200))).toBe('iov_iter_revert: BUG() reverting past the start of a UBUF iterator');
  });

  it('IOVEC: reverting past the first segment reads before the array', () => {
    const m = newMachine({ memoryBytes: 16 * MIB });
    const i = iovIterInit(ITER_DEST, [{ base: 0x1000, len: 100 }], 100);
    iovIterAdvance(i, 60);
    expect(bug(() => iovIterRevert(m, i, 61))).toBe('iov_iter_revert: walks back before the first segment');
  });
});
