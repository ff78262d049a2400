/**
 * What the pin checker verifies in GUP sinks and the long-term path: a rollback must
 * release every page it drops (mm/gup.c migrate_longterm_unpinnable_folios), and a
 * FOLL_LONGTERM call returns no pin on memory that is not long-term pinnable
 * (check_and_migrate_movable_pages, folio_is_longterm_pinnable). Plus the PinMisuse
 * object itself. Layout: CMA buffers at PFN 14336 (driver-world.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  FOLL_LONGTERM,
  FOLL_PIN,
  GupWalk,
  PageArraySink,
  PinMisuse,
  pageAt,
  pfnZone,
  getUserPagesLocked,
  gupLongtermLocked,
  pinLeakReport,
  pinUserPagesFast,
  putPage,
  unpinUserPage,
  unpinUserPages,
  userWrite,
  vpnOf,
  type GupSink,
  type Machine,
} from '../../src/index.js';
import { CheckedSink } from '../../src/gup/checked-sink.js';
import { BASE, KIB, MIB, expectMisuse, releaseLeftovers, userBuffer } from './driver-world.js';
import { mapAt } from '../support/mm-layout.js';

/** A page-array sink whose rollback forgets to release what it drops. */
class LeakyRollbackSink implements GupSink {
  readonly inner: PageArraySink;
  constructor(m: Machine, pages: Int32Array) {
    this.inner = new PageArraySink(m, pages);
  }
  room(folio: number, page: number, nr: number): number {
    return this.inner.room(folio, page, nr);
  }
  add(folio: number, page: number, nr: number): void {
    this.inner.add(folio, page, nr);
  }
  rollback(): void {
    this.inner.nr = 0; // forgets the pages without unpinning them
  }
}

describe('what GUP sinks owe the walk', () => {
  it('a rollback that releases nothing is reported once the long-term call returns', () => {
    const { m, mm, addr } = userBuffer(8 * KIB, { zone: 'cma' }); // PFNs 14336, 14337
    const pages = new Int32Array(2);
    const e = expectMisuse('rollback-leak', () => gupLongtermLocked(mm, addr, 2, FOLL_PIN | FOLL_LONGTERM, new LeakyRollbackSink(m, pages)));
    expect(e.message.split('\n')[0]).toBe(
      "gup_sink_rollback: the sink's rollback to 0 page(s) left 1 of the 1 hold(s) it dropped on page 14336 (folio 14336, order 0)",
    );
    expect(m.refcount[14336]).toBe(1025); // still pinned, so it could not migrate
    // The throw came after memalloc_pin_restore: a fault allocates from CMA again.
    mapAt(mm, BASE + MIB, 4 * KIB, { zone: 'cma' });
    expect(userWrite(mm, BASE + MIB, 4 * KIB, 9)).toBe(0);
    expect(pfnZone(m, pageAt(mm.pt, vpnOf(BASE + MIB))).name).toBe('cma');
    expect(releaseLeftovers(m)).toEqual({ pins: 2, gets: 0 });
  });

  it('a long-term pin that skipped the migration step is caught by the end-of-call check', () => {
    const { m, mm, addr } = userBuffer(8 * KIB, { zone: 'cma' });
    const pages = new Int32Array(2);
    // __get_user_pages_locked without __gup_longterm_locked around it: nothing migrates.
    const w = new GupWalk(mm, FOLL_PIN | FOLL_LONGTERM, new PageArraySink(m, pages), true);
    expect(getUserPagesLocked(w, vpnOf(addr), 2)).toBe(2);
    const e = expectMisuse('longterm-unpinnable', () => (w.sink as CheckedSink).walkDone(0));
    expect(e.message.split('\n')[0]).toMatch(
      /^gup_longterm_locked: the FOLL_LONGTERM call .* returned page 14336 \(folio 14336, order 0\) pinned in zone cma$/,
    );
    unpinUserPages(m, pages, 2);
  });

  it('the model\'s own long-term path passes the check, and an error leaves nothing behind', () => {
    const { m, mm, addr } = userBuffer(8 * KIB, { zone: 'cma' });
    const pages = new Int32Array(3);
    expect(pinUserPagesFast(mm, addr, 2, FOLL_LONGTERM, pages)).toBe(2);
    unpinUserPages(m, pages, 2);
    expect(pinUserPagesFast(mm, addr + MIB, 1, FOLL_LONGTERM, pages)).toBe(-EFAULT);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });
});

it('PinMisuse carries the rule, the API and the subject', () => {
  const { m, mm, addr } = userBuffer(4 * KIB);
  const pages = new Int32Array(1);
  expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1);
  const e = expectMisuse('put-page-on-pin', () => putPage(m, 1));
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('PinMisuse');
  expect([e.rule, e.api, e.page, e.folio]).toEqual(['put-page-on-pin', 'put_page', 1, 1]);
  expect(e).toBeInstanceOf(PinMisuse);
  unpinUserPage(m, 1);
});
