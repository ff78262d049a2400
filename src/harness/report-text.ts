/**
 * The 80-column plain-text report, for a terminal or an LKML reply: per scenario a
 * counters table and a memory-and-time table (rows not run last, as `not run`), then
 * why those rows were not run, the verdicts that failed and any kernel WARNs, and one
 * legend at the end. Pure ASCII, no colour, no line over 80.
 */
import { atomics, type Comparison, type NotRun, type ProposalRun, type ScenarioRun } from './result.js';
import { formatBytesShort, formatCount, formatNs, formatResult, formatRme } from './report-format.js';
import { renderTextTable, TEXT_WIDTH, toAscii, wrapText, type TextColumn } from './text-table.js';
import { formatAddress, formatSize } from './units.js';

/** What each column abbreviation means; printed once under the tables. */
export const TEXT_LEGEND =
  'legend: result = bytes pinned or -errno; bvecs = struct bio_vec entries; ' +
  'bios = struct bio built; calls = GUP API calls; walks = page-table walks from ' +
  'the top; atomics = refcount and pincount atomic operations; eq = same result, ' +
  'runs and final state as the other proposals (runs: the vectors with each one ' +
  'that continues the previous under the merge policy joined to it); not run = ' +
  'the proposal cannot serve the request as asked, for the reason given; allocs = output-array ' +
  'allocations; alloc = bytes the allocator gave; unused = bytes never written; ' +
  'copied = bytes copied when an array grew; pin, release = tinybench mean per ' +
  'operation, rme% = its relative margin of error, - = not timed (timed pins ' +
  'repeat on the machine the counted run left, so faults and migrations are ' +
  'counted, not timed); ' +
  'K/M/G/T = 2^10/2^20/2^30/2^40 bytes, rounded to one decimal when inexact.';

const R = 'right' as const;

const COUNTER_COLUMNS: readonly TextColumn[] = [
  { header: 'proposal', align: 'left' },
  { header: 'result', align: R },
  { header: 'bvecs', align: R },
  { header: 'bios', align: R },
  { header: 'calls', align: R },
  { header: 'walks', align: R },
  { header: 'atomics', align: R },
  { header: 'eq', align: 'left' },
];

const MEMORY_COLUMNS: readonly TextColumn[] = [
  { header: 'proposal', align: 'left' },
  { header: 'allocs', align: R },
  { header: 'alloc', align: R },
  { header: 'unused', align: R },
  { header: 'copied', align: R },
  { header: 'pin', align: R },
  { header: 'rme%', align: R },
  { header: 'release', align: R },
  { header: 'rme%', align: R },
];

function counterRow(r: ProposalRun): string[] {
  return [
    r.proposal,
    formatResult(r.result),
    formatCount(r.bvecs),
    formatCount(r.bios),
    formatCount(r.cost.apiCalls),
    formatCount(r.cost.walkRestarts),
    formatCount(atomics(r)),
    r.equivalent ? 'yes' : 'NO',
  ];
}

function memoryRow(r: ProposalRun): string[] {
  const t = r.timing;
  return [
    r.proposal,
    formatCount(r.cost.allocations),
    formatBytesShort(r.bytesAllocated),
    formatBytesShort(r.bytesUnused),
    formatBytesShort(r.cost.bytesCopied),
    t === null ? '-' : formatNs(t.pinMeanNs),
    t === null ? '-' : formatRme(t.pinRme),
    t === null ? '-' : formatNs(t.releaseMeanNs),
    t === null ? '-' : formatRme(t.releaseRme),
  ];
}

function notRunRow(r: NotRun, columns: number): string[] {
  const row = [r.proposal, 'not run'];
  while (row.length < columns) row.push('-');
  return row;
}

function scenarioLines(s: ScenarioRun): string[] {
  const lines: string[] = [];
  lines.push(...wrapText(`== ${s.scenario} ==`));
  if (s.description !== '') lines.push(...wrapText(s.description));
  lines.push(
    ...wrapText(
      `request: ${formatAddress(s.request.start)} +${formatSize(s.request.length)}, flags ${s.request.flags}; seed ${s.seed}`,
    ),
  );
  lines.push('');
  lines.push(...renderTextTable(COUNTER_COLUMNS, [...s.runs.map(counterRow), ...s.notRun.map((r) => notRunRow(r, COUNTER_COLUMNS.length))]));
  lines.push('');
  lines.push(...renderTextTable(MEMORY_COLUMNS, [...s.runs.map(memoryRow), ...s.notRun.map((r) => notRunRow(r, MEMORY_COLUMNS.length))]));
  if (s.notRun.length > 0) {
    lines.push('', 'not run:');
    for (const r of s.notRun) lines.push(...wrapText(`${r.proposal}: ${r.reason}`, TEXT_WIDTH, '  '));
  }
  const failed = s.runs.filter((r) => !r.equivalent);
  if (failed.length > 0) {
    lines.push('', 'not equivalent:');
    for (const r of failed) lines.push(...wrapText(`${r.proposal}: ${r.reason ?? 'no reason given'}`, TEXT_WIDTH, '  '));
  }
  const broken = s.runs.filter((r) => r.invariant.length > 0);
  if (broken.length > 0) {
    lines.push('', 'invariants broken:');
    for (const r of broken) for (const p of r.invariant) lines.push(...wrapText(`${r.proposal}: ${p}`, TEXT_WIDTH, '  '));
  }
  const warned = s.runs.filter((r) => r.warnings.length > 0);
  if (warned.length > 0) {
    lines.push('', 'kernel WARNs:');
    for (const r of warned) for (const w of r.warnings) lines.push(...wrapText(`${r.proposal}: ${w}`, TEXT_WIDTH, '  '));
  }
  return lines;
}

/** The whole comparison as plain text, ending with a newline. */
export function renderText(c: Comparison): string {
  const lines: string[] = [];
  lines.push(
    ...wrapText(
      `${c.tool.name} ${c.tool.version} comparison: seed ${c.seed ?? "each scenario's own"}, node ${c.node}, schema ${c.schemaVersion}`,
    ),
  );
  for (const s of c.scenarios) lines.push('', ...scenarioLines(s));
  lines.push('', ...wrapText(TEXT_LEGEND));
  return `${lines.map(toAscii).join('\n')}\n`;
}
