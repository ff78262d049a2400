/**
 * Broken invariants and warnings: the model's `VM_BUG_ON` / oops and `WARN_ON`.
 *
 * A `KernelBug` is thrown where the kernel would oops or hit `VM_BUG_ON` (refcount
 * underflow, use after free, a NULL page dereferenced). It is never used for an
 * expected failure: those return a negative errno. A WARN is recorded on the machine
 * and execution goes on, as in the kernel.
 */

/** The kernel would have oopsed or hit VM_BUG_ON here. */
export class KernelBug extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelBug';
  }
}

/** `VM_BUG_ON(cond)`: throws a KernelBug with `message` when `cond` holds. */
export function vmBugOn(cond: boolean, message: string): void {
  if (cond) throw new KernelBug(message);
}

/** Somewhere to record WARN_ON hits; the machine is one. */
export interface WarnSink {
  readonly warnings: string[];
}

const MAX_WARNINGS = 1000;

/** `WARN_ON(cond)`: records `message` when `cond` holds and returns `cond`. */
export function warnOn(sink: WarnSink, cond: boolean, message: string): boolean {
  if (cond) warn(sink, message);
  return cond;
}

/**
 * Records a WARN unconditionally. Hot paths test their condition first and call this,
 * so the message string is built only when the warning fires.
 */
export function warn(sink: WarnSink, message: string): void {
  if (sink.warnings.length < MAX_WARNINGS) sink.warnings.push(message);
}

const warnedOnce = new WeakMap<WarnSink, Set<string>>();

/**
 * `WARN_ON_ONCE(cond)`: records `message` the first time `cond` holds on `sink` and
 * returns `cond`. The kernel warns once per call site per boot; the model once per
 * message per machine, so call sites pass a constant message.
 */
export function warnOnOnce(sink: WarnSink, cond: boolean, message: string): boolean {
  if (!cond) return false;
  let done = warnedOnce.get(sink);
  if (done === undefined) {
    done = new Set();
    warnedOnce.set(sink, done);
  }
  if (!done.has(message)) {
    done.add(message);
    warn(sink, message);
  }
  return true;
}
