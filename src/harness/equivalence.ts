/**
 * The equivalence check across proposals on one scenario (untimed): every row must
 * return the same result and leave the same final state (memmap, vmstat, page tables,
 * page cache), and rows under the same merge policy must describe the same runs.
 *
 * "The same runs" means the same maximal runs (canonical-runs.ts): before vectors are
 * compared, adjacent vectors that continue each other are coalesced, under 'folio'
 * when the next starts at the byte right after the previous one ends and lies in the
 * same folio, under 'physical' when it starts at that byte. So the extract-bvecs
 * control, which cuts a folio run wherever an extraction ends, and a bvec proposal
 * that ends a bvec at UINT_MAX bytes describe the same runs as the page-array
 * control; a proposal that cuts runs pays for it in bvecs, bios and atomics, which
 * the counters show. The rule is applied to every row alike; rows whose vectors are
 * already maximal are unchanged by it.
 *
 * Rows that were not run (a request flag the proposal's caller cannot state, a merge
 * policy it lacks: proposal-rows.ts) never reach this check.
 *
 * The reference is what most rows agree on, so one wrong proposal cannot make the
 * others look wrong; a tie goes to a control (today's kernel) and then to the first
 * row. Rows that crashed never set the reference. Not a kernel concept.
 */
import type { WorldSnapshot } from './machine-snapshot.js';
import type { RowOutcome } from './run-row.js';
import { firstMemmapDifference } from './state-delta.js';
import { formatAddress } from './units.js';

/** The verdict for one row. */
export interface Verdict {
  readonly equivalent: boolean;
  readonly reason: string | null;
}

/** What the check keeps of a row: digests always, the data only for the first row of each digest. */
export interface RowSummary {
  readonly outcome: Omit<RowOutcome, 'vectors' | 'runs' | 'state'> & { readonly stateDigest: string };
  readonly merge: string;
  readonly control: boolean;
}

/** The first row seen with each digest keeps its full data here, for the reasons. */
export interface DistinctData {
  /** Canonical runs by runsDigest. */
  readonly runs: Map<string, Float64Array>;
  readonly states: Map<string, RowOutcome['state']>;
}

function pickReference<T>(rows: readonly RowSummary[], key: (r: RowSummary) => T): T | undefined {
  const counts = new Map<T, { n: number; control: boolean; first: number }>();
  rows.forEach((r, i) => {
    if (r.outcome.crashed !== null) return;
    const k = key(r);
    const c = counts.get(k) ?? { n: 0, control: false, first: i };
    c.n++;
    c.control ||= r.control;
    counts.set(k, c);
  });
  let best: T | undefined;
  let score: [number, number, number] = [-1, -1, -1];
  for (const [k, c] of counts) {
    const s: [number, number, number] = [c.n, c.control ? 1 : 0, -c.first];
    if (s[0] > score[0] || (s[0] === score[0] && (s[1] > score[1] || (s[1] === score[1] && s[2] > score[2])))) {
      best = k;
      score = s;
    }
  }
  return best;
}

function runDifference(a: Float64Array, b: Float64Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2)
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1])
      return `run ${i / 2} is ${formatAddress(a[i]!)}+${a[i + 1]} where the reference has ${formatAddress(b[i]!)}+${b[i + 1]}`;
  return `${a.length / 2} runs where the reference has ${b.length / 2}`;
}

/** Verdicts for the rows of one scenario, in row order. */
export function judge(rows: readonly RowSummary[], data: DistinctData, s: WorldSnapshot): Verdict[] {
  const stateKey = (r: RowSummary) => `${r.outcome.result}|${r.outcome.stateDigest}`;
  const refState = pickReference(rows, stateKey);
  const refRow = rows.find((r) => r.outcome.crashed === null && stateKey(r) === refState);
  const refRuns = new Map<string, string | undefined>();
  for (const merge of new Set(rows.map((r) => r.merge)))
    refRuns.set(
      merge,
      pickReference(
        rows.filter((r) => r.merge === merge && stateKey(r) === refState),
        (r) => r.outcome.runsDigest,
      ),
    );
  return rows.map((r) => {
    const o = r.outcome;
    if (o.crashed !== null) return { equivalent: false, reason: `it crashed: ${o.crashed}` };
    if (refRow === undefined) return { equivalent: true, reason: null };
    const refName = refRow.outcome.row.label;
    if (o.result !== refRow.outcome.result)
      return { equivalent: false, reason: `result ${o.result} where ${refName} has ${refRow.outcome.result}` };
    if (o.stateDigest !== refRow.outcome.stateDigest) {
      const mine = data.states.get(o.stateDigest);
      const theirs = data.states.get(refRow.outcome.stateDigest);
      const where = mine !== undefined && theirs !== undefined ? firstMemmapDifference(mine, theirs, s) : null;
      return {
        equivalent: false,
        reason: `final state differs from ${refName}'s: ${where ?? 'page tables, page cache or vmstat differ'}`,
      };
    }
    const refDigest = refRuns.get(r.merge);
    if (refDigest !== undefined && o.runsDigest !== refDigest) {
      const ref = rows.find((x) => x.merge === r.merge && x.outcome.runsDigest === refDigest)!;
      const a = data.runs.get(o.runsDigest);
      const b = data.runs.get(refDigest);
      const what = a !== undefined && b !== undefined ? runDifference(a, b) : 'the runs differ';
      return { equivalent: false, reason: `under merge=${r.merge}, ${what} (reference ${ref.outcome.row.label})` };
    }
    return { equivalent: true, reason: null };
  });
}
