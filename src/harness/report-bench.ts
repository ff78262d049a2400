/**
 * `folio-gup bench`: the tinybench timings alone, as 80-column text (one table per
 * scenario: mean per pin and per release, relative margin of error, samples; rows not
 * run last, with the reason under the table) or as one JSON document with the same
 * schema header as the comparison.
 */
import type { Comparison } from './result.js';
import { formatNs, formatRme } from './report-format.js';
import { renderTextTable, TEXT_WIDTH, toAscii, wrapText, type TextColumn } from './text-table.js';

const R = 'right' as const;
const COLUMNS: readonly TextColumn[] = [
  { header: 'proposal', align: 'left' },
  { header: 'pin', align: R },
  { header: 'rme%', align: R },
  { header: 'n', align: R },
  { header: 'release', align: R },
  { header: 'rme%', align: R },
  { header: 'n', align: R },
];

export const BENCH_LEGEND =
  'legend: pin, release = tinybench mean wall time per operation of the model ' +
  '(JavaScript, not kernel time), rme% = relative margin of error of the mean, ' +
  'n = samples; - = not timed (the run crashed). Timed pins run on the machine the ' +
  'counted run left behind: faults, unshares and migrations are not repeated.';

/** The timings as text, ending with a newline. */
export function renderBenchText(c: Comparison): string {
  const lines: string[] = [];
  lines.push(...wrapText(`${c.tool.name} ${c.tool.version} bench: node ${c.node}`));
  for (const s of c.scenarios) {
    lines.push('', ...wrapText(`== ${s.scenario} ==`));
    const rows = s.runs.map((r) => {
      const t = r.timing;
      return t === null
        ? [r.proposal, '-', '-', '-', '-', '-', '-']
        : [r.proposal, formatNs(t.pinMeanNs), formatRme(t.pinRme), String(t.pinSamples), formatNs(t.releaseMeanNs), formatRme(t.releaseRme), String(t.releaseSamples)];
    });
    for (const r of s.notRun) rows.push([r.proposal, 'not run', '-', '-', '-', '-', '-']);
    lines.push(...renderTextTable(COLUMNS, rows));
    if (s.notRun.length > 0) {
      lines.push('', 'not run:');
      for (const r of s.notRun) lines.push(...wrapText(`${r.proposal}: ${r.reason}`, TEXT_WIDTH, '  '));
    }
  }
  lines.push('', ...wrapText(BENCH_LEGEND));
  return `${lines.map(toAscii).join('\n')}\n`;
}

/** The timings as one JSON document. */
export function renderBenchJson(c: Comparison): string {
  const doc = {
    schemaVersion: c.schemaVersion,
    seed: c.seed,
    tool: { name: c.tool.name, version: c.tool.version },
    node: c.node,
    scenarios: c.scenarios.map((s) => ({
      scenario: s.scenario,
      runs: s.runs.map((r) => ({ proposal: r.proposal, timing: r.timing === null ? null : { ...r.timing } })),
      notRun: s.notRun.map((r) => ({ proposal: r.proposal, reason: r.reason })),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
