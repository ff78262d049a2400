/**
 * Machines made by tests, and the balance check every test ends with: vmstat pin
 * counters equal (pin_user_pages.rst: equal when no pin is in flight), no folio left
 * with a pincount, no order-0 folio left with a pin bias, no negative count, and, on
 * the pin-checked machines tests make, no pin or FOLL_GET reference left by a GUP call
 * (the checker's leak report names the pages and the calls that took them).
 */
import { createMachine, enablePinChecker, pinLeakReport, type Machine, type MachineOptions } from '../../src/index.js';
import { GUP_PIN_COUNTING_BIAS, PG_ALLOCATED } from '../../src/index.js';

const tracked = new Set<Machine>();

/** createMachine with the pin checker on, registered for the end-of-test balance check. Small by default. */
export function newMachine(opts: MachineOptions = {}): Machine {
  const m = createMachine({ memoryBytes: 64 * 1024 * 1024, ...opts });
  enablePinChecker(m);
  tracked.add(m);
  return m;
}

/** Stops checking `m` (for a test that leaves it unbalanced on purpose and says why). */
export function untrack(m: Machine): void {
  tracked.delete(m);
}

/** What is still pinned or broken on `m`, as readable lines; empty when balanced. */
export function imbalance(m: Machine): string[] {
  const out: string[] = [];
  const { nrFollPinAcquired: acq, nrFollPinReleased: rel } = m.stat;
  if (acq !== rel) out.push(`vmstat: nr_foll_pin_acquired ${acq} != nr_foll_pin_released ${rel}`);
  const { flags, order, refcount, pincount } = m;
  for (let p = 0; p < m.nrPages; p++) {
    if ((flags[p]! & PG_ALLOCATED) === 0) continue;
    if (refcount[p]! < 0) out.push(`pfn ${p}: negative refcount ${refcount[p]}`);
    if (pincount[p] !== 0) out.push(`folio ${p}: pincount ${pincount[p]}`);
    else if (order[p] === 0 && refcount[p]! >= GUP_PIN_COUNTING_BIAS && p !== m.zeroPfn)
      out.push(`folio ${p}: refcount ${refcount[p]} carries a pin bias`);
    if (out.length > 20) break;
  }
  if (m.checker !== null) {
    const leaks = pinLeakReport(m.checker);
    if (leaks.length > 0) out.push('pin checker: still held at the end of the test:', ...leaks.map((l) => `  ${l}`));
  }
  return out;
}

/** Throws if any tracked machine is unbalanced; forgets them all either way (only forgets when `failed`). */
export function checkTrackedMachines(failed = false): void {
  const problems: string[] = [];
  if (failed) {
    tracked.clear();
    return;
  }
  for (const m of tracked) problems.push(...imbalance(m));
  tracked.clear();
  if (problems.length > 0) throw new Error(`pins left unbalanced at the end of the test:\n${problems.join('\n')}`);
}

/** A copy of every folio's refcount, to compare against after release. */
export function refcountSnapshot(m: Machine): Int32Array {
  return m.refcount.slice();
}
