/**
 * iov_iter_advance and iov_iter_revert on ITER_BVEC, worked by hand from lib/iov_iter.c
 * (T): iov_iter_bvec_advance returns at once when count is 0 (so even an empty first
 * bvec is not stepped over), and iov_iter_revert walks back through `--bvec` by
 * bv_len, counting each segment back into nr_segs (zero-length ones too).
 */
import { describe, expect, it } from 'vitest';
import { newMachine } from '../support/machines.js';
import { ITER_SOURCE, iovIterAdvance, iovIterBvec, iovIterRevert, type IovIter } from '../../src/index.js';

const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];

describe('iov_iter_bvec_advance', () => {
  it('count 0: returns before the loop, leaving an empty first bvec current', () => {
    const i = iovIterBvec(
      ITER_SOURCE,
      [
        { page: 80, len: 0, offset: 0 },
        { page: 64, len: 100, offset: 0 },
      ],
      0,
    );
    iovIterAdvance(i, 5);
    // Without the early return the loop would step over bvec 0 (0 >= bv_len 0).
    expect(state(i)).toEqual([0, 2, 0, 0]);
  });
});

describe('iov_iter_revert over bvecs', () => {
  it('walks back over an empty bvec into the one before it', () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    const i = iovIterBvec(
      ITER_SOURCE,
      [
        { page: 64, len: 100, offset: 0 },
        { page: 80, len: 0, offset: 0 },
        { page: 81, len: 300, offset: 50 },
      ],
      400,
    );
    iovIterAdvance(i, 110); // 100 in bvec 0, 0 in bvec 1, 10 into bvec 2
    expect(state(i)).toEqual([2, 1, 10, 290]);
    // 15: 10 in bvec 2, then bvec 1 (n = 0 < 5, nr_segs 2), then bvec 0 (5 <= 100: offset 95, nr_segs 3).
    iovIterRevert(m, i, 15);
    expect(state(i)).toEqual([0, 3, 95, 305]);
    expect(m.warnings).toEqual([]);
  });
});
