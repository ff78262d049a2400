/**
 * The trace as 80-column plain text: the calls and their returns, each bio with its
 * vectors and the folio steps of bio_for_each_folio_all(), then what changed at the
 * pin and at the release, and the verdict. vmstat fields carry their /proc/vmstat
 * names. Not a kernel format.
 */
import { formatBytesShort, formatResult } from './report-format.js';
import { TEXT_WIDTH, toAscii, wrapText } from './text-table.js';
import type { Trace, TracePhase } from './trace.js';
import { formatAddress, formatSize } from './units.js';
import { settingsText } from './report-markdown.js';
import { PG_ALLOCATED, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_HEAD, PG_HUGETLB, PG_HWPOISON, PG_REFERENCED, PG_RESERVED } from '../mm/page-flags.js';

const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [PG_ALLOCATED, 'allocated'],
  [PG_HEAD, 'PG_head'],
  [PG_DIRTY, 'PG_dirty'],
  [PG_ANON_EXCLUSIVE, 'PageAnonExclusive'],
  [PG_RESERVED, 'PG_reserved'],
  [PG_REFERENCED, 'PG_referenced'],
  [PG_HWPOISON, 'PG_hwpoison'],
  [PG_HUGETLB, 'PG_hugetlb'],
];

/** `+PG_dirty -PageAnonExclusive`: the bits a flags change set and cleared. */
export function flagChange(before: number, after: number): string {
  const parts: string[] = [];
  for (const [bit, name] of FLAG_NAMES) {
    if ((after & bit) !== 0 && (before & bit) === 0) parts.push(`+${name}`);
    if ((after & bit) === 0 && (before & bit) !== 0) parts.push(`-${name}`);
  }
  return parts.join(' ');
}

/** `nrFollPinAcquired` -> `nr_foll_pin_acquired`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function callLines(t: Trace): string[] {
  const out: string[] = [];
  let call = 1;
  for (const r of t.returnValues) {
    const what = r.value < 0 ? formatResult(r.value) : String(r.value);
    out.push(r.count === 1 ? `  call ${call} returned ${what}` : `  calls ${call}-${call + r.count - 1} returned ${what} each`);
    call += r.count;
  }
  return out;
}

function more(shown: number, total: number, what: string): string[] {
  return total > shown ? [`      ... ${total - shown} more ${what}`] : [];
}

function bioLines(t: Trace): string[] {
  const out: string[] = [];
  t.bios.forEach((b, i) => {
    out.push(`  bio ${i}: ${b.vcnt} vectors, ${b.size} bytes${b.pinned ? ', BIO_PAGE_PINNED' : ', NOT BIO_PAGE_PINNED'}`);
    b.vectors.forEach((v, k) =>
      out.push(
        `    vec ${k}: page ${formatAddress(v.page)} offset ${v.offset} len ${v.len}; folio ${formatAddress(v.folio)} order ${v.order}`,
      ),
    );
    out.push(...more(b.vectors.length, b.vcnt, 'vectors').map((l) => l.slice(2)));
    out.push(`    bio_for_each_folio_all: ${b.nrFolioSteps} steps`);
    for (const f of b.folioSteps) out.push(`      folio ${formatAddress(f.folio)} offset ${f.offset} length ${f.length}`);
    out.push(...more(b.folioSteps.length, b.nrFolioSteps, 'steps'));
  });
  if (t.nrBios > t.bios.length) out.push(`  ... ${t.nrBios - t.bios.length} more bios`);
  return out;
}

function phaseLines(name: string, p: TracePhase, limit: number): string[] {
  const out: string[] = [];
  const counts = Object.entries(p.changed).map(([f, n]) => `${f} ${n}`);
  out.push(...wrapText(`memmap entries changed at ${name}: ${counts.length > 0 ? counts.join(', ') : 'none'}`, TEXT_WIDTH, '  '));
  const perField = new Map<string, number>();
  for (const c of p.changes) {
    perField.set(c.field, (perField.get(c.field) ?? 0) + 1);
    const delta = c.after - c.before;
    const what = c.field === 'flags' ? flagChange(c.before, c.after) : `${c.before} -> ${c.after} (${delta >= 0 ? '+' : ''}${delta})`;
    out.push(`    ${c.field}[${formatAddress(c.pfn)}]: ${what}`);
  }
  for (const [f, n] of Object.entries(p.changed))
    if (n > (perField.get(f) ?? 0)) out.push(`    ... ${n - (perField.get(f) ?? 0)} more ${f} changes (first ${limit} shown)`);
  const vm = Object.entries(p.vmstat).map(([k, v]) => `${snakeCase(k)} ${v >= 0 ? '+' : ''}${v}`);
  out.push(...wrapText(`vmstat at ${name}: ${vm.length > 0 ? vm.join(', ') : 'unchanged'}`, TEXT_WIDTH, '  '));
  const cost = Object.entries(p.cost).map(([k, v]) => `${k} ${v}`);
  out.push(...wrapText(`cost at ${name}: ${cost.length > 0 ? cost.join(', ') : 'nothing'}`, TEXT_WIDTH, '  '));
  for (const w of p.warnings) out.push(...wrapText(`WARN: ${w}`, TEXT_WIDTH, '  '));
  return out;
}

/** The trace as text, ending with a newline. */
export function renderTraceText(t: Trace): string {
  const lines: string[] = [];
  lines.push(...wrapText(`trace: ${t.scenario} with ${t.proposal} (${settingsText(t.settings)})`));
  if (t.description !== '') lines.push(...wrapText(t.description));
  lines.push(
    ...wrapText(
      `request: ${formatAddress(t.request.start)} +${formatSize(t.request.length)}, flags ${t.request.flags}; completion ${t.markDirty ? 'marks the folios dirty (the device wrote)' : 'leaves them clean'}`,
    ),
  );
  lines.push('', `pin: ${t.calls} ${t.calls === 1 ? 'call' : 'calls'} into the callee`);
  lines.push(...callLines(t));
  lines.push(`  result: ${t.result < 0 ? formatResult(t.result) : `${t.result} bytes (${formatBytesShort(t.result)}) pinned`}`);
  lines.push(`  ${t.nrBios} ${t.nrBios === 1 ? 'bio' : 'bios'}, ${t.nrVectors} ${t.nrVectors === 1 ? 'vector' : 'vectors'}`);
  lines.push(...bioLines(t));
  lines.push(...phaseLines('pin', t.pin, t.limit));
  lines.push('', `release: bio_release_pages(bio, ${t.markDirty ? 'true' : 'false'}) on each bio, then the owned arrays freed`);
  lines.push(...phaseLines('release', t.release, t.limit));
  lines.push('');
  if (t.invariant.length === 0) lines.push(...wrapText('verdict: every pin released, pincounts and refcounts back, vmstat balanced'));
  else {
    lines.push('verdict: BROKEN');
    for (const p of t.invariant) lines.push(...wrapText(p, TEXT_WIDTH, '  '));
  }
  return `${lines.map(toAscii).join('\n')}\n`;
}
