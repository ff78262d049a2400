/**
 * FOLL_LONGTERM on the slow path: mm/gup.c `__gup_longterm_locked`,
 * `check_and_migrate_movable_pages`, `collect_longterm_unpinnable_folios`,
 * `migrate_longterm_unpinnable_folios`.
 *
 * Faithful (v6.16+): without FOLL_LONGTERM this is __get_user_pages_locked. With it,
 * inside memalloc_pin_save() (so faults allocate outside CMA and ZONE_MOVABLE), pin the
 * range; if any pinned folio is not long-term pinnable (CMA, ZONE_MOVABLE, fsdax,
 * device-coherent), release every pin of this attempt (one gup_put_folio per page, as
 * unpin_folio on each entry), migrate those folios (MR_LONGTERM_PIN) and pin again; a
 * migration failure returns -ENOMEM with nothing of the attempt left pinned. The
 * pages GUP-fast pinned before the slow path are kept (`keep`). Device-coherent folios
 * (migrate_device_coherent_folio, -EBUSY) are not modelled.
 *
 * Arguments (ArgumentError): gupLongtermLocked takes `start` and `nrPages` as unsigned
 * longs (a negative value wraps, as in C) and a FOLL_* word without undefined bits (no
 * is_valid_gup_args stands before it); the walk stage takes a virtual page number, an
 * unsigned count and `keep` >= 0.
 */
import { EAGAIN, ENOMEM } from '../mm/errno.js';
import { FOLL_LONGTERM } from '../mm/foll-flags.js';
import { memallocPinRestore, memallocPinSave } from '../mm/memalloc-pin.js';
import { migrateFolioLongterm } from '../mm/migrate.js';
import type { Mm } from '../mm/mm.js';
import { getUserPagesLocked } from './get-user-pages-locked.js';
import type { GupSink } from './gup-sink.js';
import { GupWalk } from './gup-walk.js';
import { CheckedSink } from './checked-sink.js';
import { vpnOfStart, slowNrPages } from './gup-range.js';
import { checkFollWord, checkPageCountArg, checkUlongArg, checkVpnArg } from './gup-arg-types.js';
import { checkInt } from '../mm/arg-check.js';

/**
 * `check_and_migrate_movable_pages`: 0 when every folio of the attempt may stay pinned,
 * -EAGAIN after unpinning the attempt and migrating, -ENOMEM when migration failed.
 */
function checkAndMigrateMovablePages(w: GupWalk, keep: number): number {
  const n = w.nrUnpinnable;
  if (n === 0) return 0;
  w.sink.rollback(w.flags, keep);
  const list = w.unpinnable;
  let failed = false;
  for (let i = 0; i < n; i++) {
    const folio = list[i]!;
    let seen = false;
    for (let j = 0; j < i; j++) if (list[j] === folio) seen = true;
    if (seen) continue;
    if (migrateFolioLongterm(w.m, folio) !== 0) failed = true;
  }
  return failed ? -ENOMEM : -EAGAIN;
}

/**
 * `__gup_longterm_locked` from virtual page `vpn`, keeping the sink's first `keep`
 * pages of this call on a migration retry. Returns pages taken or -errno.
 */
export function gupLongtermLockedWalk(w: GupWalk, vpn: number, nrPages: number, keep: number): number {
  checkVpnArg('gupLongtermLockedWalk', 'vpn', vpn);
  checkPageCountArg('gupLongtermLockedWalk', 'nrPages', nrPages);
  checkInt('gupLongtermLockedWalk', 'keep', keep, 0, Number.MAX_SAFE_INTEGER);
  if ((w.flags & FOLL_LONGTERM) === 0) return getUserPagesLocked(w, vpn, nrPages);
  const token = memallocPinSave();
  let rc: number;
  let nr: number;
  // A KernelBug or PinMisuse thrown mid-walk must not leave the scope open for every
  // later allocation (the task would stay PF_MEMALLOC_PIN forever).
  try {
    do {
      w.nrUnpinnable = 0;
      w.sinkFull = false;
      nr = getUserPagesLocked(w, vpn, nrPages);
      if (nr <= 0) {
        rc = nr;
        break;
      }
      rc = checkAndMigrateMovablePages(w, keep);
    } while (rc === -EAGAIN);
  } finally {
    memallocPinRestore(token);
  }
  if (w.sink instanceof CheckedSink) w.sink.walkDone(rc);
  return rc !== 0 ? rc : nr;
}

/**
 * The slow entry (`pin_user_pages` / `__gup_longterm_locked`) over a sink: takes
 * `nrPages` pages from `start` with `gupFlags` as given (pass FOLL_PIN or FOLL_GET; the
 * sink counts as a page array, so FOLL_GET is added when FOLL_PIN is absent). Returns
 * the pages taken (possibly fewer: the caller releases exactly those), or -errno when
 * none. Does not check the flags (is_valid_gup_args is the API's job) and does not
 * count an API call.
 */
export function gupLongtermLocked(mm: Mm, start: number, nrPages: number, gupFlags: number, sink: GupSink): number {
  checkUlongArg('gupLongtermLocked', 'start', start);
  checkUlongArg('gupLongtermLocked', 'nrPages', nrPages);
  checkFollWord('gupLongtermLocked', gupFlags);
  const w = new GupWalk(mm, gupFlags, sink, true);
  return gupLongtermLockedWalk(w, vpnOfStart(start), slowNrPages(nrPages), 0);
}
