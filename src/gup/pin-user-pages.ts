/**
 * The FOLL_PIN page-array APIs of mm/gup.c: `pin_user_pages`, `pin_user_pages_remote`,
 * `pin_user_pages_unlocked`, `pin_user_pages_fast`.
 *
 * Faithful (v6.16+): pin_user_pages sets FOLL_PIN only (no FOLL_TOUCH), _remote
 * FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE, _unlocked FOLL_PIN | FOLL_TOUCH |
 * FOLL_UNLOCKABLE, all through __gup_longterm_locked, and answer 0 to invalid arguments;
 * pin_user_pages_fast sets FOLL_PIN, goes through gup_fast_fallback and answers -EINVAL.
 * The result is the pages pinned (possibly fewer than asked: release exactly those), or
 * -errno when none. The zero page may be among them, unpinned. The mm is explicit (the
 * kernel's non-remote variants use current->mm; `locked` is taken as NULL). Each call
 * counts one API call. Release with unpin_user_pages and friends (unpin.ts).
 * Arguments are checked as gup-entry-checks.ts says (ArgumentError for what C's types
 * rule out, the kernel's answer otherwise, an ArgumentError for a page array shorter
 * than the count).
 */
import { EINVAL } from '../mm/errno.js';
import { FOLL_PIN, FOLL_REMOTE, FOLL_TOUCH, FOLL_UNLOCKABLE } from '../mm/foll-flags.js';
import type { Mm } from '../mm/mm.js';
import { fastEntryFlags, slowEntryFlags } from './gup-entry-checks.js';
import { gupFastFallback } from './gup-fast-fallback.js';
import { gupLongtermLockedWalk } from './gup-longterm-locked.js';
import { slowNrPages, vpnOfStart } from './gup-range.js';
import { GupWalk } from './gup-walk.js';
import { PageArraySink, type PageArrayOut } from './page-array-sink.js';

function slowPin(fn: string, mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null, toSet: number): number {
  const flags = slowEntryFlags(fn, mm, start, nrPages, gupFlags, pages, toSet);
  if (flags < 0) return 0;
  const w = new GupWalk(mm, flags, new PageArraySink(mm.m, pages), pages !== null);
  return gupLongtermLockedWalk(w, vpnOfStart(start), slowNrPages(nrPages), 0);
}

/** `pin_user_pages(start, nr_pages, gup_flags, pages)`: pages pinned, -errno if none, 0 on bad arguments. */
export function pinUserPages(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return slowPin('pinUserPages', mm, start, nrPages, gupFlags, pages, FOLL_PIN);
}

/** `pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages, NULL)`. */
export function pinUserPagesRemote(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return slowPin('pinUserPagesRemote', mm, start, nrPages, gupFlags, pages, FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE);
}

/** `pin_user_pages_unlocked(start, nr_pages, pages, gup_flags)` (arguments in the model's order). */
export function pinUserPagesUnlocked(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return slowPin('pinUserPagesUnlocked', mm, start, nrPages, gupFlags, pages, FOLL_PIN | FOLL_TOUCH | FOLL_UNLOCKABLE);
}

/** `pin_user_pages_fast(start, nr_pages, gup_flags, pages)`: pages pinned, or -errno (-EINVAL on bad arguments). */
export function pinUserPagesFast(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  const flags = fastEntryFlags('pinUserPagesFast', mm, start, nrPages, gupFlags, pages, FOLL_PIN);
  if (flags < 0) return -EINVAL;
  return gupFastFallback(mm, start, nrPages, flags, new PageArraySink(mm.m, pages));
}
