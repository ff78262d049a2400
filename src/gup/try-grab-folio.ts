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
 */
import { GUP_PIN_COUNTING_BIAS } from '../mm/constants.js';
import { ENOMEM, EREMOTEIO } from '../mm/errno.js';
import { FOLL_GET, FOLL_LONGTERM, FOLL_PCI_P2PDMA, FOLL_PIN } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { warn } from '../mm/bug.js';
import { MAPPING_P2PDMA } from '../mm/page-flags.js';
import { folioIsLongtermPinnable, folioMaybeDmaPinned, folioPutRefs, pageFolio } from '../mm/folio.js';

/**
 * `try_grab_folio(folio, refs, flags)`: the slow-path grab, for a folio the caller
 * already holds stable. Returns 0 (also when neither GET nor PIN is set: nothing
 * done), -ENOMEM if the refcount is <= 0 (with a WARN), or -EREMOTEIO for a P2PDMA
 * folio without FOLL_PCI_P2PDMA.
 */
export function tryGrabFolio(m: Machine, folio: number, refs: number, gupFlags: number): number {
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
  const folio = pageFolio(m, page);
  const rc = m.refcount[folio]!;
  if (rc < 0) {
    warn(m, `try_get_folio: folio ${folio} has negative refcount ${rc}`);
    return -1;
  }
  m.cost.refcountAtomics++;
  if (rc === 0) return -1;
  m.refcount[folio] = rc + refs;
  return folio;
}

/**
 * `try_grab_folio_fast(page, refs, flags)`: the lockless-path grab. Returns the folio
 * (head PFN) or -1 for NULL: neither GET nor PIN (a WARN), a P2PDMA page without the
 * flag, a folio being freed, or a FOLL_LONGTERM pin of an unpinnable folio (the refs
 * are dropped again and the caller falls back to the slow path). The pin checker
 * does not see this grab: gup_fast, its caller, reports what it keeps (a hook here
 * would cost the lockless walk its inlining).
 */
export function tryGrabFolioFast(m: Machine, page: number, refs: number, gupFlags: number): number {
  if ((gupFlags & (FOLL_GET | FOLL_PIN)) === 0) {
    warn(m, 'try_grab_folio_fast: neither FOLL_GET nor FOLL_PIN');
    return -1;
  }
  if ((gupFlags & FOLL_PCI_P2PDMA) === 0 && m.mapping[pageFolio(m, page)] === MAPPING_P2PDMA) return -1;
  if ((gupFlags & FOLL_GET) !== 0) return tryGetFolio(m, page, refs);
  // FOLL_PIN from here on.
  if (page === m.zeroPfn) return page;
  const folio = tryGetFolio(m, page, refs);
  if (folio < 0) return -1;
  // Long-term pins of unpinnable memory must migrate it first, which only the slow path can.
  if ((gupFlags & FOLL_LONGTERM) !== 0 && !folioIsLongtermPinnable(m, folio)) {
    folioPutRefs(m, folio, refs);
    return -1;
  }
  if (m.order[folio]! > 0) {
    m.pincount[folio] = m.pincount[folio]! + refs;
    m.cost.pincountAtomics++;
  } else {
    // try_get_folio() already added refs once; the bias supplies the rest.
    m.refcount[folio] = m.refcount[folio]! + refs * (GUP_PIN_COUNTING_BIAS - 1);
    m.cost.refcountAtomics++;
  }
  m.stat.nrFollPinAcquired += refs;
  return folio;
}

/**
 * `folio_add_pin(folio)`: one more pin on a folio the caller has already pinned; no
 * change on the zero page. WARNs if the folio is not pinned. Kernel quirk kept
 * as-is: it does **not** add to `nr_foll_pin_acquired`, so a later unpin makes
 * `nr_foll_pin_released` run ahead of `nr_foll_pin_acquired` by one.
 */
export function folioAddPin(m: Machine, folio: number): void {
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
 */
export function folioAddPins(m: Machine, folio: number, pins: number): number {
  if (!folioMaybeDmaPinned(m, folio)) warn(m, `folio_add_pins: folio ${folio} is not pinned`);
  return tryGrabFolio(m, folio, pins, FOLL_PIN);
}
