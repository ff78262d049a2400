/**
 * `folio-gup report`: runs the comparison and writes proposals/REPORT.md with the SVG
 * charts next to it, and each proposal's measured table into its README between the
 * markers (report-document.ts). The paths written go to stdout, one per line; a README
 * without the markers is left alone and named on stderr. Exit 1 when a run was not
 * clean (the report is still written, showing why).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { comparisonFor, type CompareArgs } from './command-compare.js';
import { EXIT_OK, EXIT_PROBLEM, type CommandContext } from './command-context.js';
import { MEASURED_BEGIN, MEASURED_END, renderProposalSection, renderReportDocument, replaceMeasured } from './report-document.js';
import { renderCharts } from './report-svg.js';
import { comparisonClean } from './result.js';

export interface ReportArgs extends CompareArgs {
  /** Where REPORT.md, the charts and the proposal folders are (default ./proposals). */
  readonly outDir: string;
}

export async function reportCommand(ctx: CommandContext, args: ReportArgs): Promise<number> {
  const c = comparisonFor(ctx, args);
  if (E.isLeft(c)) return c.left;
  const dir = args.outDir;
  mkdirSync(dir, { recursive: true });
  const charts = await renderCharts(c.right);
  const written: string[] = [];
  for (const chart of charts) {
    const path = join(dir, `${chart.name}.svg`);
    writeFileSync(path, chart.svg);
    written.push(path);
  }
  const report = join(dir, 'REPORT.md');
  writeFileSync(report, renderReportDocument(c.right, charts.map((x) => x.name)));
  written.unshift(report);
  for (const s of ctx.strategies) {
    const readme = join(dir, s.name, 'README.md');
    if (!existsSync(readme)) {
      ctx.err(`${ctx.tool.name}: ${readme}: no such file; its measured table was not written\n`);
      continue;
    }
    const updated = replaceMeasured(readFileSync(readme, 'utf8'), renderProposalSection(c.right, s.name));
    if (updated === null) {
      ctx.err(`${ctx.tool.name}: ${readme}: expected ${MEASURED_BEGIN} then ${MEASURED_END}; left unchanged\n`);
      continue;
    }
    writeFileSync(readme, updated);
    written.push(readme);
  }
  for (const p of written) ctx.out(`${p}\n`);
  return comparisonClean(c.right) ? EXIT_OK : EXIT_PROBLEM;
}
