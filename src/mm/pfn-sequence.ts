/**
 * Native-speed page arrays for large folios. Not a kernel structure.
 *
 * A folio's pages are consecutive PFNs, so the entries GUP writes for a huge leaf
 * (`record_subpages`: pages[k] = page + k) and the entries `gup_folio_next` reads back
 * are a slice of the sequence 0, 1, 2, ... . A C loop over them runs at memcpy speed; a
 * JavaScript loop costs about a nanosecond an entry, which for a PMD leaf is most of the
 * model's work. Keeping that sequence once per machine (4 bytes per page frame) lets the
 * page-array code copy and compare such slices with Buffer#copy and Buffer#compare:
 * the same entries written and read, with the same results, at the speed of the C loop.
 * Only Int32Array page arrays take this path; number[] arrays use the plain loops.
 */
import type { Machine } from './machine.js';

/** Below this many entries the plain loop is as fast as a native call. */
export const NATIVE_RUN_MIN = 32;

const sequences = new WeakMap<Machine, Buffer>();
const views = new WeakMap<Int32Array, Buffer>();

/** The bytes of an Int32Array holding every PFN of `m` at its own index. */
export function pfnSequenceBytes(m: Machine): Buffer {
  let bytes = sequences.get(m);
  if (bytes === undefined) {
    const seq = new Int32Array(m.nrPages);
    for (let p = 0; p < seq.length; p++) seq[p] = p;
    bytes = Buffer.from(seq.buffer, seq.byteOffset, seq.byteLength);
    sequences.set(m, bytes);
  }
  return bytes;
}

/** A Buffer over the same memory as `pages` (made once per array). */
export function int32Bytes(pages: Int32Array): Buffer {
  let bytes = views.get(pages);
  if (bytes === undefined) {
    bytes = Buffer.from(pages.buffer, pages.byteOffset, pages.byteLength);
    views.set(pages, bytes);
  }
  return bytes;
}

/** Writes `page, page + 1, ..., page + nr - 1` to `pages[at..at + nr)`. */
export function writePfnRun(m: Machine, pages: Int32Array, at: number, page: number, nr: number): void {
  pfnSequenceBytes(m).copy(int32Bytes(pages), at * 4, page * 4, (page + nr) * 4);
}

/** True when `pages[at..at + nr)` holds exactly `page, page + 1, ..., page + nr - 1`. */
export function isPfnRun(m: Machine, pages: Int32Array, at: number, page: number, nr: number): boolean {
  return int32Bytes(pages).compare(pfnSequenceBytes(m), page * 4, (page + nr) * 4, at * 4, (at + nr) * 4) === 0;
}
