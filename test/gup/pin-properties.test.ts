/**
 * Properties of the grab/put arithmetic: any sequence of grabs followed by the matching
 * puts (in any order) restores every refcount and pincount and balances vmstat
 * (pin_user_pages.rst: the two counters are equal when no pin is in flight).
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { newMachine, refcountSnapshot } from '../support/machines.js';
import {
  allocFolio,
  gupPutFolio,
  tryGrabFolio,
  tryGrabFolioFast,
  unpinUserPages,
  FOLL_GET,
  FOLL_PIN,
  GUP_PIN_COUNTING_BIAS,
} from '../../src/index.js';

const grabArb = fc.record({
  folio: fc.nat(),
  page: fc.nat(),
  refs: fc.integer({ min: 1, max: 600 }),
  pin: fc.boolean(),
  fast: fc.boolean(),
});

test.prop([fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }), fc.array(grabArb, { maxLength: 40 }), fc.nat()])(
  'grabs then matching puts in shuffled order restore every count',
  (orders, grabs, shuffleSeed) => {
    const m = newMachine({ memoryBytes: 32 * 1024 * 1024 });
    const folios = orders.map((o) => allocFolio(m, o, { placement: 'scattered' }));
    expect(folios.every((f) => f > 0)).toBe(true);
    const rc0 = refcountSnapshot(m);
    const pc0 = m.pincount.slice();
    const taken: { folio: number; refs: number; flags: number }[] = [];
    let expectedPins = 0;
    for (const g of grabs) {
      const folio = folios[g.folio % folios.length]!;
      const flags = g.pin ? FOLL_PIN : FOLL_GET;
      if (g.fast) {
        const page = folio + (g.page % (1 << m.order[folio]!));
        expect(tryGrabFolioFast(m, page, g.refs, flags)).toBe(folio);
        m.checker!.grabbed(folio, g.refs, flags); // what gup_fast reports for a grab it keeps
      } else {
        expect(tryGrabFolio(m, folio, g.refs, flags)).toBe(0);
      }
      taken.push({ folio, refs: g.refs, flags });
      if (g.pin) expectedPins += g.refs;
    }
    expect(m.stat.nrFollPinAcquired).toBe(expectedPins);
    // Every folio's refcount is exactly its start plus what was taken, with the bias for order-0 pins.
    for (const f of folios) {
      let want = rc0[f]!;
      let pins = 0;
      for (const t of taken)
        if (t.folio === f) {
          const isPin = t.flags === FOLL_PIN;
          want += isPin && m.order[f] === 0 ? t.refs * GUP_PIN_COUNTING_BIAS : t.refs;
          if (isPin && m.order[f]! > 0) pins += t.refs;
        }
      expect(m.refcount[f]).toBe(want);
      expect(m.pincount[f]).toBe(pins);
    }
    // Release in a shuffled order (seeded Fisher-Yates so the property replays).
    let s = shuffleSeed;
    for (let i = taken.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [taken[i], taken[j]] = [taken[j]!, taken[i]!];
    }
    for (const t of taken) gupPutFolio(m, t.folio, t.refs, t.flags);
    expect(m.refcount).toEqual(rc0);
    expect(m.pincount).toEqual(pc0);
    expect(m.stat.nrFollPinReleased).toBe(m.stat.nrFollPinAcquired);
  },
);

test.prop([fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 20 })])(
  'per-page pins released through unpin_user_pages balance, whatever the folio mix',
  (orders) => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    const folios = orders.map((o) => allocFolio(m, o));
    const rc0 = refcountSnapshot(m);
    const pages: number[] = [];
    for (const f of folios)
      for (let i = 0; i < 1 << m.order[f]!; i++) {
        expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
        pages.push(f + i);
      }
    unpinUserPages(m, pages, pages.length);
    expect(m.refcount).toEqual(rc0);
    expect(m.stat.nrFollPinAcquired).toBe(pages.length);
    expect(m.stat.nrFollPinReleased).toBe(pages.length);
  },
);
