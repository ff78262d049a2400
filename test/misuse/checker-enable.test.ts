/**
 * Turning the pin checker on (enablePinChecker): refused with a TypeError while pins
 * are in flight, i.e. while the vmstat pair nr_foll_pin_acquired / nr_foll_pin_released
 * (mm/gup.c try_grab_folio, gup_put_folio; Documentation/core-api/pin_user_pages.rst)
 * is unbalanced, since the checker could not know who holds them; accepted once they
 * balance, and idempotent.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, createMm, disablePinChecker, enablePinChecker, exitMmap, pinUserPagesFast, unpinUserPages } from '../../src/index.js';
import { BASE, KIB, mapAt } from '../support/mm-layout.js';

describe('enablePinChecker', () => {
  it('refuses a machine with a pin in flight, and accepts it once the pin is released', () => {
    // Unchecked by construction: the machine must pin before any checker exists.
    const m = createMachine({ memoryBytes: 16 * 1024 * 1024 });
    const mm = createMm(m);
    mapAt(mm, BASE, 4 * KIB, { populate: true });
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, 0, pages)).toBe(1);
    expect([m.stat.nrFollPinAcquired, m.stat.nrFollPinReleased]).toEqual([1, 0]);
    let thrown: unknown = null;
    try {
      enablePinChecker(m);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as TypeError).message).toBe('enablePinChecker: pins are in flight; enable the checker on a machine before it pins');
    expect(m.checker).toBeNull();
    unpinUserPages(m, pages, 1);
    const c = enablePinChecker(m);
    expect(m.checker).toBe(c);
    expect(enablePinChecker(m)).toBe(c);
    disablePinChecker(m);
    expect(m.checker).toBeNull();
    exitMmap(mm);
  });
});
