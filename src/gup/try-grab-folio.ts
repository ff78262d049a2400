/**
 * Taking references and pins: mm/gup.c `try_grab_folio`, `try_grab_folio_fast`,
 * `try_get_folio`, `folio_add_pin`, `folio_add_pins`.
 *
 * Faithful to the current kernel (64-bit, v6.16+): FOLL_GET adds `refs`; FOLL_PIN on a
 * folio with a pincount adds `refs` to both refcount and pincount, otherwise
 * `refs * GUP_PIN_COUNTING_BIAS` to the refcount; the zero page is never pinned;
 * `nr_foll_pin_acquired` grows by `refs` (pages). Atomics are counted per kernel
 * operation. The split-folio retry of try_get_folio cannot happen in a model with no
 * concurrency and is not modelled.
 *
 * Arguments: each function first tests, in one line of integer comparisons, what C's
 * types guarantee: a page (or a folio's head page) inside the memmap, `int refs` in
 * 1..INT_MAX, a FOLL_* word without undefined bits; anything else is an ArgumentError
 * (the kernel has no answer: it would corrupt counts). refs 0 is refused too: the
 * kernel would report success holding nothing, and no caller in mm/gup.c passes it
 * (try_grab_folio(folio, page_increm - 1) runs only for page_increm > 1, a GUP-fast
 * leaf grabs at least one page, memfd_pin_folios grabs 1). Unknown FOLL_* bits, which
 * the kernel ignores, are refused so that a typo cannot pass silently.
 */
import { checkFolio, checkInt, isFolioHead, isPfn } from '../mm/arg-check.js';
import { GUP_PIN_COUNTING_BIAS, INT_MAX } from '../mm/constants.js';
import { ENOMEM, EREMOTEIO } from '../mm/errno.js';
import { FOLL_GET, FOLL_PCI_P2PDMA, FOLL_PIN } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { warn } from '../mm/bug.js';
import { MAPPING_P2PDMA } from '../mm/page-flags.js';
import { folioMaybeDmaPinned } from '../mm/folio.js';
import { isFollWord, isRefs, refuseRefs } from './gup-arg-types.js';
import { tryGetFolioUnchecked, tryGrabFolioFastUnchecked } from './gup-fast-unchecked.js';

/**
 * `try_grab_folio(folio, refs, flags)`: the slow-path grab, for a folio the caller
 * already holds stable. Returns 0 (also when neither GET nor PIN is set: nothing
 * done), -ENOMEM if the refcount is <= 0 (with a WARN), or -EREMOTEIO for a P2PDMA
 * folio without FOLL_PCI_P2PDMA.
 */
export function tryGrabFolio(m: Machine, folio: number, refs: number, gupFlags: number): number {
  if (!(isFolioHead(m, folio) && isRefs(refs, 1) && isFollWord(gupFlags)))
    refuseRefs(m, 'tryGrabFolio', 'folio', folio, true, refs, 1, gupFlags);
  return grabFolio(m, folio, refs, gupFlags);
}

function grabFolio(m: Machine, folio: number, refs: number, gupFlags: number): number {
  const refcount = m.refcount;
  if (refcount[folio]! <= 0) {
    warn(m, `try_grab_folio: folio ${folio} has refcount ${refcount[folio]}`);
    return -ENOMEM;
  }
  if ((gupFlags & FOLL_PCI_P2PDMA) === 0 && m.mapping[folio] === MAPPING_P2PDMA) return -EREMOTEIO;
  if (m.checker !== null) m.checker.grabbed(folio, refs, gupFlags);
  if ((gupFlags & FOLL_GET) !== 0) {
    refcount[folio] = refcount[folio]! + refs;
    m.cost.refcountAtomics++;
  } else if ((gupFlags & FOLL_PIN) !== 0) {
    // The zero page is not going anywhere and is used everywhere: never pinned.
    if (folio === m.zeroPfn) return 0;
    if (m.order[folio]! > 0) {
      refcount[folio] = refcount[folio]! + refs;
      m.pincount[folio] = m.pincount[folio]! + refs;
      m.cost.refcountAtomics++;
      m.cost.pincountAtomics++;
    } else {
      refcount[folio] = refcount[folio]! + refs * GUP_PIN_COUNTING_BIAS;
      m.cost.refcountAtomics++;
    }
    m.stat.nrFollPinAcquired += refs;
  }
  return 0;
}

/**
 * `try_get_folio(page, refs)`: speculative `folio_ref_try_add`, which fails on a folio
 * whose refcount is zero (being freed). Returns the folio, or -1 (NULL).
 */
export function tryGetFolio(m: Machine, page: number, refs: number): number {
  if (!((page | 0) === page && page >= 0 && page < m.nrPages && (refs | 0) === refs && refs > 0))
    refuseRefs(m, 'tryGetFolio', 'page', page, false, refs, 1, 0);
  return tryGetFolioUnchecked(m, page, refs);
}

/**
 * `try_grab_folio_fast(page, refs, flags)`: the lockless-path grab. Returns the folio
 * (head PFN) or -1 for NULL: neither GET nor PIN (a WARN), a P2PDMA page without the
 * flag, a folio being freed, or a FOLL_LONGTERM pin of an unpinnable folio (the refs
 * are dropped again and the caller falls back to the slow path). The pin checker
 * does not see this grab: gup_fast, its caller, reports what it keeps (a hook here
 * would cost the lockless walk its inlining). gup_fast calls the unchecked body
 * (gup-fast-unchecked.ts) for the same reason.
 */
export function tryGrabFolioFast(m: Machine, page: number, refs: number, gupFlags: number): number {
  if (!(isPfn(m, page) && isRefs(refs, 1) && isFollWord(gupFlags)))
    refuseRefs(m, 'tryGrabFolioFast', 'page', page, false, refs, 1, gupFlags);
  return tryGrabFolioFastUnchecked(m, page, refs, gupFlags);
}

/**
 * `folio_add_pin(folio)`: one more pin on a folio the caller has already pinned; no
 * change on the zero page. WARNs if the folio is not pinned. Kernel quirk kept
 * as-is: it does **not** add to `nr_foll_pin_acquired`, so a later unpin makes
 * `nr_foll_pin_released` run ahead of `nr_foll_pin_acquired` by one.
 */
export function folioAddPin(m: Machine, folio: number): void {
  checkFolio(m, 'folioAddPin', 'folio', folio);
  if (m.checker !== null) m.checker.grabbed(folio, 1, FOLL_PIN);
  if (folio === m.zeroPfn) return;
  if (m.order[folio]! > 0) {
    if (m.pincount[folio]! < 1) warn(m, `folio_add_pin: folio ${folio} is not pinned`);
    m.refcount[folio] = m.refcount[folio]! + 1;
    m.pincount[folio] = m.pincount[folio]! + 1;
    m.cost.refcountAtomics++;
    m.cost.pincountAtomics++;
  } else {
    if (m.refcount[folio]! < GUP_PIN_COUNTING_BIAS) warn(m, `folio_add_pin: folio ${folio} is not pinned`);
    m.refcount[folio] = m.refcount[folio]! + GUP_PIN_COUNTING_BIAS;
    m.cost.refcountAtomics++;
  }
}

/**
 * `folio_add_pins(folio, pins)`: WARNs if the folio is not already maybe-pinned, then
 * `try_grab_folio(folio, pins, FOLL_PIN)`, which does count in vmstat. Returns its result.
 * `pins` is an `unsigned int` passed on as `int refs`: 1..INT_MAX, as for tryGrabFolio.
 */
export function folioAddPins(m: Machine, folio: number, pins: number): number {
  checkFolio(m, 'folioAddPins', 'folio', folio);
  checkInt('folioAddPins', 'pins', pins, 1, INT_MAX);
  if (!folioMaybeDmaPinned(m, folio)) warn(m, `folio_add_pins: folio ${folio} is not pinned`);
  return grabFolio(m, folio, pins, FOLL_PIN);
}
