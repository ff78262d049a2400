/**
 * The grab, put and release primitives of src/gup and the release loops' run helpers,
 * each refused at every bad value of every argument while the others stay good. These
 * functions test their arguments in one line of integer comparisons before calling an
 * unchecked body (the hot path allocates nothing and builds no message), so each term
 * of that line is its own rule: a page outside the memmap, a tail page passed as a
 * folio, an `int refs` out of range, a fraction, a FOLL_* word with an undefined bit.
 * The table of test/bad-arguments/gup.test.ts names one bad value per rule; this grid
 * tries them all, so a term that stopped testing shows up as a row that no longer
 * throws. The kernel has no answer for these values (C's types rule them out, or
 * the count would read or write past the caller's array): each is an ArgumentError
 * naming the argument, and the refusal changes nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  INT_MAX,
  allocFolio,
  costSnapshot,
  createMachine,
  folioAddPin,
  folioAddPins,
  folioPut,
  gupFastFolioAllowed,
  gupFolioNext,
  gupFolioRangeNext,
  gupPutFolio,
  putPage,
  releasePages,
  tryGetFolio,
  tryGrabFolio,
  tryGrabFolioFast,
  unpinFolio,
  unpinFolios,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPageRangeDirtyLock,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  type Machine,
} from '../../src/index.js';
import { imbalance, newMachine } from '../support/machines.js';
import { MIB } from '../support/mm-layout.js';
import { expectRefused } from '../support/refused.js';

/** 8 MiB: 2048 PFNs. */
const NR_PAGES = 2048;

interface World {
  readonly m: Machine;
  /** An order-4 folio, one reference, one pin (FOLL_PIN: refcount 2, pincount 1). */
  readonly big: number;
  /** An order-0 folio, one reference, one pin (refcount 1 + GUP_PIN_COUNTING_BIAS). */
  readonly small: number;
  /** A page array of 4 entries: the big folio's first two pages, then small twice. */
  readonly list: Int32Array;
}

function world(): World {
  const m = newMachine({ memoryBytes: 8 * MIB });
  expect(m.nrPages).toBe(NR_PAGES);
  const big = allocFolio(m, 4);
  const small = allocFolio(m, 0);
  expect(tryGrabFolio(m, big, 1, FOLL_PIN)).toBe(0);
  expect(tryGrabFolio(m, small, 1, FOLL_PIN)).toBe(0);
  return { m, big, small, list: Int32Array.of(big, big + 1, small, small) };
}

function done(w: World): void {
  unpinFolio(w.m, w.big);
  unpinFolio(w.m, w.small);
  folioPut(w.m, w.big);
  folioPut(w.m, w.small);
  expect(imbalance(w.m)).toEqual([]);
}

type Value = readonly [label: string, value: number];

/** Not a PFN: NaN, a fraction, NULL, one past the memmap, far past it. */
const notPfn: readonly Value[] = [
  ['NaN', NaN],
  ['1.5', 1.5],
  ['-1 (NULL)', -1],
  ['nrPages', NR_PAGES],
  ['2^31', 2 ** 31],
];
/** Not a folio: the above, and a tail page (filled in per world). */
const TAIL = Symbol('tail');
/** Not an `int refs` of at least 1. */
const badRefs1: readonly Value[] = [
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['NaN', NaN],
  ['INT_MAX + 1', INT_MAX + 1],
  ['-(2^32) + 1 (wraps to 1 in an int)', -(2 ** 32) + 1],
];
/** Not an `int refs` of at least 0 (the put side: 0 drops nothing). */
const badRefs0: readonly Value[] = badRefs1.filter(([label]) => label !== '0');
/** Not a FOLL_* word: undefined bits, and values no unsigned int holds. */
const badFlags: readonly Value[] = [
  ['FOLL_PIN | bit 13', FOLL_PIN | (1 << 13)],
  ['FOLL_PIN | bit 15', FOLL_PIN | (1 << 15)],
  ['FOLL_PIN | bit 23', FOLL_PIN | (1 << 23)],
  ['bit 31', 2 ** 31],
  ['-1', -1],
  ['2^32', 2 ** 32],
  ['0.5', 0.5],
  ['NaN', NaN],
];

interface Target {
  readonly fn: string;
  /** Argument names, in order, with the bad values of each ('tail' adds the big folio's tail page). */
  readonly args: readonly (readonly [name: string, bad: readonly (Value | typeof TAIL)[]])[];
  /** The good values, in the same order. */
  readonly good: (w: World) => number[];
  readonly call: (w: World, a: number[]) => unknown;
}

const targets: readonly Target[] = [
  {
    fn: 'tryGrabFolio',
    args: [['folio', [...notPfn, TAIL]], ['refs', badRefs1], ['gupFlags', badFlags]],
    good: (w) => [w.big, 1, FOLL_PIN],
    call: (w, [f, r, g]) => tryGrabFolio(w.m, f!, r!, g!),
  },
  {
    fn: 'tryGrabFolioFast',
    args: [['page', notPfn], ['refs', badRefs1], ['gupFlags', badFlags]],
    good: (w) => [w.big + 1, 1, FOLL_PIN],
    call: (w, [p, r, g]) => tryGrabFolioFast(w.m, p!, r!, g!),
  },
  {
    fn: 'tryGetFolio',
    args: [['page', notPfn], ['refs', badRefs1]],
    good: (w) => [w.big + 1, 1],
    call: (w, [p, r]) => tryGetFolio(w.m, p!, r!),
  },
  {
    fn: 'gupPutFolio',
    args: [['folio', [...notPfn, TAIL]], ['refs', badRefs0], ['gupFlags', badFlags]],
    good: (w) => [w.big, 1, FOLL_PIN],
    call: (w, [f, r, g]) => gupPutFolio(w.m, f!, r!, g!),
  },
  {
    fn: 'gupFastFolioAllowed',
    args: [['folio', [...notPfn, TAIL]], ['gupFlags', badFlags]],
    good: (w) => [w.big, FOLL_PIN],
    call: (w, [f, g]) => gupFastFolioAllowed(w.m, f!, g!),
  },
  {
    fn: 'folioAddPin',
    args: [['folio', [...notPfn, TAIL]]],
    good: (w) => [w.big],
    call: (w, [f]) => folioAddPin(w.m, f!),
  },
  {
    fn: 'folioAddPins',
    args: [['folio', [...notPfn, TAIL]], ['pins', badRefs1]],
    good: (w) => [w.big, 1],
    call: (w, [f, p]) => folioAddPins(w.m, f!, p!),
  },
  {
    fn: 'unpinUserFolio',
    // A tail page is the pin checker's to name first (test/misuse/14); gup.test.ts refuses it unchecked.
    args: [['folio', notPfn], ['npages', badRefs0]],
    good: (w) => [w.big, 1],
    call: (w, [f, n]) => unpinUserFolio(w.m, f!, n!),
  },
  {
    fn: 'unpinFolio',
    args: [['folio', notPfn]],
    good: (w) => [w.big],
    call: (w, [f]) => unpinFolio(w.m, f!),
  },
  {
    fn: 'unpinUserPage',
    args: [['page', notPfn]],
    good: (w) => [w.big + 1],
    call: (w, [p]) => unpinUserPage(w.m, p!),
  },
  {
    fn: 'putPage',
    args: [['page', notPfn]],
    good: (w) => [w.small],
    call: (w, [p]) => putPage(w.m, p!),
  },
  {
    fn: 'unpinUserPageRangeDirtyLock',
    args: [['page', notPfn], ['npages', [['-1 (2^64 - 1)', -1], ['1.5', 1.5], ['NaN', NaN], ['past the memmap', NR_PAGES]]]],
    good: (w) => [w.big, 1],
    call: (w, [p, n]) => unpinUserPageRangeDirtyLock(w.m, p!, n!, false),
  },
];

/** A count of a 4-entry array: past it, negative (not a -errno), a fraction, NaN. */
const badCount: readonly Value[] = [
  ['5 of 4', 5],
  ['5.5 (a fraction past the array: the count is what is wrong)', 5.5],
  ['-1', -1],
  ['1.5', 1.5],
  ['NaN', NaN],
  ['2^31', 2 ** 31],
];
/** The same, for the release APIs the kernel guards with IS_ERR_VALUE: -1 is -EPERM there, -4096 is not an errno. */
const badCountOrErrno: readonly Value[] = [
  ['5 of 4', 5],
  ['5.5 (a fraction past the array)', 5.5],
  ['-4096 (below -MAX_ERRNO)', -4096],
  ['1.5', 1.5],
  ['NaN', NaN],
  ['-1.5', -1.5],
];

interface CountTarget {
  readonly fn: string;
  readonly arg: string;
  /** The argument named when the count runs past the array. */
  readonly arrayArg: string;
  readonly bad: readonly Value[];
  readonly call: (w: World, n: number) => unknown;
}

const countTargets: readonly CountTarget[] = [
  { fn: 'releasePages', arg: 'nr', arrayArg: 'pages', bad: badCount, call: (w, n) => releasePages(w.m, w.list, n) },
  { fn: 'unpinUserPages', arg: 'npages', arrayArg: 'pages', bad: badCountOrErrno, call: (w, n) => unpinUserPages(w.m, w.list, n) },
  { fn: 'unpinUserPagesDirtyLock', arg: 'npages', arrayArg: 'pages', bad: badCount, call: (w, n) => unpinUserPagesDirtyLock(w.m, w.list, n, true) },
  { fn: 'unpinFolios', arg: 'nfolios', arrayArg: 'folios', bad: badCountOrErrno, call: (w, n) => unpinFolios(w.m, w.list, n) },
];

interface Row {
  readonly call: string;
  readonly run: (w: World) => unknown;
  /** The argument the ArgumentError must name. */
  readonly names: string;
  readonly fn: string;
}

function gridRows(): Row[] {
  const rows: Row[] = [];
  for (const t of targets) {
    t.args.forEach(([name, bad], at) => {
      for (const value of bad) {
        const [label, pick] = value === TAIL ? (['a tail page', (w: World) => w.big + 1] as const) : ([value[0], () => value[1]] as const);
        rows.push({
          fn: t.fn,
          names: name,
          call: `${t.fn} ${name} ${label}`,
          run: (w) => {
            const a = t.good(w);
            a[at] = pick(w);
            return t.call(w, a);
          },
        });
      }
    });
  }
  for (const t of countTargets) {
    for (const [label, n] of t.bad) {
      const names = Number.isInteger(n) && n > 4 ? `${t.arrayArg}.length` : t.arg;
      rows.push({ fn: t.fn, names, call: `${t.fn} ${t.arg} ${label}`, run: (w) => t.call(w, n) });
    }
  }
  return rows;
}

const escape = (s: string): string => s.replace(/\./g, '\\.');

describe('every bad value of every argument of the grab, put and release primitives', () => {
  for (const row of gridRows()) {
    it(row.call, () => {
      const w = world();
      const state = (): unknown => ({ list: Array.from(w.list), warnings: w.m.warnings.length, cost: costSnapshot(w.m.cost) });
      expectRefused({
        call: row.call,
        m: w.m,
        run: () => row.run(w),
        expect: { throws: new RegExp(`^${escape(row.fn)}: ${escape(row.names)} must be `) },
        state,
      });
      done(w);
    });
  }
});

describe('the run helpers of the release loops, at every bad npages, i and out', () => {
  const out1 = (): Int32Array => new Int32Array(1);
  const rows: readonly [call: string, names: string, run: (w: World) => unknown][] = [
    ['gupFolioNext npages 5 of 4', 'npages', (w) => gupFolioNext(w.m, w.list, 5, 0, out1())],
    ['gupFolioNext npages -1', 'npages', (w) => gupFolioNext(w.m, w.list, -1, 0, out1())],
    ['gupFolioNext npages 1.5', 'npages', (w) => gupFolioNext(w.m, w.list, 1.5, 0, out1())],
    ['gupFolioNext npages NaN', 'npages', (w) => gupFolioNext(w.m, w.list, NaN, 0, out1())],
    ['gupFolioNext npages 4.5 (past the array, a fraction)', 'npages', (w) => gupFolioNext(w.m, w.list, 4.5, 0, out1())],
    ['gupFolioNext i -1', 'i', (w) => gupFolioNext(w.m, w.list, 4, -1, out1())],
    ['gupFolioNext i == npages', 'i', (w) => gupFolioNext(w.m, w.list, 4, 4, out1())],
    ['gupFolioNext i == npages < length', 'i', (w) => gupFolioNext(w.m, w.list, 2, 2, out1())],
    ['gupFolioNext i 0.5', 'i', (w) => gupFolioNext(w.m, w.list, 4, 0.5, out1())],
    ['gupFolioNext i NaN', 'i', (w) => gupFolioNext(w.m, w.list, 4, NaN, out1())],
    ['gupFolioNext npages 0 (no entry to read)', 'i', (w) => gupFolioNext(w.m, w.list, 0, 0, out1())],
    ['gupFolioNext out empty', 'out.length', (w) => gupFolioNext(w.m, w.list, 4, 0, new Int32Array(0))],
    ['gupFolioRangeNext start NaN', 'start', (w) => gupFolioRangeNext(w.m, NaN, 1, 0, out1())],
    ['gupFolioRangeNext start 1.5', 'start', (w) => gupFolioRangeNext(w.m, 1.5, 1, 0, out1())],
    ['gupFolioRangeNext start nrPages', 'start', (w) => gupFolioRangeNext(w.m, NR_PAGES, 1, 0, out1())],
    ['gupFolioRangeNext npages past the memmap', 'npages', (w) => gupFolioRangeNext(w.m, w.big, NR_PAGES - w.big + 1, 0, out1())],
    ['gupFolioRangeNext npages -1', 'npages', (w) => gupFolioRangeNext(w.m, w.big, -1, 0, out1())],
    ['gupFolioRangeNext npages 2.5', 'npages', (w) => gupFolioRangeNext(w.m, w.big, 2.5, 0, out1())],
    ['gupFolioRangeNext i -1', 'i', (w) => gupFolioRangeNext(w.m, w.big, 16, -1, out1())],
    ['gupFolioRangeNext i == npages', 'i', (w) => gupFolioRangeNext(w.m, w.big, 16, 16, out1())],
    ['gupFolioRangeNext i 0.5', 'i', (w) => gupFolioRangeNext(w.m, w.big, 16, 0.5, out1())],
    ['gupFolioRangeNext out empty', 'out.length', (w) => gupFolioRangeNext(w.m, w.big, 16, 0, new Int32Array(0))],
  ];
  for (const [call, names, run] of rows) {
    it(call, () => {
      const w = world();
      const fn = call.split(' ')[0]!;
      expectRefused({ call, m: w.m, run: () => run(w), expect: { throws: new RegExp(`^${fn}: ${escape(names)} must be `) } });
      done(w);
    });
  }
});

describe('the first and last good value of each term', () => {
  it('PFN 0 (the zero page) is a page: tryGetFolio takes a reference, tryGrabFolioFast no pin', () => {
    const w = world();
    const zero = w.m.zeroPfn;
    expect(zero).toBe(0);
    const ref = w.m.refcount[zero]!;
    expect(tryGetFolio(w.m, zero, 1)).toBe(zero);
    expect(w.m.refcount[zero]).toBe(ref + 1);
    putPage(w.m, zero);
    // try_grab_folio_fast: the zero page is never pinned (mm/gup.c, is_zero_folio).
    expect(tryGrabFolioFast(w.m, zero, 1, FOLL_PIN)).toBe(zero);
    expect(w.m.refcount[zero]).toBe(ref);
    done(w);
  });

  it('the last PFN is a page, every defined FOLL_* bit a flag word, a count equal to the array a count', () => {
    const w = world();
    const last = NR_PAGES - 1;
    expect(gupFastFolioAllowed(w.m, w.big, FOLL_PIN | FOLL_WRITE | (1 << 12) | (1 << 22))).toBe(true);
    expect(tryGetFolio(w.m, w.big + 15, 1)).toBe(w.big);
    expect(tryGrabFolioFast(w.m, w.big + 15, 1, FOLL_GET)).toBe(w.big);
    gupPutFolio(w.m, w.big, 2, FOLL_GET);
    expect(folioAddPins(w.m, w.big, 2)).toBe(0);
    gupPutFolio(w.m, w.big, 2, FOLL_PIN);
    const out = new Int32Array(1);
    expect(gupFolioRangeNext(w.m, last, 1, 0, out)).toBe(last);
    expect(out[0]).toBe(1);
    expect(gupFolioNext(w.m, w.list, 4, 2, out)).toBe(w.small);
    expect(out[0]).toBe(2);
    expect(tryGrabFolio(w.m, w.small, 1 << 20, FOLL_GET)).toBe(0);
    expect(w.m.refcount[w.small]).toBe(1 + GUP_PIN_COUNTING_BIAS + (1 << 20));
    gupPutFolio(w.m, w.small, 1 << 20, FOLL_GET);
    done(w);
  });

  it('-1 and -MAX_ERRNO are -errnos: unpin_user_pages and unpin_folios WARN and release nothing', () => {
    // mm/gup.c unpin_user_pages(): "if (WARN_ON(IS_ERR_VALUE(npages))) return;", the
    // same in unpin_folios(). The pin checker stops such a call first (test/misuse), so
    // the kernel's own answer is seen on a machine without it.
    const m = createMachine({ memoryBytes: 8 * MIB });
    const small = allocFolio(m, 0);
    expect(tryGrabFolio(m, small, 1, FOLL_PIN)).toBe(0);
    const list = Int32Array.of(small);
    unpinUserPages(m, list, -1);
    unpinUserPages(m, list, -4095);
    unpinFolios(m, list, -4095);
    unpinUserPagesDirtyLock(m, list, -1, false);
    expect(m.warnings).toEqual([
      'unpin_user_pages: npages is an error value -1',
      'unpin_user_pages: npages is an error value -4095',
      'unpin_folios: nfolios is an error value -4095',
      'unpin_user_pages: npages is an error value -1',
    ]);
    expect(m.refcount[small]).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(m.cost.pagesReleased).toBe(0);
    unpinFolios(m, list, 1);
    expect(m.cost.pagesReleased).toBe(1);
    folioPut(m, small);
    expect(m.refcount[small]).toBe(0);
  });
});
