// Report renderers (src/harness/report-*.ts) on a small hand-made comparison: the text
// report fits an LKML reply (80 columns, ASCII), Markdown escapes what it must, JSON
// keeps a fixed key order, SVG is well-formed and byte-identical across renders.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chartRows } from '../../src/harness/chart-specs.js';
import { comparisonToJson, renderJson } from '../../src/harness/report-json.js';
import { renderMarkdown } from '../../src/harness/report-markdown.js';
import { renderChartSvg, renderCharts } from '../../src/harness/report-svg.js';
import { renderText } from '../../src/harness/report-text.js';
import { renderTextTable } from '../../src/harness/text-table.js';
import { comparisonClean, encodeReturnValues, RESULT_SCHEMA_VERSION, type Comparison, type ProposalRun } from '../../src/harness/result.js';
import { COST_FIELDS, VmStat, type CostSnapshot } from '../../src/index.js';

function cost(partial: Partial<CostSnapshot>): CostSnapshot {
  const c = {} as CostSnapshot;
  for (const f of COST_FIELDS) c[f] = partial[f] ?? 0;
  return c;
}

const vmstat = (pins: number) => ({ ...new VmStat(), nrFollPinAcquired: pins, nrFollPinReleased: pins });

// 1 GiB of 2 MiB THPs: 512 folios, 262144 pages. page-array writes 262144 page
// pointers (8 bytes each: 2 MiB) and regroups them into 512 bvecs over 2 bios of 256.
const pageArray: ProposalRun = {
  proposal: 'page-array',
  settings: {},
  result: 1073741824,
  returnValues: [{ value: 262144, count: 1 }],
  bvecs: 512,
  bios: 2,
  bytesAllocated: 2097152,
  bytesUnused: 0,
  cost: cost({ apiCalls: 1, walkRestarts: 1, refcountAtomics: 1024, pincountAtomics: 512, allocations: 1, bytesAsked: 2097152, bytesGiven: 2097152 }),
  pinCost: cost({ apiCalls: 1, walkRestarts: 1, refcountAtomics: 512, pincountAtomics: 512, allocations: 1, bytesAsked: 2097152, bytesGiven: 2097152 }),
  vectorsDigest: '0123456789abcdef',
  runsDigest: 'fedcba9876543210',
  structural: false,
  vmstatBefore: vmstat(0),
  vmstatAfter: vmstat(262144),
  equivalent: true,
  reason: null,
  invariant: [],
  warnings: [],
  timing: { pinMeanNs: 1234567, pinRme: 1.23, pinSamples: 100, releaseMeanNs: 45678.9, releaseRme: 0.5, releaseSamples: 120 },
};

// 16 bvecs per call: 512 / 16 = 32 calls, each restarting the walk.
const callerChunks: ProposalRun = {
  ...pageArray,
  proposal: 'caller-chunks',
  settings: { chunkSize: 16, merge: 'folio' },
  returnValues: [{ value: 16, count: 32 }],
  bytesAllocated: 0,
  cost: cost({ apiCalls: 32, walkRestarts: 32, refcountAtomics: 1024, pincountAtomics: 512 }),
  timing: { pinMeanNs: 2000000, pinRme: 2, pinSamples: 90, releaseMeanNs: 40000, releaseRme: 1, releaseSamples: 130 },
};

const countFirst: ProposalRun = {
  ...pageArray,
  proposal: 'callee-allocates:count-first',
  settings: { sizing: 'count-first' },
  bytesAllocated: 8192,
  cost: cost({ apiCalls: 1, walkRestarts: 2, refcountAtomics: 1024, pincountAtomics: 512, allocations: 1 }),
  equivalent: false,
  reason: 'runs differ at vector 3: pfn 0x600 | len 2MiB vs 0x800',
  warnings: ['WARN_ON(folio_ref_count(folio) < 0) at gup_put_folio'],
  timing: null,
};

const efault = (proposal: string, allocated: number): ProposalRun => ({
  ...pageArray,
  proposal,
  result: -14,
  returnValues: [{ value: -14, count: 1 }],
  bvecs: 0,
  bios: 0,
  bytesAllocated: allocated,
  cost: cost({ apiCalls: 1, walkRestarts: 1 }),
  vmstatAfter: vmstat(0),
  timing: null,
});

const comparison: Comparison = {
  schemaVersion: RESULT_SCHEMA_VERSION,
  seed: 1,
  tool: { name: 'folio-gup', version: '0.1.0' },
  node: 'v20.20.2',
  scenarios: [
    {
      scenario: 'thp-1g',
      description: '1 GiB of PMD-mapped THP',
      seed: 1,
      request: { start: 0x7f0000000000, length: 1073741824, flags: 'FOLL_WRITE|FOLL_LONGTERM' },
      runs: [pageArray, callerChunks, countFirst],
      notRun: [{ proposal: 'extract-bvecs', settings: { merge: 'folio' }, reason: 'FOLL_LONGTERM cannot be expressed through an iov_iter' }],
    },
    {
      scenario: 'hole-efault',
      description: '\u00dcnicode \u2013 a range with a hole at the start',
      seed: 9,
      request: { start: 0x7f0000000000, length: 8192, flags: '0' },
      runs: [efault('page-array', 4096), efault('overallocate', 0)],
      notRun: [],
    },
  ],
};

describe('renderText', () => {
  const text = renderText(comparison);
  const lines = text.split('\n');

  it('never goes past 80 columns and is pure ASCII', () => {
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('prints the counters table of a scenario as worked out by hand', () => {
    // proposal column: "callee-allocates:count-first" is 28 wide; "not run" makes the
    // result column 7; the rest fits with 2-space gaps (78 columns). The row not run comes last.
    const start = lines.indexOf('proposal                       result  bvecs  bios  calls  walks  atomics  eq');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start, start + 6)).toEqual([
      'proposal                       result  bvecs  bios  calls  walks  atomics  eq',
      '----------------------------  -------  -----  ----  -----  -----  -------  ---',
      'page-array                         1G    512     2      1      1     1536  yes',
      'caller-chunks                      1G    512     2     32     32     1536  yes',
      'callee-allocates:count-first       1G    512     2      1      2     1536  NO',
      'extract-bvecs                 not run      -     -      -      -        -  -',
    ]);
  });

  it('falls back to one-space gaps for the memory and time table (80 columns), the name cut to fit', () => {
    // "not run" widens allocs to 7: 28 + 7 + 5 + 6 + 6 + 6 + 4 + 7 + 4 = 73 of cells and
    // 8 gaps is 81, so the name column gives up one column (27: 26 characters and a ~).
    const start = lines.indexOf('proposal                     allocs alloc unused copied    pin rme% release rme%');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 2, start + 6)).toEqual([
      'page-array                        1    2M      0      0 1.23ms  1.2  45.7us  0.5',
      'caller-chunks                     0     0      0      0 2.00ms  2.0  40.0us  1.0',
      'callee-allocates:count-fir~       1    8K      0      0      -    -       -    -',
      'extract-bvecs               not run     -      -      -      -    -       -    -',
    ]);
  });

  it('says why a row was not run, and lists it with no verdict', () => {
    const at = lines.indexOf('not run:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  extract-bvecs: FOLL_LONGTERM cannot be expressed through an iov_iter');
    expect(lines.filter((l) => l.startsWith('  extract-bvecs'))).toHaveLength(1);
  });

  it('shows the header, request, errno results, verdicts, WARNs and the legend', () => {
    expect(lines[0]).toBe('folio-gup 0.1.0 comparison: seed 1, node v20.20.2, schema 3');
    expect(lines).toContain('request: 0x7f0000000000 +1GiB, flags FOLL_WRITE|FOLL_LONGTERM; seed 1');
    expect(lines).toContain('?nicode ? a range with a hole at the start');
    expect(lines.some((l) => /^page-array +-EFAULT +0 +0 +1 +1 +0 +yes$/.test(l))).toBe(true);
    expect(lines).toContain('  callee-allocates:count-first: runs differ at vector 3: pfn 0x600 | len 2MiB vs');
    expect(lines).toContain('  callee-allocates:count-first: WARN_ON(folio_ref_count(folio) < 0) at');
    expect(text).toContain('legend: result = bytes pinned or -errno;');
  });

  it('shortens an over-long proposal name with ~ rather than overflow', () => {
    const long = 'x'.repeat(70);
    const table = renderTextTable(
      [{ header: 'proposal', align: 'left' }, { header: 'bvecs', align: 'right' }, { header: 'bios', align: 'right' }],
      [[long, '26214400', '102400']],
    );
    for (const line of table) expect(line.length).toBeLessThanOrEqual(80);
    // 70 + 8 + 6 = 84 columns of cells: too wide even with 1-space gaps (86), so the
    // name column loses 6 and keeps 64: 63 x's and a ~, then 1 + 8 + 1 + 6 = 80 in all.
    expect(table[2]).toBe(`${'x'.repeat(63)}~ 26214400 102400`);
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(comparison);

  it('has one table per scenario with exact numbers and escaped cells', () => {
    expect(md).toContain('## thp-1g');
    expect(md).toContain('## hole-efault');
    expect(md).toMatch(/^\| proposal +\| settings +\| +result \| bvecs \| bvecs\/GiB \|/m);
    expect(md).toMatch(/^\| page-array +\| defaults +\| 1073741824 \| +512 \| +512 \|/m);
    expect(md).toMatch(/^\| caller-chunks +\| chunkSize=16, merge=folio \|/m);
    expect(md).toContain('- callee-allocates:count-first: runs differ at vector 3: pfn 0x600 \\| len 2MiB vs 0x800');
    expect(md).toMatch(/\| -EFAULT +\| +0 \| +- +\|/);
    expect(md).toContain('**NO**');
    expect(md).toContain('Request: `0x7f0000000000` + 1GiB, flags `FOLL_WRITE|FOLL_LONGTERM`, seed 1.');
  });

  it('shows a row not run as "not run" in the table, dashes elsewhere, and the reason under it', () => {
    expect(md).toMatch(/^\| extract-bvecs +\| merge=folio +\| +not run \|( +- +\|){15}$/m);
    expect(md).toContain('Not run:\n\n- extract-bvecs: FOLL\\_LONGTERM cannot be expressed through an iov\\_iter\n');
  });
});

describe('renderJson', () => {
  it('keeps a fixed key order whatever order the input objects were built in', () => {
    const reversed = JSON.parse(JSON.stringify(comparison), (_, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as object).reverse())
        : v,
    ) as Comparison;
    expect(renderJson(reversed)).toBe(renderJson(comparison));
    const doc = JSON.parse(renderJson(comparison)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'seed', 'tool', 'node', 'scenarios']);
    const scenario = (comparisonToJson(comparison).scenarios as Record<string, unknown>[])[0]!;
    expect(Object.keys(scenario)).toEqual(['scenario', 'description', 'seed', 'request', 'runs', 'notRun']);
    const run = scenario.runs as Record<string, unknown>[];
    expect(Object.keys(run[0]!)).toEqual([
      'proposal', 'settings', 'result', 'returnValues', 'bvecs', 'bios', 'bytesAllocated', 'bytesUnused',
      'cost', 'pinCost', 'vectorsDigest', 'runsDigest', 'structural', 'vmstatBefore', 'vmstatAfter', 'equivalent', 'reason',
      'invariant', 'warnings', 'timing',
    ]);
    expect(Object.keys(run[0]!.cost as object)).toEqual([...COST_FIELDS]);
    expect(scenario.notRun).toEqual([{ proposal: 'extract-bvecs', settings: { merge: 'folio' }, reason: 'FOLL_LONGTERM cannot be expressed through an iov_iter' }]);
    expect(doc.schemaVersion).toBe(3);
  });

  it('round-trips the data', () => {
    expect(JSON.parse(renderJson(comparison))).toEqual(JSON.parse(JSON.stringify(comparison)));
  });
});

describe('result helpers', () => {
  it('run-length encodes return values in call order', () => {
    expect(encodeReturnValues([16, 16, 16, 3, -14])).toEqual([
      { value: 16, count: 3 },
      { value: 3, count: 1 },
      { value: -14, count: 1 },
    ]);
    expect(encodeReturnValues([])).toEqual([]);
  });

  it('a comparison with a disagreement or a WARN is not clean; a row not run is no failure', () => {
    expect(comparisonClean(comparison)).toBe(false);
    expect(comparisonClean({ ...comparison, scenarios: [{ ...comparison.scenarios[1]! }] })).toBe(true);
    const notRun = comparison.scenarios[0]!.notRun;
    expect(comparisonClean({ ...comparison, scenarios: [{ ...comparison.scenarios[1]!, notRun }] })).toBe(true);
  });
});

/** Checks that tags open and close in order (enough for vega's SVG: no comments or CDATA). */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing === '/') continue;
    if (closing === '/') {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

describe('SVG charts', () => {
  it('lists the bars of each chart, leaving out runs that pinned nothing', () => {
    expect(chartRows(comparison, 'vectors-per-gib')).toEqual([
      { scenario: 'thp-1g', proposal: 'page-array', value: 512, label: '512' },
      { scenario: 'thp-1g', proposal: 'caller-chunks', value: 512, label: '512' },
      { scenario: 'thp-1g', proposal: 'callee-allocates:count-first', value: 512, label: '512' },
    ]);
    expect(chartRows(comparison, 'bytes-allocated').map((r) => [r.scenario, r.proposal, r.label])).toEqual([
      ['thp-1g', 'page-array', '2M'],
      ['thp-1g', 'caller-chunks', '0'],
      ['thp-1g', 'callee-allocates:count-first', '8K'],
      ['hole-efault', 'page-array', '4K'],
      ['hole-efault', 'overallocate', '0'],
    ]);
  });

  it('renders well-formed SVG with the names in it, byte-identical across renders', async () => {
    const charts = await renderCharts(comparison);
    expect(charts.map((c) => c.name)).toEqual(['vectors-per-gib', 'bytes-allocated']);
    for (const { svg } of charts) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(wellFormed(svg)).toBe(true);
      expect(svg).toContain('>page-array</text>');
      expect(svg).toContain('>thp-1g</text>');
    }
    expect(charts[0]!.svg).not.toContain('hole-efault');
    expect(charts[1]!.svg).toContain('>hole-efault</text>');
    // again, after other renders in the same process
    expect(await renderChartSvg(comparison, 'bytes-allocated')).toBe(charts[1]!.svg);
    expect(await renderChartSvg(comparison, 'vectors-per-gib')).toBe(charts[0]!.svg);
  });
});

describe('module loading', () => {
  it('only report-svg.ts loads vega, and only with a dynamic import', () => {
    const dir = 'src/harness';
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(`${dir}/${file}`, 'utf8');
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from 'vega/m);
      if (file !== 'report-svg.ts') expect(source, file).not.toMatch(/import\('vega/);
    }
  });
});
