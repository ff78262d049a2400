/**
 * Vega-Lite specifications of the report's charts: per scenario (one panel each), one
 * horizontal bar per proposal, for vectors per GiB pinned and for bytes the allocator
 * gave for output arrays. Each panel has its own scales: a 1 GiB order-0 scenario and
 * a 1 GiB hugetlb one differ by five orders of magnitude, and a panel lists only the
 * proposals that pinned something there.
 *
 * Pure data: rendering (and loading vega) is in report-svg.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { vectorsPerGiB, type Comparison, type ProposalRun } from './result.js';
import { formatBytesShort, formatPerGiB } from './report-format.js';

/** The charts the report draws. */
export const CHART_NAMES = ['vectors-per-gib', 'bytes-allocated'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

interface ChartDefinition {
  readonly title: string;
  readonly axis: string;
  /** d3-format of the axis ticks. */
  readonly format: string;
  readonly value: (r: ProposalRun) => number | null;
  readonly label: (v: number) => string;
}

const CHARTS: Readonly<Record<ChartName, ChartDefinition>> = {
  'vectors-per-gib': {
    title: 'struct bio_vec entries per GiB pinned (fewer is better)',
    axis: 'bvecs per GiB',
    format: '~s',
    value: vectorsPerGiB,
    label: formatPerGiB,
  },
  'bytes-allocated': {
    title: 'Bytes allocated for output arrays (fewer is better)',
    axis: 'bytes (bar labels: K/M/G = 2^10/2^20/2^30)',
    // Exact bytes on the axis: SI suffixes there would clash with the binary ones on the bars.
    format: ',',
    value: (r) => r.bytesAllocated,
    label: formatBytesShort,
  },
};

/** One bar. */
export interface ChartRow {
  readonly scenario: string;
  readonly proposal: string;
  readonly value: number;
  readonly label: string;
}

/** The bars of one chart, in scenario then proposal order; runs with no value are left out. */
export function chartRows(c: Comparison, chart: ChartName): ChartRow[] {
  const def = CHARTS[chart];
  const rows: ChartRow[] = [];
  for (const s of c.scenarios)
    for (const r of s.runs) {
      const v = def.value(r);
      if (v !== null && Number.isFinite(v)) rows.push({ scenario: s.scenario, proposal: r.proposal, value: v, label: def.label(v) });
    }
  return rows;
}

function firstSeen(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The Vega-Lite spec of one chart. */
export function chartSpec(c: Comparison, chart: ChartName): TopLevelSpec {
  const def = CHARTS[chart];
  const rows = chartRows(c, chart);
  const proposals = firstSeen(rows.map((r) => r.proposal));
  const scenarios = firstSeen(rows.map((r) => r.scenario));
  const y = { field: 'proposal', type: 'nominal', sort: proposals, title: null, axis: { labelLimit: 400 } } as const;
  const x = { field: 'value', type: 'quantitative', title: def.axis, axis: { format: def.format } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: def.title,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: {
      row: {
        field: 'scenario',
        type: 'nominal',
        sort: scenarios,
        header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold', title: null },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 360,
      height: { step: 16 },
      layer: [
        { mark: { type: 'bar', color: '#4c78a8' }, encoding: { y, x } },
        { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y, x, text: { field: 'label' } } },
      ],
    },
    config: { background: 'white', font: 'sans-serif' },
  };
}
