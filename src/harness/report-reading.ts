/**
 * The short reading at the top of proposals/REPORT.md: sentences computed from the
 * comparison, never typed in, so they stay true when the numbers move. Each says what
 * the counters show (exact) and, apart from them, what the timings suggest (noisy:
 * JavaScript on a shared machine). No judgement the numbers do not carry.
 */
import { SIZEOF_BIO_VEC } from '../mm/constants.js';
import { formatBytesShort, formatNs, formatPerGiB } from './report-format.js';
import { runClean, vectorsPerGiB, type Comparison, type ProposalRun, type ScenarioRun } from './result.js';

const PAGE_POINTER_BYTES = 8;

function largest(c: Comparison): ScenarioRun | undefined {
  let best: ScenarioRun | undefined;
  for (const s of c.scenarios) if (best === undefined || s.request.length > best.request.length) best = s;
  return best;
}

function smallest(c: Comparison): ScenarioRun | undefined {
  let best: ScenarioRun | undefined;
  for (const s of c.scenarios) if (best === undefined || s.request.length < best.request.length) best = s;
  return best;
}

function agreement(c: Comparison): string {
  const bad: string[] = [];
  let rows = 0;
  for (const s of c.scenarios)
    for (const r of s.runs) {
      rows++;
      if (!runClean(r)) bad.push(`${r.proposal} on ${s.scenario}`);
    }
  if (bad.length === 0)
    return `All ${rows} runs agree: on every scenario each proposal pinned the same bytes, described them in the same maximal runs under the same merge policy, and left the same final state, with every pin released and every refcount back. The options differ in cost only, cut runs included (they show in bvecs, bios and atomics).`;
  return `Not every run is clean: ${bad.join('; ')}. See the tables below for why; the rest of this reading covers the clean runs only.`;
}

/** The rows not run, grouped by proposal and reason: "extract-bvecs on a and b (reason)". */
function notRunSentence(c: Comparison): string | null {
  const groups = new Map<string, { proposal: string; reason: string; scenarios: string[] }>();
  for (const s of c.scenarios)
    for (const r of s.notRun) {
      const key = `${r.proposal}\n${r.reason}`;
      const g = groups.get(key) ?? { proposal: r.proposal, reason: r.reason, scenarios: [] };
      g.scenarios.push(s.scenario);
      groups.set(key, g);
    }
  if (groups.size === 0) return null;
  const parts = [...groups.values()].map((g) => `${g.proposal} on ${g.scenarios.join(', ')} (${g.reason})`);
  return `Not run, so outside the comparison: ${parts.join('; ')}.`;
}

function vectorsByFolioSize(c: Comparison): string | null {
  const parts: string[] = [];
  for (const s of c.scenarios) {
    const rows = s.runs.filter((x) => runClean(x) && (x.settings.merge ?? 'folio') === 'folio' && x.result > 0);
    const r = rows.reduce<(typeof rows)[number] | undefined>((a, x) => (a === undefined || x.bvecs < a.bvecs ? x : a), undefined);
    if (r === undefined || s.request.length < 2 ** 26) continue;
    parts.push(`${formatPerGiB(vectorsPerGiB(r))} on ${s.scenario}`);
  }
  if (parts.length === 0) return null;
  return `Vectors per GiB pinned follow the folio size, not the API (one vector per run inside a folio, for the row that needed fewest): ${parts.join(', ')}.`;
}

/**
 * Rows that wrote more vectors than the fewest any row needed for the same bytes and
 * policy: runs cut where a call or a bio ended. Said per proposal, worst scenario first.
 */
function cutRunsSentence(c: Comparison): string | null {
  const worst = new Map<string, { scenario: string; bvecs: number; min: number }>();
  for (const s of c.scenarios) {
    const clean = s.runs.filter((x) => runClean(x) && x.result > 0);
    for (const policy of ['folio', 'physical'] as const) {
      const rows = clean.filter((x) => (x.settings.merge ?? 'folio') === policy);
      if (rows.length < 2) continue;
      const min = Math.min(...rows.map((x) => x.bvecs));
      for (const r of rows) {
        if (r.bvecs <= min) continue;
        const w = worst.get(r.proposal);
        if (w === undefined || r.bvecs / min > w.bvecs / w.min) worst.set(r.proposal, { scenario: s.scenario, bvecs: r.bvecs, min });
      }
    }
  }
  if (worst.size === 0) return null;
  const parts = [...worst.entries()].map(([p, w]) => `${p} ${w.bvecs} where ${w.min} suffice (${w.scenario})`);
  return `Some rows describe the same runs in more vectors, cut where a call or a bio ended: ${parts.join('; ')}.`;
}

function pageArrayCost(c: Comparison): string | null {
  const s = largest(c);
  if (s === undefined) return null;
  let pp: ProposalRun | undefined;
  for (const r of s.runs) if (r.cost.pagePointersWritten > (pp?.cost.pagePointersWritten ?? 0)) pp = r;
  const fewest = s.runs.filter((r) => runClean(r) && r.result > 0).sort((a, b) => a.bvecs - b.bvecs)[0];
  if (pp === undefined || fewest === undefined) return null;
  const n = pp.cost.pagePointersWritten;
  return (
    `On ${s.scenario}, ${pp.proposal} writes ${n.toLocaleString('en-US')} page pointers ` +
    `(${formatBytesShort(n * PAGE_POINTER_BYTES)} of struct page *) on its way to ${pp.bvecs.toLocaleString('en-US')} vectors, ` +
    `while the same bytes take ${fewest.bvecs.toLocaleString('en-US')} vectors ` +
    `(${formatBytesShort(fewest.bvecs * SIZEOF_BIO_VEC)} of struct bio_vec) when runs are returned directly.`
  );
}

interface Totals {
  allocated: number;
  unused: number;
  copied: number;
  maxAlloc: number;
  maxAllocOn: string;
  pinRatios: number[];
}

function totals(c: Comparison): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const s of c.scenarios) {
    const timed = s.runs.filter((r) => r.timing !== null && runClean(r));
    const fastest = Math.min(...timed.map((r) => r.timing!.pinMeanNs));
    for (const r of s.runs) {
      if (!runClean(r)) continue;
      const t = out.get(r.proposal) ?? { allocated: 0, unused: 0, copied: 0, maxAlloc: 0, maxAllocOn: '', pinRatios: [] };
      t.allocated += r.bytesAllocated;
      t.unused += r.bytesUnused;
      t.copied += r.cost.bytesCopied;
      if (r.bytesAllocated > t.maxAlloc) {
        t.maxAlloc = r.bytesAllocated;
        t.maxAllocOn = s.scenario;
      }
      if (r.timing !== null && fastest > 0 && Number.isFinite(fastest)) t.pinRatios.push(r.timing.pinMeanNs / fastest);
      out.set(r.proposal, t);
    }
  }
  return out;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function proposalSentence(name: string, t: Totals, big: ScenarioRun | undefined, small: ScenarioRun | undefined): string {
  const parts: string[] = [];
  parts.push(
    t.allocated === 0
      ? 'allocates nothing for its arrays (the caller provides them)'
      : `allocates ${formatBytesShort(t.allocated)} over the suite, most on ${t.maxAllocOn} (${formatBytesShort(t.maxAlloc)})`,
  );
  if (t.unused > 0) parts.push(`${formatBytesShort(t.unused)} of it never written`);
  if (t.copied > 0) parts.push(`${formatBytesShort(t.copied)} copied as arrays grew`);
  const rowOn = (s: ScenarioRun | undefined) => s?.runs.find((r) => r.proposal === name);
  const b = rowOn(big);
  if (big !== undefined && b !== undefined)
    parts.push(
      `${b.cost.apiCalls} ${b.cost.apiCalls === 1 ? 'call' : 'calls'} and ${b.cost.walkRestarts} page-table ${b.cost.walkRestarts === 1 ? 'walk' : 'walks'} for ${big.scenario}`,
    );
  const sm = rowOn(small);
  if (small !== undefined && sm !== undefined && sm.timing !== null) parts.push(`${formatNs(sm.timing.pinMeanNs)} per pin on ${small.scenario}`);
  const ratio = median(t.pinRatios);
  if (ratio !== null) parts.push(`median pin time ${ratio.toFixed(2)}x the fastest row of each scenario`);
  return `**${name}** ${parts.join('; ')}.`;
}

/** The reading as Markdown bullet lines. */
export function readingBullets(c: Comparison): string[] {
  const out = [agreement(c)];
  const n = notRunSentence(c);
  if (n !== null) out.push(n);
  const v = vectorsByFolioSize(c);
  if (v !== null) out.push(v);
  const cut = cutRunsSentence(c);
  if (cut !== null) out.push(cut);
  const p = pageArrayCost(c);
  if (p !== null) out.push(p);
  const big = largest(c);
  const small = smallest(c);
  for (const [name, t] of totals(c)) out.push(proposalSentence(name, t, big, small));
  out.push(
    'Counters are exact and deterministic (the same seed gives the same numbers); times are the model\'s JavaScript on a shared machine, good for ratios within one run and nothing more. Atomics and walks are the proxies for kernel CPU cost.',
  );
  return out.map((line) => `- ${line}`);
}
