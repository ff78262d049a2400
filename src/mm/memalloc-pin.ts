/**
 * The allocation scope of a long-term pin: include/linux/sched/mm.h
 * `memalloc_pin_save` / `memalloc_pin_restore` (PF_MEMALLOC_PIN).
 *
 * Faithful in effect: while a FOLL_LONGTERM pin is in progress, every allocation the
 * pinning task makes (faults included, even in another mm) loses __GFP_MOVABLE and may
 * not use CMA, so it lands in ZONE_NORMAL whatever the mapping's zone. Simplified: the
 * model has one task, so the flag is one module-level depth counter.
 */
import type { ZoneName } from './machine.js';

let pinScopeDepth = 0;

/** `memalloc_pin_save()`: enter the scope; returns the token for restore. */
export function memallocPinSave(): number {
  return pinScopeDepth++;
}

/** `memalloc_pin_restore(flags)`: leave the scope entered by the matching save. */
export function memallocPinRestore(token: number): void {
  pinScopeDepth = token;
}

/**
 * `current_gfp_context()` applied to a zone choice: inside a pin scope, movable and
 * CMA allocations fall back to ZONE_NORMAL.
 */
export function currentAllocZone(zone: ZoneName): ZoneName {
  return pinScopeDepth > 0 ? 'normal' : zone;
}
