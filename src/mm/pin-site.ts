/**
 * Call sites for the pin checker: which API took or released a pin, and the line of the
 * caller's code that called it. Not a kernel structure (the kernel records no owner for
 * a pin; page_owner comes closest).
 *
 * A site is captured once per GUP call or release call (never per page) as an Error
 * whose stack V8 formats only when a report reads it. The API is the outermost of the
 * frames inside this project's src/ or proposals/ on top of the stack; the caller is
 * the frame after it. Frames are
 * matched by path, so the text depends on how the code runs (tsx, vitest, dist/).
 */

/** A GUP call or a release call. */
export interface PinSite {
  readonly id: number;
  /** The API's kernel name when the hook knows it (releases); null: read it from the stack. */
  readonly api: string | null;
  /** The stack at the call, formatted lazily. */
  readonly stack: Error;
  /** The mm the GUP call walked (-1 for releases). */
  readonly mmId: number;
}

const here = new URL('.', import.meta.url).pathname; // .../src/mm/
const root = here.replace(/src\/mm\/$/, '');
const internalDirs = [`${root}src/`, `${root}proposals/`];

/** Captures the current stack, deep enough to get past the model's own frames. */
export function captureStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const e = new Error('pin site');
  Error.stackTraceLimit = limit;
  return e;
}

interface Frame {
  readonly fn: string;
  readonly file: string;
  readonly line: string;
}

const FRAME = /^\s*at (?:async )?(?:new )?(?:(\S+) \()?(.*?):(\d+):(\d+)\)?$/;

function frames(e: Error): Frame[] {
  const out: Frame[] = [];
  const lines = (e.stack ?? '').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i]!);
    if (m === null) continue;
    const file = m[2]!.replace(/^file:\/\//, '');
    out.push({ fn: m[1] ?? '<anonymous>', file, line: `${m[3]}:${m[4]}` });
  }
  return out;
}

function isInternal(file: string): boolean {
  return file.startsWith(internalDirs[0]!) || file.startsWith(internalDirs[1]!);
}

/** `pinUserPagesFast` -> `pin_user_pages_fast`; `Foo.bar` -> `bar`. */
export function kernelName(fn: string): string {
  const base = fn.slice(fn.lastIndexOf('.') + 1);
  return base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function relative(file: string): string {
  return file.startsWith(root) ? file.slice(root.length) : file;
}

/** The API (outermost model frame) and the caller's `file:line:col`, from a captured stack. */
export function describeStack(e: Error): { api: string; caller: string } {
  const fs = frames(e);
  // The model's frames sit on top of the stack; the first frame outside them is the
  // caller (a callback the model calls back into is further down and does not count).
  let first = 0;
  while (first < fs.length && isInternal(fs[first]!.file)) first++;
  const api = first > 0 ? kernelName(fs[first - 1]!.fn) : 'unknown';
  const caller = fs[first];
  return { api, caller: caller === undefined ? 'an unknown caller' : `${relative(caller.file)}:${caller.line}` };
}

/** "pin_user_pages_fast() at test/x.test.ts:12:7", the way messages and reports name a site. */
export function siteText(site: PinSite): string {
  const d = describeStack(site.stack);
  return `${site.api ?? d.api}() at ${d.caller}`;
}

/** Where the current call came from (for the faulting call of a PinMisuse). */
export function callerText(): string {
  return describeStack(captureStack()).caller;
}
