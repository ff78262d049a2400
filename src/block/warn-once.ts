/**
 * `WARN_ON_ONCE(cond)` for the block layer (include/asm-generic/bug.h).
 *
 * Faithful in effect: the kernel warns once per call site per boot; the model warns once
 * per message per machine, so call sites pass a constant message. Kept in src/block
 * because src/mm/bug.ts offers only `warnOn`; it can move there unchanged.
 */
import { warnOn, type WarnSink } from '../mm/bug.js';

const seen = new WeakMap<WarnSink, Set<string>>();

/** `WARN_ON_ONCE(cond)`: records `message` the first time `cond` holds on `sink`; returns `cond`. */
export function warnOnOnce(sink: WarnSink, cond: boolean, message: string): boolean {
  if (!cond) return false;
  let done = seen.get(sink);
  if (done === undefined) {
    done = new Set();
    seen.set(sink, done);
  }
  if (!done.has(message)) {
    done.add(message);
    warnOn(sink, true, message);
  }
  return true;
}
