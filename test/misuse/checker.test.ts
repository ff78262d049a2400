/**
 * The pin checker itself (src/mm/pin-checker.ts and its hooks): what it costs the model
 * (nothing: same counts with it on or off) and the edges of its page accounting
 * (per-folio counts as in mm/gup.c gup_put_folio, folio-level releases, the zero page,
 * holds taken below the walk, forgotten call sites). Values worked by hand from the
 * layout in driver-world.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_WRITE,
  KernelBug,
  NULL_PFN,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
  PageArraySink,
  PinMisuse,
  REQ_OP_READ,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  costSnapshot,
  createMachine,
  createMm,
  enablePinChecker,
  exitMmap,
  folioAddPin,
  tryGrabFolio,
  getUserPages,
  getUserPagesRemote,
  gupFastFallback,
  gupPutFolio,
  mmap,
  munmap,
  pinLeakReport,
  pinUserPages,
  pinUserPagesFast,
  pinUserPagesUnlocked,
  releasePages,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  userWrite,
  vmstat,
  type Machine,
} from '../../src/index.js';
import { BASE, KIB, MIB, at, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';
import { untrack } from '../support/machines.js';

const FILE = 'checker.test.ts';

/** A correct program touching every hook: page arrays, FOLL_GET, THP, CMA migration, bios, partial pins, munmap, exit. */
function everyHook(m: Machine): void {
  const mm = createMm(m);
  const map = (addr: number, bytes: number, order: number, zone: 'normal' | 'cma') =>
    expect(
      mmap(mm, { addr, length: bytes, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, order, zone }),
    ).toBe(addr);
  map(BASE, 16 * KIB, 0, 'normal');
  map(BASE + 2 * MIB, 2 * MIB, 9, 'normal');
  map(BASE + 8 * MIB, 8 * KIB, 0, 'cma');
  expect(userWrite(mm, BASE, 16 * KIB, 3)).toBe(0);
  expect(userWrite(mm, BASE + 2 * MIB, 2 * MIB, 4)).toBe(0);
  expect(userWrite(mm, BASE + 8 * MIB, 8 * KIB, 5)).toBe(0);
  const pages = new Int32Array(512);
  expect(pinUserPagesFast(mm, BASE, 4, FOLL_WRITE, pages)).toBe(4);
  unpinUserPagesDirtyLock(m, pages, 4, true);
  expect(getUserPages(mm, BASE, 2, 0, pages)).toBe(2);
  releasePages(m, pages, 2);
  expect(pinUserPages(mm, BASE + 2 * MIB, 512, FOLL_LONGTERM, pages)).toBe(512);
  unpinUserPages(m, pages, 512);
  expect(pinUserPagesFast(mm, BASE + 8 * MIB, 2, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(2); // migrated out of CMA
  unpinUserPages(m, pages, 2);
  expect(pinUserPagesFast(mm, BASE, 5, FOLL_WRITE, pages)).toBe(4); // partial: the 5th page has no VMA
  const bio = bioAlloc(4, REQ_OP_READ);
  for (let i = 0; i < 4; i++) bioAddPage(m, bio, pages[i]!, PAGE_SIZE, 0);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  bioReleasePages(m, bio, true);
  expect(pinUserPagesFast(mm, BASE, 2, 0, pages)).toBe(2);
  expect(munmap(mm, BASE, 16 * KIB)).toBe(0);
  unpinUserPages(m, pages, 2);
  exitMmap(mm);
}

describe('the checker costs the model nothing', () => {
  it('the same program leaves identical memmap, vmstat, cost counters and warnings with it on and off', () => {
    const off = createMachine({ memoryBytes: 64 * MIB, cmaBytes: 8 * MIB });
    const on = createMachine({ memoryBytes: 64 * MIB, cmaBytes: 8 * MIB });
    enablePinChecker(on);
    everyHook(off);
    everyHook(on);
    for (const k of ['refcount', 'pincount', 'order', 'flags', 'mapcount', 'entireMapcount', 'mapping', 'content'] as const)
      expect(on[k]).toEqual(off[k]);
    expect(vmstat(on)).toEqual(vmstat(off));
    expect(costSnapshot(on.cost)).toEqual(costSnapshot(off.cost));
    expect(on.warnings).toEqual(off.warnings);
    expect(pinLeakReport(on.checker!)).toEqual([]);
  });

  it('is off unless enabled, and refuses to start with pins in flight', () => {
    const m = createMachine({ memoryBytes: 64 * MIB });
    expect(m.checker).toBeNull();
    const mm = createMm(m);
    expect(mmap(mm, { addr: BASE, length: 4 * KIB, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED })).toBe(BASE);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, 0, pages)).toBe(1);
    expect(() => enablePinChecker(m)).toThrow(TypeError);
    unpinUserPage(m, pages[0]!);
    expect(enablePinChecker(m)).toBe(m.checker);
    expect(createMachine({ memoryBytes: 64 * MIB, checked: true }).checker).not.toBeNull();
  });
});

describe('page accounting', () => {
  it('forgets the call sites nothing refers to, and keeps the ones a held page names', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const held = new Int32Array(1);
    const scratch = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, held)).toBe(1); // held throughout
    for (let i = 0; i < 5000; i++) {
      // 10,000 sites (a pin and a release each): past the 4096 that trigger a compaction.
      expect(pinUserPagesFast(mm, addr + 4 * KIB, 1, 0, scratch)).toBe(1);
      unpinUserPage(m, 2);
    }
    expect(m.checker!.siteCount).toBeLessThan(4096);
    expect(pinLeakReport(m.checker!)).toEqual([expect.stringMatching(new RegExp(`^1 pin\\(s\\) taken by ${at('pin_user_pages_fast', FILE).source} on mm \\d+: pages 1 \\(folio 1\\)$`))]);
    const e = expectMisuse('double-release', () => unpinUserPage(m, 2));
    expect(e.message.split('\n')[0]).toMatch(at('unpin_user_page', FILE));
    unpinUserPage(m, 1);
  });

  it('keeps every site a held page names past the compaction threshold, and scans again only at twice what it kept', () => {
    // 5000 one-page pins of PFNs 1..5000, all held. The compaction at 4096 sites keeps
    // all 4096 (every one names a held page), so the next waits for 8192 sites.
    const { m, mm, addr } = userBuffer(5000 * 4 * KIB);
    const one = new Int32Array(1);
    const held: number[] = [];
    for (let i = 0; i < 5000; i++) {
      expect(pinUserPagesFast(mm, addr + i * 4 * KIB, 1, 0, one)).toBe(1);
      held.push(one[0]!);
    }
    expect(m.checker!.siteCount).toBe(5000);
    // Releases add one site each: 8192 after 3192 of them. The 3193rd compacts first:
    // 1808 pin sites of pages still held and 3192 release sites are named, 5000 kept,
    // next threshold 10000; then the last 1808 releases add theirs: 5000 + 1808.
    for (const p of held) unpinUserPage(m, p);
    expect(m.checker!.siteCount).toBe(6808);
    expect(pinUserPagesFast(mm, addr, 1, 0, one)).toBe(1);
    expect(m.checker!.siteCount).toBe(6809);
    unpinUserPage(m, one[0]!);
  });


  it('names each entry point in its reports, from the call site', () => {
    const { m, mm, addr } = userBuffer(16 * KIB); // PFNs 1..4
    const pages = new Int32Array(4);
    expect(getUserPagesRemote(mm, addr, 1, 0, pages)).toBe(1);
    expect(pinUserPagesUnlocked(mm, addr + 4 * KIB, 1, 0, pages.subarray(1))).toBe(1);
    expect(gupFastFallback(mm, addr + 8 * KIB, 2, FOLL_PIN, new PageArraySink(m, pages.subarray(2)))).toBe(2);
    const report = pinLeakReport(m.checker!);
    expect(report).toHaveLength(3);
    // One line per call, in the order of their first page.
    expect(report[0]).toMatch(new RegExp(`^1 FOLL_GET reference\\(s\\) taken by ${at('get_user_pages_remote', FILE).source} on mm \\d+: pages 1 \\(folio 1\\)$`));
    expect(report[1]).toMatch(new RegExp(`^1 pin\\(s\\) taken by ${at('pin_user_pages_unlocked', FILE).source} on mm \\d+: pages 2 \\(folio 2\\)$`));
    expect(report[2]).toMatch(new RegExp(`^2 pin\\(s\\) taken by ${at('gup_fast_fallback', FILE).source} on mm \\d+: pages 3-4 \\(folios 3-4\\)$`));
    expect(releaseLeftovers(m)).toEqual({ pins: 3, gets: 1 });
  });

  it('a folio-level release takes the lowest pages; the other caller\'s page-level release still balances', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 }); // folio 16..31
    const a = new Int32Array(2);
    const b = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr + 4 * PAGE_SIZE, 2, 0, a)).toBe(2); // pages 20, 21
    expect(pinUserPagesFast(mm, addr, 2, 0, b)).toBe(2); // pages 16, 17
    unpinUserFolio(m, 16, 2); // a's release, folio-level: the checker cannot tell it is 20-21
    unpinUserPages(m, b, 2); // b's pages: blurred, but the folio still holds two pins
    expect([m.refcount[16], m.pincount[16]]).toEqual([16, 0]);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('a NULL entry the kernel would dereference is left to the model\'s oops, and nothing is recorded', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1);
    expect(() => unpinUserPages(m, [pages[0]!, NULL_PFN], 2)).toThrow(KernelBug);
    expect(() => unpinUserPagesDirtyLock(m, [NULL_PFN, pages[0]!], 2, true)).toThrow(KernelBug);
    unpinUserPage(m, pages[0]!); // still held, and known to be
  });

  it('unpinning the head page for a tail page\'s pin balances, as in the kernel', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr + 5 * PAGE_SIZE, 1, 0, pages)).toBe(1); // page 21
    unpinUserPage(m, 16);
    expect(m.pincount[16]).toBe(0);
  });

  it('a second unpin of a page is a double release even while its folio holds other pins', () => {
    const { m, mm, addr } = userBuffer(64 * KIB, { order: 4 });
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, 0, pages)).toBe(2); // pages 16, 17
    unpinUserPage(m, 16);
    const e = expectMisuse('double-release', () => unpinUserPage(m, 16));
    expect(e.message.split('\n')[1]).toBe('  folio 16 still holds 1 pin(s), on other pages (the kernel would take one of theirs):');
    unpinUserPage(m, 17);
  });

  it('a pin of the zero page is owed an unpin although the kernel takes none', () => {
    const { m, mm, addr } = userBuffer(4 * KIB, { present: 0 }); // never written: reads map the zero page
    const pages = new Int32Array(1);
    expect(pinUserPages(mm, addr, 1, 0, pages)).toBe(1);
    expect([pages[0], m.refcount[0], vmstat(m).nrFollPinAcquired]).toEqual([0, 1, 0]);
    expect(pinLeakReport(m.checker!)[0]).toMatch(/^1 pin\(s\) taken by pin_user_pages\(\) at .* pages 0 \(folio 0\)$/);
    unpinUserPages(m, pages, 1);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('holds taken below the walk (try_grab_folio, folio_add_pin) are reported per folio', () => {
    const { m } = userBuffer(4 * KIB); // PFN 1
    expect(tryGrabFolio(m, 1, 1, FOLL_PIN)).toBe(0);
    folioAddPin(m, 1);
    expect(pinLeakReport(m.checker!)).toEqual([
      'folio 1 (order 0): 2 pin(s) taken outside a GUP walk (try_grab_folio / folio_add_pin(s))',
    ]);
    unpinUserPage(m, 1); // page-named, matched against the folio's unattributed pins
    gupPutFolio(m, 1, 1, FOLL_PIN);
    expect(m.refcount[1]).toBe(1);
    expect(() => gupPutFolio(m, 1, 1, FOLL_PIN)).toThrow(PinMisuse); // nothing left to put
    expect(pinLeakReport(m.checker!)).toEqual([]);
    untrack(m); // vmstat: released runs one ahead, folio_add_pin counts no acquire (kernel quirk)
  });
});
