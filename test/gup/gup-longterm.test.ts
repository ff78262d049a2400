/**
 * FOLL_LONGTERM, worked from mm/gup.c __gup_longterm_locked /
 * check_and_migrate_movable_pages / migrate_longterm_unpinnable_folios,
 * try_grab_folio_fast and gup_fast_fallback (v6.16+): CMA and ZONE_MOVABLE folios are
 * migrated (new PFN, data kept, vmstat counting every pin and unpin of each attempt),
 * a migration failure returns -ENOMEM with nothing of the slow path left pinned while
 * GUP-fast's prefix stays, allocations inside the pin avoid CMA (memalloc_pin_save),
 * and a R/O long-term pin of a private file page breaks COW early (gup_must_unshare).
 *
 * Machine: 64 MiB with 8 MiB of CMA (PFNs 14336..16383) or of ZONE_MOVABLE; normal
 * allocations are next-fit from PFN 1, CMA/movable ones from 14336.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  FOLL_LONGTERM,
  FOLL_PIN,
  KernelBug,
  gupLongtermLocked,
  type GupSink,
  FOLL_WRITE,
  PG_ALLOCATED,
  costDiff,
  costSnapshot,
  getUserPagesFast,
  pageAt,
  pfnZone,
  pinUserPages,
  pinUserPagesFast,
  putPage,
  unpinUserPages,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
  type Mm,
  type ZoneName,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const ZONE_START = 14336;

function zoneWorld(zone: ZoneName) {
  return world(zone === 'cma' ? { cmaBytes: 8 * MIB } : { movableBytes: 8 * MIB });
}

function writeTags(mm: Mm, addr: number, tags: number[]): void {
  tags.forEach((t, i) => expect(userWrite(mm, addr + i * 4096, 4096, t)).toBe(0));
}

describe.each<ZoneName>(['cma', 'movable'])('long-term pin of %s pages: migrated first', (zone) => {
  it('pin_user_pages_fast: GUP-fast refuses, the slow path pins, unpins, migrates, pins again', () => {
    const { m, mm } = zoneWorld(zone);
    mapAt(mm, BASE, 16 * KIB, { zone });
    writeTags(mm, BASE, [10, 11, 12, 13]);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(ZONE_START);
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4]);
    expect(pfnZone(m, pages[0]!).name).toBe('normal');
    expect(Array.from(pages, (p) => m.content[p])).toEqual([10, 11, 12, 13]);
    expect(userReadTags(mm, BASE, 16 * KIB)).toEqual(new Int32Array([10, 11, 12, 13]));
    expect(m.flags[ZONE_START]! & PG_ALLOCATED).toBe(0); // the old folios are free
    // Four pins in the first attempt, four unpins before migrating, four pins in the retry.
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 8, nrFollPinReleased: 4, pgmigrateSuccess: 4, pgmigrateFail: 0 });
    // GUP-fast: 1 walk; slow path: 4 follow_page_mask per attempt, two attempts.
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ fastPathFallbacks: 1, walkRestarts: 9, faults: 0 });
    expect(m.refcount[1]).toBe(1 + 1024);
    unpinUserPages(m, pages, 4);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 8, nrFollPinReleased: 8 });
  });

  it('pin_user_pages of a PMD-mapped THP: the whole 2 MiB folio moves', () => {
    const { m, mm } = zoneWorld(zone);
    mapAt(mm, BASE, 2 * MIB, { zone, order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB, 4)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(ZONE_START);
    const pages = new Int32Array(512);
    expect(pinUserPages(mm, BASE, 512, FOLL_LONGTERM, pages)).toBe(512);
    expect([pages[0], pages[511]]).toEqual([512, 1023]);
    expect(m.pincount[512]).toBe(512);
    expect(m.content[1000]).toBe(4);
    expect(m.entireMapcount[512]).toBe(1);
    // Attempt 1 pinned 512 pages; the rollback released them one unpin_folio per entry.
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 1024, nrFollPinReleased: 512, pgmigrateSuccess: 512 });
    unpinUserPages(m, pages, 512);
  });
});

describe('migration failure and the GUP-fast prefix', () => {
  it('a CMA page held by someone else cannot migrate: -ENOMEM and nothing left pinned', () => {
    const { m, mm } = zoneWorld('cma');
    mapAt(mm, BASE, 16 * KIB, { zone: 'cma' });
    writeTags(mm, BASE, [1, 2, 3, 4]);
    const held = new Int32Array(1);
    expect(getUserPagesFast(mm, BASE, 1, 0, held)).toBe(1); // a FOLL_GET reference on PFN 14336
    const pages = new Int32Array(4);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM, pages)).toBe(-ENOMEM);
    // migrate_pages moved the three it could; the held one stays in CMA and mapped.
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 4, nrFollPinReleased: 4, pgmigrateSuccess: 3, pgmigrateFail: 1 });
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(ZONE_START);
    expect(pageAt(mm.pt, vpnOf(BASE) + 1)).toBe(1);
    expect(m.refcount[ZONE_START]).toBe(2);
    putPage(m, held[0]!);
  });

  it('normal pages then CMA pages: GUP-fast\'s prefix is kept across the migration retry', () => {
    const { m, mm } = zoneWorld('cma');
    mapAt(mm, BASE, 8 * KIB);
    mapAt(mm, BASE + 8 * KIB, 8 * KIB, { zone: 'cma' });
    writeTags(mm, BASE, [1, 2, 3, 4]); // PFNs 1, 2, 14336, 14337
    const pages = new Int32Array(4);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4]);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1025, 1025]); // pinned once each
    // Fast: 2; slow attempt 1: 2, released; slow attempt 2: 2.
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 6, nrFollPinReleased: 2, pgmigrateSuccess: 2 });
    unpinUserPages(m, pages, 4);
  });

  it('... and when that migration fails, pin_user_pages_fast returns the prefix', () => {
    const { m, mm } = zoneWorld('cma');
    mapAt(mm, BASE, 8 * KIB);
    mapAt(mm, BASE + 8 * KIB, 8 * KIB, { zone: 'cma' });
    writeTags(mm, BASE, [1, 2, 3, 4]);
    const held = new Int32Array(1);
    expect(getUserPagesFast(mm, BASE + 8 * KIB, 1, 0, held)).toBe(1);
    const pages = new Int32Array(4);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM, pages)).toBe(2);
    expect(Array.from(pages.subarray(0, 2))).toEqual([1, 2]);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 4, nrFollPinReleased: 2, pgmigrateFail: 1, pgmigrateSuccess: 1 });
    unpinUserPages(m, pages, 2);
    putPage(m, held[0]!);
  });
});

describe('allocations inside a long-term pin avoid CMA (memalloc_pin_save)', () => {
  it('faulting a CMA-policy mapping during FOLL_LONGTERM allocates from ZONE_NORMAL: nothing to migrate', () => {
    const { m, mm } = zoneWorld('cma');
    mapAt(mm, BASE, 16 * KIB, { zone: 'cma' });
    const pages = new Int32Array(4);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(4);
    expect(Array.from(pages)).toEqual([1, 2, 3, 4]);
    expect(vmstat(m).pgmigrateSuccess).toBe(0);
    unpinUserPages(m, pages, 4);
    // Outside the pin scope the same mapping allocates from CMA again.
    mapAt(mm, BASE + 16 * KIB, 4 * KIB, { zone: 'cma' });
    expect(pinUserPagesFast(mm, BASE + 16 * KIB, 1, FOLL_WRITE, pages)).toBe(1);
    expect(pages[0]).toBe(ZONE_START);
    unpinUserPages(m, pages, 1);
  });
});

describe('the pin scope ends when a long-term walk throws', () => {
  it('a KernelBug from the sink inside __gup_longterm_locked: later faults allocate from CMA again', () => {
    const { m, mm } = zoneWorld('cma');
    mapAt(mm, BASE, 4 * KIB, { zone: 'cma' });
    // Throws where the walk asks for room, after the fault and before any grab: nothing is held.
    const broken: GupSink = {
      room: () => {
        throw new KernelBug('sink broke');
      },
      add: () => undefined,
      rollback: () => undefined,
    };
    expect(() => gupLongtermLocked(mm, BASE, 1, FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE, broken)).toThrow(KernelBug);
    expect(pfnZone(m, pageAt(mm.pt, vpnOf(BASE))).name).toBe('normal'); // faulted inside the scope
    mapAt(mm, BASE + MIB, 4 * KIB, { zone: 'cma' });
    expect(userWrite(mm, BASE + MIB, 4 * KIB, 9)).toBe(0);
    expect(pfnZone(m, pageAt(mm.pt, vpnOf(BASE + MIB))).name).toBe('cma');
  });
});

describe('R/O long-term pins of file pages (gup_must_unshare, non-anonymous case)', () => {
  it('private file mapping: COW is broken early, the pin holds an anonymous copy', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { backing: 'ext4' });
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([0])); // page cache folio at PFN 1
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_LONGTERM, pages)).toBe(1);
    expect(pages[0]).toBe(2);
    // GUP-fast pinned the page-cache page before gup_must_unshare(NULL, ...) sent it back.
    expect(vmstat(m)).toMatchObject({ unshareFaults: 1, nrFollPinAcquired: 2, nrFollPinReleased: 1 });
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(2);
    unpinUserPages(m, pages, 1);
    // A short-term R/O pin would have taken the page-cache page itself.
    mapAt(mm, BASE + 4 * KIB, 4 * KIB, { backing: 'ext4' });
    expect(userReadTags(mm, BASE + 4 * KIB, 4096)).toEqual(new Int32Array([0])); // PFN 3
    expect(pinUserPagesFast(mm, BASE + 4 * KIB, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(3);
    unpinUserPages(m, pages, 1);
  });

  it('shared file mapping: no unsharing, the page-cache page is pinned', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { backing: 'ext4', shared: true });
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([0]));
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_LONGTERM, pages)).toBe(1);
    expect(pages[0]).toBe(1);
    expect(vmstat(m).unshareFaults).toBe(0);
    unpinUserPages(m, pages, 1);
  });
});
