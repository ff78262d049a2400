/**
 * The JSON report: one document, keys in a fixed order (the order of the types in
 * result.ts; counters in COST_FIELDS order, vmstat in VmStat's order), two-space
 * indentation and a final newline, so equal results give byte-identical files.
 */
import { COST_FIELDS, type CostSnapshot } from '../mm/cost.js';
import type { VmStatSnapshot } from '../mm/vmstat.js';
import { VMSTAT_FIELDS, type Comparison, type NotRun, type ProposalRun, type ScenarioRun } from './result.js';
import type { ProposalSettings } from './scenario.js';

function ordered<K extends string>(fields: readonly K[], source: Readonly<Record<K, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fields) out[f] = source[f];
  return out;
}

function settings(s: ProposalSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.chunkSize !== undefined) out.chunkSize = s.chunkSize;
  if (s.merge !== undefined) out.merge = s.merge;
  if (s.sizing !== undefined) out.sizing = s.sizing;
  return out;
}

function run(r: ProposalRun): Record<string, unknown> {
  const t = r.timing;
  return {
    proposal: r.proposal,
    settings: settings(r.settings),
    result: r.result,
    returnValues: r.returnValues.map((v) => ({ value: v.value, count: v.count })),
    bvecs: r.bvecs,
    bios: r.bios,
    bytesAllocated: r.bytesAllocated,
    bytesUnused: r.bytesUnused,
    cost: ordered<keyof CostSnapshot>(COST_FIELDS, r.cost),
    pinCost: ordered<keyof CostSnapshot>(COST_FIELDS, r.pinCost),
    vectorsDigest: r.vectorsDigest,
    runsDigest: r.runsDigest,
    structural: r.structural,
    vmstatBefore: ordered<keyof VmStatSnapshot>(VMSTAT_FIELDS, r.vmstatBefore),
    vmstatAfter: ordered<keyof VmStatSnapshot>(VMSTAT_FIELDS, r.vmstatAfter),
    equivalent: r.equivalent,
    reason: r.reason,
    invariant: [...r.invariant],
    warnings: [...r.warnings],
    timing:
      t === null
        ? null
        : {
            pinMeanNs: t.pinMeanNs,
            pinRme: t.pinRme,
            pinSamples: t.pinSamples,
            releaseMeanNs: t.releaseMeanNs,
            releaseRme: t.releaseRme,
            releaseSamples: t.releaseSamples,
          },
  };
}

function notRun(r: NotRun): Record<string, unknown> {
  return { proposal: r.proposal, settings: settings(r.settings), reason: r.reason };
}

function scenario(s: ScenarioRun): Record<string, unknown> {
  return {
    scenario: s.scenario,
    description: s.description,
    seed: s.seed,
    request: { start: s.request.start, length: s.request.length, flags: s.request.flags },
    runs: s.runs.map(run),
    notRun: s.notRun.map(notRun),
  };
}

/** The comparison as a JSON document in the fixed key order. */
export function comparisonToJson(c: Comparison): Record<string, unknown> {
  return {
    schemaVersion: c.schemaVersion,
    seed: c.seed,
    tool: { name: c.tool.name, version: c.tool.version },
    node: c.node,
    scenarios: c.scenarios.map(scenario),
  };
}

/** `comparisonToJson` serialized with two-space indentation and a final newline. */
export function renderJson(c: Comparison): string {
  return `${JSON.stringify(comparisonToJson(c), null, 2)}\n`;
}
