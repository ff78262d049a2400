/**
 * The FOLL_GET page-array APIs of mm/gup.c: `get_user_pages`,
 * `get_user_pages_remote`, `get_user_pages_unlocked`, `get_user_pages_fast`,
 * `get_user_pages_fast_only`.
 *
 * Faithful (v6.16+): is_valid_gup_args with the flags each wrapper sets
 * (get_user_pages: FOLL_TOUCH; _remote: FOLL_TOUCH | FOLL_REMOTE; _unlocked:
 * FOLL_TOUCH | FOLL_UNLOCKABLE; _fast: FOLL_GET; _fast_only: FOLL_GET | FOLL_FAST_ONLY),
 * -EINVAL on invalid arguments, then the slow path (__get_user_pages_locked, which adds
 * FOLL_GET when a page array is given) or gup_fast_fallback. Each takes the mm
 * explicitly (the kernel's non-remote variants use current->mm; the `locked` argument
 * of _remote is taken as NULL). `pages` may be null where the kernel allows NULL
 * (fault-in only). Each call counts one API call. Release with put_page /
 * release_pages (put-page.ts). Arguments are checked as gup-entry-checks.ts says
 * (ArgumentError for what C's types rule out, the kernel's errno otherwise, an
 * ArgumentError for a page array shorter than the count).
 */
import { EINVAL } from '../mm/errno.js';
import { FOLL_FAST_ONLY, FOLL_GET, FOLL_REMOTE, FOLL_TOUCH, FOLL_UNLOCKABLE } from '../mm/foll-flags.js';
import type { Mm } from '../mm/mm.js';
import { getUserPagesLocked } from './get-user-pages-locked.js';
import { fastEntryFlags, slowEntryFlags } from './gup-entry-checks.js';
import { gupFastFallback } from './gup-fast-fallback.js';
import { slowNrPages, vpnOfStart } from './gup-range.js';
import { GupWalk } from './gup-walk.js';
import { PageArraySink, type PageArrayOut } from './page-array-sink.js';

function slowGet(fn: string, mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null, toSet: number): number {
  const flags = slowEntryFlags(fn, mm, start, nrPages, gupFlags, pages, toSet);
  if (flags < 0) return -EINVAL;
  const w = new GupWalk(mm, flags, new PageArraySink(mm.m, pages), pages !== null);
  return getUserPagesLocked(w, vpnOfStart(start), slowNrPages(nrPages));
}

function fastGet(fn: string, mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null, toSet: number): number {
  const flags = fastEntryFlags(fn, mm, start, nrPages, gupFlags, pages, toSet);
  if (flags < 0) return -EINVAL;
  return gupFastFallback(mm, start, nrPages, flags, new PageArraySink(mm.m, pages));
}

/** `get_user_pages(start, nr_pages, gup_flags, pages)`: pages taken, or -errno if none. */
export function getUserPages(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return slowGet('getUserPages', mm, start, nrPages, gupFlags, pages, FOLL_TOUCH);
}

/** `get_user_pages_remote(mm, start, nr_pages, gup_flags, pages, NULL)`. */
export function getUserPagesRemote(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return slowGet('getUserPagesRemote', mm, start, nrPages, gupFlags, pages, FOLL_TOUCH | FOLL_REMOTE);
}

/** `get_user_pages_unlocked(start, nr_pages, pages, gup_flags)` (arguments in the model's order). */
export function getUserPagesUnlocked(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return slowGet('getUserPagesUnlocked', mm, start, nrPages, gupFlags, pages, FOLL_TOUCH | FOLL_UNLOCKABLE);
}

/** `get_user_pages_fast(start, nr_pages, gup_flags, pages)`. */
export function getUserPagesFast(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return fastGet('getUserPagesFast', mm, start, nrPages, gupFlags, pages, FOLL_GET);
}

/** `get_user_pages_fast_only(start, nr_pages, gup_flags, pages)`: no slow path. */
export function getUserPagesFastOnly(mm: Mm, start: number, nrPages: number, gupFlags: number, pages: PageArrayOut | null): number {
  return fastGet('getUserPagesFastOnly', mm, start, nrPages, gupFlags, pages, FOLL_GET | FOLL_FAST_ONLY);
}
