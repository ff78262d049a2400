/**
 * The mutation score from Stryker's JSON reports: per layer (src/mm, src/gup,
 * src/block), per file on request, and over everything, with and without the mutants
 * listed in mutation/equivalent-mutants.json (survivors no test can kill, each with its
 * reason). Several reports (one per layer run) are merged file by file; a file in more
 * than one report is taken from the last one named.
 *
 * Score as Stryker defines it: (killed + timeout) / (killed + timeout + survived + no
 * coverage); compile errors and ignored (static) mutants are not counted. An equivalent
 * mutant leaves the denominator only while it is still undetected; a listed mutant the
 * reports no longer contain (its code changed) is named on stderr.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from '@commander-js/extra-typings';
import { markdownTable } from 'markdown-table';
import { calculateMetrics } from 'mutation-testing-metrics';
import type { FileResult, MutantResult } from 'mutation-testing-report-schema';

/** One equivalent mutant: where it is, what Stryker changed, and why no test can tell. */
export interface EquivalentMutant {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  readonly replacement: string;
  readonly reason: string;
}

export interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  compileErrors: number;
  ignored: number;
  equivalent: number;
}

const LAYERS = ['src/mm/', 'src/gup/', 'src/block/'] as const;

function usageError(message: string): never {
  process.stderr.write(`mutation summary: ${message}\n`);
  process.exit(2);
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return usageError(`${what} ${path} cannot be read`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return usageError(`${what} ${path} is not JSON`);
  }
}

function readReport(path: string): Record<string, FileResult> {
  const report = readJson(path, 'report') as { files?: unknown };
  if (typeof report !== 'object' || report === null || typeof report.files !== 'object' || report.files === null)
    usageError(`report ${path}: no "files" object (not a Stryker JSON report)`);
  return report.files as Record<string, FileResult>;
}

function readEquivalents(path: string): EquivalentMutant[] {
  const list = readJson(path, 'equivalent-mutant list');
  if (!Array.isArray(list)) usageError(`${path}: expected an array`);
  list.forEach((e: Record<string, unknown>, i) => {
    for (const k of ['file', 'mutator', 'replacement', 'reason'] as const)
      if (typeof e[k] !== 'string') usageError(`${path}: [${i}].${k} must be a string`);
    for (const k of ['line', 'column'] as const)
      if (!Number.isInteger(e[k])) usageError(`${path}: [${i}].${k} must be an integer`);
  });
  return list as EquivalentMutant[];
}

const keyOf = (file: string, line: number, column: number, mutator: string, replacement: string): string =>
  `${file}:${line}:${column}:${mutator}:${replacement}`;

const mutantKey = (file: string, m: MutantResult): string =>
  keyOf(file, m.location.start.line, m.location.start.column, m.mutatorName, m.replacement ?? '');

function countFile(file: string, result: FileResult, equivalent: ReadonlySet<string>): Counts {
  const metrics = calculateMetrics({ [file]: result }).metrics;
  let eq = 0;
  for (const m of result.mutants)
    if ((m.status === 'Survived' || m.status === 'NoCoverage') && equivalent.has(mutantKey(file, m))) eq++;
  return {
    killed: metrics.killed,
    timeout: metrics.timeout,
    survived: metrics.survived,
    noCoverage: metrics.noCoverage,
    compileErrors: metrics.compileErrors,
    ignored: metrics.ignored,
    equivalent: eq,
  };
}

function add(a: Counts, b: Counts): Counts {
  return {
    killed: a.killed + b.killed,
    timeout: a.timeout + b.timeout,
    survived: a.survived + b.survived,
    noCoverage: a.noCoverage + b.noCoverage,
    compileErrors: a.compileErrors + b.compileErrors,
    ignored: a.ignored + b.ignored,
    equivalent: a.equivalent + b.equivalent,
  };
}

const ZERO: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileErrors: 0, ignored: 0, equivalent: 0 };

function scores(c: Counts): { score: number; withoutEquivalent: number } {
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  return { score: (100 * detected) / valid, withoutEquivalent: (100 * detected) / (valid - c.equivalent) };
}

const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(2)}%`);

function row(name: string, c: Counts): string[] {
  const s = scores(c);
  return [name, ...[c.killed, c.timeout, c.survived, c.noCoverage, c.compileErrors, c.ignored, c.equivalent].map(String), pct(s.score), pct(s.withoutEquivalent)];
}

export interface Summary {
  /** One row per layer, or per file. */
  readonly rows: readonly (Counts & { readonly name: string; readonly score: number; readonly withoutEquivalent: number })[];
  readonly total: Counts & { readonly score: number; readonly withoutEquivalent: number };
  /** Layers no report covers. */
  readonly layersMissing: readonly string[];
  /** Listed equivalent mutants in a reported file that the report no longer contains. */
  readonly stale: readonly EquivalentMutant[];
}

/** The score of the merged reports' files under src/mm, src/gup and src/block. */
export function summarize(files: Readonly<Record<string, FileResult>>, equivalents: readonly EquivalentMutant[], byFile: boolean): Summary {
  const eqKeys = new Set(equivalents.map((e) => keyOf(e.file, e.line, e.column, e.mutator, e.replacement)));
  const present = new Set<string>();
  for (const [file, result] of Object.entries(files)) for (const m of result.mutants) present.add(mutantKey(file, m));
  const stale = equivalents.filter((e) => files[e.file] !== undefined && !present.has(keyOf(e.file, e.line, e.column, e.mutator, e.replacement)));
  const perFile = Object.entries(files)
    .filter(([f]) => LAYERS.some((l) => f.startsWith(l)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([f, r]) => [f, countFile(f, r, eqKeys)] as const);
  const groups = byFile
    ? perFile
    : LAYERS.filter((l) => perFile.some(([f]) => f.startsWith(l))).map(
        (l) => [l.slice(0, -1), perFile.filter(([f]) => f.startsWith(l)).reduce((s, [, c]) => add(s, c), ZERO)] as const,
      );
  const total = perFile.reduce((s, [, c]) => add(s, c), ZERO);
  return {
    rows: groups.map(([name, c]) => ({ name, ...c, ...scores(c) })),
    total: { ...total, ...scores(total) },
    layersMissing: LAYERS.filter((l) => !perFile.some(([f]) => f.startsWith(l))).map((l) => l.slice(0, -1)),
    stale,
  };
}

/** The summary as a markdown table. */
export function summaryTable(s: Summary): string {
  const header = ['', 'killed', 'timeout', 'survived', 'no coverage', 'compile error', 'ignored', 'equivalent', 'score', 'without equivalent'];
  const body = [...s.rows.map((r) => row(r.name, r)), row('**all**', s.total)];
  return markdownTable([header, ...body], { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] });
}

const program = new Command()
  .name('mutation-summary')
  .description('Mutation score of src/mm, src/gup and src/block from Stryker JSON reports, with and without the listed equivalent mutants.')
  .argument('[reports...]', 'Stryker JSON reports (default: every reports/mutation/incremental-*.json)')
  .option('--equivalents <path>', 'the equivalent-mutant list', 'mutation/equivalent-mutants.json')
  .option('--files', 'one row per file, not per layer')
  .option('--json', 'machine-readable output')
  .action((reportArgs, opts) => {
    let paths = reportArgs;
    if (paths.length === 0) {
      const dir = 'reports/mutation';
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        usageError(`no reports named and ${dir} cannot be read: run npm run mutate first`);
      }
      paths = names.filter((n) => /^incremental-.*\.json$/.test(n)).sort().map((n) => join(dir, n));
      if (paths.length === 0) usageError(`no reports named and none in ${dir}: run npm run mutate first`);
    }
    const files: Record<string, FileResult> = {};
    for (const p of paths) Object.assign(files, readReport(p));
    const s = summarize(files, readEquivalents(opts.equivalents), opts.files === true);
    for (const e of s.stale)
      process.stderr.write(`mutation summary: listed equivalent mutant not in the reports (code changed?): ${e.file}:${e.line}:${e.column} ${e.mutator} ${JSON.stringify(e.replacement)}\n`);
    if (opts.json === true) {
      process.stdout.write(`${JSON.stringify({ reports: paths, ...s }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${summaryTable(s)}\n`);
    if (s.layersMissing.length > 0) process.stderr.write(`mutation summary: no report covers ${s.layersMissing.join(', ')}\n`);
  });

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) program.parse();
