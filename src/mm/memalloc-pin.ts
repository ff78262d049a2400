/**
 * The allocation scope of a long-term pin: include/linux/sched/mm.h
 * `memalloc_pin_save` / `memalloc_pin_restore` (PF_MEMALLOC_PIN).
 *
 * Faithful in effect: while a FOLL_LONGTERM pin is in progress, every allocation the
 * pinning task makes (faults included, even in another mm) loses __GFP_MOVABLE and may
 * not use CMA, so it lands in ZONE_NORMAL whatever the mapping's zone. Simplified: the
 * model has one task, so the flag is one module-level depth counter.
 *
 * Arguments: a restore token is an integer from 0 (outside every scope: restoring it
 * leaves them all, as restoring flags without PF_MEMALLOC_PIN does) to the current
 * depth (a no-op, as restoring the current flags is); a zone must be one the machine
 * has. Anything else throws an ArgumentError: the kernel's `unsigned int flags` token
 * cannot be NaN, and a token above the depth would re-enter a scope already left.
 */
import { ZONE_NAMES, type ZoneName } from './machine.js';
import { badArgument, checkOneOf } from './arg-check.js';

let pinScopeDepth = 0;

/** `memalloc_pin_save()`: enter the scope; returns the token for restore. */
export function memallocPinSave(): number {
  return pinScopeDepth++;
}

/** `memalloc_pin_restore(flags)`: leave the scope entered by the matching save. */
export function memallocPinRestore(token: number): void {
  if (!((token | 0) === token && token >= 0 && token <= pinScopeDepth))
    badArgument('memallocPinRestore', 'token', token, `a memallocPinSave token of this scope or an outer one (0..${pinScopeDepth})`);
  pinScopeDepth = token;
}

/**
 * `current_gfp_context()` applied to a zone choice: inside a pin scope, movable and
 * CMA allocations fall back to ZONE_NORMAL.
 */
export function currentAllocZone(zone: ZoneName): ZoneName {
  checkOneOf('currentAllocZone', 'zone', zone, ZONE_NAMES);
  return pinScopeDepth > 0 ? 'normal' : zone;
}
