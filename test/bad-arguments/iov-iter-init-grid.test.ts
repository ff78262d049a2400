/**
 * The iov_iter initialisers (iovIterInit, iovIterKvec, iovIterBvec, iovIterDiscard) and
 * iovIterTruncate, refused at every bad value of every argument while the others stay
 * good, with the whole ArgumentError message; and the good edge values of each argument
 * accepted. Kernel: include/linux/uio.h and lib/iov_iter.c (T): iov_iter_init,
 * iov_iter_kvec, iov_iter_bvec take `unsigned int direction` (WARN_ON unless READ or
 * WRITE; the model has no machine there and refuses it), `size_t count`, an
 * `unsigned long nr_segs` over the caller's array, iovecs of `void *iov_base` and
 * `size_t iov_len`; iov_iter_discard BUG_ONs unless `direction == READ`;
 * iov_iter_truncate takes a `u64`. A value no C caller could pass is an ArgumentError
 * naming the argument (the model's contract, src/mm/arg-check.ts); only the first
 * `nr_segs` entries are read, so only they are checked.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  iovIterBvec,
  iovIterDiscard,
  iovIterInit,
  iovIterKvec,
  iovIterTruncate,
  iovIterUbuf,
  type IovIter,
} from '../../src/index.js';

const SAFE = Number.MAX_SAFE_INTEGER;

/** The error `run` throws (undefined when it returns). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectArgumentError(run: () => unknown, message: string): void {
  const e = thrown(run);
  expect(e, message).toBeInstanceOf(ArgumentError);
  expect((e as Error).message).toBe(message);
}

type Value = readonly [label: string, value: number];

const badDirection: readonly Value[] = [
  ['2', 2],
  ['-1', -1],
  ['0.5', 0.5],
  ['NaN', NaN],
];
/** Not a size_t the model holds exactly. */
const badSizeT: readonly Value[] = [
  ['-1', -1],
  ['0.5', 0.5],
  ['NaN', NaN],
  ['2^53', 2 ** 53],
  ['-(2^53)', -(2 ** 53)],
];
const SIZE_T = 'a size_t (a non-negative safe integer)';
const DIRECTION = 'ITER_SOURCE (1) or ITER_DEST (0)';

/** iovIterInit and iovIterKvec: the same arguments, the same checks. */
const iovecInits = [
  ['iovIterInit', iovIterInit],
  ['iovIterKvec', iovIterKvec],
] as const;

describe.each(iovecInits)('%s(direction, iovecs, count, nrSegs)', (fn, init) => {
  const two = [
    { base: 0x1000, len: 0x100 },
    { base: 0x3000, len: 0x200 },
  ];

  it.each(badDirection)('direction %s is refused', (label, d) => {
    expectArgumentError(() => init(d, two, 0x300), `${fn}: direction must be ${DIRECTION}, got ${label}`);
  });

  it.each(badSizeT)('count %s is refused', (_label, c) => {
    expectArgumentError(() => init(ITER_DEST, two, c), `${fn}: count must be ${SIZE_T}, got ${String(c)}`);
  });

  it.each([
    ['-1', -1],
    ['3 (over 2 entries)', 3],
    ['1.5', 1.5],
    ['NaN', NaN],
  ] as const)('nrSegs %s is refused', (_label, n) => {
    expectArgumentError(() => init(ITER_DEST, two, 0x300, n), `${fn}: nrSegs must be an integer in 0..2, got ${String(n)}`);
  });

  it.each(badSizeT)('iovecs[1].base %s is refused', (_label, b) => {
    const bad = [two[0]!, { base: b, len: 0x200 }];
    expectArgumentError(() => init(ITER_SOURCE, bad, 0x300), `${fn}: iovecs[1].base must be an address (a non-negative safe integer), got ${String(b)}`);
  });

  it.each(badSizeT)('iovecs[0].len %s is refused', (_label, l) => {
    const bad = [{ base: 0x1000, len: l }, two[1]!];
    expectArgumentError(() => init(ITER_SOURCE, bad, 0x300), `${fn}: iovecs[0].len must be ${SIZE_T}, got ${String(l)}`);
  });

  it('accepts the edges: both directions, base and len 0 and 2^53 - 1, count 0 and 2^53 - 1, nrSegs 0 and all', () => {
    const edges = [
      { base: 0, len: 0 },
      { base: SAFE, len: SAFE },
    ];
    const a = init(ITER_DEST, edges, 0);
    expect([a.dataSource, a.count, a.nrSegs, a.seg, a.iovOffset]).toEqual([false, 0, 2, 0, 0]);
    const b = init(ITER_SOURCE, edges, SAFE, 0);
    expect([b.dataSource, b.count, b.nrSegs]).toEqual([true, SAFE, 0]);
    expect(a.iov).toBe(edges);
  });

  it('reads only the first nrSegs entries: a bad entry past them is not looked at', () => {
    const i = init(ITER_DEST, [two[0]!, { base: -1, len: NaN }], 0x100, 1);
    expect([i.nrSegs, i.count]).toEqual([1, 0x100]);
  });
});

describe('iovIterBvec(direction, bvecs, count, nrSegs)', () => {
  const two = [
    { page: 64, len: 4096, offset: 0 },
    { page: 65, len: 4096, offset: 0 },
  ];

  it.each(badDirection)('direction %s is refused', (label, d) => {
    expectArgumentError(() => iovIterBvec(d, two, 8192), `iovIterBvec: direction must be ${DIRECTION}, got ${label}`);
  });

  it.each(badSizeT)('count %s is refused', (_label, c) => {
    expectArgumentError(() => iovIterBvec(ITER_DEST, two, c), `iovIterBvec: count must be ${SIZE_T}, got ${String(c)}`);
  });

  it('accepts both directions, count 0 and 2^53 - 1', () => {
    expect(iovIterBvec(ITER_DEST, two, 0).dataSource).toBe(false);
    const i = iovIterBvec(ITER_SOURCE, two, SAFE);
    expect([i.dataSource, i.count, i.nrSegs]).toEqual([true, SAFE, 2]);
  });
});

describe('iovIterDiscard(direction, count)', () => {
  it.each([
    ['-1', -1],
    ['0.5', 0.5],
    ['NaN', NaN],
    ['2^32', 2 ** 32],
  ] as const)('direction %s (no unsigned int) is refused', (_label, d) => {
    expectArgumentError(() => iovIterDiscard(d, 1), `iovIterDiscard: direction must be an unsigned int, got ${String(d)}`);
  });

  it.each(badSizeT)('count %s is refused', (_label, c) => {
    expectArgumentError(() => iovIterDiscard(ITER_DEST, c), `iovIterDiscard: count must be ${SIZE_T}, got ${String(c)}`);
  });

  it.each([
    [ITER_SOURCE, 'got 1'],
    [2 ** 32 - 1, 'got 4294967295'],
  ] as const)('direction %d is an unsigned int other than READ: BUG_ON', (d, got) => {
    const e = thrown(() => iovIterDiscard(d, 4096));
    expect(e).toBeInstanceOf(KernelBug);
    expect((e as Error).message).toBe(`iov_iter_discard: BUG_ON(direction != READ), ${got}`);
  });

  it('READ with count 0 and 2^53 - 1 is accepted', () => {
    expect(iovIterDiscard(ITER_DEST, 0).count).toBe(0);
    expect(iovIterDiscard(ITER_DEST, SAFE).count).toBe(SAFE);
  });
});

describe('iovIterTruncate(i, count)', () => {
  it.each([
    ['-1', -1],
    ['0.5', 0.5],
    ['NaN', NaN],
    ['-Infinity', -Infinity],
  ] as const)('count %s is refused and the iterator keeps its count', (label, c) => {
    const i: IovIter = iovIterUbuf(ITER_DEST, 0x10000, 8192);
    expectArgumentError(() => iovIterTruncate(i, c), `iovIterTruncate: count must be a u64 (a non-negative integer), got ${label}`);
    expect(i.count).toBe(8192);
  });
});
