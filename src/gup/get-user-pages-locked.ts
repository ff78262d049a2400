/**
 * The slow path: mm/gup.c `__get_user_pages`, `faultin_page`, `gup_vma_lookup` and
 * `__get_user_pages_locked`.
 *
 * Faithful (v6.16+): per page, a VMA lookup when leaving the current VMA (no VMA ->
 * -EFAULT: GUP no longer grows the stack) and `check_vma_flags`; `follow_page_mask`; a
 * fault (FAULT_FLAG_WRITE for FOLL_WRITE, FAULT_FLAG_UNSHARE after -EMLINK; FOLL_NOFAULT
 * -> -EFAULT) and a retry until the page is there (a KernelBug after 4 faults that made
 * no progress, where the kernel would spin); for a huge leaf, `page_increm` =
 * 1 + (~(start >> PAGE_SHIFT) & page_mask) pages capped at what is left, with a second
 * try_grab_folio of page_increm - 1 refs; the result is the pages done, or the error if
 * none (partial success otherwise). A page array means FOLL_GET unless FOLL_PIN; FOLL_PIN
 * sets MMF_HAS_PINNED. The model's faults never drop mmap_lock (no VM_FAULT_RETRY or
 * COMPLETED), so FOLL_UNLOCKABLE's retry loop never runs; fatal signals are not
 * modelled. A walk stopped by its sink returns what it took (0 included) without the
 * "nothing pinned" WARN and -EFAULT of __get_user_pages_locked.
 *
 * Arguments: `vpn` a virtual page number (0..2^52) and `nrPages` an unsigned count, as
 * the entry points convert them (gup-range.ts); anything else is an ArgumentError.
 */
import { EFAULT } from '../mm/errno.js';
import { KernelBug, warnOn } from '../mm/bug.js';
import { handleMmFault } from '../mm/fault.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_NOFAULT, FOLL_NOWAIT, FOLL_PIN, FOLL_WRITE } from '../mm/foll-flags.js';
import { folioIsLongtermPinnable, pageFolio } from '../mm/folio.js';
import { PAGE_SIZE } from '../mm/constants.js';
import type { Vma } from '../mm/vma.js';
import { vmaLookup } from '../mm/vma.js';
import { checkVmaFlags } from './check-vma-flags.js';
import { followPageMask } from './follow-page-mask.js';
import { FOLLOW_NO_PAGE, FOLLOW_SINK_FULL, type GupWalk } from './gup-walk.js';
import { gupPutFolio } from './gup-put-folio.js';
import { tryGrabFolio } from './try-grab-folio.js';
import { EEXIST, EMLINK } from '../mm/errno.js';
import { checkPageCountArg, checkVpnArg } from './gup-arg-types.js';

/** Successful faults after which a page still missing is a livelock (user-access.ts stops at 4 too). */
const MAX_FAULTS_PER_PAGE = 4;

/** `faultin_page(vma, address, flags, unshare, locked)`: 0 or -errno. */
function faultinPage(w: GupWalk, addr: number, unshare: boolean): number {
  if ((w.flags & FOLL_NOFAULT) !== 0) return -EFAULT;
  return handleMmFault(w.mm, addr, { write: (w.flags & FOLL_WRITE) !== 0, unshare });
}

/**
 * `__get_user_pages(mm, start, nr_pages, gup_flags, pages, locked)` from virtual page
 * `vpn`. Returns the pages taken, or -errno when none was.
 */
export function getUserPagesInner(w: GupWalk, vpn: number, nrPages: number): number {
  checkVpnArg('getUserPagesInner', 'vpn', vpn);
  checkPageCountArg('getUserPagesInner', 'nrPages', nrPages);
  if (nrPages === 0) return 0;
  const m = w.m;
  const flags = w.flags;
  const sink = w.sink;
  const pagesWanted = (flags & (FOLL_GET | FOLL_PIN)) !== 0;
  const longterm = (flags & FOLL_LONGTERM) !== 0;
  let vma: Vma | null = null;
  let i = 0;
  let ret = 0;
  outer: do {
    const addr = vpn * PAGE_SIZE;
    if (vma === null || addr >= vma.end) {
      vma = vmaLookup(w.mm.vmas, addr);
      if (vma === null) {
        ret = -EFAULT;
        break;
      }
      ret = checkVmaFlags(vma, flags);
      if (ret !== 0) break;
    }
    let page: number;
    for (let faults = 0; ; faults++) {
      page = followPageMask(w, vma, vpn, nrPages);
      if (page !== FOLLOW_NO_PAGE && page !== -EMLINK) break;
      // The kernel would retry for ever; with no concurrent unmap, a fault that returns 0
      // has installed what follow_page_mask looks for (a read, then a write or an unshare,
      // is the most a page needs), so a fourth is a model bug, not a wait.
      if (faults === MAX_FAULTS_PER_PAGE) throw new KernelBug(`__get_user_pages at ${addr.toString(16)}: fault made no progress`);
      ret = faultinPage(w, addr, page === -EMLINK);
      if (ret !== 0) break outer;
    }
    let increm = 1;
    if (page === FOLLOW_SINK_FULL) {
      w.sinkFull = true;
      break;
    } else if (page === -EEXIST) {
      // A PFN without struct page: fatal only if the caller wants pages.
      if (pagesWanted) {
        ret = -EEXIST;
        break;
      }
    } else if (page < 0) {
      ret = page;
      break;
    } else {
      increm = w.increm;
      const folio = pageFolio(m, page);
      if (pagesWanted && increm > 1 && tryGrabFolio(m, folio, increm - 1, flags) !== 0) {
        // Release the first page's ref if the folio is problematic, fail hard.
        gupPutFolio(m, folio, 1, flags);
        ret = -EFAULT;
        break;
      }
      sink.add(folio, page, increm);
      if (longterm && !folioIsLongtermPinnable(m, folio)) w.noteUnpinnable(folio);
    }
    i += increm;
    vpn += increm;
    nrPages -= increm;
  } while (nrPages > 0);
  return i !== 0 ? i : ret;
}

/**
 * `__get_user_pages_locked(mm, start, nr_pages, pages, locked, flags)` from virtual
 * page `vpn`: 0 for nr_pages 0, else the pages taken or -errno.
 */
export function getUserPagesLocked(w: GupWalk, vpn: number, nrPages: number): number {
  checkVpnArg('getUserPagesLocked', 'vpn', vpn);
  checkPageCountArg('getUserPagesLocked', 'nrPages', nrPages);
  if (nrPages === 0) return 0;
  if ((w.flags & FOLL_PIN) !== 0) w.mm.hasPinned = true;
  // Traditional behaviour: a page array without FOLL_PIN means FOLL_GET.
  if (w.hasPages && (w.flags & FOLL_PIN) === 0) w.flags |= FOLL_GET;
  const done = getUserPagesInner(w, vpn, nrPages);
  if (done === 0 && !w.sinkFull && warnOn(w.m, (w.flags & FOLL_NOWAIT) === 0, '__get_user_pages_locked: nothing pinned'))
    return -EFAULT;
  return done;
}
