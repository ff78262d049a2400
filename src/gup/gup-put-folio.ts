/**
 * Dropping references and pins: mm/gup.c `gup_put_folio`.
 *
 * Faithful (v6.16+): for FOLL_PIN, nothing on the zero page; otherwise
 * `nr_foll_pin_released += refs`, then `_pincount -= refs` (large folios) or
 * `refs *= GUP_PIN_COUNTING_BIAS` (order 0); always finishes with
 * `folio_put_refs(folio, refs)`, which frees the folio at zero.
 *
 * Arguments: one line of integer tests first (a folio's head PFN inside the memmap,
 * `int refs` in 0..INT_MAX, a FOLL_* word without undefined bits), else an
 * ArgumentError: a negative refs would add counts back, one above INT_MAX is no `int`.
 * refs 0 is a no-op, as in the kernel: unpin_user_folio(folio, 0) releases nothing.
 */
import { GUP_PIN_COUNTING_BIAS } from '../mm/constants.js';
import { FOLL_PIN } from '../mm/foll-flags.js';
import type { Machine } from '../mm/machine.js';
import { KernelBug } from '../mm/bug.js';
import { folioPutRefs } from '../mm/folio.js';
import { isFolioHead } from '../mm/arg-check.js';
import { isFollWord, isRefs, refuseRefs } from './gup-arg-types.js';

/** `gup_put_folio(folio, refs, flags)`. Throws KernelBug on pincount or refcount underflow. */
export function gupPutFolio(m: Machine, folio: number, refs: number, gupFlags: number): void {
  if (!(isFolioHead(m, folio) && isRefs(refs, 0) && isFollWord(gupFlags)))
    refuseRefs(m, 'gupPutFolio', 'folio', folio, true, refs, 0, gupFlags);
  if (m.checker !== null) m.checker.put(folio, refs, gupFlags);
  if ((gupFlags & FOLL_PIN) !== 0) {
    if (folio === m.zeroPfn) return;
    m.stat.nrFollPinReleased += refs;
    if (m.order[folio]! > 0) {
      const left = m.pincount[folio]! - refs;
      if (left < 0) throw new KernelBug(`gup_put_folio: pincount underflow on folio ${folio} (${m.pincount[folio]} - ${refs})`);
      m.pincount[folio] = left;
      m.cost.pincountAtomics++;
    } else {
      refs *= GUP_PIN_COUNTING_BIAS;
    }
  }
  folioPutRefs(m, folio, refs);
}
