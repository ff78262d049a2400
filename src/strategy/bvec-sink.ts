/**
 * The proposed callee's output: a GupSink that writes variable-length `struct bio_vec`
 * runs into a bvec array as the GUP walk grabs pages. Not a kernel structure (no
 * folio/bvec-returning GUP exists in mainline); it is what `pin_user_bvecs()` would do
 * inside gup_fast_fallback in place of `pages[i] = page`.
 *
 * Byte geometry, the same as iov_iter_extract_bvecs (lib/iov_iter.c, T) produces: the
 * first bvec starts at offset_in_page(start), every later one at offset 0 of its first
 * page, and the last is trimmed to start + len; `bv_page` is the page holding the first
 * byte. Merge policy 'folio': the last bvec grows only by the next page of the same
 * folio (get_contig_folio_len's test: same folio and `pages[i] == pages[i-1] + 1`);
 * 'physical': by the physically next page whatever the folio, if both are ordinary
 * memory or of one pgmap (bvec_try_merge_page plus bio_add_page's pgmap test, T).
 * No bvec grows past UINT_MAX bytes (`bv_len` is an unsigned int).
 *
 * room() grants only what fits in one bvec (the last one, or a new one), so a PMD or PUD
 * leaf is one room/grab/add; it answers 0 when a new bvec is needed and the array is
 * full, which stops the walk. In chunk mode (the rlist-style list) a full array gets
 * one more chunk allocated from room() instead, as a GFP_NOWAIT slab allocation inside
 * the walk would be; if that allocation fails the walk stops there.
 *
 * Counting mode (no array) runs the same merge rules without writing: the count-first
 * sizing uses it. Hot path (room/add per PTE): fields in locals, no allocation; chunk
 * growth is the only allocating branch and runs once per chunk. The constructor checks
 * its arguments (ArgumentError: a limit beyond the array, an offset outside a page, a
 * length that is not a `size_t`, an unknown policy, chunks without an array); the
 * GupSink methods are driven by the walk with what it grabbed and are not checked.
 */
import { NULL_PFN, PAGE_SIZE } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { KernelBug } from '../mm/bug.js';
import { pageFolio } from '../mm/folio.js';
import { kmalloc, type KAlloc } from '../mm/slab.js';
import type { GupSink } from '../gup/gup-sink.js';
import { gupPutFolio } from '../gup/gup-put-folio.js';
import { BvecArray, UINT_MAX } from '../block/bio-vec.js';
import { zoneDevicePagesHaveSamePgmap } from '../block/bio-add.js';
import type { MergePolicy } from './pin-strategy.js';
import { MERGE_POLICIES } from './strategy-enums.js';
import { bvecChunkBytes } from './bvec-chunk.js';
import { badArgument, checkCount, checkInt, checkOneOf } from '../mm/arg-check.js';
import { checkSizeT } from '../block/block-arg-check.js';

/** A sink writing bvecs for the byte range [start, start + len) of one request. */
export class BvecSink implements GupSink {
  /** The output array (null in counting mode); replaced when chunk mode grows it. */
  bvs: BvecArray | null;
  /** Bvecs written (or counted). */
  nr = 0;
  /** Entries the sink may use (Infinity in counting mode). */
  limit: number;
  /** Pages added so far (each holds one pin until released). */
  pages = 0;
  /** Bytes covered so far, from the request's start. */
  done = 0;
  /** room() answered 0 since the last beginWalk(): the array is full. */
  full = false;
  /** -errno of a failed chunk allocation, else 0. */
  allocError = 0;
  /** Chunk allocations made by this sink (chunk mode only), in order. */
  readonly chunks: KAlloc[] = [];

  /** Pages present when the current walk began (rollback's base). */
  private walkStartPages = 0;
  /** The page after the last bvec's last page; NULL_PFN when nothing may merge. */
  private lastNext = NULL_PFN;
  /** Folio of the last bvec's last page. */
  private lastFolio = NULL_PFN;
  /** bv_len of the last bvec. */
  private lastLen = 0;
  /** Decided by room(), used by the add() that follows it. */
  private merging = false;
  private readonly physical: boolean;

  constructor(
    private readonly m: Machine,
    bvs: BvecArray | null,
    limit: number,
    /** offset_in_page(start). */
    private readonly firstOffset: number,
    /** Bytes requested. */
    readonly len: number,
    merge: MergePolicy,
    /** Entries per chunk in chunk mode, 0 otherwise. */
    private readonly chunkEntries: number = 0,
  ) {
    const fn = 'BvecSink';
    if (bvs !== null) checkInt(fn, 'limit', limit, 0, bvs.capacity);
    else if (limit !== Infinity) checkCount(fn, 'limit', limit, Number.MAX_SAFE_INTEGER);
    checkInt(fn, 'firstOffset', firstOffset, 0, PAGE_SIZE - 1);
    checkSizeT(fn, 'len', len);
    checkOneOf(fn, 'merge', merge, MERGE_POLICIES);
    checkCount(fn, 'chunkEntries', chunkEntries);
    if (chunkEntries > 0 && bvs === null) badArgument(fn, 'chunkEntries', chunkEntries, '0 in counting mode (no array to grow)');
    this.bvs = bvs;
    this.limit = limit;
    this.physical = merge === 'physical';
  }

  /** Marks where a call into the walk begins (rollback keeps pages from before it). */
  beginWalk(): void {
    this.walkStartPages = this.pages;
    this.full = false;
  }

  room(folio: number, page: number, nr: number): number {
    if (page === this.lastNext && (folio === this.lastFolio || (this.physical && zoneDevicePagesHaveSamePgmap(this.m, this.lastNext - 1, page)))) {
      const left = UINT_MAX - this.lastLen;
      if (this.len - this.done <= left || nr * PAGE_SIZE <= left) {
        this.merging = true;
        return nr;
      }
      const fit = Math.floor(left / PAGE_SIZE);
      if (fit > 0) {
        this.merging = true;
        return fit;
      }
    }
    if (this.nr >= this.limit && !this.addChunk()) {
      this.full = true;
      return 0;
    }
    this.merging = false;
    const maxPages = Math.floor((UINT_MAX + (this.pages === 0 ? this.firstOffset : 0)) / PAGE_SIZE);
    return nr <= maxPages ? nr : maxPages;
  }

  add(folio: number, page: number, nr: number): void {
    const off = this.pages === 0 ? this.firstOffset : 0;
    let bytes = nr * PAGE_SIZE - off;
    const rem = this.len - this.done;
    if (bytes > rem) bytes = rem;
    const bvs = this.bvs;
    if (this.merging) {
      this.lastLen += bytes;
      if (bvs !== null) bvs.len[this.nr - 1] = this.lastLen;
    } else {
      if (bvs !== null) {
        const i = this.nr;
        bvs.page[i] = page;
        bvs.len[i] = bytes;
        bvs.offset[i] = off;
        this.m.cost.bvecsWritten++;
      }
      this.nr++;
      this.lastLen = bytes;
    }
    this.lastFolio = folio;
    this.lastNext = page + nr;
    this.pages += nr;
    this.done += bytes;
  }

  /**
   * Counting mode: `nr` pages whose page is not known yet (the walk would fault or
   * migrate them), each counted as a bvec of its own, none merging with what follows.
   */
  addUnknown(nr: number): void {
    let bytes = nr * PAGE_SIZE - (this.pages === 0 ? this.firstOffset : 0);
    const rem = this.len - this.done;
    if (bytes > rem) bytes = rem;
    this.nr += nr;
    this.pages += nr;
    this.done += bytes;
    this.lastNext = NULL_PFN;
    this.lastFolio = NULL_PFN;
    this.lastLen = 0;
  }

  rollback(gupFlags: number, keep: number): void {
    const bvs = this.bvs;
    const target = this.walkStartPages + keep;
    let excess = this.pages - target;
    if (excess < 0 || (excess > 0 && bvs === null)) throw new KernelBug(`bvec sink: rollback to ${target} pages of ${this.pages}`);
    const m = this.m;
    while (excess > 0) {
      const i = this.nr - 1;
      const first = bvs!.page[i]!;
      const off = bvs!.offset[i]!;
      const n = Math.ceil((off + bvs!.len[i]!) / PAGE_SIZE);
      const drop = n < excess ? n : excess;
      // One put per folio for the pages dropped from this bvec's tail.
      const end = first + n;
      for (let p = end - drop; p < end; ) {
        const folio = pageFolio(m, p);
        const folioEnd = folio + (1 << m.order[folio]!);
        const stop = folioEnd < end ? folioEnd : end;
        gupPutFolio(m, folio, stop - p, gupFlags);
        p = stop;
      }
      if (drop === n) this.nr--;
      else bvs!.len[i] = (n - drop) * PAGE_SIZE - off;
      excess -= drop;
    }
    this.pages = target;
    this.done = target === 0 ? 0 : Math.min(target * PAGE_SIZE - this.firstOffset, this.len);
    this.full = false;
    if (this.nr === 0 || bvs === null) {
      this.lastNext = NULL_PFN;
      this.lastFolio = NULL_PFN;
      this.lastLen = 0;
      return;
    }
    const i = this.nr - 1;
    this.lastLen = bvs.len[i]!;
    this.lastNext = bvs.page[i]! + Math.ceil((bvs.offset[i]! + this.lastLen) / PAGE_SIZE);
    this.lastFolio = pageFolio(m, this.lastNext - 1);
  }

  /** Chunk mode: one more chunk of `chunkEntries` bvecs (kmalloc); false if none. */
  private addChunk(): boolean {
    if (this.chunkEntries === 0 || this.allocError !== 0) return false;
    const a = kmalloc(this.m, bvecChunkBytes(this.chunkEntries));
    if (typeof a === 'number') {
      this.allocError = a;
      return false;
    }
    this.chunks.push(a);
    this.limit += this.chunkEntries;
    const bvs = this.bvs!;
    if (this.limit > bvs.capacity) {
      // The model keeps the chunks' entries in one growing JS array; only the chunk
      // allocations above are modelled (a chunk list copies nothing when it grows).
      const grown = new BvecArray(Math.max(this.limit, bvs.capacity * 2));
      grown.page.set(bvs.page);
      grown.len.set(bvs.len);
      grown.offset.set(bvs.offset);
      this.bvs = grown;
    }
    return true;
  }
}
