/**
 * The GUP walk's sink on a checked machine: it forwards to the caller's sink and tells
 * the pin checker which pages each GUP call handed out, and to whom. Not a kernel
 * structure; the kernel's `pages[]` carries no owner.
 *
 * GupWalk wraps every sink in one of these when `m.checker` is set (one per GUP call,
 * with the call site captured once). It also checks what a sink owes the walk: a
 * rollback must release exactly the pages it drops (mm/gup.c
 * migrate_longterm_unpinnable_folios), and a FOLL_LONGTERM call must return no pin on
 * memory that is not long-term pinnable (check_and_migrate_movable_pages).
 */
import { FOLL_GET, FOLL_LONGTERM, FOLL_PIN } from '../mm/foll-flags.js';
import { folioIsLongtermPinnable, pageFolio } from '../mm/folio.js';
import { HOLD_GET, HOLD_PIN, type PinChecker } from '../mm/pin-checker.js';
import type { PinMisuse } from '../mm/pin-misuse.js';
import { describePage } from '../mm/pin-release-plan.js';
import type { GupSink } from './gup-sink.js';
import type { GupWalk } from './gup-walk.js';

export class CheckedSink implements GupSink {
  /** The GUP call's site. */
  readonly site: number;
  /** What this call added and still holds, in order: first page, count, HOLD_*, flags. */
  private readonly runs: number[] = [];
  /** A rollback that failed, reported once the walk has left its allocation scope. */
  private deferred: PinMisuse | null = null;

  constructor(
    private readonly c: PinChecker,
    private readonly w: GupWalk,
    readonly inner: GupSink,
  ) {
    this.site = c.newSite(null, w.mm.id);
  }

  room(folio: number, page: number, nr: number): number {
    return this.inner.room(folio, page, nr);
  }

  add(folio: number, page: number, nr: number): void {
    this.inner.add(folio, page, nr);
    const flags = this.w.flags;
    const kind = (flags & FOLL_PIN) !== 0 ? HOLD_PIN : (flags & FOLL_GET) !== 0 ? HOLD_GET : 0;
    if (kind === 0) return;
    this.c.annotate(folio, page, nr, kind, this.site);
    this.runs.push(page, nr, kind, flags);
  }

  rollback(gupFlags: number, keep: number): void {
    const c = this.c;
    const m = c.m;
    const runs = this.runs;
    // Runs within the first `keep` pages stay, one straddling it is cut; the rest go.
    const kept: number[] = [];
    const expect = new Map<number, number>();
    let seen = 0;
    for (let r = 0; r < runs.length; r += 4) {
      const first = runs[r]!;
      const nr = runs[r + 1]!;
      const kind = runs[r + 2]!;
      const stay = Math.min(nr, Math.max(0, keep - seen));
      if (stay > 0) kept.push(first, stay, kind, runs[r + 3]!);
      for (let p = first + stay; p < first + nr; p++) {
        const f = pageFolio(m, p);
        c.unannotate(f, p, kind);
        expect.set(f, (expect.get(f) ?? 0) + 1);
      }
      seen += nr;
    }
    runs.length = 0;
    for (const x of kept) runs.push(x);
    const exact = (gupFlags & FOLL_PIN) !== 0 ? c.folioPins : c.folioGets;
    const before = new Map<number, number>();
    for (const f of expect.keys()) before.set(f, exact[f]!);
    this.inner.rollback(gupFlags, keep);
    for (const [f, n] of expect) {
      const left = exact[f]! - (before.get(f)! - n);
      if (left > 0 && this.deferred === null) {
        try {
          c.fail('rollback-leak', 'gup_sink_rollback', f, f, [
            `the sink's rollback to ${keep} page(s) left ${left} of the ${n} hold(s) it dropped on ${describePage(c, f, f)}`,
            `the walk's call: ${c.siteText(this.site)}`,
          ]);
        } catch (e) {
          this.deferred = e as PinMisuse;
        }
      }
    }
  }

  /**
   * End of __gup_longterm_locked (after memalloc_pin_restore, so a throw leaves no
   * scope behind): reports a failed rollback, then, if the call succeeded (`rc` 0),
   * checks its long-term pins.
   */
  walkDone(rc: number): void {
    if (this.deferred !== null) throw this.deferred;
    if (rc === 0) this.checkLongterm();
  }

  /** After a FOLL_LONGTERM call: no pin it returns may sit on unpinnable memory. */
  checkLongterm(): void {
    const c = this.c;
    const m = c.m;
    const runs = this.runs;
    for (let r = 0; r < runs.length; r += 4) {
      if (runs[r + 2] !== HOLD_PIN || (runs[r + 3]! & FOLL_LONGTERM) === 0) continue;
      const page = runs[r]!;
      const f = pageFolio(m, page);
      if (c.folioPins[f]! > 0 && !folioIsLongtermPinnable(m, f))
        c.fail('longterm-unpinnable', 'gup_longterm_locked', page, f, [
          `the FOLL_LONGTERM call ${c.siteText(this.site)} returned ${describePage(c, page, f)} pinned in zone ${zoneOf(c, f)}`,
        ]);
    }
  }
}

function zoneOf(c: PinChecker, folio: number): string {
  for (const z of c.m.zones) if (folio >= z.start && folio < z.end) return z.name;
  return '?';
}
