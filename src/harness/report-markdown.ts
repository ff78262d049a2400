/**
 * The Markdown report (proposals/REPORT.md and the READMEs' tables): one GitHub table
 * per scenario with every column and exact byte counts, since a rendered page has no
 * 80-column limit; a row not run says `not run` in the table and `<name>: <reason>`
 * under "Not run:" below it. Cell text is escaped so a `|` in a reason cannot break a
 * table.
 */
import { markdownTable } from 'markdown-table';
import { errnoName } from '../mm/errno.js';
import { atomics, vectorsPerGiB, type Comparison, type NotRun, type ProposalRun, type ScenarioRun } from './result.js';
import { formatCount, formatNs, formatPerGiB, formatRme } from './report-format.js';
import type { ProposalSettings } from './scenario.js';
import { formatAddress, formatSize } from './units.js';

/** Escapes text for a table cell or a line of prose. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/([\\`*_[\]|<>#])/g, '\\$1');
}

/** `chunkSize=16, merge=physical`, or `defaults`. */
export function settingsText(s: ProposalSettings): string {
  const parts: string[] = [];
  if (s.chunkSize !== undefined) parts.push(`chunkSize=${s.chunkSize}`);
  if (s.merge !== undefined) parts.push(`merge=${s.merge}`);
  if (s.sizing !== undefined) parts.push(`sizing=${s.sizing}`);
  return parts.length === 0 ? 'defaults' : parts.join(', ');
}

const HEADER = [
  'proposal',
  'settings',
  'result',
  'bvecs',
  'bvecs/GiB',
  'bios',
  'calls',
  'walks',
  'atomics',
  'allocs',
  'alloc B',
  'unused B',
  'copied B',
  'pin',
  'rme%',
  'release',
  'rme%',
  'eq',
];
const ALIGN = ['l', 'l', ...HEADER.slice(2, -1).map(() => 'r'), 'l'];

function row(r: ProposalRun): string[] {
  const t = r.timing;
  return [
    escapeMarkdown(r.proposal),
    escapeMarkdown(settingsText(r.settings)),
    r.result < 0 ? errnoName(r.result) : formatCount(r.result),
    formatCount(r.bvecs),
    formatPerGiB(vectorsPerGiB(r)),
    formatCount(r.bios),
    formatCount(r.cost.apiCalls),
    formatCount(r.cost.walkRestarts),
    formatCount(atomics(r)),
    formatCount(r.cost.allocations),
    formatCount(r.bytesAllocated),
    formatCount(r.bytesUnused),
    formatCount(r.cost.bytesCopied),
    t === null ? '-' : formatNs(t.pinMeanNs),
    t === null ? '-' : formatRme(t.pinRme),
    t === null ? '-' : formatNs(t.releaseMeanNs),
    t === null ? '-' : formatRme(t.releaseRme),
    r.equivalent ? 'yes' : '**NO**',
  ];
}

/** A row not run: its name and settings, `not run` in the result column, `-` elsewhere. */
function notRunRow(r: NotRun): string[] {
  const row = [escapeMarkdown(r.proposal), escapeMarkdown(settingsText(r.settings)), 'not run'];
  while (row.length < HEADER.length) row.push('-');
  return row;
}

function scenarioSection(s: ScenarioRun): string[] {
  const out = [`## ${escapeMarkdown(s.scenario)}`, ''];
  if (s.description !== '') out.push(escapeMarkdown(s.description), '');
  out.push(
    `Request: \`${formatAddress(s.request.start)}\` + ${formatSize(s.request.length)}, flags \`${s.request.flags.replace(/`/g, "'")}\`, seed ${s.seed}.`,
    '',
    markdownTable([HEADER, ...s.runs.map(row), ...s.notRun.map(notRunRow)], { align: ALIGN }),
  );
  if (s.notRun.length > 0) {
    out.push('', 'Not run:', '');
    for (const r of s.notRun) out.push(`- ${escapeMarkdown(r.proposal)}: ${escapeMarkdown(r.reason)}`);
  }
  const failed = s.runs.filter((r) => !r.equivalent);
  if (failed.length > 0) {
    out.push('', 'Not equivalent:', '');
    for (const r of failed) out.push(`- ${escapeMarkdown(r.proposal)}: ${escapeMarkdown(r.reason ?? 'no reason given')}`);
  }
  const broken = s.runs.filter((r) => r.invariant.length > 0);
  if (broken.length > 0) {
    out.push('', 'Invariants broken:', '');
    for (const r of broken) for (const p of r.invariant) out.push(`- ${escapeMarkdown(r.proposal)}: ${escapeMarkdown(p)}`);
  }
  const warned = s.runs.filter((r) => r.warnings.length > 0);
  if (warned.length > 0) {
    out.push('', 'Kernel WARNs:', '');
    for (const r of warned) for (const w of r.warnings) out.push(`- ${escapeMarkdown(r.proposal)}: ${escapeMarkdown(w)}`);
  }
  return out;
}

/** What the columns mean, as a paragraph under the tables. */
export const MARKDOWN_LEGEND =
  'Columns: result = bytes pinned or -errno; bvecs = `struct bio_vec` entries; ' +
  'bios = `struct bio` built; calls = GUP API calls; walks = page-table walks from the top; ' +
  'atomics = refcount and pincount atomic operations; allocs = output-array allocations; ' +
  'alloc B = bytes the allocator gave; unused B = bytes never written; copied B = bytes copied ' +
  'when an array grew; pin, release = tinybench mean per operation with its relative margin ' +
  'of error (rme%), - = not timed; eq = same result, runs and final state as the other proposals, where the ' +
  'runs are the vectors with each one that continues the previous under the merge policy joined to it ' +
  '(a proposal that cuts runs shows it in bvecs, bios and atomics); not run = the proposal cannot serve the request as asked. ' +
  'Timed pins run on the machine the counted run left behind, so faults, unshares and migrations are counted but not timed.';

/** The whole comparison as Markdown, ending with a newline. */
export function renderMarkdown(c: Comparison): string {
  const out = [
    `# ${escapeMarkdown(c.tool.name)} comparison`,
    '',
    `Tool ${escapeMarkdown(c.tool.name)} ${escapeMarkdown(c.tool.version)}, Node ${escapeMarkdown(c.node)}, seed ${c.seed ?? "each scenario's own"}, schema ${c.schemaVersion}.`,
  ];
  for (const s of c.scenarios) out.push('', ...scenarioSection(s));
  out.push('', MARKDOWN_LEGEND);
  return `${out.join('\n')}\n`;
}
