/**
 * folio_add_pin, folio_add_pins and the grab's atomics, exactly: which counts move, by
 * how much, what is counted as an atomic, and when the kernel WARNs. mm/gup.c (v6.16+):
 *
 *   void folio_add_pin(struct folio *folio)
 *   {
 *       if (is_zero_folio(folio))
 *           return;
 *       if (folio_test_large(folio)) {
 *           WARN_ON_ONCE(atomic_read(&folio->_pincount) < 1);
 *           folio_ref_inc(folio);
 *           atomic_inc(&folio->_pincount);
 *       } else {
 *           WARN_ON_ONCE(folio_ref_count(folio) < GUP_PIN_COUNTING_BIAS);
 *           folio_ref_add(folio, GUP_PIN_COUNTING_BIAS);
 *       }
 *   }
 *
 *   int folio_add_pins(struct folio *folio, unsigned int pins)
 *   {
 *       VM_WARN_ON_ONCE(!folio_maybe_dma_pinned(folio));
 *       return try_grab_folio(folio, pins, FOLL_PIN);
 *   }
 *
 * The WARN cases leave counts the pin checker cannot follow (a pin added to an unpinned
 * folio), so they run on machines without it.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  FOLL_PIN,
  GUP_PIN_COUNTING_BIAS,
  allocFolio,
  costDiff,
  costSnapshot,
  createMachine,
  folioAddPin,
  folioAddPins,
  folioPut,
  gupPutFolio,
  tryGrabFolio,
  unpinFolio,
  unpinUserPage,
  vmstat,
  type CostSnapshot,
  type Machine,
} from '../../src/index.js';
import { newMachine, untrack } from '../support/machines.js';

/** The cost counters `run` moved, the ones that did not move left out. */
function atomicsOf(m: Machine, run: () => unknown): Partial<CostSnapshot> {
  const before = costSnapshot(m.cost);
  run();
  const d = costDiff(costSnapshot(m.cost), before);
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== 0));
}

describe('folio_add_pin', () => {
  it('a large folio with one pin: +1 refcount, +1 pincount, one atomic each, no WARN, no vmstat', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    expect([m.refcount[f], m.pincount[f]]).toEqual([2, 1]);
    // pincount 1 is the boundary: WARN_ON_ONCE(_pincount < 1) stays quiet.
    expect(atomicsOf(m, () => folioAddPin(m, f))).toEqual({ refcountAtomics: 1, pincountAtomics: 1 });
    expect([m.refcount[f], m.pincount[f]]).toEqual([3, 2]);
    expect(m.warnings).toEqual([]);
    expect(vmstat(m).nrFollPinAcquired).toBe(1);
    unpinFolio(m, f);
    unpinFolio(m, f);
    folioPut(m, f);
    untrack(m); // released runs one ahead of acquired: the kernel quirk test/gup/pin-arithmetic shows
  });

  it('an order-0 folio holding exactly the bias (its pin, no other reference): no WARN, +1024, one atomic', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    folioPut(m, f); // the allocation's reference goes; the pin keeps the folio
    expect(m.refcount[f]).toBe(GUP_PIN_COUNTING_BIAS);
    expect(atomicsOf(m, () => folioAddPin(m, f))).toEqual({ refcountAtomics: 1 });
    expect(m.refcount[f]).toBe(2 * GUP_PIN_COUNTING_BIAS);
    expect(m.warnings).toEqual([]);
    unpinFolio(m, f);
    unpinFolio(m, f);
    expect(m.refcount[f]).toBe(0);
    untrack(m);
  });

  it('an unpinned large folio: WARN naming it, and the pin is added anyway', () => {
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    const f = allocFolio(m, 3);
    expect(atomicsOf(m, () => folioAddPin(m, f))).toEqual({ refcountAtomics: 1, pincountAtomics: 1 });
    expect(m.warnings).toEqual([`folio_add_pin: folio ${f} is not pinned`]);
    expect([m.refcount[f], m.pincount[f]]).toEqual([2, 1]);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
  });

  it('an order-0 folio one reference short of the bias: WARN, +1024', () => {
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    const f = allocFolio(m, 0);
    expect(tryGrabFolio(m, f, GUP_PIN_COUNTING_BIAS - 2, FOLL_GET)).toBe(0);
    expect(m.refcount[f]).toBe(GUP_PIN_COUNTING_BIAS - 1);
    folioAddPin(m, f);
    expect(m.warnings).toEqual([`folio_add_pin: folio ${f} is not pinned`]);
    expect(m.refcount[f]).toBe(2 * GUP_PIN_COUNTING_BIAS - 1);
  });

  it('the zero page: nothing at all (no count, no atomic, no WARN)', () => {
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    const z = m.zeroPfn;
    const ref = m.refcount[z];
    expect(atomicsOf(m, () => folioAddPin(m, z))).toEqual({});
    expect(m.refcount[z]).toBe(ref);
    expect(m.warnings).toEqual([]);
  });
});

describe('folio_add_pins', () => {
  it('a pinned folio: no WARN; try_grab_folio adds the pins and counts them in vmstat', () => {
    const m = newMachine();
    const f = allocFolio(m, 4);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    expect(atomicsOf(m, () => expect(folioAddPins(m, f, 5)).toBe(0))).toEqual({ refcountAtomics: 1, pincountAtomics: 1 });
    expect([m.refcount[f], m.pincount[f]]).toEqual([7, 6]);
    expect(m.warnings).toEqual([]);
    expect(vmstat(m).nrFollPinAcquired).toBe(6);
    gupPutFolio(m, f, 6, FOLL_PIN);
    folioPut(m, f);
  });

  it('an unpinned folio: VM_WARN naming it, then the grab', () => {
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    const f = allocFolio(m, 0);
    expect(folioAddPins(m, f, 2)).toBe(0);
    expect(m.warnings).toEqual([`folio_add_pins: folio ${f} is not pinned`]);
    expect(m.refcount[f]).toBe(1 + 2 * GUP_PIN_COUNTING_BIAS);
    expect(vmstat(m).nrFollPinAcquired).toBe(2);
  });
});

describe("try_grab_folio's atomics", () => {
  it('FOLL_GET: one refcount atomic; FOLL_PIN order 0: one refcount atomic; FOLL_PIN large: one of each', () => {
    const m = newMachine();
    const small = allocFolio(m, 0);
    const big = allocFolio(m, 2);
    expect(atomicsOf(m, () => tryGrabFolio(m, small, 3, FOLL_GET))).toEqual({ refcountAtomics: 1 });
    expect(atomicsOf(m, () => tryGrabFolio(m, small, 2, FOLL_PIN))).toEqual({ refcountAtomics: 1 });
    expect(atomicsOf(m, () => tryGrabFolio(m, big, 4, FOLL_PIN))).toEqual({ refcountAtomics: 1, pincountAtomics: 1 });
    // Neither flag, and the zero page under FOLL_PIN: no atomic.
    expect(atomicsOf(m, () => tryGrabFolio(m, small, 1, 0))).toEqual({});
    expect(atomicsOf(m, () => tryGrabFolio(m, m.zeroPfn, 1, FOLL_PIN))).toEqual({});
    expect(m.refcount[small]).toBe(1 + 3 + 2 * GUP_PIN_COUNTING_BIAS);
    gupPutFolio(m, small, 3, FOLL_GET);
    gupPutFolio(m, small, 2, FOLL_PIN);
    gupPutFolio(m, big, 4, FOLL_PIN);
    unpinUserPage(m, m.zeroPfn); // a no-op on the zero page, which the caller still releases
    folioPut(m, small);
    folioPut(m, big);
  });
});
