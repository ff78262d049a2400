/**
 * The counted run of one proposal on one built scenario: snapshot the counters, pin
 * through the proposal's canonical caller, record what the bios describe, complete the
 * I/O, and check that everything came back (invariants.ts). Untimed apart from two
 * wall-clock readings that size the tinybench budget afterwards.
 *
 * The vectors are recorded as (physical byte address, length) pairs in bio order: two
 * proposals that write `(folio head, offset 8192)` and `(head + 2, offset 0)` describe
 * the same bytes, and bio_add_page() would treat them alike. The equivalence check
 * compares them as canonical runs (canonical-runs.ts: maximal under the row's merge
 * policy), taken while the bios still hold their pins; the raw vectors keep their
 * digest for the report.
 *
 * Not kernel code; what it drives is (src/strategy/pin-strategy.ts).
 */
import { createHash } from 'node:crypto';
import { BIO_MAX_VECS, BIO_PAGE_PINNED, type Bio } from '../block/bio.js';
import { KernelBug } from '../mm/bug.js';
import { PAGE_SIZE } from '../mm/constants.js';
import { costDiff, costSnapshot, type CostSnapshot } from '../mm/cost.js';
import { FOLL_WRITE } from '../mm/foll-flags.js';
import { vmstatSnapshot, type VmStatSnapshot } from '../mm/vmstat.js';
import type { PinnedIo, PinRequest, ReturnRun } from '../strategy/pin-strategy.js';
import { canonicalRuns } from './canonical-runs.js';
import { checkInvariants } from './invariants.js';
import { sameStructure, type WorldSnapshot } from './machine-snapshot.js';
import type { ProposalRow } from './proposal-rows.js';
import type { ScenarioWorld } from './scenario-build.js';
import type { Scenario } from './scenario.js';
import { stateDelta, type StateDelta } from './state-delta.js';

/** Everything the counted run learnt about one row. */
export interface RowOutcome {
  readonly row: ProposalRow;
  /** Bytes pinned or -errno (0 when the pin threw). */
  readonly result: number;
  readonly calls: number;
  readonly returnValues: readonly ReturnRun[];
  readonly bvecs: number;
  readonly bios: number;
  /** Counters over the pin alone and over pin plus release. */
  readonly pinCost: CostSnapshot;
  readonly cost: CostSnapshot;
  readonly vmstatBefore: VmStatSnapshot;
  readonly vmstatAfter: VmStatSnapshot;
  /** (physical address, length) per vector, in bio order. */
  readonly vectors: Float64Array;
  /** sha256 of `vectors` (hex). */
  readonly vectorsDigest: string;
  /** `vectors` coalesced into maximal runs under the row's merge policy (canonical-runs.ts). */
  readonly runs: Float64Array;
  /** sha256 of `runs` (hex): what the equivalence check compares. */
  readonly runsDigest: string;
  readonly state: StateDelta;
  /** The pin or the release faulted, copied or migrated something. */
  readonly structural: boolean;
  /** Broken invariants, the bios' contract included; empty when all hold. */
  readonly invariant: string[];
  /** Kernel WARNs during the pin and the release. */
  readonly warnings: readonly string[];
  /** The exception that stopped the run (a KernelBug is the model's oops), or null. */
  readonly crashed: string | null;
  /** Wall time of the counted pin and release, in ms (for the tinybench budget). */
  readonly pinMs: number;
  readonly releaseMs: number;
}

/** The request a scenario asks every proposal to serve. */
export function scenarioRequest(s: Scenario): PinRequest {
  return { start: s.request.start, length: s.request.length, gupFlags: s.request.flags };
}

/** bio_release_pages(bio, mark_dirty): dirty when the device wrote into user memory (FOLL_WRITE). */
export function markDirtyFor(req: PinRequest): boolean {
  return (req.gupFlags & FOLL_WRITE) !== 0;
}

/** The vectors of the bios as (physical address, length) pairs. */
export function biosVectors(bios: readonly Bio[]): Float64Array {
  let n = 0;
  for (const b of bios) n += b.vcnt;
  const out = new Float64Array(n * 2);
  let k = 0;
  for (const b of bios) {
    const v = b.vecs;
    if (v === null) continue;
    for (let i = 0; i < b.vcnt; i++) {
      out[k++] = v.page[i]! * PAGE_SIZE + v.offset[i]!;
      out[k++] = v.len[i]!;
    }
  }
  return out;
}

/** The caller-side contract of PinnedIo: bios pinned, at most BIO_MAX_VECS each, bytes = ret. */
export function checkBios(io: PinnedIo, vectors: Float64Array): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = 1; i < vectors.length; i += 2) bytes += vectors[i]!;
  const ret = io.ret;
  if (ret >= 0 && bytes !== ret) out.push(`the bios hold ${bytes} bytes but the caller reported ${ret} pinned`);
  if (ret < 0 && io.bios.length > 0) out.push(`the caller returned ${ret} but kept ${io.bios.length} bios`);
  for (let i = 0; i < io.bios.length; i++) {
    const b = io.bios[i]!;
    if (b.vcnt > BIO_MAX_VECS) out.push(`bio ${i} has ${b.vcnt} vectors, more than BIO_MAX_VECS (${BIO_MAX_VECS})`);
    if ((b.flags & (1 << BIO_PAGE_PINNED)) === 0) out.push(`bio ${i} is not flagged BIO_PAGE_PINNED, so bio_release_pages() would not unpin it`);
  }
  return out;
}

function digestOf(a: Float64Array): string {
  return createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

function errorText(e: unknown): string {
  if (e instanceof KernelBug) return `KernelBug: ${e.message}`;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs `row` once on `w`, which must be in the state `s` describes. */
export function runRow(w: ScenarioWorld, s: WorldSnapshot, row: ProposalRow, req: PinRequest): RowOutcome {
  const m = w.m;
  const before = costSnapshot(m.cost);
  const vmstatBefore = vmstatSnapshot(m.stat);
  const warnFrom = m.warnings.length;
  let io: PinnedIo | null = null;
  let crashed: string | null = null;
  let pinCost = costDiff(before, before);
  let pinMs = 0;
  let releaseMs = 0;
  let vectors: Float64Array = new Float64Array(0);
  let runs: Float64Array = new Float64Array(0);
  const invariant: string[] = [];
  try {
    const t0 = performance.now();
    io = row.strategy.pin(w.mm, req, row.settings);
    pinMs = performance.now() - t0;
    pinCost = costDiff(costSnapshot(m.cost), before);
    vectors = biosVectors(io.bios);
    runs = canonicalRuns(m, vectors, row.settings.merge);
    invariant.push(...checkBios(io, vectors));
    const t1 = performance.now();
    row.strategy.complete(w.mm, io, markDirtyFor(req));
    releaseMs = performance.now() - t1;
  } catch (e) {
    crashed = errorText(e);
    invariant.push(`${io === null ? 'the pin' : 'the release'} threw ${crashed}`);
  }
  const state = stateDelta(w, s);
  const structural = !sameStructure(w, s);
  if (crashed === null) invariant.push(...checkInvariants(m, s, state, structural));
  let bvecs = 0;
  for (const b of io?.bios ?? []) bvecs += b.vcnt;
  return {
    row,
    result: io?.ret ?? 0,
    calls: io?.calls ?? 0,
    returnValues: io?.returnValues.map((r) => ({ value: r.value, count: r.count })) ?? [],
    bvecs,
    bios: io?.bios.length ?? 0,
    pinCost,
    cost: costDiff(costSnapshot(m.cost), before),
    vmstatBefore,
    vmstatAfter: vmstatSnapshot(m.stat),
    vectors,
    vectorsDigest: digestOf(vectors),
    runs,
    runsDigest: digestOf(runs),
    state,
    structural,
    invariant,
    warnings: m.warnings.slice(warnFrom),
    crashed,
    pinMs,
    releaseMs,
  };
}
