/**
 * The bvec field checks of src/block (block-arg-check.ts and their callers), refused at
 * every bad value of each argument while the others stay good, with the whole
 * ArgumentError message, and the edge values of each accepted: `struct page *` (a
 * PFN, NULL where the callee only stores it), `unsigned int` bv_len / bv_offset,
 * `unsigned short` nr_vecs, `size_t` len / offset, an index into the bvec array, an
 * `int` bvec index. Kernel prototypes: include/linux/bvec.h (bvec_set_page,
 * bvec_set_folio), block/bio.c (bvec_try_merge_page, bio_alloc / bio_init's
 * `unsigned short nr_vecs`), include/linux/bio.h (bio_first_folio's `int i`), T.
 * bvec_first_folio stores no page: a NULL page passes the argument check and is the
 * kernel's NULL dereference when the folio is looked up (page_folio(NULL)): KernelBug.
 */
import { describe, expect, it } from 'vitest';
import {
  FolioIter,
  KernelBug,
  NULL_PFN,
  bioAlloc,
  bioFirstFolio,
  bvecArrayFrom,
  bvecArrayToList,
  bvecFirstFolio,
  bvecSetFolio,
  bvecSetPage,
  bvecTryMergePage,
} from '../../src/index.js';
import { expectRefused } from '../support/refused.js';
import { fx } from './block-fixture.js';

/** A RegExp matching exactly `message`. */
const exact = (message: string): RegExp => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const S = (...xs: unknown[]) => () => structuredClone(xs);

type Value = readonly [label: string, value: number];

/** Not a PFN or NULL_PFN: below NULL, fractions, NaN, 2^31 (no 32-bit int). */
const notPageOrNull: readonly Value[] = [
  ['-2', -2],
  ['0.5', 0.5],
  ['NaN', NaN],
  ['2^31', 2 ** 31],
];
/** Not an unsigned int. */
const notUint: readonly Value[] = [
  ['-1', -1],
  ['0.5', 0.5],
  ['NaN', NaN],
  ['2^32', 2 ** 32],
];
const UINT = 'an unsigned int (an integer in 0..4294967295)';

describe('bvecArrayFrom(list)', () => {
  it.each(notPageOrNull)('list[1].page %s is refused', (_l, page) => {
    const f = fx();
    expectRefused({
      call: `bvecArrayFrom([ok, { page: ${page} }])`,
      m: f.m,
      run: () => bvecArrayFrom([{ page: 64, len: 1, offset: 0 }, { page, len: 1, offset: 0 }]),
      expect: { throws: exact(`bvecArrayFrom: list[1].page must be a PFN or NULL_PFN, got ${String(page)}`) },
    });
  });
  it.each(notUint)('list[0].len %s is refused', (_l, len) => {
    const f = fx();
    expectRefused({
      call: `bvecArrayFrom([{ len: ${len} }])`,
      m: f.m,
      run: () => bvecArrayFrom([{ page: 64, len, offset: 0 }]),
      expect: { throws: exact(`bvecArrayFrom: list[0].len must be an unsigned int, got ${String(len)}`) },
    });
  });
  it.each(notUint)('list[0].offset %s is refused', (_l, offset) => {
    const f = fx();
    expectRefused({
      call: `bvecArrayFrom([{ offset: ${offset} }])`,
      m: f.m,
      run: () => bvecArrayFrom([{ page: 64, len: 1, offset }]),
      expect: { throws: exact(`bvecArrayFrom: list[0].offset must be an unsigned int, got ${String(offset)}`) },
    });
  });
  it('accepts NULL_PFN, PFN 0 and 2^31 - 1, len and offset 0 and 2^32 - 1', () => {
    const list = [
      { page: NULL_PFN, len: 0, offset: 0 },
      { page: 0, len: 2 ** 32 - 1, offset: 2 ** 32 - 1 },
      { page: 2 ** 31 - 1, len: 1, offset: 0 },
    ];
    expect(bvecArrayToList(bvecArrayFrom(list), 3)).toEqual(list);
  });
});

describe('bvecSetPage(bvs, i, page, len, offset)', () => {
  it.each(notPageOrNull)('page %s is refused', (_l, page) => {
    const f = fx();
    expectRefused({
      call: `bvecSetPage(bvs, 0, ${page}, 1, 0)`,
      m: f.m,
      run: () => bvecSetPage(f.bvs, 0, page, 1, 0),
      expect: { throws: exact(`bvecSetPage: page must be a PFN (a non-negative 32-bit integer) or NULL_PFN, got ${String(page)}`) },
      state: S(f.bvs),
    });
  });
  it.each(notUint)('len %s is refused', (_l, len) => {
    const f = fx();
    expectRefused({
      call: `bvecSetPage(bvs, 0, 64, ${len}, 0)`,
      m: f.m,
      run: () => bvecSetPage(f.bvs, 0, 64, len, 0),
      expect: { throws: exact(`bvecSetPage: len must be ${UINT}, got ${String(len)}`) },
      state: S(f.bvs),
    });
  });
  it('stores NULL_PFN, PFN 0 and PFN 2^31 - 1 as given (bvec_set_page only stores them)', () => {
    const f = fx();
    bvecSetPage(f.bvs, 0, NULL_PFN, 0, 0);
    bvecSetPage(f.bvs, 1, 0, 2 ** 32 - 1, 2 ** 32 - 1);
    bvecSetPage(f.bvs, 2, 2 ** 31 - 1, 7, 3);
    expect(bvecArrayToList(f.bvs, 3)).toEqual([
      { page: NULL_PFN, len: 0, offset: 0 },
      { page: 0, len: 2 ** 32 - 1, offset: 2 ** 32 - 1 },
      { page: 2 ** 31 - 1, len: 7, offset: 3 },
    ]);
  });
});

describe('bvecTryMergePage(bvs, i, page, len, off)', () => {
  it.each([['-1 (NULL)', -1] as const, ...notPageOrNull])('page %s is refused', (_l, page) => {
    const f = fx();
    expectRefused({
      call: `bvecTryMergePage(bvs, 0, ${page}, 1, 0)`,
      m: f.m,
      run: () => bvecTryMergePage(f.bvs, 0, page, 1, 0),
      expect: { throws: exact(`bvecTryMergePage: page must be a PFN (a non-negative 32-bit integer), got ${String(page)}`) },
      state: S(f.bvs),
    });
  });
  it('PFN 0 is a page: bytes 100.. of page 0 extend a bvec ending at byte 100 of page 0', () => {
    // bvec_try_merge_page: vec_end_addr + 1 == page_to_phys(page) + off, same page: bv_len += len.
    const bvs = bvecArrayFrom([{ page: 0, len: 100, offset: 0 }]);
    expect(bvecTryMergePage(bvs, 0, 0, 50, 100)).toBe(true);
    expect(bvecArrayToList(bvs, 1)).toEqual([{ page: 0, len: 150, offset: 0 }]);
  });
});

describe('bioAlloc(nrVecs)', () => {
  it.each([
    ['65536', 65536],
    ['-1', -1],
    ['0.5', 0.5],
    ['NaN', NaN],
  ] as const)('nrVecs %s (no unsigned short) is refused', (_l, n) => {
    expect(() => bioAlloc(n)).toThrow(exact(`bioAlloc: nrVecs must be an unsigned short (an integer in 0..65535), got ${String(n)}`));
  });
});

describe('bvecSetFolio(m, bvs, i, folio, len, offset)', () => {
  it.each([
    ['4 (= capacity)', 4],
    ['-1', -1],
    ['0.5', 0.5],
  ] as const)('i %s is refused', (_l, i) => {
    const f = fx();
    expectRefused({
      call: `bvecSetFolio(m, bvs, ${i}, 64, 4096, 0)`,
      m: f.m,
      run: () => bvecSetFolio(f.m, f.bvs, i, 64, 4096, 0),
      expect: { throws: exact(`bvecSetFolio: i must be an index in 0..3, got ${String(i)}`) },
      state: S(f.bvs),
    });
  });
  it.each([
    ['-1', -1],
    ['0.5', 0.5],
    ['NaN', NaN],
    ['2^53', 2 ** 53],
  ] as const)('offset %s (no size_t) is refused', (_l, offset) => {
    const f = fx();
    expectRefused({
      call: `bvecSetFolio(m, bvs, 0, 64, 4096, ${offset})`,
      m: f.m,
      run: () => bvecSetFolio(f.m, f.bvs, 0, 64, 4096, offset),
      expect: { throws: exact(`bvecSetFolio: offset must be a size_t (a non-negative safe integer), got ${String(offset)}`) },
      state: S(f.bvs),
    });
  });
});

describe('bioFirstFolio(m, fi, bio, i)', () => {
  it.each([
    ['-1', -1],
    ['0.5', 0.5],
    ['2^31', 2 ** 31],
  ] as const)('i %s (no int >= 0) is refused', (_l, i) => {
    const f = fx();
    const fi = new FolioIter();
    expectRefused({
      call: `bioFirstFolio(m, fi, bio, ${i})`,
      m: f.m,
      run: () => bioFirstFolio(f.m, fi, f.bio, i),
      expect: { throws: exact(`bioFirstFolio: i must be a bvec index (an int >= 0), got ${String(i)}`) },
      state: S(fi),
    });
  });
});

describe('bvecFirstFolio(m, fi, page, len, offset)', () => {
  it('a NULL page passes the argument check; page_folio(NULL) is the NULL dereference', () => {
    const f = fx();
    let e: unknown;
    try {
      bvecFirstFolio(f.m, new FolioIter(), NULL_PFN, 4096, 0);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(KernelBug);
    expect((e as Error).message).toBe('folio iterator dereferences page -1 outside the memmap');
  });
});
