/**
 * The result of a comparison: for each scenario, for each proposal, the deterministic
 * cost counters, vmstat before and after, what the calls returned, the vectors and
 * bios built, the array memory, the equivalence verdict and the tinybench timing; and
 * the proposals not run on it, with the reason. Every report (text, Markdown, JSON,
 * SVG) is rendered from this one structure.
 *
 * Not a kernel structure. Everything but `timing` is a pure function of the scenario
 * and the seed, so two runs give identical counters.
 */
import type { CostSnapshot } from '../mm/cost.js';
import { VmStat, type VmStatSnapshot } from '../mm/vmstat.js';
import type { ProposalSettings } from './scenario.js';

/**
 * Bumped whenever a field changes meaning or is removed. 3: `equivalent` compares
 * canonical (maximal) runs, `runsDigest`, not the raw vectors; `runs` holds only the
 * rows that ran, the others are in `notRun`.
 */
export const RESULT_SCHEMA_VERSION = 3;

/** The vmstat fields in report order (the order VmStat declares them). */
export const VMSTAT_FIELDS = Object.keys(new VmStat()) as readonly (keyof VmStatSnapshot)[];

/** A run of equal return values, in call order: `{ value: 16, count: 1000 }`. */
export interface ReturnRun {
  /** What one callee call returned: a count, or a negative errno. */
  readonly value: number;
  /** How many calls in a row returned it. */
  readonly count: number;
}

/** tinybench figures for one proposal on one scenario; pin and release are timed apart. */
export interface Timing {
  /** Mean latency of one pin (the whole caller loop), in nanoseconds. */
  readonly pinMeanNs: number;
  /** Relative margin of error of that mean, in percent. */
  readonly pinRme: number;
  readonly pinSamples: number;
  /** Mean latency of one release at completion, in nanoseconds. */
  readonly releaseMeanNs: number;
  readonly releaseRme: number;
  readonly releaseSamples: number;
}

/** One proposal on one scenario. */
export interface ProposalRun {
  /** Registry name, with a variant suffix where the runner measures several (`callee-allocates:grow`). */
  readonly proposal: string;
  /** The settings it ran with, defaults filled in by the proposal. */
  readonly settings: ProposalSettings;
  /** What the caller loop ended with: bytes pinned, or a negative errno. */
  readonly result: number;
  /** Every callee call's return value, run-length encoded in call order. */
  readonly returnValues: readonly ReturnRun[];
  /** struct bio_vec entries handed to bios. */
  readonly bvecs: number;
  /** struct bio built. */
  readonly bios: number;
  /** Bytes the allocator handed out for output arrays (size class or vmalloc pages). */
  readonly bytesAllocated: number;
  /** Bytes of those arrays never written. */
  readonly bytesUnused: number;
  /** Cost counters over the pin and the release (COST_FIELDS). */
  readonly cost: CostSnapshot;
  /** The same counters over the pin alone (the release's share is `cost - pinCost`). */
  readonly pinCost: CostSnapshot;
  /** sha256 (first 16 hex digits) of the vectors as (physical address, length) pairs in bio order. */
  readonly vectorsDigest: string;
  /**
   * The same of the canonical runs: the vectors with each one that continues the
   * previous under the merge policy coalesced into it (canonical-runs.ts). Rows under
   * one merge policy are equivalent only if these agree.
   */
  readonly runsDigest: string;
  /** The pin faulted, copied or migrated something (then refcounts are checked against the rmap). */
  readonly structural: boolean;
  readonly vmstatBefore: VmStatSnapshot;
  /** After the release: nrFollPinAcquired - nrFollPinReleased must be as before. */
  readonly vmstatAfter: VmStatSnapshot;
  /** Same result, same maximal runs (`runsDigest`) and same final state as the reference row. */
  readonly equivalent: boolean;
  /** Why not, when not equivalent; null when equivalent. */
  readonly reason: string | null;
  /** Broken invariants after the release (pins, pincounts, refcounts, the bios' contract); empty when all hold. */
  readonly invariant: readonly string[];
  /** Kernel WARNs hit (machine.warnings), in order. */
  readonly warnings: readonly string[];
  /** null when the run was not timed (for example `compare --no-bench`). */
  readonly timing: Timing | null;
}

/** A proposal row the runner did not run on a scenario, and why. */
export interface NotRun {
  /** The label it would have had (`extract-bvecs`, `callee-allocates:grow`). */
  readonly proposal: string;
  /** The settings it was asked to run with. */
  readonly settings: ProposalSettings;
  /** For example `FOLL_LONGTERM cannot be expressed through an iov_iter`. */
  readonly reason: string;
}

/** One scenario, every proposal. */
export interface ScenarioRun {
  readonly scenario: string;
  readonly description: string;
  /** The seed the scenario was built with. */
  readonly seed: number;
  readonly request: {
    readonly start: number;
    readonly length: number;
    /** `FOLL_WRITE|FOLL_LONGTERM` (follFlagsToString), `0` for none. */
    readonly flags: string;
  };
  /** The rows that ran, in registry order. */
  readonly runs: readonly ProposalRun[];
  /** The rows that could not run as asked: outside the equivalence, never a failure. */
  readonly notRun: readonly NotRun[];
}

/** A whole comparison, as `compare --format json` writes it. */
export interface Comparison {
  readonly schemaVersion: typeof RESULT_SCHEMA_VERSION;
  /** The `--seed` that replaced every scenario's own seed, or null when each used its own. */
  readonly seed: number | null;
  readonly tool: { readonly name: string; readonly version: string };
  /** `process.version` of the run. */
  readonly node: string;
  readonly scenarios: readonly ScenarioRun[];
}

const GIB = 2 ** 30;

/** Vectors per GiB pinned, or null when nothing was pinned. */
export function vectorsPerGiB(run: ProposalRun): number | null {
  return run.result > 0 ? (run.bvecs * GIB) / run.result : null;
}

/** Atomic operations on refcounts and pincounts together. */
export function atomics(run: ProposalRun): number {
  return run.cost.refcountAtomics + run.cost.pincountAtomics;
}

/** Run-length encodes return values in call order. */
export function encodeReturnValues(values: ArrayLike<number>): ReturnRun[] {
  const out: ReturnRun[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const last = out[out.length - 1];
    if (last !== undefined && last.value === v) out[out.length - 1] = { value: v, count: last.count + 1 };
    else out.push({ value: v, count: 1 });
  }
  return out;
}

/** True when the run is equivalent to the others, broke no invariant and hit no WARN. */
export function runClean(r: ProposalRun): boolean {
  return r.equivalent && r.invariant.length === 0 && r.warnings.length === 0;
}

/** True when every proposal on every scenario was clean (runClean). */
export function comparisonClean(c: Comparison): boolean {
  for (const s of c.scenarios) for (const r of s.runs) if (!runClean(r)) return false;
  return true;
}
