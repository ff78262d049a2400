/**
 * The pin checker at the release APIs that name many holds at once (src/gup/
 * pin-release-checks.ts): which NULL entries of unpin_user_pages(_dirty_lock) it leaves
 * to the kernel's oops, unpin_user_page_range_dirty_lock and unpin_folios misuse and the
 * entry labels of their messages, and unpin_user_page inside a per-page bio release.
 *
 * Kernel code (mm/gup.c as in kernel-facts.md source T; unpin_folios since v6.11):
 * - unpin_user_pages(): skips `!pages[i]` only where a run starts; gup_folio_next()
 *   then calls page_folio() on every following entry up to npages (no further), so a
 *   NULL right after a non-NULL entry oopses before anything is put.
 * - unpin_user_pages_dirty_lock(make_dirty = true): gup_folio_next() from entry 0, no
 *   NULL skipped; with make_dirty false it is unpin_user_pages().
 * - unpin_user_page_range_dirty_lock(): gup_put_folio(folio, nr, FOLL_PIN) for every
 *   page of [page, page + npages), each of which must hold a pin.
 * - unpin_folios(): gup_put_folio(folios[i], j - i, FOLL_PIN) per run of identical
 *   pointers, NULL runs skipped; WARN_ON(IS_ERR_VALUE(nfolios)) and nothing released.
 * - block/bio.c __bio_release_pages() (v6.6-v6.11, 'page' mode): unpin_user_page() for
 *   each page a folio step spans.
 * Rules the wrong calls break: a release drops a pin that gup_put_folio() finds missing
 * (an order-0 page loses GUP_PIN_COUNTING_BIAS of its mapping's references, a large
 * folio's _pincount underflows), and a FOLL_GET reference is released with put_page(),
 * not an unpin. Message texts: src/mm/pin-misuse.ts formatMisuse ("<api>: <first
 * detail>") and src/mm/pin-release-plan.ts (ReleasePlan.page/folio/none, the labels
 * "entry i: ", "entries i..j: ", "page i of the range: " of pin-release-checks.ts).
 * Layout (driver-world.ts): the buffer's order-0 pages are PFNs 1, 2, 3.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  EFAULT,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  KernelBug,
  NULL_PFN,
  PAGE_SIZE,
  REQ_OP_READ,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  getUserPages,
  pinUserPagesFast,
  putPage,
  unpinFolios,
  unpinUserPage,
  unpinUserPageRangeDirtyLock,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  vmstat,
} from '../../src/index.js';
import { BASE, KIB, MIB, at, expectMisuse, userBuffer } from './driver-world.js';

const FILE = 'checker-release-apis.test.ts';
const PINNED = 1 + GUP_PIN_COUNTING_BIAS; // an order-0 page: its PTE's reference and one pin

/** The model's report of the kernel's page_folio(NULL) in gup_folio_next (src/gup/unpin.ts). */
const NULL_OOPS = 'gup_folio_next: page_folio(NULL) dereferences a NULL page';

/** Runs a call that must oops (a KernelBug, not a PinMisuse); returns the message. */
function oops(run: () => unknown): string {
  let caught: unknown = null;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(KernelBug);
  return (caught as KernelBug).message;
}

/** Pins pages 1 and 2 of a two-page buffer, then releases page 2 (the double release below names this call). */
function page2AlreadyUnpinned() {
  const w = userBuffer(8 * KIB);
  const pages = new Int32Array(2);
  expect(pinUserPagesFast(w.mm, w.addr, 2, 0, pages)).toBe(2);
  expect(Array.from(pages)).toEqual([1, 2]);
  unpinUserPage(w.m, 2);
  return w;
}

describe('unpin_user_pages: the NULL entries the kernel skips are checked around, the ones it reads are its oops', () => {
  it('a NULL where a run starts is skipped: the entry after it is a double release, named by its index', () => {
    const { m } = page2AlreadyUnpinned();
    const e = expectMisuse('double-release', () => unpinUserPages(m, [NULL_PFN, 2], 2));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^unpin_user_pages: entry 1: page 2 \(folio 2, order 0\) holds no pin: its pin was already released by /);
    expect(first).toMatch(at('unpin_user_page', FILE));
    expect([e.api, e.page, e.folio]).toEqual(['unpin_user_pages', 2, 2]);
    expect([m.refcount[1], m.refcount[2]]).toEqual([PINNED, 1]);
    unpinUserPage(m, 1);
  });

  it('a NULL after a NULL is skipped as well', () => {
    const { m } = page2AlreadyUnpinned();
    const e = expectMisuse('double-release', () => unpinUserPages(m, [NULL_PFN, NULL_PFN, 2], 3));
    expect(e.message.split('\n')[0]).toMatch(/^unpin_user_pages: entry 2: page 2 \(folio 2, order 0\) holds no pin: its pin was already released by /);
    expect([m.refcount[1], m.refcount[2]]).toEqual([PINNED, 1]);
    unpinUserPage(m, 1);
  });

  it('a NULL right after a page is read by gup_folio_next: the oops comes first and nothing is released', () => {
    const { m } = page2AlreadyUnpinned();
    // Entry 0 would be a double release, but the kernel never gets to put it.
    expect(oops(() => unpinUserPages(m, [2, NULL_PFN], 2))).toBe(NULL_OOPS);
    expect([m.refcount[1], m.refcount[2]]).toEqual([PINNED, 1]);
    expect([vmstat(m).nrFollPinAcquired, vmstat(m).nrFollPinReleased]).toEqual([2, 1]);
    unpinUserPage(m, 1);
  });

  it('entries past npages are not read: a NULL there neither oopses nor hides the entries before it', () => {
    const { m } = page2AlreadyUnpinned();
    const e = expectMisuse('double-release', () => unpinUserPages(m, [2, NULL_PFN], 1));
    expect(e.message.split('\n')[0]).toMatch(/^unpin_user_pages: entry 0: page 2 \(folio 2, order 0\) holds no pin: its pin was already released by /);
    unpinUserPages(m, [1, NULL_PFN], 1); // the honest release of page 1, same shape
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });

  it('unpin_user_pages_dirty_lock with make_dirty reads every entry: a NULL at entry 0 oopses; without make_dirty it is skipped', () => {
    const { m } = page2AlreadyUnpinned();
    expect(oops(() => unpinUserPagesDirtyLock(m, [NULL_PFN, 2], 2, true))).toBe(NULL_OOPS);
    // make_dirty false is unpin_user_pages(), which skips the NULL and meets the double release.
    const e = expectMisuse('double-release', () => unpinUserPagesDirtyLock(m, [NULL_PFN, 2], 2, false));
    expect(e.message.split('\n')[0]).toMatch(/^unpin_user_pages: entry 1: page 2 \(folio 2, order 0\) holds no pin: /);
    expect([m.refcount[1], m.refcount[2]]).toEqual([PINNED, 1]);
    unpinUserPage(m, 1);
  });
});

describe('unpin_user_page_range_dirty_lock', () => {
  it('a range longer than the pins: the first page without one is named by its place in the range', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1..3
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages)).toBe(2); // pages 1, 2
    const e = expectMisuse('release-unheld', () => unpinUserPageRangeDirtyLock(m, 1, 3, true));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_user_page_range_dirty_lock: page 2 of the range: page 3 (folio 3, order 0) holds no pin');
    expect(lines[1]).toBe('  2 earlier page(s) of this call were held: was the count larger than what the GUP call returned?');
    expect(lines[2]).toMatch(/^ {2}called at test\/misuse\/checker-release-apis\.test\.ts:\d+:\d+$/);
    expect(lines[3]).toBe('  rule [release-unheld]: release only pages that a GUP call returned to you, and only as many as it returned');
    expect([e.api, e.page, e.folio]).toEqual(['unpin_user_page_range_dirty_lock', 3, 3]);
    // Refused before any put: pages 1 and 2 keep their pins.
    expect([m.refcount[1], m.refcount[2], m.refcount[3]]).toEqual([PINNED, PINNED, 1]);
    unpinUserPageRangeDirtyLock(m, 1, 2, true);
    expect([m.refcount[1], m.refcount[2], m.refcount[3]]).toEqual([1, 1, 1]);
  });

  it('the range ends at npages: the unpinned page after it is not checked', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2; only 1 is pinned
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1);
    unpinUserPageRangeDirtyLock(m, 1, 1, false);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
    expect([vmstat(m).nrFollPinAcquired, vmstat(m).nrFollPinReleased]).toEqual([1, 1]);
  });
});

describe('unpin_folios', () => {
  it('a run of equal entries is one release of the run length: three of a folio holding two pins is over-release, named "entries 0..2"', () => {
    const { m, mm, addr } = userBuffer(4 * KIB); // PFN 1
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1);
    expect(m.refcount[1]).toBe(1 + 2 * GUP_PIN_COUNTING_BIAS);
    const e = expectMisuse('over-release', () => unpinFolios(m, [1, 1, 1], 3));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_folios: entries 0..2: releases 3 pins of folio 1 (order 0), which holds 2');
    expect(lines[1]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`));
    expect([e.api, e.folio]).toEqual(['unpin_folios', 1]);
    expect(m.refcount[1]).toBe(1 + 2 * GUP_PIN_COUNTING_BIAS);
    unpinFolios(m, [1, 1], 2);
    expect(m.refcount[1]).toBe(1);
  });

  it('a run of one is named "entry i": unpinning a FOLL_GET reference', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const pins = new Int32Array(1);
    const gets = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pins)).toBe(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pins)).toBe(1);
    expect(getUserPages(mm, addr + PAGE_SIZE, 1, 0, gets)).toBe(1);
    expect(gets[0]).toBe(2);
    const e = expectMisuse('unpin-of-get', () => unpinFolios(m, [1, 1, 2], 3));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('unpin_folios: entry 2: page 2 (folio 2, order 0) holds no pin, only 1 FOLL_GET reference(s)');
    expect(lines[1]).toMatch(new RegExp(`^ {2}FOLL_GET reference taken by ${at('get_user_pages', FILE).source}$`));
    // Nothing moved: the run of folio 1 before it was not put either.
    expect([m.refcount[1], m.refcount[2]]).toEqual([1 + 2 * GUP_PIN_COUNTING_BIAS, 2]);
    unpinFolios(m, [1, 1], 2);
    putPage(m, 2);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });

  it('NULL runs are skipped: a folio unpinned before is a double release naming that call', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, 0, pages)).toBe(2);
    unpinUserPages(m, pages, 2);
    const e = expectMisuse('double-release', () => unpinFolios(m, [NULL_PFN, NULL_PFN, 2], 3));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^unpin_folios: entry 2: page 2 \(folio 2, order 0\) holds no pin: its pin was already released by /);
    expect(first).toMatch(at('unpin_user_pages', FILE));
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });

  it('a -errno count is caught before the kernel\'s WARN', () => {
    const { m, mm } = userBuffer(8 * KIB);
    const list = new Int32Array(2);
    const ret = pinUserPagesFast(mm, BASE + MIB, 2, 0, list); // no VMA there
    expect(ret).toBe(-EFAULT);
    const e = expectMisuse('errno-count', () => unpinFolios(m, list, ret));
    expect(e.message.split('\n')[0]).toBe(
      'unpin_folios: the count is -14 (-EFAULT), an error a GUP call returned: nothing is released and every pin it was meant to drop leaks',
    );
    expect(m.warnings).toEqual([]);
  });
});

describe('unpin_user_page under a per-page bio release', () => {
  it('the bio\'s release is the one recorded: a driver\'s unpin afterwards names bio_release_pages', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, FOLL_WRITE, pages)).toBe(2);
    const bio = bioAlloc(2, REQ_OP_READ);
    for (const p of pages) bioAddPage(m, bio, p, PAGE_SIZE, 0);
    bioSetFlag(bio, BIO_PAGE_PINNED);
    bioReleasePages(m, bio, true, 'page'); // v6.6-v6.11: unpin_user_page() per page
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
    const e = expectMisuse('double-release', () => unpinUserPage(m, 1));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^unpin_user_page: page 1 \(folio 1, order 0\) holds no pin: its pin was already released by /);
    expect(first).toMatch(at('bio_release_pages', FILE));
    expect([m.refcount[1], m.refcount[2]]).toEqual([1, 1]);
  });
});
