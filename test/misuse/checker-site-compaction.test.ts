/**
 * The pin checker's call sites (not a kernel structure: the kernel's pages[] carries no
 * owner): every GUP call and every release records one; once 4096 are recorded, the
 * next one first drops those no page names any more, i.e. keeps the calls whose pins or
 * FOLL_GET references are still held and the releases still marked on a page (for a
 * later double-release report). A call dropped while its walk was still running (its
 * pages rolled back for migration, mm/gup.c check_and_migrate_movable_pages) is named
 * "an earlier call" in the leak report. Layout (driver-world.ts): PFNs 1, 2, 3 for an
 * order-0 buffer; CMA buffers at PFN 14336.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_LONGTERM,
  FOLL_PIN,
  NULL_PFN,
  PAGE_SIZE,
  PageArraySink,
  getUserPages,
  gupLongtermLocked,
  pageFolio,
  pfnZone,
  pinLeakReport,
  putPage,
  unpinUserPage,
  userWrite,
  type GupSink,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, MIB, at, userBuffer } from './driver-world.js';
import { mapAt } from '../support/mm-layout.js';

const FILE = 'checker-site-compaction.test.ts';
/** Where the first compaction happens: src/mm/pin-checker.ts COMPACT_AT. */
const COMPACT_AT = 4096;

/** Records call sites (one get_user_pages, one put_page per round on `addr`) until `target` are recorded. */
function recordSites(m: Machine, mm: Mm, addr: number, target: number): void {
  const c = m.checker!;
  const pages = new Int32Array(1);
  while (c.siteCount < target) {
    expect(getUserPages(mm, addr, 1, 0, pages)).toBe(1);
    putPage(m, pages[0]!);
  }
  expect(c.siteCount).toBe(target);
}

/** A page-array sink whose rollback releases what it drops with unpin_user_page(), as a driver's would. */
class UnpinningRollbackSink implements GupSink {
  readonly inner: PageArraySink;
  constructor(
    private readonly m: Machine,
    private readonly pages: Int32Array,
  ) {
    this.inner = new PageArraySink(m, pages);
  }
  room(folio: number, page: number, nr: number): number {
    return this.inner.room(folio, page, nr);
  }
  add(folio: number, page: number, nr: number): void {
    this.inner.add(folio, page, nr);
  }
  rollback(_gupFlags: number, keep: number): void {
    for (let i = keep; i < this.inner.nr; i++) {
      unpinUserPage(this.m, this.pages[i]!);
      this.pages[i] = NULL_PFN;
    }
    this.inner.nr = keep;
  }
}

describe('call sites the checker keeps', () => {
  it('compaction keeps the calls whose references are held and the releases still marked, and only those', () => {
    const { m, mm, addr } = userBuffer(12 * KIB); // PFNs 1, 2, 3
    const c = m.checker!;
    const held = new Int32Array(1);
    expect(getUserPages(mm, addr, 1, 0, held)).toBe(1); // page 1, kept to the end
    const once = new Int32Array(1);
    expect(getUserPages(mm, addr + 2 * PAGE_SIZE, 1, 0, once)).toBe(1); // page 3
    putPage(m, 3); // page 3: its call holds nothing, its release is marked
    expect(c.siteCount).toBe(3);
    recordSites(m, mm, addr + PAGE_SIZE, COMPACT_AT - 1); // rounds on page 2
    const last = new Int32Array(1);
    expect(getUserPages(mm, addr + PAGE_SIZE, 1, 0, last)).toBe(1);
    expect(c.siteCount).toBe(COMPACT_AT);
    putPage(m, 2); // records site 4097: compaction first
    // Kept: page 1's call, page 3's release, page 2's last call (the put's release
    // site is recorded after); dropped: page 3's call and every earlier round.
    expect(c.siteCount).toBe(4);
    expect(pinLeakReport(c)).toEqual([
      expect.stringMatching(
        new RegExp(`^1 FOLL_GET reference\\(s\\) taken by ${at('get_user_pages', FILE).source} on mm ${mm.id}: pages 1 \\(folio 1\\)$`),
      ),
    ]);
    putPage(m, 1);
    expect(pinLeakReport(c)).toEqual([]);
  });

  it('a long-term call whose site was dropped during its migration retry is "an earlier call"', () => {
    const { m, mm, addr } = userBuffer(4 * KIB, { zone: 'cma' }); // PFN 14336
    const c = m.checker!;
    const other = addr + 1 * MIB;
    mapAt(mm, other, 8 * KIB);
    expect(userWrite(mm, other, 8 * KIB, 2)).toBe(0);
    const two = new Int32Array(2);
    expect(getUserPages(mm, other, 2, 0, two)).toBe(2);
    putPage(m, two[0]!);
    putPage(m, two[1]!);
    expect(c.siteCount).toBe(3);
    recordSites(m, mm, other, COMPACT_AT - 1);
    // The walk's site is number 4096; the rollback's unpin_user_page records the next
    // one, compacting while the walk holds nothing; the retry pins the migrated page.
    const pages = new Int32Array(1);
    expect(gupLongtermLocked(mm, addr, 1, FOLL_PIN | FOLL_LONGTERM, new UnpinningRollbackSink(m, pages))).toBe(1);
    const p = pages[0]!;
    expect(pfnZone(m, p).name).toBe('normal');
    expect(m.refcount[pageFolio(m, p)]).toBe(1 + 1024);
    expect(pinLeakReport(c)).toEqual([`1 pin(s) taken by an earlier call: pages ${p} (folio ${p})`]);
    unpinUserPage(m, p);
    expect(pinLeakReport(c)).toEqual([]);
  });
});
