/**
 * The full text of the GUP layer's refusals, oopses and misuse reports: what a driver
 * author reads when a call is wrong. The tables elsewhere match a message's start
 * (function and argument); here each distinct message is spelled out once, expected
 * value and all, so a changed or lost word shows.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_PIN,
  GUP_PIN_COUNTING_BIAS,
  KernelBug,
  PageArraySink,
  PinMisuse,
  allocFolio,
  createMachine,
  createMm,
  exitMmap,
  folioPut,
  gupFastFallback,
  gupFolioNext,
  gupPutFolio,
  releasePages,
  tryGrabFolio,
  unpinFolio,
  pageAt,
  unpinFolios,
  unpinUserPage,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  vmstat,
  vpnOf,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { BASE, mapAt } from '../support/mm-layout.js';
import { thrownBy } from '../support/refused.js';

const MIB = 1024 * 1024;

describe('ArgumentError texts: "<function>: <argument> must be <what>, got <value>"', () => {
  const m = createMachine({ memoryBytes: 8 * MIB });
  const list = new Int32Array(4);
  const rows: readonly [string, () => unknown, string][] = [
    ['releasePages nr -1', () => releasePages(m, list, -1), 'releasePages: nr must be a count in 0..4, got -1'],
    ['unpinUserPages npages 1.5 (a -errno is an answer there)', () => unpinUserPages(m, list, 1.5), 'unpinUserPages: npages must be a count in 0..4 or a -errno, got 1.5'],
    ['unpinFolios nfolios -5000', () => unpinFolios(m, list, -5000), 'unpinFolios: nfolios must be a count in 0..4 or a -errno, got -5000'],
    [
      'unpinUserPagesDirtyLock npages -22 with make_dirty (no -errno guard on that path)',
      () => unpinUserPagesDirtyLock(m, list, -22, true),
      'unpinUserPagesDirtyLock: npages must be a count in 0..4, got -22',
    ],
    ['gupFolioNext out of length 0', () => gupFolioNext(m, list, 4, 0, new Int32Array(0)), 'gupFolioNext: out.length must be at least 1, got 0'],
    [
      'releasePages nr 5 of 4',
      () => releasePages(m, list, 5),
      'releasePages: pages.length must be at least 5, the count the call uses, got 4',
    ],
  ];
  for (const [what, run, message] of rows) {
    it(what, () => {
      const e = thrownBy(run);
      expect(e.name).toBe('ArgumentError');
      expect(e.message).toBe(message);
    });
  }
  it('PageArraySink.rollback names itself', () => {
    const e = thrownBy(() => new PageArraySink(m, list).rollback(FOLL_PIN | (1 << 13), 0));
    expect(e.message).toMatch(/^PageArraySink\.rollback: gupFlags must be /);
  });
});

describe('oopses (KernelBug): the kernel function and what went wrong', () => {
  it('gup_put_folio dropping more pins than a large folio holds', () => {
    const m = createMachine({ memoryBytes: 8 * MIB });
    const f = allocFolio(m, 2);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    const e = thrownBy(() => gupPutFolio(m, f, 3, FOLL_PIN));
    expect(e).toBeInstanceOf(KernelBug);
    expect(e.message).toBe(`gup_put_folio: pincount underflow on folio ${f} (1 - 3)`);
  });

  it('gup_folio_next reaching a NULL entry inside a run', () => {
    const m = createMachine({ memoryBytes: 8 * MIB });
    const f = allocFolio(m, 0);
    const e = thrownBy(() => gupFolioNext(m, [f, -1], 2, 0, new Int32Array(1)));
    expect(e).toBeInstanceOf(KernelBug);
    expect(e.message).toBe('gup_folio_next: page_folio(NULL) dereferences a NULL page');
    folioPut(m, f);
  });
});

describe('a page array too short for the walk', () => {
  it('a PageArraySink handed to the walk directly overflows at the first entry past its end', () => {
    // The entry points refuse a short array before walking (gup.test.ts); a sink handed
    // to gup_fast_fallback directly is the C caller's pages[] overrun: the model oopses
    // at the write, after the grab of that page.
    const m = createMachine({ memoryBytes: 8 * MIB });
    const mm = createMm(m);
    mapAt(mm, BASE, 16 * 4096, { populate: true });
    const pages = new Int32Array(2);
    const e = thrownBy(() => gupFastFallback(mm, BASE, 4, FOLL_PIN, new PageArraySink(m, pages)));
    expect(e).toBeInstanceOf(KernelBug);
    expect(e.message).toBe('pages[] overflow: writing entries 2..2 of an array of 2');
    // Entries 0 and 1 were written; the third page was pinned and never recorded.
    const third = pageAt(mm.pt, vpnOf(BASE) + 2);
    expect(m.refcount[third]).toBe(1 + GUP_PIN_COUNTING_BIAS); // its PTE and the pin
    unpinUserPages(m, pages, 2);
    unpinUserPage(m, third);
    exitMmap(mm);
    expect(vmstat(m).nrFollPinAcquired).toBe(vmstat(m).nrFollPinReleased);
  });
});

describe('misuse reports name the release API the driver called', () => {
  it('unpin_folio of a folio never pinned', () => {
    const m = newMachine();
    const f = allocFolio(m, 1);
    const e = thrownBy(() => unpinFolio(m, f));
    expect(e).toBeInstanceOf(PinMisuse);
    expect(e.message).toMatch(/^unpin_folio: /);
    folioPut(m, f);
  });

  it('unpin_user_pages_dirty_lock with make_dirty of a page never pinned', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    const e = thrownBy(() => unpinUserPagesDirtyLock(m, [f], 1, true));
    expect(e).toBeInstanceOf(PinMisuse);
    expect(e.message).toMatch(/^unpin_user_pages_dirty_lock: /);
    folioPut(m, f);
  });
});
