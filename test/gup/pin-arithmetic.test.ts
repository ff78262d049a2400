/**
 * Pin and reference arithmetic, worked by hand from mm/gup.c (try_grab_folio,
 * gup_put_folio, folio_add_pin, unpin_*) and Documentation/core-api/pin_user_pages.rst,
 * for 64-bit v6.16+ kernels.
 */
import { describe, expect, it } from 'vitest';
import { newMachine, untrack } from '../support/machines.js';
import {
  allocFolio,
  folioAddPin,
  folioAddPins,
  folioMaybeDmaPinned,
  folioPincount,
  folioPut,
  folioRefAdd,
  folioRefCount,
  folioTestDirty,
  folioMarkDirty,
  gupPutFolio,
  KernelBug,
  tryGrabFolio,
  tryGrabFolioFast,
  unpinFolio,
  unpinFolios,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  unpinUserPageRangeDirtyLock,
  putPage,
  releasePages,
  vmstat,
  ENOMEM,
  EREMOTEIO,
  EINVAL,
  FOLL_GET,
  FOLL_PIN,
  FOLL_LONGTERM,
  FOLL_PCI_P2PDMA,
  MAPPING_P2PDMA,
  NULL_PFN,
  PinMisuse,
  createMachine,
  disablePinChecker,
} from '../../src/index.js';

describe('tryGrabFolio / gupPutFolio (mm/gup.c try_grab_folio, gup_put_folio)', () => {
  it('order-0 pinned twice: refcount 1 -> 1025 -> 2049, pins counted per page, released back to 1', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    expect(folioRefCount(m, f)).toBe(1025);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    expect(folioRefCount(m, f)).toBe(2049);
    expect(folioPincount(m, f)).toBe(0); // order 0 has no _pincount: the bias carries the pin
    expect(vmstat(m).nrFollPinAcquired).toBe(2);
    unpinUserPage(m, f);
    unpinUserPage(m, f);
    expect(folioRefCount(m, f)).toBe(1);
    expect(vmstat(m).nrFollPinReleased).toBe(2);
  });

  it('order-2 folio pinned per page: +1 refcount and +1 pincount per page; one grouped put releases all four', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    for (let i = 0; i < 4; i++) expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(0);
    expect(folioRefCount(m, f)).toBe(5);
    expect(folioPincount(m, f)).toBe(4);
    expect(m.cost.refcountAtomics).toBe(4);
    expect(m.cost.pincountAtomics).toBe(4);
    const before = { rc: m.cost.refcountAtomics, pc: m.cost.pincountAtomics };
    unpinUserPages(m, [f, f + 1, f + 2, f + 3], 4);
    // gup_folio_next groups the four entries: one atomic_sub on _pincount, one folio_put_refs.
    expect(m.cost.refcountAtomics - before.rc).toBe(1);
    expect(m.cost.pincountAtomics - before.pc).toBe(1);
    expect(folioRefCount(m, f)).toBe(1);
    expect(folioPincount(m, f)).toBe(0);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 4, nrFollPinReleased: 4 });
  });

  it('FOLL_GET adds plain references and counts nothing in vmstat', () => {
    const m = newMachine();
    const f = allocFolio(m, 3);
    expect(tryGrabFolio(m, f, 5, FOLL_GET)).toBe(0);
    expect(folioRefCount(m, f)).toBe(6);
    expect(folioPincount(m, f)).toBe(0);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
    gupPutFolio(m, f, 5, FOLL_GET);
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('neither FOLL_GET nor FOLL_PIN: no action, returns 0', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect(tryGrabFolio(m, f, 3, 0)).toBe(0);
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('the zero page is never pinned (no refcount, no vmstat), but FOLL_GET does take a reference', () => {
    const m = newMachine();
    const z = m.zeroPfn;
    expect(tryGrabFolio(m, z, 1, FOLL_PIN)).toBe(0);
    expect(folioRefCount(m, z)).toBe(1);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
    unpinUserPage(m, z);
    expect(vmstat(m).nrFollPinReleased).toBe(0);
    expect(folioRefCount(m, z)).toBe(1);
    expect(tryGrabFolio(m, z, 1, FOLL_GET)).toBe(0);
    expect(folioRefCount(m, z)).toBe(2);
    putPage(m, z);
    expect(folioRefCount(m, z)).toBe(1);
  });

  it('a folio with refcount 0 cannot be grabbed: -ENOMEM with a WARN', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    folioPut(m, f); // freed
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(-ENOMEM);
    expect(m.warnings.at(-1)).toMatch(/try_grab_folio/);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
  });

  it('a P2PDMA folio needs FOLL_PCI_P2PDMA: -EREMOTEIO without it', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    m.mapping[f] = MAPPING_P2PDMA;
    expect(tryGrabFolio(m, f, 1, FOLL_PIN)).toBe(-EREMOTEIO);
    expect(tryGrabFolio(m, f, 1, FOLL_PIN | FOLL_PCI_P2PDMA)).toBe(0);
    unpinUserPage(m, f);
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('pincount underflow is a loud failure', () => {
    // The model's own check, on an unchecked machine: the failed put already counted a
    // release, as the kernel's stat update precedes the sub.
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    const f = allocFolio(m, 1);
    expect(() => gupPutFolio(m, f, 1, FOLL_PIN)).toThrow(KernelBug);
    // A checked machine stops it before any count moves.
    const checked = newMachine();
    const g = allocFolio(checked, 1);
    expect(() => gupPutFolio(checked, g, 1, FOLL_PIN)).toThrow(PinMisuse);
    expect(checked.stat.nrFollPinReleased).toBe(0);
  });
});

// The raw fast-path primitive: gup_fast, its caller, reports the grabs it keeps to the
// pin checker, so machines that call it directly and then unpin run unchecked.
describe('tryGrabFolioFast (mm/gup.c try_grab_folio_fast)', () => {
  it('order-0 PIN: try_get_folio adds 1, then the remaining 1023 of the bias: two atomics', () => {
    const m = newMachine();
    disablePinChecker(m);
    const f = allocFolio(m, 0);
    expect(tryGrabFolioFast(m, f, 1, FOLL_PIN)).toBe(f);
    expect(folioRefCount(m, f)).toBe(1025);
    expect(m.cost.refcountAtomics).toBe(2);
    unpinUserPage(m, f);
  });

  it('large folio PIN from a tail page: returns the head, refcount and pincount + refs', () => {
    const m = newMachine();
    disablePinChecker(m);
    const f = allocFolio(m, 9);
    expect(tryGrabFolioFast(m, f + 17, 512 - 17, FOLL_PIN)).toBe(f);
    expect(folioRefCount(m, f)).toBe(1 + 495);
    expect(folioPincount(m, f)).toBe(495);
    expect(vmstat(m).nrFollPinAcquired).toBe(495);
    unpinUserFolio(m, f, 495);
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('FOLL_LONGTERM on CMA memory: refs dropped again, NULL returned (fall back to the slow path)', () => {
    const m = newMachine({ cmaBytes: 4 * 1024 * 1024 });
    const f = allocFolio(m, 0, { zone: 'cma' });
    expect(tryGrabFolioFast(m, f, 1, FOLL_PIN | FOLL_LONGTERM)).toBe(-1);
    expect(folioRefCount(m, f)).toBe(1);
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
  });

  it('the zero page is returned with no reference taken', () => {
    const m = newMachine();
    expect(tryGrabFolioFast(m, m.zeroPfn, 1, FOLL_PIN)).toBe(m.zeroPfn);
    expect(folioRefCount(m, m.zeroPfn)).toBe(1);
  });

  it('neither GET nor PIN is a WARN and NULL', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect(tryGrabFolioFast(m, f, 1, 0)).toBe(-1);
    expect(m.warnings).toHaveLength(1);
  });
});

describe('folioMaybeDmaPinned (include/linux/mm.h folio_maybe_dma_pinned)', () => {
  it('order 0 is fuzzy: 1024 plain references read as pinned (a false positive)', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect(folioMaybeDmaPinned(m, f)).toBe(false);
    folioRefAdd(m, f, 1023); // refcount 1024, no pin
    expect(folioMaybeDmaPinned(m, f)).toBe(true);
    gupPutFolio(m, f, 1023, FOLL_GET);
  });

  it('large folios are exact: 1024 plain references are not a pin, one pin is', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    folioRefAdd(m, f, 2000);
    expect(folioMaybeDmaPinned(m, f)).toBe(false);
    tryGrabFolio(m, f, 1, FOLL_PIN);
    expect(folioMaybeDmaPinned(m, f)).toBe(true);
    unpinFolio(m, f);
    gupPutFolio(m, f, 2000, FOLL_GET);
  });
});

describe('vmstat balance (pin_user_pages.rst: huge pages are counted once per subpage)', () => {
  it('a THP pinned as 512 pages and unpinned page by page balances', () => {
    const m = newMachine();
    const f = allocFolio(m, 9);
    expect(tryGrabFolio(m, f, 512, FOLL_PIN)).toBe(0);
    expect(vmstat(m).nrFollPinAcquired).toBe(512);
    for (let i = 0; i < 512; i++) unpinUserPage(m, f + i);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 512, nrFollPinReleased: 512 });
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('folio_add_pin does not count in nr_foll_pin_acquired (kernel quirk): released runs one ahead', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    tryGrabFolio(m, f, 1, FOLL_PIN);
    folioAddPin(m, f);
    expect(folioPincount(m, f)).toBe(2);
    expect(folioRefCount(m, f)).toBe(3);
    expect(vmstat(m).nrFollPinAcquired).toBe(1);
    unpinFolio(m, f);
    unpinFolio(m, f);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 1, nrFollPinReleased: 2 });
    expect(folioRefCount(m, f)).toBe(1);
    untrack(m); // the imbalance is the kernel behaviour under test
  });

  it('folio_add_pins goes through try_grab_folio and does count', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    tryGrabFolio(m, f, 1, FOLL_PIN);
    expect(folioAddPins(m, f, 3)).toBe(0);
    expect(folioRefCount(m, f)).toBe(1 + 4 * 1024);
    expect(vmstat(m).nrFollPinAcquired).toBe(4);
    unpinUserFolio(m, f, 4);
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('folio_add_pin on an unpinned folio WARNs', () => {
    const m = newMachine();
    // The cleanup drops the pin's 1024 references as plain ones (vmstat stays balanced,
    // since folio_add_pin counted nothing): arithmetic below the API, which the pin
    // checker cannot follow, so it is off for this machine.
    disablePinChecker(m);
    const f = allocFolio(m, 0);
    folioAddPin(m, f);
    expect(m.warnings.at(-1)).toMatch(/folio_add_pin/);
    gupPutFolio(m, f, 1024, FOLL_GET);
  });
});

describe('unpinUserPages / unpinFolios grouping (gup_folio_next, unpin_folios)', () => {
  it('groups runs per folio; NULL entries where a run starts are skipped', () => {
    const m = newMachine();
    const a = allocFolio(m, 2);
    const b = allocFolio(m, 0);
    tryGrabFolio(m, a, 3, FOLL_PIN);
    tryGrabFolio(m, b, 1, FOLL_PIN);
    const atomicsBefore = m.cost.refcountAtomics;
    unpinUserPages(m, [NULL_PFN, NULL_PFN, a + 1, a + 2, a + 3, b], 6);
    // runs: a x3 (one folio_put_refs), b x1 (one): two refcount atomics.
    expect(m.cost.refcountAtomics - atomicsBefore).toBe(2);
    expect(folioRefCount(m, a)).toBe(1);
    expect(folioRefCount(m, b)).toBe(1);
  });

  it('a NULL right after a pinned entry reaches page_folio(NULL) in gup_folio_next: an oops', () => {
    const m = newMachine();
    const a = allocFolio(m, 0);
    tryGrabFolio(m, a, 1, FOLL_PIN);
    expect(() => unpinUserPages(m, [a, NULL_PFN], 2)).toThrow(/page_folio\(NULL\)/);
    unpinUserPage(m, a);
  });

  it('a -errno count WARNs and releases nothing', () => {
    // The kernel's behaviour, on an unchecked machine.
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    unpinUserPages(m, [], -EINVAL);
    expect(m.warnings.at(-1)).toMatch(/error value -22/);
    // A checked machine (every newMachine) reports it as a misuse before the WARN.
    const checked = newMachine();
    expect(() => unpinUserPages(checked, [], -EINVAL)).toThrow(PinMisuse);
    expect(checked.warnings).toEqual([]);
  });

  it('unpinFolios: runs of identical pointers, NULL runs skipped, non-adjacent repeats put separately', () => {
    const m = newMachine();
    const a = allocFolio(m, 3);
    const b = allocFolio(m, 0);
    tryGrabFolio(m, a, 3, FOLL_PIN);
    tryGrabFolio(m, b, 1, FOLL_PIN);
    const before = m.cost.refcountAtomics;
    unpinFolios(m, [a, a, NULL_PFN, NULL_PFN, b, a], 6);
    // puts: a x2, b x1, a x1 -> three folio_put_refs.
    expect(m.cost.refcountAtomics - before).toBe(3);
    expect(folioRefCount(m, a)).toBe(1);
    expect(folioPincount(m, a)).toBe(0);
    expect(folioRefCount(m, b)).toBe(1);
  });
});

describe('dirtying release variants', () => {
  it('unpinUserPagesDirtyLock marks each folio dirty once, only if clean', () => {
    const m = newMachine();
    const a = allocFolio(m, 1);
    const b = allocFolio(m, 0);
    folioMarkDirty(m, b);
    tryGrabFolio(m, a, 2, FOLL_PIN);
    tryGrabFolio(m, b, 1, FOLL_PIN);
    unpinUserPagesDirtyLock(m, [a, a + 1, b], 3, true);
    expect(folioTestDirty(m, a)).toBe(true);
    expect(folioTestDirty(m, b)).toBe(true);
    expect(vmstat(m).nrFollPinReleased).toBe(3);
  });

  it('unpinUserPagesDirtyLock without make_dirty is unpin_user_pages: nothing dirtied', () => {
    const m = newMachine();
    const a = allocFolio(m, 0);
    tryGrabFolio(m, a, 1, FOLL_PIN);
    unpinUserPagesDirtyLock(m, [a], 1, false);
    expect(folioTestDirty(m, a)).toBe(false);
  });

  it('unpinUserPagesDirtyLock(make_dirty) does not skip NULL: an oops', () => {
    const m = newMachine();
    expect(() => unpinUserPagesDirtyLock(m, [NULL_PFN], 1, true)).toThrow(KernelBug);
  });

  it('unpinUserPageRangeDirtyLock: one put per folio the contiguous range touches', () => {
    const m = newMachine();
    // order-2 at 4..7, order-0 at 8, order-3 at 16..23 would not be contiguous; use 8 and 9.
    const a = allocFolio(m, 2, { pfn: 4 });
    const b = allocFolio(m, 0, { pfn: 8 });
    const c = allocFolio(m, 0, { pfn: 9 });
    // pin pages 6,7 of a, 8 (b), 9 (c): range [6, 10)
    tryGrabFolio(m, a, 2, FOLL_PIN);
    tryGrabFolio(m, b, 1, FOLL_PIN);
    tryGrabFolio(m, c, 1, FOLL_PIN);
    const before = m.cost.refcountAtomics;
    unpinUserPageRangeDirtyLock(m, 6, 4, true);
    // runs: a min(4, 4-2)=2, b 1, c 1 -> three puts.
    expect(m.cost.refcountAtomics - before).toBe(3);
    expect([a, b, c].map((f) => folioTestDirty(m, f))).toEqual([true, true, true]);
    expect([a, b, c].map((f) => folioRefCount(m, f))).toEqual([1, 1, 1]);
    expect(folioPincount(m, a)).toBe(0);
  });
});

describe('FOLL_GET releases (put_page, release_pages)', () => {
  it('putPage drops one reference from the folio of a tail page and frees at zero', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    tryGrabFolio(m, f, 1, FOLL_GET);
    putPage(m, f + 3);
    expect(folioRefCount(m, f)).toBe(1);
    const free = vmstat(m).nrFreePages;
    putPage(m, f + 1); // the allocation reference: the folio is freed
    expect(vmstat(m).nrFreePages).toBe(free + 4);
    expect(() => putPage(m, f)).toThrow(/use after free/);
  });

  it('release_pages drops one reference per entry (one atomic each, no run merging)', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    tryGrabFolio(m, f, 4, FOLL_GET);
    const before = m.cost.refcountAtomics;
    releasePages(m, [f, f + 1, f + 2, f + 3], 4);
    expect(m.cost.refcountAtomics - before).toBe(4);
    expect(folioRefCount(m, f)).toBe(1);
  });

  it('put_page on a page held only by a pin corrupts the count: the bias is not a reference', () => {
    // The seeds' bug class: FOLL_PIN taken, put_page used. Refcount 1025 -> 1024, and the
    // later unpin subtracts 1024 and frees the folio while its allocation reference is
    // still held: use after free on the next put. Shown on an unchecked machine.
    const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
    const f = allocFolio(m, 0);
    tryGrabFolio(m, f, 1, FOLL_PIN);
    putPage(m, f);
    expect(folioRefCount(m, f)).toBe(1024);
    unpinUserPage(m, f);
    expect(() => folioPut(m, f)).toThrow(/use after free/);
  });

  it('... which a checked machine reports at the put_page, before any count moves', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    tryGrabFolio(m, f, 1, FOLL_PIN);
    expect(() => putPage(m, f)).toThrow(PinMisuse);
    expect(folioRefCount(m, f)).toBe(1025);
    unpinUserPage(m, f);
    expect(folioRefCount(m, f)).toBe(1);
  });
});

describe('pagesReleased: every release API counts the pages whose pin or reference the caller gave back', () => {
  it('one count per page, whatever the grouping', () => {
    const m = newMachine();
    const a = allocFolio(m, 2);
    const b = allocFolio(m, 0);
    const c = allocFolio(m, 3);
    const released = () => m.cost.pagesReleased;
    tryGrabFolio(m, a, 4, FOLL_PIN);
    tryGrabFolio(m, b, 1, FOLL_PIN);
    unpinUserPages(m, [NULL_PFN, a, a + 1, a + 2, b], 5); // 4 pages: the NULL is not one
    expect(released()).toBe(4);
    unpinUserPagesDirtyLock(m, [a + 3], 1, true);
    expect(released()).toBe(5);
    tryGrabFolio(m, c, 8, FOLL_PIN);
    unpinFolios(m, [c, c, c, NULL_PFN, c], 5); // runs: c x3, NULL, c x1 -> 4 pages
    expect(released()).toBe(9);
    unpinUserFolio(m, c, 3);
    expect(released()).toBe(12);
    unpinFolio(m, c);
    expect(released()).toBe(13);
    const d = allocFolio(m, 1);
    tryGrabFolio(m, d, 2, FOLL_PIN);
    unpinUserPageRangeDirtyLock(m, d, 1, false);
    unpinUserPage(m, d + 1);
    expect(released()).toBe(15);
    tryGrabFolio(m, a, 3, FOLL_GET);
    putPage(m, a);
    releasePages(m, [a + 1, a + 2], 2);
    expect(released()).toBe(18);
    expect([a, b, c, d].map((f) => folioRefCount(m, f))).toEqual([1, 1, 1, 1]);
  });
});
