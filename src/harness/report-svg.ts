/**
 * SVG charts of a comparison, rendered by vega with `renderer: 'none'` (no canvas, no
 * browser; text widths are estimated). vega and vega-lite are about 23 MB of modules,
 * so they are imported here, lazily, and only when charts are asked for: the text and
 * JSON reports never load them.
 *
 * vega-scenegraph numbers the clip paths and gradients it emits from process-wide
 * counters, so they are reset (`resetSVGDefIds`) before each render: the same comparison
 * then gives the same bytes, whatever was rendered before in the process.
 */
import { CHART_NAMES, chartSpec, type ChartName } from './chart-specs.js';
import type { Comparison } from './result.js';

/** One rendered chart; `name` is also its file name without `.svg`. */
export interface ChartSvg {
  readonly name: ChartName;
  readonly svg: string;
}

/** Renders one chart to SVG text. */
export async function renderChartSvg(c: Comparison, chart: ChartName): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  // vega-lite warns that independent faceted scales union one field; that is the intent
  // (each scenario's panel has its own scale), so its logger is kept quiet.
  const compiled = vegaLite.compile(chartSpec(c, chart), { logger: vega.logger(vega.None) }).spec;
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every chart of the report, in CHART_NAMES order. */
export async function renderCharts(c: Comparison): Promise<ChartSvg[]> {
  const out: ChartSvg[] = [];
  for (const name of CHART_NAMES) out.push({ name, svg: await renderChartSvg(c, name) });
  return out;
}
