/**
 * The one interface every proposal implements and the harness drives without knowing
 * which it is: a callee in the kernel's shape plus its canonical caller, which pins a
 * user range of any length into bios of at most BIO_MAX_VECS vectors, and the matching
 * release at completion.
 *
 * Not a kernel interface: it is the frame the comparison needs. What each proposal's
 * callee returns, who frees and who unpins is fixed in `proposals/<name>/README.md`.
 */
import type { Mm } from '../mm/mm.js';
import type { KAlloc } from '../mm/slab.js';
import type { Bio } from '../block/bio.js';
import { badArgument } from '../mm/arg-check.js';

/**
 * How runs become vectors. 'folio': one vector per run of consecutive pages inside one
 * folio (as iov_iter_extract_bvecs does). 'physical': physically contiguous runs merge
 * across folios (as bio_add_page does).
 */
export type MergePolicy = 'folio' | 'physical';

/** How a callee-allocates proposal sizes its array. */
export type SizingVariant = 'worst-case' | 'grow' | 'count-first' | 'chunked';

/** A caller's request: pin [start, start + length) with the caller's FOLL_* flags. */
export interface PinRequest {
  /** User address of the first byte; any alignment. */
  readonly start: number;
  /** Bytes, at least 1. */
  readonly length: number;
  /** FOLL_WRITE, FOLL_LONGTERM, ...; never FOLL_PIN or FOLL_GET (the API sets FOLL_PIN). */
  readonly gupFlags: number;
}

/** Per-proposal settings; each proposal reads the ones it lists in `settings`. */
export interface StrategySettings {
  readonly merge: MergePolicy;
  /** caller-chunks: entries in the caller's fixed array (default 16). */
  readonly chunkSize?: number;
  /** callee-allocates: how the callee sizes its allocation (default 'grow'). */
  readonly sizing?: SizingVariant;
}

/** A run of equal callee return values, in call order: `{ value: 16, count: 1000 }`. */
export interface ReturnRun {
  value: number;
  count: number;
}

/** Appends one call's return value (a count or -errno: a safe integer) to a run-length encoded list. */
export function recordReturn(runs: ReturnRun[], value: number): void {
  if (!Number.isSafeInteger(value)) badArgument('recordReturn', 'value', value, 'a return value (a safe integer)');
  const last = runs[runs.length - 1];
  if (last !== undefined && last.value === value) last.count++;
  else runs.push({ value, count: 1 });
}

/** What the canonical caller holds once it has pinned: bios ready for submission. */
export interface PinnedIo {
  /** Bytes pinned from `start` (may be short of `length`), or -errno with nothing held. */
  readonly ret: number;
  /** Bios built, each BIO_PAGE_PINNED, each with at most BIO_MAX_VECS vectors. */
  readonly bios: Bio[];
  /** Calls made into the callee (a proposal's API). */
  readonly calls: number;
  /** Every callee call's return value in call order, run-length encoded. */
  readonly returnValues: ReturnRun[];
  /** Callee or caller arrays the bios still point into; freed at completion. */
  readonly owned: { readonly alloc: KAlloc; readonly usedBytes: number }[];
}

/** The names of settings a proposal understands (for scenario validation). */
export type StrategySettingName = 'merge' | 'chunkSize' | 'sizing';

/** A proposal as the harness sees it. */
export interface PinStrategy {
  /** Folder name under proposals/. */
  readonly name: string;
  /** One line for tables and `folio-gup scenarios`. */
  readonly summary: string;
  /** Willy's option number (1, 2, 3) or 'control'. */
  readonly option: 1 | 2 | 3 | 'control';
  /** Settings this proposal reads. */
  readonly settings: readonly StrategySettingName[];
  /** Merge policies it supports ('folio' always). */
  readonly mergePolicies: readonly MergePolicy[];
  /**
   * The FOLL_* request flags its canonical caller can state (absent: every flag). A
   * request carrying any other is outside what the proposal can be compared on; its
   * `pin` refuses one with -EINVAL and holds nothing, and the harness does not run it.
   */
  readonly expressibleGupFlags?: number;
  /**
   * What the caller states its flags through, for the harness's "not run" note
   * (`FOLL_LONGTERM cannot be expressed through an iov_iter`); absent: "<name>'s caller".
   */
  readonly expressibleThrough?: string;
  /**
   * The canonical caller loop: pins the request, builds bios, and on a failure after
   * some progress keeps what it has and returns a short count (nothing leaks either way).
   */
  pin(mm: Mm, req: PinRequest, settings: StrategySettings): PinnedIo;
  /** Completion: releases every pin the bios hold and frees `owned`, as the contract says. */
  complete(mm: Mm, io: PinnedIo, markDirty: boolean): void;
}
