/**
 * The harness's public surface: scenario files (types, loader, units) and the
 * comparison result with its renderers. The PROT_* constants in protection.ts stay
 * internal so they cannot clash with an address-space module that defines its own.
 */
export * from './units.js';
export * from './scenario.js';
export { protToString, protectionCodec } from './protection.js';
export { decodeScenario, loadScenarioFile, parseScenario, MAX_SCENARIO_FILE_BYTES } from './scenario-loader.js';
export { DEFAULT_SCENARIO_SEED, type ScenarioParseOptions } from './scenario-normalize.js';
export { scenarioCodec, type ScenarioInput } from './scenario-schema.js';
export { ORDERS_BY_KIND, kindPageSize, zoneRanges } from './folio-layout-checks.js';
export { formatProblems, type Problem } from './problems.js';
export * from './result.js';
export { renderText, TEXT_LEGEND } from './report-text.js';
export { renderMarkdown, MARKDOWN_LEGEND } from './report-markdown.js';
export { renderJson, comparisonToJson } from './report-json.js';
export { renderCharts, renderChartSvg, type ChartSvg } from './report-svg.js';
export { CHART_NAMES, chartSpec, chartRows, type ChartName, type ChartRow } from './chart-specs.js';
export { TEXT_WIDTH, renderTextTable, wrapText, toAscii, type TextColumn } from './text-table.js';
export { buildScenario, type ScenarioWorld } from './scenario-build.js';
export { BUILT_IN_NAMES, BUILT_IN_SCENARIO_FILES, BUILT_IN_SOURCE, builtInScenarios } from './builtin-scenarios.js';
export { proposalRows, notRunReason, type NotRunRow, type ProposalRow, type RowOptions } from './proposal-rows.js';
export { runRow, scenarioRequest, markDirtyFor, biosVectors, type RowOutcome } from './run-row.js';
export { canonicalRuns } from './canonical-runs.js';
export { checkInvariants, accountedRefs } from './invariants.js';
export { takeSnapshot, restore, sameStructure, type WorldSnapshot } from './machine-snapshot.js';
export { stateDelta, memmapDelta, type StateDelta } from './state-delta.js';
export { judge, type Verdict } from './equivalence.js';
export { timeRow, DEFAULT_TIMING_BUDGET, type TimingBudget, type TimingOutcome } from './timing.js';
export { runComparison, planRows, seeded, type RunnerOptions, type Progress, type ScenarioPlan } from './runner.js';
export { selectScenarios, selectProposals, parseOptionsFor, type ProposalSelection } from './scenario-select.js';
export { traceScenario, type Trace, type TraceOptions } from './trace.js';
export { renderTraceText } from './trace-text.js';
export { renderBenchText, renderBenchJson } from './report-bench.js';
export { renderReportDocument, renderProposalSection, replaceMeasured, MEASURED_BEGIN, MEASURED_END } from './report-document.js';
export { readingBullets } from './report-reading.js';
