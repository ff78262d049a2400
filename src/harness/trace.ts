/**
 * The driver author's view of one proposal on one scenario: what the caller loop
 * called and got back, the bios and vectors it built, the folio steps
 * bio_for_each_folio_all() takes over each bio at completion, and what changed in
 * refcounts, pincounts, other memmap fields, vmstat and the cost counters at the pin
 * and at the release. Long lists are cut to `limit` entries (counts stay exact).
 *
 * Not kernel code: an instrumented run of the same canonical caller the comparison
 * measures (run-row.ts), on a machine built the same way.
 */
import * as E from 'fp-ts/lib/Either.js';
import { bioForEachFolioAllFn } from '../block/folio-iter.js';
import { BIO_PAGE_PINNED, type Bio } from '../block/bio.js';
import { costDiff, costSnapshot, type CostSnapshot, COST_FIELDS } from '../mm/cost.js';
import { follFlagsToString } from '../mm/foll-flags.js';
import { pageFolio } from '../mm/folio.js';
import type { Machine } from '../mm/machine.js';
import { vmstatSnapshot, type VmStatSnapshot } from '../mm/vmstat.js';
import type { PinnedIo, PinStrategy, ReturnRun, StrategySettings } from '../strategy/pin-strategy.js';
import { checkInvariants } from './invariants.js';
import { MEMMAP_FIELDS, sameStructure, snapshotValue, takeSnapshot, type MemmapField, type WorldSnapshot } from './machine-snapshot.js';
import { VMSTAT_FIELDS } from './result.js';
import { checkBios, biosVectors, markDirtyFor, scenarioRequest } from './run-row.js';
import { buildScenario } from './scenario-build.js';
import { enablePinChecker } from '../mm/pin-checker.js';
import type { MergePolicy, ProposalSettings, Scenario, SizingVariant } from './scenario.js';
import { memmapDelta, stateDelta } from './state-delta.js';

/** One memmap field of one PFN, before and after a phase. */
export interface TraceChange {
  readonly field: MemmapField;
  readonly pfn: number;
  readonly before: number;
  readonly after: number;
}

/** What a phase (pin, or release) changed. */
export interface TracePhase {
  /** Cost counters that moved. */
  readonly cost: Partial<CostSnapshot>;
  /** vmstat fields that moved, as deltas. */
  readonly vmstat: Partial<Record<keyof VmStatSnapshot, number>>;
  /** Memmap entries changed, per field (exact counts). */
  readonly changed: Partial<Record<MemmapField, number>>;
  /** The first `limit` changes of each field. */
  readonly changes: readonly TraceChange[];
  readonly warnings: readonly string[];
}

export interface TraceVector {
  readonly page: number;
  readonly offset: number;
  readonly len: number;
  /** The folio of `page` and its order. */
  readonly folio: number;
  readonly order: number;
}

export interface TraceBio {
  readonly vcnt: number;
  readonly size: number;
  readonly pinned: boolean;
  /** The first `limit` vectors. */
  readonly vectors: readonly TraceVector[];
  /** bio_for_each_folio_all steps: exact count, first `limit` shown. */
  readonly nrFolioSteps: number;
  readonly folioSteps: readonly { readonly folio: number; readonly offset: number; readonly length: number }[];
}

export interface Trace {
  readonly scenario: string;
  readonly description: string;
  readonly proposal: string;
  readonly settings: ProposalSettings;
  readonly request: { readonly start: number; readonly length: number; readonly flags: string };
  readonly markDirty: boolean;
  readonly result: number;
  readonly calls: number;
  readonly returnValues: readonly ReturnRun[];
  readonly nrBios: number;
  readonly nrVectors: number;
  /** The first `limit` bios. */
  readonly bios: readonly TraceBio[];
  readonly pin: TracePhase;
  readonly release: TracePhase;
  readonly invariant: readonly string[];
  readonly limit: number;
}

export interface TraceOptions {
  readonly variant?: SizingVariant;
  readonly merge?: MergePolicy;
  /** Entries shown per list (default 8). */
  readonly limit?: number;
}

function costMoved(d: CostSnapshot): Partial<CostSnapshot> {
  const out: Partial<CostSnapshot> = {};
  for (const f of COST_FIELDS) if (d[f] !== 0) out[f] = d[f];
  return out;
}

function phase(
  w: { readonly m: Machine },
  before: WorldSnapshot,
  cost0: CostSnapshot,
  stat0: VmStatSnapshot,
  warnFrom: number,
  limit: number,
): TracePhase {
  const m = w.m;
  const entries = memmapDelta(m, before, true);
  const changed: Partial<Record<MemmapField, number>> = {};
  const changes: TraceChange[] = [];
  for (let i = 0; i < entries.length; i += 3) {
    const field = MEMMAP_FIELDS[entries[i]!]!;
    const n = (changed[field] ?? 0) + 1;
    changed[field] = n;
    if (n <= limit) changes.push({ field, pfn: entries[i + 1]!, before: snapshotValue(before, field, entries[i + 1]!), after: entries[i + 2]! });
  }
  const stat = vmstatSnapshot(m.stat);
  const vmstat: Partial<Record<keyof VmStatSnapshot, number>> = {};
  for (const f of VMSTAT_FIELDS) if (stat[f] !== stat0[f]) vmstat[f] = stat[f] - stat0[f];
  return { cost: costMoved(costDiff(costSnapshot(m.cost), cost0)), vmstat, changed, changes, warnings: m.warnings.slice(warnFrom) };
}

function traceBio(m: Machine, bio: Bio, limit: number): TraceBio {
  const vectors: TraceVector[] = [];
  const v = bio.vecs;
  for (let i = 0; i < bio.vcnt && i < limit && v !== null; i++) {
    const page = v.page[i]!;
    const folio = pageFolio(m, page);
    vectors.push({ page, offset: v.offset[i]!, len: v.len[i]!, folio, order: m.order[folio]! });
  }
  const folioSteps: { folio: number; offset: number; length: number }[] = [];
  let nrFolioSteps = 0;
  bioForEachFolioAllFn(m, bio, (folio, offset, length) => {
    if (nrFolioSteps++ < limit) folioSteps.push({ folio, offset, length });
  });
  return { vcnt: bio.vcnt, size: bio.size, pinned: (bio.flags & (1 << BIO_PAGE_PINNED)) !== 0, vectors, nrFolioSteps, folioSteps };
}

/** Traces `strategy` on `s`; Left when the scenario cannot be built or the settings are refused. */
export function traceScenario(s: Scenario, strategy: PinStrategy, opts: TraceOptions = {}): E.Either<string[], Trace> {
  const limit = opts.limit ?? 8;
  const asked = s.proposals[strategy.name] ?? {};
  const merge: MergePolicy = opts.merge ?? asked.merge ?? 'folio';
  if (!strategy.mergePolicies.includes(merge))
    return E.left([`--merge: expected a merge policy ${strategy.name} supports (${strategy.mergePolicies.join(', ')}), found ${merge}`]);
  const sizing = opts.variant ?? asked.sizing;
  const settings: StrategySettings = {
    merge,
    ...(asked.chunkSize !== undefined ? { chunkSize: asked.chunkSize } : {}),
    ...(sizing !== undefined ? { sizing } : {}),
  };
  const built = buildScenario(s);
  if (E.isLeft(built)) return built;
  const w = built.right;
  const m = w.m;
  // The driver-author view runs checked: a misuse by the proposal is named, not absorbed.
  enablePinChecker(m);
  const req = scenarioRequest(s);
  const base = takeSnapshot(w);
  const cost0 = costSnapshot(m.cost);
  const stat0 = vmstatSnapshot(m.stat);
  const invariant: string[] = [];
  let io: PinnedIo;
  try {
    io = strategy.pin(w.mm, req, settings);
  } catch (e) {
    return E.left([`${strategy.name} threw while pinning: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const pin = phase(w, base, cost0, stat0, base.warnings, limit);
  invariant.push(...checkBios(io, biosVectors(io.bios)));
  const bios = io.bios.slice(0, limit).map((b) => traceBio(m, b, limit));
  let nrVectors = 0;
  for (const b of io.bios) nrVectors += b.vcnt;
  const afterPin = takeSnapshot(w);
  const cost1 = costSnapshot(m.cost);
  const stat1 = vmstatSnapshot(m.stat);
  try {
    strategy.complete(w.mm, io, markDirtyFor(req));
  } catch (e) {
    invariant.push(`the release threw ${e instanceof Error ? e.message : String(e)}`);
  }
  const release = phase(w, afterPin, cost1, stat1, afterPin.warnings, limit);
  invariant.push(...checkInvariants(m, base, stateDelta(w, base), !sameStructure(w, base)));
  const shown: { -readonly [K in keyof ProposalSettings]: ProposalSettings[K] } = { merge };
  if (settings.chunkSize !== undefined) shown.chunkSize = settings.chunkSize;
  if (settings.sizing !== undefined) shown.sizing = settings.sizing;
  return E.right({
    scenario: s.name,
    description: s.description,
    proposal: sizing !== undefined && strategy.settings.includes('sizing') ? `${strategy.name}:${sizing}` : strategy.name,
    settings: shown,
    request: { start: req.start, length: req.length, flags: follFlagsToString(req.gupFlags) },
    markDirty: markDirtyFor(req),
    result: io.ret,
    calls: io.calls,
    returnValues: io.returnValues.map((r) => ({ value: r.value, count: r.count })),
    nrBios: io.bios.length,
    nrVectors,
    bios,
    pin,
    release,
    invariant,
    limit,
  });
}
