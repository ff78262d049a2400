/**
 * The comparison: for each scenario and each proposal row, an identical machine, the
 * counted run with its invariant checks (run-row.ts), then the tinybench timing
 * (timing.ts), and once every row has run, the equivalence verdicts (equivalence.ts)
 * on canonical runs. Rows a proposal cannot serve as asked (proposal-rows.ts) are not
 * run and are listed with their reason. It takes the proposals as an argument and never
 * imports the registry.
 *
 * Identical machines: the scenario is built once and snapshotted; before each row the
 * world is restored from the snapshot when the previous row changed nothing
 * structural, and built again otherwise (then the new build must match the first one
 * exactly, or the builder is not deterministic and the run stops). Only digests of
 * each row's vectors, runs and final state are kept, plus the runs and state of the
 * first row with each digest, so a 100 GiB scenario keeps one final state, not one per row.
 */
import * as E from 'fp-ts/lib/Either.js';
import { follFlagsToString } from '../mm/foll-flags.js';
import type { PinStrategy } from '../strategy/pin-strategy.js';
import { judge, type DistinctData, type RowSummary, type Verdict } from './equivalence.js';
import { restore, takeSnapshot, type WorldSnapshot } from './machine-snapshot.js';
import { proposalRows, type NotRunRow, type ProposalRow, type RowOptions } from './proposal-rows.js';
import { RESULT_SCHEMA_VERSION, type Comparison, type NotRun, type ProposalRun, type ScenarioRun, type Timing } from './result.js';
import { runRow, scenarioRequest, type RowOutcome } from './run-row.js';
import { buildScenario, type ScenarioWorld } from './scenario-build.js';
import type { MergePolicy, Scenario, SizingVariant } from './scenario.js';
import { snapshotsEqual } from './snapshot-compare.js';
import { timeRow, type TimingBudget } from './timing.js';

/** Where the runner is, for a progress bar: reported as each row starts, and once at the end. */
export interface Progress {
  readonly scenario: string;
  /** The row starting now ('' at the end). */
  readonly row: string;
  /** Rows finished so far, over the whole comparison. */
  readonly done: number;
  readonly total: number;
}

export interface RunnerOptions {
  /** Names the tool in the result. */
  readonly tool: { readonly name: string; readonly version: string };
  /** Replaces every scenario's own seed. */
  readonly seed?: number;
  /** tinybench budget; null runs no timing (counters only). */
  readonly timing: TimingBudget | null;
  /** Every proposal's merge policy (else each scenario's, else 'folio'). */
  readonly merge?: MergePolicy;
  /** Only these sizing variants of a proposal. */
  readonly variants?: ReadonlyMap<string, readonly SizingVariant[]>;
  /** Called as each row starts, and once when all are done. */
  readonly onProgress?: (p: Progress) => void;
}

/** The scenario as it will run: with the `--seed` override applied. */
export function seeded(s: Scenario, seed: number | undefined): Scenario {
  return seed === undefined ? s : { ...s, seed };
}

/** What the runner does on one scenario: the rows it runs and the ones it leaves out. */
export interface ScenarioPlan {
  readonly rows: readonly ProposalRow[];
  readonly notRun: readonly NotRunRow[];
}

/** The rows of every scenario, each with the rows it does not run. */
export function planRows(scenarios: readonly Scenario[], strategies: readonly PinStrategy[], opts: RowOptions): ScenarioPlan[] {
  return scenarios.map((s) => proposalRows(s, strategies, opts));
}

function build(s: Scenario): E.Either<string[], { world: ScenarioWorld; snap: WorldSnapshot }> {
  const built = buildScenario(s);
  if (E.isLeft(built)) return built;
  return E.right({ world: built.right, snap: takeSnapshot(built.right) });
}

function toRun(o: RowSummary['outcome'], verdict: Verdict, timing: Timing | null): ProposalRun {
  return {
    proposal: o.row.label,
    settings: o.row.shown,
    result: o.result,
    returnValues: o.returnValues,
    bvecs: o.bvecs,
    bios: o.bios,
    bytesAllocated: o.cost.bytesGiven,
    bytesUnused: o.cost.bytesUnused,
    cost: o.cost,
    pinCost: o.pinCost,
    vectorsDigest: o.vectorsDigest.slice(0, 16),
    runsDigest: o.runsDigest.slice(0, 16),
    structural: o.structural,
    vmstatBefore: o.vmstatBefore,
    vmstatAfter: o.vmstatAfter,
    equivalent: verdict.equivalent,
    reason: verdict.reason,
    invariant: o.invariant,
    warnings: o.warnings,
    timing,
  };
}

/** A row's outcome without its vectors, runs and state delta (kept once per digest instead). */
function summarize(o: RowOutcome): RowSummary['outcome'] {
  const { vectors, runs, state, ...kept } = o;
  void vectors;
  void runs;
  return { ...kept, stateDigest: state.digest };
}

function toNotRun(r: NotRunRow): NotRun {
  return { proposal: r.label, settings: r.shown, reason: r.reason };
}

/** Runs every row of one scenario. */
function runScenario(
  s: Scenario,
  plan: ScenarioPlan,
  opts: RunnerOptions,
  starting: (row: string) => void,
): E.Either<string[], ScenarioRun> {
  const first = build(s);
  if (E.isLeft(first)) return first;
  let { world, snap } = first.right;
  const base = snap;
  const req = scenarioRequest(s);
  const rows = plan.rows;
  const summaries: RowSummary[] = [];
  const timings: (Timing | null)[] = [];
  const data: DistinctData = { runs: new Map(), states: new Map() };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    starting(row.label);
    if (i > 0 && !restore(world, snap)) {
      const again = build(s);
      if (E.isLeft(again)) return again;
      ({ world, snap } = again.right);
      const same = snapshotsEqual(snap, base);
      if (same !== null) throw new Error(`${s.name}: building the scenario again gave a different machine (${same}); the builder is not deterministic`);
    }
    const o = runRow(world, snap, row, req);
    let timing: Timing | null = null;
    if (opts.timing !== null && o.crashed === null) {
      const t = timeRow(world, row, req, s.request.repeats, o, opts.timing);
      timing = t.timing;
      for (const p of t.problems) o.invariant.push(`timing: ${p}`);
    }
    if (!data.runs.has(o.runsDigest)) data.runs.set(o.runsDigest, o.runs);
    if (!data.states.has(o.state.digest)) data.states.set(o.state.digest, o.state);
    summaries.push({ outcome: summarize(o), merge: row.settings.merge, control: row.strategy.option === 'control' });
    timings.push(timing);
  }
  const verdicts = judge(summaries, data, base);
  return E.right({
    scenario: s.name,
    description: s.description,
    seed: s.seed,
    request: { start: s.request.start, length: s.request.length, flags: follFlagsToString(s.request.flags) },
    runs: summaries.map((r, i) => toRun(r.outcome, verdicts[i]!, timings[i] ?? null)),
    notRun: plan.notRun.map(toNotRun),
  });
}

/**
 * Compares `strategies` on `scenarios`. Left: a scenario that cannot be built, one
 * line per problem. A row a proposal cannot serve (a flag it cannot state, a merge
 * policy it lacks) is listed in the scenario's `notRun`, not refused.
 */
export function runComparison(
  scenarios: readonly Scenario[],
  strategies: readonly PinStrategy[],
  opts: RunnerOptions,
): E.Either<string[], Comparison> {
  const ready = scenarios.map((s) => seeded(s, opts.seed));
  const plan = planRows(ready, strategies, {
    ...(opts.merge !== undefined ? { merge: opts.merge } : {}),
    ...(opts.variants !== undefined ? { variants: opts.variants } : {}),
  });
  const total = plan.reduce((n, p) => n + p.rows.length, 0);
  let started = 0;
  const out: ScenarioRun[] = [];
  for (let k = 0; k < ready.length; k++) {
    const s = ready[k]!;
    const run = runScenario(s, plan[k]!, opts, (row) => opts.onProgress?.({ scenario: s.name, row, done: started++, total }));
    if (E.isLeft(run)) return run;
    out.push(run.right);
  }
  opts.onProgress?.({ scenario: '', row: '', done: total, total });
  return E.right({
    schemaVersion: RESULT_SCHEMA_VERSION,
    seed: opts.seed ?? null,
    tool: { name: opts.tool.name, version: opts.tool.version },
    node: process.version,
    scenarios: out,
  });
}
