/**
 * The lockless grab, answer by answer: mm/gup.c try_get_folio (folio_ref_try_add_rcu,
 * which fails on a refcount of zero and WARNs on a negative one), try_grab_folio_fast
 * and gup_fast_folio_allowed (v6.16+). Every case checks the returned folio (or NULL,
 * -1 here), the counts, the atomics the model charges and the WARNs.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  MAPPING_ANON,
  MAPPING_FILE,
  MAPPING_HUGETLB,
  MAPPING_NONE,
  MAPPING_P2PDMA,
  MAPPING_SHMEM,
  allocFolio,
  costDiff,
  costSnapshot,
  createMachine,
  folioPut,
  folioSetHugetlb,
  gupFastFolioAllowed,
  gupPutFolio,
  tryGetFolio,
  tryGrabFolioFast,
  vmstat,
  type CostSnapshot,
  type Machine,
} from '../../src/index.js';

const MIB = 1024 * 1024;

/** The cost counters `run` moved. */
function costOf(m: Machine, run: () => unknown): Partial<CostSnapshot> {
  const before = costSnapshot(m.cost);
  run();
  return Object.fromEntries(Object.entries(costDiff(costSnapshot(m.cost), before)).filter(([, v]) => v !== 0));
}

/** Machines without the pin checker: these are the primitives below the API it follows. */
function machine(): Machine {
  return createMachine({ memoryBytes: 16 * MIB, cmaBytes: 4 * MIB });
}

describe('try_get_folio', () => {
  it('a tail page: the head, +refs, one atomic', () => {
    const m = machine();
    const f = allocFolio(m, 3);
    expect(costOf(m, () => expect(tryGetFolio(m, f + 5, 3)).toBe(f))).toEqual({ refcountAtomics: 1 });
    expect(m.refcount[f]).toBe(4);
    expect(m.warnings).toEqual([]);
  });

  it('a folio being freed (refcount 0): NULL, the failed try_add still an atomic, no WARN', () => {
    const m = machine();
    const f = allocFolio(m, 0);
    folioPut(m, f);
    expect(costOf(m, () => expect(tryGetFolio(m, f, 1)).toBe(-1))).toEqual({ refcountAtomics: 1 });
    expect(m.refcount[f]).toBe(0);
    expect(m.warnings).toEqual([]);
  });

  it('a negative refcount: WARN naming it, NULL, nothing added', () => {
    const m = machine();
    const f = allocFolio(m, 2);
    m.refcount[f] = -1; // an underflow elsewhere: folio_ref_try_add_rcu's VM_BUG_ON, a WARN here
    expect(costOf(m, () => expect(tryGetFolio(m, f + 1, 1)).toBe(-1))).toEqual({});
    expect(m.warnings).toEqual([`try_get_folio: folio ${f} has negative refcount -1`]);
    expect(m.refcount[f]).toBe(-1);
  });
});

describe('try_grab_folio_fast', () => {
  it('neither FOLL_GET nor FOLL_PIN: WARN, NULL, nothing taken', () => {
    const m = machine();
    const f = allocFolio(m, 0);
    expect(costOf(m, () => expect(tryGrabFolioFast(m, f, 1, FOLL_WRITE)).toBe(-1))).toEqual({});
    expect(m.warnings).toEqual(['try_grab_folio_fast: neither FOLL_GET nor FOLL_PIN']);
    expect(m.refcount[f]).toBe(1);
  });

  it('a P2PDMA page: NULL without FOLL_PCI_P2PDMA (for GET and PIN), grabbed with it', () => {
    const m = machine();
    const f = allocFolio(m, 1);
    m.mapping[f] = MAPPING_P2PDMA;
    expect(tryGrabFolioFast(m, f + 1, 1, FOLL_GET)).toBe(-1);
    expect(tryGrabFolioFast(m, f + 1, 1, FOLL_PIN)).toBe(-1);
    expect(m.refcount[f]).toBe(1);
    expect(tryGrabFolioFast(m, f + 1, 1, FOLL_GET | FOLL_PCI_P2PDMA)).toBe(f);
    expect(m.refcount[f]).toBe(2);
    expect(m.warnings).toEqual([]);
  });

  it('FOLL_GET: a plain try_get_folio, no pin, no vmstat', () => {
    const m = machine();
    const f = allocFolio(m, 2);
    expect(costOf(m, () => expect(tryGrabFolioFast(m, f + 3, 2, FOLL_GET)).toBe(f))).toEqual({ refcountAtomics: 1 });
    expect([m.refcount[f], m.pincount[f], vmstat(m).nrFollPinAcquired]).toEqual([3, 0, 0]);
  });

  it('FOLL_PIN of a large folio: +refs refcount and pincount, one atomic each, vmstat +refs', () => {
    const m = machine();
    const f = allocFolio(m, 4);
    expect(costOf(m, () => expect(tryGrabFolioFast(m, f + 7, 3, FOLL_PIN)).toBe(f))).toEqual({ refcountAtomics: 1, pincountAtomics: 1 });
    expect([m.refcount[f], m.pincount[f], vmstat(m).nrFollPinAcquired]).toEqual([4, 3, 3]);
    gupPutFolio(m, f, 3, FOLL_PIN);
    expect([m.refcount[f], m.pincount[f]]).toEqual([1, 0]);
  });

  it('FOLL_PIN of an order-0 folio: refs x the bias (try_get adds refs, then refs x (bias - 1)), two atomics', () => {
    const m = machine();
    const f = allocFolio(m, 0);
    expect(costOf(m, () => expect(tryGrabFolioFast(m, f, 2, FOLL_PIN)).toBe(f))).toEqual({ refcountAtomics: 2 });
    expect(m.refcount[f]).toBe(1 + 2 * GUP_PIN_COUNTING_BIAS);
    expect(vmstat(m).nrFollPinAcquired).toBe(2);
  });

  it('FOLL_PIN of the zero page: the page itself, nothing counted', () => {
    const m = machine();
    const z = m.zeroPfn;
    const ref = m.refcount[z];
    expect(costOf(m, () => expect(tryGrabFolioFast(m, z, 1, FOLL_PIN)).toBe(z))).toEqual({});
    expect(m.refcount[z]).toBe(ref);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
  });

  it('FOLL_PIN of a folio being freed: NULL, no pin', () => {
    const m = machine();
    const f = allocFolio(m, 2);
    folioPut(m, f);
    expect(tryGrabFolioFast(m, f, 1, FOLL_PIN)).toBe(-1);
    expect([m.refcount[f], m.pincount[f], vmstat(m).nrFollPinAcquired]).toEqual([0, 0, 0]);
  });

  it('FOLL_LONGTERM of a CMA folio: the refs are dropped again, NULL (the slow path migrates it)', () => {
    const m = machine();
    const f = allocFolio(m, 2, { zone: 'cma' });
    expect(f).toBeGreaterThanOrEqual(0);
    expect(tryGrabFolioFast(m, f, 1, FOLL_PIN | FOLL_LONGTERM)).toBe(-1);
    expect([m.refcount[f], m.pincount[f], vmstat(m).nrFollPinAcquired]).toEqual([1, 0, 0]);
    // Without FOLL_LONGTERM the same folio is pinned.
    expect(tryGrabFolioFast(m, f, 1, FOLL_PIN)).toBe(f);
    expect([m.refcount[f], m.pincount[f]]).toEqual([2, 1]);
  });
});

describe('gup_fast_folio_allowed', () => {
  // folio_test_hugetlb is tested before the mapping: a hugetlb folio is allowed whatever
  // maps it, even with no mapping at all.
  const kinds = [
    ['anonymous', MAPPING_ANON, false, true],
    ['shmem', MAPPING_SHMEM, false, true],
    ['hugetlbfs page cache', MAPPING_HUGETLB, true, true],
    ['anonymous hugetlb', MAPPING_ANON, true, true],
    ['hugetlb with no mapping', MAPPING_NONE, true, true],
    ['file', MAPPING_FILE, false, false],
    ['no mapping (truncated)', MAPPING_NONE, false, false],
  ] as const;
  for (const [name, kind, hugetlb, longtermWrite] of kinds) {
    it(`${name}: ${longtermWrite ? 'allowed' : 'refused'} for FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE, allowed for any two of them`, () => {
      const m = machine();
      const f = allocFolio(m, 0);
      if (hugetlb) folioSetHugetlb(m, f);
      m.mapping[f] = kind;
      expect(gupFastFolioAllowed(m, f, FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)).toBe(longtermWrite);
      expect(gupFastFolioAllowed(m, f, FOLL_PIN | FOLL_LONGTERM)).toBe(true);
      expect(gupFastFolioAllowed(m, f, FOLL_PIN | FOLL_WRITE)).toBe(true);
      expect(gupFastFolioAllowed(m, f, FOLL_LONGTERM | FOLL_WRITE)).toBe(true);
      expect(gupFastFolioAllowed(m, f, FOLL_GET | FOLL_WRITE)).toBe(true);
    });
  }
});
